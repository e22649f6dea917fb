/// What went wrong talking to the Stripe API. Messages never hold the key.
public struct StripeAPIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Neither `STRIPE_API_KEY` nor `--api-key-file` gave a key.
        case missingKey
        /// The key file cannot be read.
        case keyFileUnreadable
        /// The text is not a Stripe secret or restricted key (`sk_test_…`, `sk_live_…`, `rk_…`).
        case malformedKey
        /// Stripe refused the key (HTTP 401).
        case unauthorized
        /// The key may not read this endpoint (HTTP 403, a restricted key without the permission).
        case forbidden
        /// Stripe refused the request (another 4xx).
        case rejected
        /// Retries ran out on 429, 5xx or dropped connections.
        case gaveUp
        /// The answer is not a Stripe list object.
        case notAList
        /// `--api-base` is not an http(s) URL.
        case badBase
    }

    public var kind: Kind
    /// The endpoint (`/v1/charges`) or the file concerned.
    public var context: String
    /// HTTP status, when there was an answer.
    public var status: Int?
    /// What failed and what to do.
    public var message: String

    public init(_ kind: Kind, context: String, status: Int? = nil, _ message: String) {
        self.kind = kind
        self.context = context
        self.status = status
        self.message = message
    }

    public var description: String {
        let code = status.map { " (HTTP \($0))" } ?? ""
        return "\(context)\(code): \(message)"
    }
}
