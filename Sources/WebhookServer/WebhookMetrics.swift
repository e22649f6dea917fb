import Prometheus

/// The receiver's Prometheus metrics, in a registry of their own (no global bootstrap), rendered
/// by `GET /metrics`.
public final class WebhookMetrics: Sendable {
    /// Why a request was refused; the `reason` label of `webhook_events_rejected_total`.
    public enum RejectReason: String, Sendable, CaseIterable {
        case unsupportedMediaType = "unsupported_media_type"
        case bodyTooLarge = "body_too_large"
        case missingSignature = "missing_signature"
        case badSignature = "bad_signature"
        case staleTimestamp = "stale_timestamp"
        case malformedJSON = "malformed_json"
        case notAnEvent = "not_an_event"
        case storageUnavailable = "storage_unavailable"
    }

    public let registry: PrometheusCollectorRegistry
    let received: Counter
    let duplicates: Counter
    let applied: Counter
    let applyDuplicates: Counter
    let applyFailed: Counter
    let applyErrors: Counter
    let backlog: Gauge
    let applyBatchDuration: DurationHistogram
    let applyLag: DurationHistogram
    private let rejected: [RejectReason: Counter]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        received = registry.makeCounter(
            descriptor: Self.describe("webhook_events_received_total", "Signed events accepted and stored in the inbox"))
        duplicates = registry.makeCounter(
            descriptor: Self.describe("webhook_events_duplicate_total", "Accepted events whose id was already in the inbox"))
        applied = registry.makeCounter(
            descriptor: Self.describe("webhook_events_applied_total", "Events the ledger applied"))
        applyDuplicates = registry.makeCounter(
            descriptor: Self.describe("webhook_events_apply_skipped_duplicate_total", "Events the ledger skipped as already applied"))
        applyFailed = registry.makeCounter(
            descriptor: Self.describe("webhook_events_apply_failed_total", "Events the ledger refused (kept in failed.jsonl)"))
        applyErrors = registry.makeCounter(
            descriptor: Self.describe("webhook_apply_errors_total", "Batches that failed as a whole and will be retried"))
        backlog = registry.makeGauge(
            descriptor: Self.describe("webhook_backlog", "Events stored in the inbox and not yet applied"))
        let buckets: [Duration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        applyBatchDuration = registry.makeDurationHistogram(
            descriptor: Self.describe("webhook_apply_batch_duration_seconds", "Time the ledger took to apply one batch"), buckets: buckets)
        applyLag = registry.makeDurationHistogram(
            descriptor: Self.describe("webhook_apply_latency_seconds", "Time from acknowledging an event to the ledger having applied it"), buckets: buckets)
        var rejected: [RejectReason: Counter] = [:]
        for reason in RejectReason.allCases {
            rejected[reason] = registry.makeCounter(
            descriptor: Self.describe("webhook_events_rejected_total", "Requests refused, by reason"), labels: [("reason", reason.rawValue)])
        }
        self.rejected = rejected
    }

    /// The whole name as the metric name, so the exposed names are exactly the ones written here.
    private static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func reject(_ reason: RejectReason) {
        rejected[reason]?.increment()
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
