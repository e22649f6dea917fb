/// Where accepted events go: implemented by whoever owns the ledger (the `serve` command).
///
/// The applier calls `apply` from one task at a time, with records in journal order, and
/// advances the inbox's applied position after it returns. So:
/// - `apply` must be idempotent per event id: after a crash between `apply` and the position
///   update the same records come again, and Stripe itself may deliver an event twice.
/// - Throw only when the batch as a whole could not be applied (ledger locked, disk full); the
///   applier keeps the position and retries the same records later. An event that is itself
///   unusable goes into `ApplyResult.failures` instead, so it is recorded and not retried forever.
/// - Thrown errors and failure reasons are logged: keep customer and card data out of them.
public protocol WebhookEventSink: Sendable {
    /// Applies `events` to the ledger in order, durably, before returning.
    func apply(_ events: [InboxRecord]) async throws -> ApplyResult

    /// Whether the ledger can be written now; reported by `GET /readyz`.
    func isWritable() async -> Bool
}

/// What a sink did with one batch.
public struct ApplyResult: Sendable, Equatable {
    /// Events that changed or were added to the ledger.
    public var applied: Int
    /// Events skipped because their id was applied before.
    public var duplicates: Int
    /// Events that could not be applied, with the reason; recorded in the inbox's `failed.jsonl`.
    public var failures: [ApplyFailure]

    public init(applied: Int, duplicates: Int = 0, failures: [ApplyFailure] = []) {
        self.applied = applied
        self.duplicates = duplicates
        self.failures = failures
    }
}

/// One event a sink could not apply. `reason` must not quote customer data or card details.
public struct ApplyFailure: Sendable, Equatable {
    public var position: InboxPosition
    public var eventID: String?
    public var eventType: String?
    public var reason: String

    public init(position: InboxPosition, eventID: String?, eventType: String?, reason: String) {
        self.position = position
        self.eventID = eventID
        self.eventType = eventType
        self.reason = reason
    }

    /// A failure for `record` with `reason`.
    public init(_ record: InboxRecord, reason: String) {
        self.init(position: record.position, eventID: record.eventID, eventType: record.eventType, reason: reason)
    }
}
