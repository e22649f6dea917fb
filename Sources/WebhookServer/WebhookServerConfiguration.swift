#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of the webhook receiver that are not the HTTP server's own (host and port are in
/// Hummingbird's `ApplicationConfiguration`).
public struct WebhookServerConfiguration: Sendable {
    /// Endpoint signing secrets (`whsec_…`); two or more while a secret is being rolled.
    public var secrets: [String]
    /// Largest accepted age of the signature timestamp, in seconds.
    public var signatureTolerance: Int
    /// Largest accepted request body, in bytes; larger ones get 413.
    public var maxBodySize: Int
    /// Route of the webhook endpoint.
    public var path: String
    /// Pause of the applier between batches when the backlog is small.
    public var applyInterval: Duration
    /// Most records handed to the sink in one call.
    public var maxBatchSize: Int
    /// A connection on which nothing arrives for this long is closed (a client that stalls mid-request
    /// or holds an idle connection open).
    public var idleTimeout: Duration
    /// Current time in Unix seconds; replaceable in tests.
    public var now: @Sendable () -> Int64

    public init(
        secrets: [String],
        signatureTolerance: Int = StripeSignature.defaultTolerance,
        maxBodySize: Int = 1 << 20,
        path: String = "/stripe/webhook",
        applyInterval: Duration = .milliseconds(150),
        maxBatchSize: Int = 2000,
        idleTimeout: Duration = .seconds(30),
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        self.secrets = secrets
        self.signatureTolerance = signatureTolerance
        self.maxBodySize = maxBodySize
        self.path = path
        self.applyInterval = applyInterval
        self.maxBatchSize = maxBatchSize
        self.idleTimeout = idleTimeout
        self.now = now
    }
}
