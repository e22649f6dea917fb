import Logging
import ServiceLifecycle

/// The single writer that moves stored events from the inbox into the ledger.
///
/// Every `interval` it takes the records after the inbox's applied position (at most
/// `maxBatchSize`), hands them to the sink, records refused events in `failed.jsonl`, then
/// advances the applied position. When the sink throws, the position stays and the same records
/// are retried with a growing pause (up to 5 s): nothing acknowledged is dropped. On graceful
/// shutdown (after the HTTP server has stopped accepting) it drains the backlog, then returns.
/// Run it as a service of the application (`buildApplication` does).
public final class Applier: Service, Sendable {
    /// What `GET /readyz` reports about the applier.
    public struct Status: Sendable, Equatable {
        /// Batches in a row that the sink refused as a whole.
        public var consecutiveErrors = 0
        /// Short text of the last batch error, cleared by the next success.
        public var lastError: String?
        /// Events the sink refused, each kept in `failed.jsonl` (counted from that file at start).
        public var failedEvents = 0
        public var appliedEvents = 0
    }

    public let inbox: Inbox
    public let sink: any WebhookEventSink
    public let interval: Duration
    public let maxBatchSize: Int
    /// How many failed attempts the final drain makes before leaving the rest for the next start.
    public let drainAttempts: Int
    let metrics: WebhookMetrics
    let logger: Logger
    private let state: Locked<Status>
    private let acceptedAt = Locked([UInt64: ContinuousClock.Instant]())

    public init(
        inbox: Inbox, sink: any WebhookEventSink, metrics: WebhookMetrics,
        interval: Duration = .milliseconds(150), maxBatchSize: Int = 2000, drainAttempts: Int = 3,
        logger: Logger = Logger(label: "ledgersync.webhook.applier")
    ) {
        self.inbox = inbox
        var status = Status()
        status.failedEvents = Inbox.failedEventCount(directory: inbox.directory)
        state = Locked(status)
        self.sink = sink
        self.metrics = metrics
        self.interval = interval
        self.maxBatchSize = max(1, maxBatchSize)
        self.drainAttempts = max(1, drainAttempts)
        self.logger = logger
    }

    public var status: Status { state.withLock { $0 } }

    /// Notes when an event was acknowledged, for the apply-latency histogram.
    func noteAccepted(_ position: InboxPosition) {
        let now = ContinuousClock.now
        acceptedAt.withLock { times in
            if times.count < 1_000_000 { times[position.offset] = now }
        }
    }

    public func run() async throws {
        let stopping = Locked(false)
        await withGracefulShutdownHandler {
            while !stopping.withLock({ $0 }) && !Task.isCancelled {
                let outcome = await applyNextBatch()
                switch outcome {
                case .appliedFullBatch:
                    continue
                case .appliedPartialBatch, .idle:
                    await pause(interval)
                case .failed:
                    let errors = status.consecutiveErrors
                    await pause(min(interval * (1 << min(errors, 5)), .seconds(5)))
                }
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
        }
        await drain()
    }

    /// Sleeps, but wakes at once on graceful shutdown or cancellation.
    private func pause(_ duration: Duration) async {
        _ = try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }

    /// Applies until the backlog is empty, or the sink failed `drainAttempts` times in a row.
    public func drain() async {
        var failures = 0
        while inbox.backlog > 0 && failures < drainAttempts && !Task.isCancelled {
            if case .failed = await applyNextBatch() {
                failures += 1
            } else {
                failures = 0
            }
        }
        let left = inbox.backlog
        if left > 0 {
            logger.warning("stopping with events not yet applied; the next start applies them", metadata: ["backlog": "\(left)"])
        } else {
            logger.info("backlog drained")
        }
    }

    enum Outcome: Equatable {
        case idle, appliedPartialBatch, appliedFullBatch, failed
    }

    /// One step: read, apply, record failures, advance.
    func applyNextBatch() async -> Outcome {
        let start = inbox.appliedPosition
        let records: [InboxRecord]
        do {
            records = try inbox.records(from: start, limit: maxBatchSize)
        } catch {
            noteBatchError("\(error)")
            return .failed
        }
        metrics.backlog.set(Int64(inbox.backlog))
        guard let last = records.last else { return .idle }

        let began = ContinuousClock.now
        let result: ApplyResult
        do {
            result = try await sink.apply(records)
        } catch {
            noteBatchError(String(describing: error))
            return .failed
        }
        let finished = ContinuousClock.now
        metrics.applyBatchDuration.record(finished - began)

        do {
            try inbox.recordFailures(result.failures)
            try inbox.markApplied(upTo: last.next)
        } catch {
            // The sink applied the batch; it will see it again and must skip it as duplicates.
            noteBatchError("\(error)")
            return .failed
        }

        metrics.applied.increment(by: Int64(result.applied))
        metrics.applyDuplicates.increment(by: Int64(result.duplicates))
        metrics.applyFailed.increment(by: Int64(result.failures.count))
        metrics.backlog.set(Int64(inbox.backlog))
        let lags = acceptedAt.withLock { times in
            records.compactMap { times.removeValue(forKey: $0.position.offset) }
        }
        for accepted in lags { metrics.applyLag.record(finished - accepted) }
        state.withLock { status in
            status.consecutiveErrors = 0
            status.lastError = nil
            status.failedEvents += result.failures.count
            status.appliedEvents += result.applied
        }
        for failure in result.failures {
            logger.error(
                "event not applied; kept in failed.jsonl",
                metadata: [
                    "event_id": "\(failure.eventID ?? "-")", "event_type": "\(failure.eventType ?? "-")",
                    "reason": "\(failure.reason)",
                ])
        }
        logger.debug(
            "applied batch",
            metadata: [
                "events": "\(records.count)", "applied": "\(result.applied)", "duplicates": "\(result.duplicates)",
                "failed": "\(result.failures.count)", "first_event_id": "\(records[0].eventID ?? "-")",
            ])
        return records.count >= maxBatchSize ? .appliedFullBatch : .appliedPartialBatch
    }

    private func noteBatchError(_ text: String) {
        metrics.applyErrors.increment()
        let errors = state.withLock { status in
            status.consecutiveErrors += 1
            status.lastError = text
            return status.consecutiveErrors
        }
        logger.error("applying a batch failed; will retry", metadata: ["error": "\(text)", "consecutive_errors": "\(errors)"])
    }
}
