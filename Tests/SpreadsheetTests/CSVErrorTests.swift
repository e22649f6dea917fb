import Testing
@testable import Spreadsheet

struct BadInputCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: [UInt8]
    let kind: SpreadsheetError.Kind
    let line: Int
    let column: Int?
    var columnName: String? = nil
    var testDescription: String { name }
}

let badInputCases: [BadInputCase] = [
    .init(name: "quote inside an unquoted field", input: bytes("a,b\n1,5\" screen\n"),
          kind: .malformed, line: 2, column: 2, columnName: "b"),
    .init(name: "text after a closing quote", input: bytes("a\n\"abc\"x\n"), kind: .malformed, line: 2, column: 1, columnName: "a"),
    .init(name: "space after a closing quote", input: bytes("a,b\n\"abc\" ,2\n"), kind: .malformed, line: 2, column: 1, columnName: "a"),
    .init(name: "quoted field never closed", input: bytes("a,b\n1,\"never\nclosed\n"),
          kind: .malformed, line: 2, column: 2, columnName: "b"),
    .init(name: "malformed header", input: bytes("a,b\"c\n"), kind: .malformed, line: 1, column: 2),
    .init(name: "invalid UTF-8 byte", input: bytes("a,b\n1,") + [0xFF] + bytes("\n"),
          kind: .notUTF8, line: 2, column: 2, columnName: "b"),
    .init(name: "Latin-1 text (Excel 'CSV' on Windows)", input: bytes("name\nZo") + [0xEB] + bytes("\n"),
          kind: .notUTF8, line: 2, column: 1, columnName: "name"),
    .init(name: "invalid UTF-8 in the header", input: [0xC3, 0x28] + bytes(",b\n"), kind: .notUTF8, line: 1, column: 1),
    .init(name: "invalid UTF-8 after a multi-line field", input: bytes("a,b\n\"x\ny\",ok\n3,") + [0xC3, 0x28] + bytes("\n"),
          kind: .notUTF8, line: 4, column: 2, columnName: "b"),
    .init(name: "line numbers count CRLF once and blank lines", input: bytes("a,b\r\n1,2\r\n\r\n3,") + [0xE2, 0x82] + bytes("\r\n"),
          kind: .notUTF8, line: 4, column: 2, columnName: "b"),
    .init(name: "NUL byte", input: bytes("a,b\n1,") + [0] + bytes("\n"), kind: .notText, line: 2, column: nil),
    .init(name: "a zip (xlsx) file", input: [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], kind: .notText, line: 1, column: nil),
    .init(name: "UTF-16 text", input: [0xFF, 0xFE, 0x61, 0x00, 0x0A, 0x00], kind: .notUTF8, line: 1, column: nil),
]

@Suite("CSV errors")
struct CSVErrorTests {
    @Test(arguments: badInputCases)
    func parseRefuses(_ fixture: BadInputCase) {
        let error = spreadsheetError { _ = try CSV.parse(fixture.input, name: "ledger.csv") }
        #expect(error?.kind == fixture.kind)
        #expect(error?.file == "ledger.csv")
        #expect(error?.line == fixture.line)
        #expect(error?.column == fixture.column)
        #expect(error?.columnName == fixture.columnName)
    }

    @Test(arguments: badInputCases)
    func readAndStreamRefuseTheSameWay(_ fixture: BadInputCase) throws {
        let path = try temporaryFile(fixture.input)
        let parsed = spreadsheetError { _ = try CSV.parse(fixture.input, name: path) }
        let read = spreadsheetError { _ = try CSV.read(path: path) }
        let streamed = spreadsheetError { try CSV.forEachRow(path: path) { _, _ in } }
        #expect(read != nil)
        #expect(read == parsed)
        #expect(streamed == parsed)
    }

    @Test func missingFileIsUnreadable() {
        let error = spreadsheetError { _ = try CSV.read(path: "/nonexistent/ledger.csv") }
        #expect(error == SpreadsheetError(.unreadable, file: "/nonexistent/ledger.csv", reason: "No such file or directory"))
    }

    @Test func directoryIsUnreadable() throws {
        let path = try temporaryFile([])
        let folder = String(path.dropLast("/ledger.csv".count))
        let error = spreadsheetError { _ = try CSV.read(path: folder) }
        #expect(error?.kind == .unreadable)
        #expect(error?.reason == "Is a directory")
    }

    @Test func invalidUTF8KeepsTheValueForCallersButOutOfTheMessage() {
        let error = spreadsheetError {
            _ = try CSV.parse(bytes("email\nsecret@example.com") + [0xFF] + bytes("\n"), name: "l.csv")
        }
        #expect(error?.value == "secret@example.com\u{FFFD}")
        #expect(error?.description.contains("secret") == false)
    }

    // Messages pinned: what failed · the input · what to do.
    @Test(arguments: [
        (SpreadsheetError(.notUTF8, file: "ledger.csv", line: 7, column: 3, columnName: "customer_name", value: "Zo\u{FFFD}"),
         "text is not valid UTF-8 · ledger.csv line 7, column 3 (customer_name) · save the file as \"CSV UTF-8\" (Excel: Save As › CSV UTF-8; LibreOffice: character set Unicode (UTF-8))"),
        (SpreadsheetError(.notUTF8, file: "ledger.csv", line: 1, reason: "the file is UTF-16 text"),
         "text is not valid UTF-8 (the file is UTF-16 text) · ledger.csv line 1 · save the file as \"CSV UTF-8\" (Excel: Save As › CSV UTF-8; LibreOffice: character set Unicode (UTF-8))"),
        (SpreadsheetError(.malformed, file: "in.csv", line: 2, column: 2, columnName: "b", reason: "a quoted field is never closed"),
         "quotes out of place: a quoted field is never closed · in.csv line 2, column 2 (b) · enclose a field holding commas, quotes or line breaks in double quotes and double each quote inside it (\"\"), or re-save the file from a spreadsheet program"),
        (SpreadsheetError(.notText, file: "book.xlsx", line: 1),
         "file is binary, not CSV text (it contains NUL bytes) · book.xlsx line 1 · give the path of a CSV file; a workbook needs its .xlsx name, and UTF-16 text must be saved as \"CSV UTF-8\""),
        (SpreadsheetError(.unreadable, file: "/x/ledger.csv", reason: "No such file or directory"),
         "cannot read the file (No such file or directory) · /x/ledger.csv · check the path and that the file exists and is readable"),
        (SpreadsheetError(.tooLarge, file: "big.csv", line: 9, column: 1, reason: "out of memory"),
         "a field is too large to read (out of memory) · big.csv line 9, column 1 · check that the file is really CSV; a field this large usually means a quote is never closed"),
        (SpreadsheetError(.missingSheet, file: "ledger.xlsx", sheet: "Invoices"),
         "workbook has no sheet named 'Invoices' · ledger.xlsx · add a sheet named 'Invoices' or point LedgerSync at the right workbook"),
    ])
    func messageShape(error: SpreadsheetError, expected: String) {
        #expect(error.description == expected)
    }

    @Test func parseErrorMessageEndToEnd() {
        let error = spreadsheetError { _ = try CSV.parse(bytes("a,b\n1,5\" screen\n"), name: "ledger.csv") }
        #expect(error?.description == "quotes out of place: a quote inside a field that does not start with a quote · ledger.csv line 2, column 2 (b) · enclose a field holding commas, quotes or line breaks in double quotes and double each quote inside it (\"\"), or re-save the file from a spreadsheet program")
    }
}
