import Testing
@testable import LedgerCore

@Suite("Sorting by id")
struct IDOrderTests {
    /// Ids sharing long prefixes, of every length around the 16-byte key, some not ASCII: the fast order
    /// is exactly `String`'s.
    @Test func theKeyOrdersIdsAsStringsDo() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["txn_", "ch_", "ch_3PgafuB7WZ01zgk", "in_1", "é", "e\u{301}", "Z", "a", "_", "0", "\u{0}", "日本"]
        var ids: [String] = ["", "ch_", "ch_3PgafuB7WZ01zgk", "ch_3PgafuB7WZ01zgkA", "ch_3PgafuB7WZ01zgk"]
        for _ in 0..<3000 {
            ids.append((0..<Int.random(in: 1...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        let expected = ids.indices.sorted { ids[$0] != ids[$1] ? ids[$0] < ids[$1] : $0 < $1 }
        #expect(IDKey.sortedPositions(ids) == expected)
        // With a primary and a secondary key first.
        let first = ids.map { Int64($0.utf8.count % 3) }, second = ids.map { Int64($0.unicodeScalars.count % 2) }
        let byAll = ids.indices.sorted {
            (first[$0], second[$0]) != (first[$1], second[$1]) ? (first[$0], second[$0]) < (first[$1], second[$1])
                : ids[$0] != ids[$1] ? ids[$0] < ids[$1] : $0 < $1
        }
        #expect(IDKey.sortedPositions(count: ids.count, first: { first[$0] }, second: { second[$0] }, id: { ids[$0] }) == byAll)
    }
}
