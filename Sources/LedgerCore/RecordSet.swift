/// Everything known from Stripe: one merged snapshot per object id. (Event ids already applied are the
/// store's concern: `LedgerStore.SeenIndex`.)
///
/// Inserting is idempotent and order-independent (DESIGN.md §6): the same records in any order,
/// any number of times, leave the same set.
public struct RecordSet: Sendable {
    /// Every merged record, in the order each object was first seen. Kept in pages (not a
    /// dictionary of records, nor one array) because a `Record` is large: a hash table sized for
    /// growth, or an array doubling, held twice the memory. Reconciling reads them in place.
    public private(set) var all = RecordPages()
    /// Id → position in `all`.
    public private(set) var positions: [String: Int] = [:]

    public init() {}

    /// Restores a set saved earlier (the state cache); the records must already be merged.
    public init(restoring records: RecordPages) {
        all = records
        positions = Dictionary(minimumCapacity: records.count)
        for (i, r) in records.enumerated() { positions[r.id] = i }
    }

    /// Restores a set from merged records (a subset of another set, say).
    public init<Records: Sequence<Record>>(restoring records: Records) {
        self.init(restoring: RecordPages(records))
    }

    /// The records by id (built on each call: for lookups in bulk use `record(_:)` or `all`).
    public var records: [String: Record] {
        Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    }

    /// The merged record of one object.
    public func record(_ id: String) -> Record? {
        positions[id].map { all[$0] }
    }

    public enum Change: Sendable, Equatable { case added, updated, unchanged }


    /// Merges a snapshot into what is known of its object.
    ///
    /// Called once per imported record, so it hashes the id once: the dictionary's in-place
    /// accessor yields the slot, and a new object costs one insert.
    @discardableResult
    public mutating func insert(_ record: Record) -> Change {
        let next = all.count
        let position = RecordSet.claim(&positions[record.id], next)
        guard position != next else {
            all.append(record)
            return .added
        }
        let merged = all[position].merged(with: record)
        if merged == all[position] { return .unchanged }
        all[position] = merged
        return .updated
    }

    /// The slot's position, or `next` stored in it when the id is new (one hash per insert).
    @inline(__always)
    static func claim(_ slot: inout Int?, _ next: Int) -> Int {
        if let existing = slot { return existing }
        slot = next
        return next
    }

    public var count: Int { all.count }

    /// Room in the index for `capacity` records in all.
    public mutating func reserveCapacity(_ capacity: Int) {
        positions.reserveCapacity(capacity)
    }
}
