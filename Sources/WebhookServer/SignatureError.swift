/// Why a `Stripe-Signature` header was refused. Carries no secret and no part of the body.
public struct SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case missingTimestamp, noV1Signature, noMatchingSignature, timestampTooOld, noSecretConfigured
    }
    public let kind: Kind
    /// Age of the signing timestamp in seconds, for `timestampTooOld`.
    public let age: Int64?
    /// Tolerance in force, for `timestampTooOld`.
    public let tolerance: Int?

    public init(_ kind: Kind, age: Int64? = nil, tolerance: Int? = nil) {
        self.kind = kind
        self.age = age
        self.tolerance = tolerance
    }

    /// A short reason fit for an HTTP response body and a metrics label.
    public var reason: String {
        switch kind {
        case .missingTimestamp: return "signature header has no timestamp"
        case .noV1Signature: return "signature header has no v1 signature"
        case .noMatchingSignature: return "no signature matches the payload"
        case .timestampTooOld: return "signature timestamp is too old"
        case .noSecretConfigured: return "no webhook secret configured"
        }
    }

    public var description: String {
        switch kind {
        case .missingTimestamp:
            return "Stripe-Signature check failed · the header has no t=<seconds> item · send the header Stripe generated, unchanged"
        case .noV1Signature:
            return "Stripe-Signature check failed · the header has no v1 signature (v0 and other schemes are ignored) · send the header Stripe generated, unchanged"
        case .noMatchingSignature:
            return "Stripe-Signature check failed · no v1 signature matches the body for any configured secret · check the endpoint's signing secret (whsec_…) and that the body reaches the server unmodified"
        case .timestampTooOld:
            let ageText = age.map { "\($0) s" } ?? "?"
            let toleranceText = tolerance.map { "\($0) s" } ?? "?"
            return "Stripe-Signature check failed · the signing timestamp is \(ageText) old, tolerance \(toleranceText) · a replayed or delayed request; check the server clock (Stripe retries with a fresh timestamp)"
        case .noSecretConfigured:
            return "Stripe-Signature check failed · no webhook signing secret is configured · set STRIPE_WEBHOOK_SECRET or --secret-file"
        }
    }
}
