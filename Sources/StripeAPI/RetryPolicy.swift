import Foundation

/// When to try a request again: on 429, 5xx and dropped connections, with exponential backoff and
/// full jitter (Stripe's advice for rate limits), never sooner than the server's `Retry-After`
/// (up to `maxRetryAfter`: a server asking for a longer wait ends the request instead).
///
/// ```swift
/// let policy = RetryPolicy()            // 8 attempts, 0.5 s doubling up to 30 s
/// policy.delay(afterAttempt: 3, retryAfter: nil)   // random in 0…4 s
/// ```
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per request, the first included.
    public var maxAttempts: Int
    /// Upper bound of the first backoff, in seconds; it doubles each attempt.
    public var baseDelay: Double
    /// Upper bound of a backoff wait, in seconds.
    public var maxDelay: Double
    /// The longest `Retry-After` waited for, in seconds.
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 600) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Seconds to wait after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?,
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * Double(1 << exponent))
        let jittered = random(0...max(ceiling, 0))
        guard let retryAfter, retryAfter > 0 else { return jittered }
        return retryAfter + min(jittered, maxDelay) / 4
    }

    /// Seconds a `Retry-After` header asks for: delay-seconds (`30`) or an HTTP-date
    /// (`Wed, 21 Oct 2026 07:28:00 GMT`, counted from `now`); nil when it is neither.
    public static func retryAfterSeconds(_ header: String, now: Date = Date()) -> Double? {
        let text = header.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds.isFinite { return max(seconds, 0) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(date.timeIntervalSince(now), 0)
    }

    /// Whether an HTTP status is worth another attempt.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }
}
