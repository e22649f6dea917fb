import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// GET requests to the Stripe API (or a server standing in for it) with the key, the pinned
/// `Stripe-Version`, and retries (`RetryPolicy`) on 429, 5xx and dropped connections.
///
/// ```swift
/// let client = try StripeClient(key: key, base: "https://api.stripe.com")
/// let page = try await client.get("/v1/charges", query: [("limit", "100")])
/// ```
public final class StripeClient: Sendable {
    /// The API version the decoders were tested with: events and objects of `2025-03-31.basil`
    /// (invoice payments) and of older versions (`charge.invoice`) both decode.
    public static let defaultVersion = "2025-03-31.basil"

    public let base: URL
    public let version: String
    public let retry: RetryPolicy
    let key: APIKey
    let session: URLSession
    /// Waits between attempts; replaceable in tests.
    let sleep: @Sendable (Double) async -> Void

    /// - Throws: `.badBase` when `base` is not an http(s) URL, or is plain http to another machine
    ///   (the key would cross the network in clear text).
    public init(key: APIKey, base: String = "https://api.stripe.com", version: String = StripeClient.defaultVersion,
                retry: RetryPolicy = RetryPolicy(), timeout: Double = 60,
                sleep: @escaping @Sendable (Double) async -> Void = { seconds in
                    try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                }) throws(StripeAPIError) {
        var text = base
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              url.host != nil else {
            throw StripeAPIError(.badBase, context: base, "is not an http(s) URL; give one like https://api.stripe.com")
        }
        if scheme == "http", !["127.0.0.1", "::1", "[::1]", "localhost"].contains(url.host ?? "") {
            throw StripeAPIError(.badBase, context: base, "is plain http to another machine, which would send the key in clear text; use https (plain http is for a stand-in on this machine: 127.0.0.1 or localhost)")
        }
        self.base = url
        self.version = version
        self.retry = retry
        self.key = key
        self.sleep = sleep
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieAcceptPolicy = .never
        session = URLSession(configuration: configuration)
    }

    /// The bytes of a 2xx answer to `GET path?query`.
    ///
    /// - Parameter onRetry: told (in words, without the key) each time an attempt is retried.
    /// - Throws: `.unauthorized`, `.forbidden`, `.rejected` at once; `.gaveUp` when every attempt failed.
    public func get(_ path: String, query: [(String, String)],
                    onRetry: @Sendable (String) -> Void = { _ in }) async throws(StripeAPIError) -> [UInt8] {
        let url = URL(string: base.absoluteString + path + StripeClient.queryString(query)) ?? base
        var request = URLRequest(url: url)
        request.httpMethod = "GET"
        request.setValue("Bearer " + key.secret, forHTTPHeaderField: "Authorization")
        request.setValue(version, forHTTPHeaderField: "Stripe-Version")
        request.setValue("LedgerSync/0.1", forHTTPHeaderField: "User-Agent")
        var lastFailure = ""
        for attempt in 1...retry.maxAttempts {
            var retryAfter: Double?
            do {
                let (data, response) = try await session.data(for: request)
                guard let http = response as? HTTPURLResponse else {
                    lastFailure = "an answer that is not HTTP"
                    throw Retry()
                }
                if (200...299).contains(http.statusCode) { return [UInt8](data) }
                let message = StripeClient.errorMessage(data)
                switch http.statusCode {
                case 401:
                    throw StripeAPIError(.unauthorized, context: path, status: 401,
                                         "Stripe refused the key \(key) (\(message)); check that it is current and of the ledger's mode")
                case 403:
                    throw StripeAPIError(.forbidden, context: path, status: 403,
                                         "the key \(key) may not read this (\(message)); give a restricted key read access to it, or use a secret key")
                case let s where RetryPolicy.isRetryable(status: s):
                    lastFailure = "HTTP \(s)"
                    retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { RetryPolicy.retryAfterSeconds($0) }
                    if let retryAfter, retryAfter > retry.maxRetryAfter {
                        throw StripeAPIError(.gaveUp, context: path, status: s,
                                             "Stripe asked to wait \(retryAfter < 1e9 ? "\(Int(retryAfter)) s" : "for ever") before trying again; what was fetched so far is kept — run the same pull again then to continue")
                    }
                default:
                    throw StripeAPIError(.rejected, context: path, status: http.statusCode,
                                         "Stripe rejected the request (\(message)); check --since/--until and --api-base")
                }
            } catch let error as StripeAPIError {
                throw error
            } catch is Retry {
            } catch let error as URLError where error.code == .cancelled || error.code == .badURL || error.code == .unsupportedURL {
                throw StripeAPIError(.rejected, context: path, "the request could not be made (\(error.code.rawValue)); check --api-base")
            } catch {
                lastFailure = "the connection failed (\((error as? URLError).map { "URLError \($0.code.rawValue)" } ?? "\(type(of: error))"))"
            }
            guard attempt < retry.maxAttempts else { break }
            let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
            onRetry("\(path): \(lastFailure); retrying in \(String(format: "%.1f", wait)) s (attempt \(attempt + 1) of \(retry.maxAttempts))")
            await sleep(wait)
        }
        throw StripeAPIError(.gaveUp, context: path,
                             "gave up after \(retry.maxAttempts) attempts, the last: \(lastFailure); what was fetched so far is kept — run the same pull again later to continue")
    }

    private struct Retry: Error {}

    /// `?a=1&b=2`, values percent-encoded (brackets in names are kept, as Stripe writes them).
    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var names = allowed
        names.insert(charactersIn: "[]")
        return "?" + query.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: names) ?? name) + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }

    /// Stripe's `error.message`, at most 200 characters, or a placeholder.
    static func errorMessage(_ data: Data) -> String {
        struct Body: Decodable {
            struct Inner: Decodable { var message: String? }
            var error: Inner?
        }
        let message = (try? JSONDecoder().decode(Body.self, from: data))?.error?.message ?? "no message"
        // Stripe's own message may quote the key it refused.
        return APIKey.redacting(String(message.prefix(200)))
    }
}
