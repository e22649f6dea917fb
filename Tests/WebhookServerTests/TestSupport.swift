import Foundation
@testable import WebhookServer

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ name: String = #function) throws {
        let base = FileManager.default.temporaryDirectory.path
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = "\(base)/webhook-tests-\(safe)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// An event body shaped like Stripe's, compact.
func eventBody(id: String, type: String = "invoice.paid", extra: String = "") -> [UInt8] {
    Array(#"{"id":"\#(id)","object":"event","type":"\#(type)","data":{"object":{"id":"in_1"\#(extra)}}}"#.utf8)
}

/// A sink that records what it was given, and can be told to fail.
final class RecordingSink: WebhookEventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var _batches: [[InboxRecord]] = []
    private var _seen: Set<String> = []
    private var _failNextBatches = 0
    private var _writable = true
    var refuseEventIDs: Set<String> = []

    var batches: [[InboxRecord]] { lock.withLock { _batches } }
    var appliedIDs: [String] { lock.withLock { _batches.flatMap { $0.compactMap(\.eventID) } } }
    var uniqueApplied: Set<String> { lock.withLock { _seen } }

    func failNextBatches(_ count: Int) { lock.withLock { _failNextBatches = count } }
    func setWritable(_ value: Bool) { lock.withLock { _writable = value } }

    struct Refused: Error {}

    func apply(_ events: [InboxRecord]) async throws -> ApplyResult {
        try lock.withLock {
            if _failNextBatches > 0 {
                _failNextBatches -= 1
                throw Refused()
            }
            _batches.append(events)
            var result = ApplyResult(applied: 0)
            for event in events {
                guard let id = event.eventID else { continue }
                if refuseEventIDs.contains(id) {
                    result.failures.append(ApplyFailure(event, reason: "refused by test"))
                } else if _seen.insert(id).inserted {
                    result.applied += 1
                } else {
                    result.duplicates += 1
                }
            }
            return result
        }
    }

    func isWritable() async -> Bool { lock.withLock { _writable } }
}
