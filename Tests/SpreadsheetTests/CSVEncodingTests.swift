import Foundation
import Testing
@testable import Spreadsheet

/// Encodes one field as the only data row under header "h" and returns the data line.
func encodedField(_ field: String, neutralize: Bool) -> String {
    let out = CSV.encode(Table(header: ["h"], rows: [[field]]), format: .standard, neutralizeFormulas: neutralize)
    return String(String(decoding: out, as: UTF8.self).dropFirst("h\n".count).dropLast())
}

@Suite("CSV encoding")
struct CSVEncodingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", "\"\""),                          // the only field of its row: kept as a row
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("cr\rhere", "\"cr\rhere\""),
        (" lead", "\" lead\""),
        ("trail\t", "\"trail\t\""),
        ("in side", "in side"),
        ("Zoë 😀", "Zoë 😀"),
        ("=SUM(A1)", "=SUM(A1)"),              // not neutralised unless asked
    ])
    func quotesOnlyWhenNeeded(field: String, expected: String) {
        #expect(encodedField(field, neutralize: false) == expected)
    }

    @Test(arguments: [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("@cmd", "'@cmd"),
        ("+1", "+1"),                          // a number
        ("+12", "+12"),
        ("-12.50", "-12.50"),
        ("-3", "-3"),
        ("12.50", "12.50"),
        ("-2+3", "'-2+3"),                     // a formula, not a number
        ("+1 555 0100", "'+1 555 0100"),       // a phone number is text
        ("-1,250.00", "\"'-1,250.00\""),
        ("-", "'-"),
        ("-.5", "'-.5"),
        ("1.", "1."),                          // does not start with a formula character
        ("\tx", "'\tx"),
        ("\rx", "\"'\rx\""),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", "\"\""),
        ("'=x", "''=x"),                       // one more apostrophe, so reading back is exact
        ("'-12.50", "''-12.50"),
        ("'plain", "'plain"),
        ("'", "'"),
    ])
    func neutralizesFormulaText(field: String, expected: String) {
        #expect(encodedField(field, neutralize: true) == expected)
    }

    @Test func neutralizesHeaderCellsToo() {
        let out = CSV.encode(Table(header: ["=cmd", "b"], rows: [["1", "@x"]]), format: .standard, neutralizeFormulas: true)
        #expect(out == bytes("'=cmd,b\n1,'@x\n"))
    }

    @Test func neutralizedTextReadsBackWithItsApostrophe() throws {
        let table = Table(header: ["name"], rows: [["=1+2"], ["\t=x"]])
        let out = CSV.encode(table, format: .standard, neutralizeFormulas: true)
        let back = try CSV.parse(out, name: "out.csv").table
        #expect(back.rows == [["'=1+2"], ["'\t=x"]])
    }

    @Test(arguments: ["=1+2", "'=1+2", "''@x", "-12.50", "'-12.50", "-2+3", "'plain", "'", "", "\t=x", "it's"])
    func neutralizingIsUndoneExactly(field: String) throws {
        let out = CSV.encode(Table(header: ["h"], rows: [[field]]), format: .standard, neutralizeFormulas: true)
        let back = try CSV.parse(out, name: "out.csv").table
        #expect(CSV.removingFormulaNeutralizing(back.rows[0][0]) == field)
    }

    @Test(arguments: [
        (CSVFormat.standard, "a,b\n1,2\n"),
        (CSVFormat(lineEnding: "\r\n", hasBOM: true), "\u{FEFF}a,b\r\n1,2\r\n"),
        (CSVFormat(endsWithLineEnding: false), "a,b\n1,2"),
    ])
    func followsTheFormat(format: CSVFormat, expected: String) {
        let table = Table(header: ["a", "b"], rows: [["1", "2"]])
        #expect(CSV.encode(table, format: format) == bytes(expected))
    }

    @Test func emptyTableIsEmptyFile() {
        #expect(CSV.encode(Table(header: [], rows: []), format: .standard) == [])
    }

    @Test(arguments: [CSVFormat.standard, CSVFormat(lineEnding: "\r\n", hasBOM: true), CSVFormat(endsWithLineEnding: false)])
    func piecesAreWholeRecordsThatMakeTheSameFile(format: CSVFormat) throws {
        let table = Table(header: ["id", "note"], rows: (0..<50).map { ["ch_\($0)", $0 % 7 == 0 ? "=cmd|' /C calc'!A0" : "line \($0), with a comma"] })
        let whole = CSV.encode(table, format: format, neutralizeFormulas: true)
        var pieces: [[UInt8]] = []
        CSV.encode(table, format: format, neutralizeFormulas: true, pieceSize: 64) { pieces.append($0) }
        #expect(pieces.count > 10)
        #expect(pieces.flatMap { $0 } == whole)
        // Every piece but the last ends where a record ends.
        for piece in pieces.dropLast() { #expect(piece.last == UInt8(ascii: "\n")) }

        let path = try temporaryFile([], name: "payments.csv")
        try CSV.write(table, format: format, neutralizeFormulas: true, toFile: path)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == whole)
    }
}
