import Testing
@testable import Spreadsheet

struct ParseCase: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let header: [String]
    let rows: [[String]]
    var format = CSVFormat.standard
    var testDescription: String { name }
}

let parseCases: [ParseCase] = [
    .init(name: "blank lines skipped", text: "a,b\n\n1,2\n\n\n3,4\n\n", header: ["a", "b"], rows: [["1", "2"], ["3", "4"]]),
    .init(name: "blank CRLF lines skipped", text: "a,b\r\n\r\n1,2\r\n", header: ["a", "b"], rows: [["1", "2"]],
          format: CSVFormat(lineEnding: "\r\n")),
    .init(name: "leading blank lines skipped", text: "\n\na\n1\n", header: ["a"], rows: [["1"]]),
    .init(name: "unquoted spaces and tabs kept", text: "a,b\n  padded  ,\tx\t\n", header: ["a", "b"], rows: [["  padded  ", "\tx\t"]]),
    .init(name: "a line of spaces is a row, not a blank line", text: "a\n   \n", header: ["a"], rows: [["   "]]),
    .init(name: "BOM stripped from the first header cell", text: "\u{FEFF}invoice_number,x\n1,2\n",
          header: ["invoice_number", "x"], rows: [["1", "2"]], format: CSVFormat(hasBOM: true)),
    .init(name: "BOM before a quoted first header cell", text: "\u{FEFF}\"invoice_number\",x\n",
          header: ["invoice_number", "x"], rows: [], format: CSVFormat(hasBOM: true)),
    .init(name: "quoted fields", text: "a,b,c\n\"1,5\",\"say \"\"hi\"\"\",\"x\r\ny\"\n",
          header: ["a", "b", "c"], rows: [["1,5", "say \"hi\"", "x\r\ny"]]),
    .init(name: "quoted empty and unquoted empty", text: "a,b\n\"\",\n", header: ["a", "b"], rows: [["", ""]]),
    .init(name: "short and long rows kept as read", text: "a,b,c\n1\n1,2,3,4\n",
          header: ["a", "b", "c"], rows: [["1"], ["1", "2", "3", "4"]]),
    .init(name: "CRLF detected from the first line", text: "a\r\n1\n", header: ["a"], rows: [["1"]],
          format: CSVFormat(lineEnding: "\r\n")),
    .init(name: "no final line ending", text: "a,b\n1,", header: ["a", "b"], rows: [["1", ""]],
          format: CSVFormat(endsWithLineEnding: false)),
    .init(name: "first field of the file empty", text: ",b\n1,2\n", header: ["", "b"], rows: [["1", "2"]]),
    .init(name: "a lone comma without line ending", text: ",", header: ["", ""], rows: [],
          format: CSVFormat(endsWithLineEnding: false)),
    .init(name: "empty file", text: "", header: [], rows: []),
    .init(name: "only blank lines", text: "\n\r\n\n", header: [], rows: []),
    .init(name: "header only", text: "a,b\r\n", header: ["a", "b"], rows: [], format: CSVFormat(lineEnding: "\r\n")),
]

@Suite("CSV parsing")
struct CSVParsingTests {
    @Test(arguments: parseCases)
    func parses(_ fixture: ParseCase) throws {
        let (table, format) = try CSV.parse(bytes(fixture.text), name: "t.csv")
        #expect(table.header == fixture.header)
        #expect(table.rows == fixture.rows)
        #expect(format == fixture.format)
    }

    @Test func streamingCrossesChunkBoundariesLikeParse() throws {
        // ~3.4 MiB with multi-line quoted fields, so some fields straddle the 1 MiB chunks.
        var text = "\u{FEFF}id,name,note\r\n"
        for index in 0..<70_000 {
            text += "\(index),\"Name, \(index)\",\"line one\r\nline \"\"two\"\" é\"\r\n"
        }
        let original = bytes(text)
        #expect(original.count > 3 * CSVFileChunks.chunkSize)
        let path = try temporaryFile(original)
        let (table, format) = try CSV.parse(original, name: path)
        #expect(table.rows.count == 70_000)
        #expect(table.rows[69_999] == ["69999", "Name, 69999", "line one\r\nline \"two\" é"])
        #expect(format == CSVFormat(lineEnding: "\r\n", hasBOM: true))
        #expect(try streamedRows(path: path) == [table.header] + table.rows)
        #expect(try CSV.read(path: path).table == table)
        #expect(CSV.encode(table, format: format) == original)
    }

    @Test func streamingStopsAtTheHandlersErrorAndRethrowsIt() throws {
        struct Enough: Error {}
        let path = try temporaryFile(bytes("a\n1\n2\n3\n"))
        var seen: [Int] = []
        #expect(throws: Enough.self) {
            try CSV.forEachRow(path: path) { index, _ in
                seen.append(index)
                if index == 2 { throw Enough() }
            }
        }
        #expect(seen == [0, 1, 2])
    }
}

@Suite("Table")
struct TableTests {
    let table = Table(header: ["\u{FEFF}invoice_number", " amount_due ", "currency"],
                      rows: [["INV-1", "12.50", "usd"], ["INV-2"], ["INV-3", "1", "eur", "extra"]])

    @Test(arguments: [
        (0, 1, "12.50"), (1, 0, "INV-2"), (1, 1, ""), (1, 2, ""), (2, 3, "extra"), (2, 4, ""),
        (3, 0, ""), (-1, 0, ""), (0, -1, ""),
    ])
    func cellReturnsEmptyPastTheEnd(row: Int, column: Int, expected: String) {
        #expect(table.cell(row, column) == expected)
    }

    @Test(arguments: [
        ("invoice_number", 0), ("amount_due", 1), ("  amount_due", 1), ("currency", 2),
        ("Currency", nil), ("amount", nil), ("", nil),
    ] as [(String, Int?)])
    func columnIndexTrimsSpacesAndBOM(name: String, expected: Int?) {
        #expect(table.columnIndex(name) == expected)
    }
}
