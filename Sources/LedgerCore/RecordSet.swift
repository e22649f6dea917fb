/// Everything known from Stripe: one merged snapshot per object id, and the event ids already seen.
///
/// Inserting is idempotent and order-independent (DESIGN.md §6): the same records in any order,
/// any number of times, leave the same set.
public struct RecordSet: Sendable {
    public private(set) var records: [String: Record] = [:]
    public private(set) var seenEvents: Set<String> = []

    public init() {}

    /// Restores a set saved earlier (the state cache); the records must already be merged.
    public init(restoring records: [String: Record], seenEvents: Set<String>) {
        self.records = records
        self.seenEvents = seenEvents
    }

    public enum Change: Sendable, Equatable { case added, updated, unchanged }

    /// Records an event id; false when it was seen before (then its records must be skipped).
    public mutating func markEventSeen(_ id: String) -> Bool {
        seenEvents.insert(id).inserted
    }

    /// Merges a snapshot into what is known of its object.
    ///
    /// Called once per imported record, so it hashes the id once: the dictionary's in-place
    /// accessor yields the slot, and a new object costs one insert.
    @discardableResult
    public mutating func insert(_ record: Record) -> Change {
        var change = Change.added
        RecordSet.merge(record, into: &records[record.id], change: &change)
        return change
    }

    @inline(__always)
    private static func merge(_ record: Record, into slot: inout Record?, change: inout Change) {
        guard let existing = slot else {
            slot = record
            return
        }
        let merged = existing.merged(with: record)
        if merged == existing {
            change = .unchanged
        } else {
            slot = merged
            change = .updated
        }
    }

    public var count: Int { records.count }
}
