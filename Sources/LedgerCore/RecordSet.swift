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
    @discardableResult
    public mutating func insert(_ record: Record) -> Change {
        guard let existing = records[record.id] else {
            records[record.id] = record
            return .added
        }
        let merged = existing.merged(with: record)
        if merged == existing { return .unchanged }
        records[record.id] = merged
        return .updated
    }

    public var count: Int { records.count }
}
