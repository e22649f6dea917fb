/// Records kept in pages of 8,192. Appending never moves what is already stored: a single array
/// would double as it grows, holding its old and its new buffer at once and up to twice the room the
/// records need for good (a `Record` is ~470 bytes, so 100,000 of them is 47 MB). Reading a record
/// yields it in place, without a copy.
public struct RecordPages: RandomAccessCollection, Sendable, Equatable {
    private static let shift = 13
    private static let mask = (1 << shift) - 1

    private var pages: [[Record]] = []
    public private(set) var count = 0

    public init() {}

    public init<Records: Sequence<Record>>(_ records: Records) {
        for record in records { append(record) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Record {
        _read { yield pages[position >> Self.shift][position & Self.mask] }
        _modify { yield &pages[position >> Self.shift][position & Self.mask] }
    }

    public mutating func append(_ record: Record) {
        if count & Self.mask == 0 { pages.append([]) }
        pages[pages.count - 1].append(record)
        count += 1
    }
}
