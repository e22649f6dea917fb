/// Records kept in pages of 8,192, each allocated once at its full size. Appending never moves what is
/// already stored: a single array would double as it grows, holding its old and its new buffer at
/// once and up to twice the room the records need for good (a `Record` is ~470 bytes, so 100,000 of
/// them is 47 MB).
///
/// Reading goes through an address, never a copy: `pages[i].status` loads one field, where a
/// getter (or a `_read` coroutine the optimiser does not see through) copies the whole record — a
/// retain and a release for each of its ~16 strings. Reconciling reads every field of half a million
/// records this way. A record's address stays valid while the collection is alive and not mutated
/// (``address(_:)``).
///
/// A value type like `Array`: copies share the pages until one of them is changed.
public struct RecordPages: RandomAccessCollection, Sendable, Equatable {
    private static let shift = 13
    private static let pageSize = 1 << shift
    private static let mask = pageSize - 1

    /// The pages, shared between copies until one writes (copy on write).
    private final class Storage: @unchecked Sendable {
        var pages: [UnsafeMutablePointer<Record>] = []
        var count = 0

        init() {}

        /// Records on page `n`.
        func used(_ n: Int) -> Int { Swift.min(RecordPages.pageSize, count - n * RecordPages.pageSize) }

        func copy() -> Storage {
            let other = Storage()
            other.pages.reserveCapacity(pages.count)
            for (n, page) in pages.enumerated() {
                let fresh = UnsafeMutablePointer<Record>.allocate(capacity: RecordPages.pageSize)
                fresh.initialize(from: page, count: used(n))
                other.pages.append(fresh)
            }
            other.count = count
            return other
        }

        deinit {
            for (n, page) in pages.enumerated() {
                page.deinitialize(count: used(n))
                page.deallocate()
            }
        }
    }

    private var storage = Storage()

    public init() {}

    public init<Records: Sequence<Record>>(_ records: Records) {
        for record in records { append(record) }
    }

    public var count: Int { storage.count }
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    public subscript(position: Int) -> Record {
        unsafeAddress { address(position) }
        unsafeMutableAddress {
            precondition(position >= 0 && position < storage.count, "record index out of range")
            makeUnique()
            return storage.pages[position >> Self.shift] + (position & Self.mask)
        }
    }

    /// Where record `position` is stored: valid while these pages are alive and unchanged. Lets a reader
    /// keep one record at hand (`let c = pages.address(i)`, then `c.pointee.id`) without copying it.
    @inline(__always)
    public func address(_ position: Int) -> UnsafePointer<Record> {
        precondition(position >= 0 && position < storage.count, "record index out of range")
        return UnsafePointer(storage.pages[position >> Self.shift] + (position & Self.mask))
    }

    public mutating func append(_ record: consuming Record) {
        makeUnique()
        let n = storage.count
        if n & Self.mask == 0 { storage.pages.append(.allocate(capacity: Self.pageSize)) }
        (storage.pages[n >> Self.shift] + (n & Self.mask)).initialize(to: record)
        storage.count = n + 1
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    public static func == (a: RecordPages, b: RecordPages) -> Bool {
        guard a.count == b.count else { return false }
        if a.storage === b.storage { return true }
        for i in 0..<a.count where a.address(i).pointee != b.address(i).pointee { return false }
        return true
    }
}
