/// When to try a request again: on 429, 5xx and dropped connections, with exponential backoff and
/// full jitter (Stripe's advice for rate limits), never sooner than the server's `Retry-After`.
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
    /// Upper bound of any one wait, in seconds (a `Retry-After` above it is capped to it).
    public var maxDelay: Double

    public init(maxAttempts: Int = 8, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Seconds to wait after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?,
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * Double(1 << exponent))
        let jittered = random(0...max(ceiling, 0))
        guard let retryAfter, retryAfter > 0 else { return jittered }
        return min(maxDelay, retryAfter + jittered / 4)
    }

    /// Whether an HTTP status is worth another attempt.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }
}
