import Testing
@testable import Spreadsheet

/// Files whose fields are quoted minimally: reading then encoding gives the same bytes.
struct RoundTripCase: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    var testDescription: String { name }
}

let roundTripCases: [RoundTripCase] = [
    .init(name: "LF ledger", text: "invoice_number,customer_name,amount_due,currency\nINV-1,Ada Lovelace,1250.00,usd\nINV-2,Bob,99.99,eur\n"),
    .init(name: "CRLF ledger", text: "invoice_number,amount_due\r\nINV-1,1250.00\r\nINV-2,12.50\r\n"),
    .init(name: "Excel CSV UTF-8: BOM and CRLF", text: "\u{FEFF}invoice_number,customer_name\r\nINV-1,Zoë Müller\r\n"),
    .init(name: "BOM and LF", text: "\u{FEFF}a,b\n1,2\n"),
    .init(name: "quoted commas, quotes and line breaks", text: "invoice_number,customer_name,notes\nINV-1,\"Acme, Inc.\",\"said \"\"paid\"\" twice\"\nINV-2,\"Multi\nLine\",\"CRLF\r\ninside\"\n"),
    .init(name: "padded and tab cells quoted", text: "a,b,c\n\"  padded  \",\"\tx\",\"y \"\n"),
    .init(name: "unicode", text: "name,city\n日本語テキスト,Zürich\n😀 emoji,Ελλάδα\n"),
    .init(name: "empty trailing fields", text: "a,b,c\n1,,\n,,\n"),
    .init(name: "short and long rows kept", text: "a,b,c\n1\n1,2,3,4,5\n"),
    .init(name: "last line without line ending", text: "a,b\n1,2"),
    .init(name: "header only with line ending", text: "invoice_number,amount_due\n"),
    .init(name: "header only without line ending", text: "invoice_number,amount_due"),
    .init(name: "empty file", text: ""),
    .init(name: "BOM only", text: "\u{FEFF}"),
    .init(name: "row of one empty quoted field", text: "a\n\"\"\nx\n"),
    .init(name: "apostrophe and formula text kept as is", text: "a\n'=1+2\n=SUM(A1)\n"),
]

@Suite("CSV round trip")
struct CSVRoundTripTests {
    @Test(arguments: roundTripCases)
    func encodeAfterParseIsByteIdentical(_ fixture: RoundTripCase) throws {
        let original = bytes(fixture.text)
        let (table, format) = try CSV.parse(original, name: "ledger.csv")
        let written = CSV.encode(table, format: format)
        #expect(String(decoding: written, as: UTF8.self) == fixture.text)
        #expect(written == original)
    }

    @Test(arguments: roundTripCases)
    func readFromDiskAgreesWithParse(_ fixture: RoundTripCase) throws {
        let original = bytes(fixture.text)
        let path = try temporaryFile(original)
        let parsed = try CSV.parse(original, name: path)
        let read = try CSV.read(path: path)
        #expect(read.table == parsed.table)
        #expect(read.format == parsed.format)
    }

    @Test(arguments: roundTripCases)
    func streamingAgreesWithParse(_ fixture: RoundTripCase) throws {
        let original = bytes(fixture.text)
        let path = try temporaryFile(original)
        let (table, _) = try CSV.parse(original, name: path)
        let expected = table.header.isEmpty && table.rows.isEmpty ? [] : [table.header] + table.rows
        #expect(try streamedRows(path: path) == expected)
    }
}
