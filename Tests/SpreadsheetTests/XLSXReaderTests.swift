import Foundation
import TestSupport
import Testing
@testable import Spreadsheet

@Suite struct XLSXReaderTests {
    @Test func handmadeWorkbookCoversEveryCellKind() throws {
        let book = try XLSX.read(path: XLSXTestSupport.fixture("xlsx-handmade.xlsx"))
        // Workbook order, not file order: Ledger is sheetB.xml, listed first.
        #expect(book.sheets.map(\.name) == ["Ledger", "Second"])
        #expect(book.date1904 == false)
        let rows = book.sheets[0].rows
        #expect(rows.count == 6) // row 7 holds only a styled empty cell

        let header = rows[0]
        #expect(header.count == 29)
        #expect(header[0] == .text("invoice_number"))
        #expect(header[1] == .text("Acme Corp")) // rich runs joined, phonetic guide left out
        #expect(header[2] == .text("inline <t>"))
        #expect(header[3] == .text("rich inline"))
        #expect(header[4...25].allSatisfy { $0 == .empty })
        #expect(header[26] == .text("line\rbreak")) // AA1, _x000D_ unescaped
        #expect(header[27] == .text("  padded  "))
        #expect(header[28] == .text("A & B <c>"))

        #expect(rows[1] == [
            .number("19.99"),                         // 19.989999999999998 as written by Excel
            .date(days: 20_454, seconds: nil),        // built-in format 14
            .date(days: 20_455, seconds: nil),        // custom yyyy\-mm\-dd
            .number("45.5"),                          // 0.00\ "days" is not a date
            .date(days: 20_454, seconds: 43_200),     // format 22, noon
            .bool(true),
            .error("#DIV/0!"),
            .number("3"),                             // formula 1+2, cached value
            .text("ab"),                              // t="str" formula
            .empty,                                   // formula without a cached value
            .number("0.00001"),
            .number("1250"),
            .number("-3.5"),                          // [Red] section is not a date
            .date(days: -25_569, seconds: 64_800),    // time only: 18:00 on day 0
            .date(days: 20_516, seconds: 18_367),     // t="d" ISO date
            .bool(false),
        ])
        #expect(rows[2] == [])
        #expect(rows[3] == [.text("no ref"), .number("7")]) // cells without r follow each other
        #expect(rows[4] == [])
        #expect(rows[5].count == 27)
        #expect(rows[5][25] == .text("z"))
        #expect(rows[5][26] == .number("1000000000000000000000"))
        #expect(book.sheets[1].rows == [[.text("second")]])
        #expect(book.sheet(named: "second")?.name == "Second")
    }

    @Test func skippedSheetsAreLeftOut() throws {
        let book = try XLSX.read(path: XLSXTestSupport.fixture("xlsx-handmade.xlsx"), skipping: { $0 == "Ledger" })
        #expect(book.sheets.map(\.name) == ["Second"])
        #expect(book.sheets[0].rows == (try XLSX.read(path: XLSXTestSupport.fixture("xlsx-handmade.xlsx"))).sheets[1].rows)
    }

    @Test func ledgerTextOfCells() {
        #expect(XLSX.text(.empty) == "")
        #expect(XLSX.text(.text("=1+2")) == "=1+2")
        #expect(XLSX.text(.number("19.99")) == "19.99")
        #expect(XLSX.text(.bool(true)) == "TRUE")
        #expect(XLSX.text(.bool(false)) == "FALSE")
        #expect(XLSX.text(.error("#N/A")) == "#N/A")
        #expect(XLSX.text(.date(days: 20_454, seconds: nil)) == "2026-01-01")
        #expect(XLSX.text(.date(days: 20_454, seconds: 0)) == "2026-01-01T00:00:00Z")
        #expect(XLSX.text(.date(days: 20_454, seconds: 86_399)) == "2026-01-01T23:59:59Z")
    }

    @Test func workbookIn1904DateSystem() throws {
        let book = try XLSX.read(path: XLSXTestSupport.fixture("xlsx-1904.xlsx"))
        #expect(book.date1904)
        #expect(book.sheets[0].rows[0].map(XLSX.text) == ["1904-01-01", "2026-01-01", "2026-01-01T06:00:00Z", "44561"])
    }

    @Test(arguments: [
        (19.989999999999998, "19.99"), (5000.0, "5000"), (-0.5, "-0.5"), (0.1 + 0.2, "0.30000000000000004"),
        (1e-7, "0.0000001"), (1.5e20, "150000000000000000000"), (-0.0, "0"), (12.5, "12.5"), (123456789.125, "123456789.125"),
    ])
    func shortestDecimal(value: Double, expected: String) {
        #expect(XLSXNumber.shortest(value) == expected)
    }

    @Test(arguments: [
        ("19.99", true), ("1250", true), ("-3.5", true), ("0.5", true), ("0", false), ("-0", false),
        ("007", false), ("1.50", false), ("1.", false), (".5", false), ("1E+21", false), ("12345678901234567", false),
        ("0.000000000000001", true), ("123456789012345", true), ("1234567890123456", false), ("", false), ("-", false),
        ("0.00", false), ("10", true), ("100.25", true),
    ])
    func canonicalDecimalFastPath(text: String, canonical: Bool) {
        #expect(XLSXNumber.isCanonicalShortDecimal(text) == canonical)
        if canonical, let value = Double(text) {
            #expect(XLSXNumber.shortest(value) == text)
        }
    }

    @Test(arguments: [
        ("yyyy-mm-dd", true, false), ("d/m/yy h:mm", true, true), ("[$-409]mmmm d, yyyy", true, false),
        ("hh:mm:ss", true, true), ("0.00 \"days\"", false, false), ("#,##0.00;[Red]-#,##0.00", false, false),
        ("General", false, false), ("0.00E+00", false, false), ("\\d0", false, false), ("[h]:mm", true, true),
        ("@", false, false), ("_(\"$\"* #,##0.00_)", false, false),
    ])
    func dateFormatCodes(code: String, isDate: Bool, showsTime: Bool) {
        let kind = XLSXNumber.classify(formatCode: code)
        #expect(kind.isDate == isDate)
        #expect(kind.showsTime == showsTime)
    }

    @Test func serialDates() {
        // 1900 system: serial 1 is 1900-01-01, 59 is 1900-02-28, 61 is 1900-03-01.
        #expect(XLSXDate.fromSerial(1, date1904: false, showsTime: false).map { XLSXDate.dayString($0.days) } == "1900-01-01")
        #expect(XLSXDate.fromSerial(59, date1904: false, showsTime: false).map { XLSXDate.dayString($0.days) } == "1900-02-28")
        #expect(XLSXDate.fromSerial(61, date1904: false, showsTime: false).map { XLSXDate.dayString($0.days) } == "1900-03-01")
        #expect(XLSXDate.fromSerial(46_053, date1904: false, showsTime: false).map { XLSXDate.dayString($0.days) } == "2026-01-31")
        // Just under midnight rounds to the next day, not to 23:59:60.
        let almost = XLSXDate.fromSerial(46_053.999_999_999, date1904: false, showsTime: true)
        #expect(almost?.days == 20_485)
        #expect(almost?.seconds == 0)
        #expect(XLSXDate.fromSerial(-1, date1904: false, showsTime: false) == nil)
        #expect(XLSXDate.fromSerial(3_000_000, date1904: false, showsTime: false) == nil)
    }

    /// A part that unpacks to hundreds of times its packed size (a "zip bomb") is refused before it
    /// takes the machine's memory.
    @Test func aZipBombIsRefused() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bomb.xlsx").path
        _ = try Subprocess.python(code: #"""
import sys, zipfile, openpyxl
wb = openpyxl.Workbook(); wb.active.title = "Invoices"; wb.active.append(["invoice_number"]); wb.save(sys.argv[1])
src = zipfile.ZipFile(sys.argv[1]); parts = {n: src.read(n) for n in src.namelist()}; src.close()
sheet = parts["xl/worksheets/sheet1.xml"].replace(b"<sheetData>", b"<sheetData>" + b" " * (80 << 20), 1)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for n, data in parts.items(): z.writestr(n, sheet if n == "xl/worksheets/sheet1.xml" else data)
"""#, [path])
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .limitExceeded && error?.description.contains("zip bomb") == true, "\(String(describing: error))")
    }

    /// A workbook as a person's program writes it (openpyxl): shared strings, dates, extra columns,
    /// gaps, a formula, sheets in a chosen order.
    @Test func workbookWrittenByOpenpyxl() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("person.xlsx").path
        _ = try Subprocess.python(code: #"""
import sys, datetime, openpyxl
wb = openpyxl.Workbook()
notes = wb.active
notes.title = "Notes"
notes["A1"] = "kept"
inv = wb.create_sheet("Invoices", 0)
inv.append(["invoice_number", "amount_due", "due_date", "paid_at", "note", "flag"])
inv.append(["INV-1", 19.99, datetime.date(2026, 1, 31), datetime.datetime(2026, 2, 1, 13, 5, 9), "call back Friday", True])
inv.append(["INV-2", 5000, None, None, None, False])
inv["AB3"] = "far right"
inv["B4"] = "=B2+B3"
inv["C5"] = 0.1
inv["C5"].number_format = "0.0%"
wb.save(sys.argv[1])
"""#, [path])
        let book = try XLSX.read(path: path)
        #expect(book.sheets.map(\.name) == ["Invoices", "Notes"])
        let rows = book.sheets[0].rows
        #expect(rows[0].map(XLSX.text) == ["invoice_number", "amount_due", "due_date", "paid_at", "note", "flag"])
        #expect(rows[1].map(XLSX.text) == ["INV-1", "19.99", "2026-01-31", "2026-02-01T13:05:09Z", "call back Friday", "TRUE"])
        #expect(rows[2][0...1] == [.text("INV-2"), .number("5000")])
        #expect(rows[2][2...4].allSatisfy { $0 == .empty })
        #expect(rows[2][5] == .bool(false))
        #expect(rows[2][27] == .text("far right"))
        // openpyxl stores no cached value for formulas: the cell reads as empty, never as 0.
        #expect(rows[3] == [])
        #expect(rows[4] == [.empty, .empty, .number("0.1")])
        #expect(book.sheets[1].rows == [[.text("kept")]])
    }

    // MARK: Files that are not workbooks

    @Test func csvRenamedIsNotAWorkbook() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.xlsx").path
        try Data("invoice_number,amount_due\nINV-1,10.00\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .notAWorkbook)
        #expect(error?.description == "\(path): is not an .xlsx workbook (it is not a zip file; a CSV or another file renamed?); save it as Excel Workbook (.xlsx), or name a .csv ledger")
    }

    @Test func oleCompoundFileIsPasswordProtectedOrXls() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("locked.xlsx").path
        try Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504))
            .write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .encryptedOrLegacy)
        #expect(error?.description == "\(path): is password-protected or an old .xls file (an OLE compound document, not an .xlsx zip); remove the password or save it as Excel Workbook (.xlsx), then try again")
    }

    @Test func zipWithoutWorkbookPart() throws {
        let path = XLSXTestSupport.fixture("xlsx-no-workbook.xlsx")
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .missingPart)
        #expect(error?.message == "has no xl/workbook.xml, so it is a zip file but not a spreadsheet; export it again as Excel Workbook (.xlsx)")
    }

    @Test func missingFileAndBrokenZip() throws {
        let missing = #expect(throws: XLSXError.self) { try XLSX.read(path: "/no/such/ledger.xlsx") }
        #expect(missing?.kind == .unreadableFile)
        #expect(missing?.message == "does not exist; check the path")

        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("truncated.xlsx").path
        // A zip's local header signature, then nothing: the central directory is missing.
        try Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        let broken = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(broken?.kind == .notAWorkbook)
    }

    @Test func brokenSheetXMLNamesTheSheet() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("broken.xlsx").path
        try XLSXTestSupport.handmade(to: path, editingSheetXML: #"data = data.replace(b"</sheetData>", b"<row><c><v>1</v></row></sheetData>")"#)
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .malformedXML)
        #expect(error?.sheet == "Ledger")
        #expect(error?.message.hasPrefix("has broken XML in xl/worksheets/sheetB.xml near line") == true)
    }

    /// A sheet declaring an external entity (XXE) never gets the file's content: the entity is not
    /// declared to the parser, so its use is an error, not a read of the disk.
    @Test func externalEntitiesAreNeverExpanded() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("secret.txt")
        try Data("TOP-SECRET".utf8).write(to: secret)
        let path = dir.appendingPathComponent("xxe.xlsx").path
        try XLSXTestSupport.handmade(to: path, editingSheetXML: #"""
head, rest = data.split(b"?>", 1)
data = head + b'?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://' + sys.argv[3].encode() + b'">]>' + rest
data = data.replace(b"</sheetData>", b'<row r="99"><c r="A99" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>')
"""#, [secret.path])
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .malformedXML)
        #expect(error?.message.contains("xxe") == true)
        #expect(error?.description.contains("TOP-SECRET") == false)
    }

    /// A part whose bytes do not match the zip's CRC-32 is refused, not read as if it were whole.
    @Test func aPartThatFailsItsChecksumIsDamaged() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("crc.xlsx").path
        _ = try Subprocess.python(code: #"""
import sys, shutil, struct
src, dst = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
name = b"xl/worksheets/sheetB.xml"
# Every header naming the part (local at +14, central directory at +16) gets a wrong CRC-32.
for signature, crc_at, name_at in ((b"PK\x03\x04", 14, 30), (b"PK\x01\x02", 16, 46)):
    at = data.find(signature)
    while at >= 0:
        length = struct.unpack_from("<H", data, at + name_at - 4 if signature == b"PK\x03\x04" else at + 28)[0]
        if bytes(data[at + name_at:at + name_at + length]) == name:
            struct.pack_into("<I", data, at + crc_at, struct.unpack_from("<I", data, at + crc_at)[0] ^ 1)
        at = data.find(signature, at + 4)
open(dst, "wb").write(data)
"""#, [XLSXTestSupport.fixture("xlsx-handmade.xlsx"), path])
        let error = #expect(throws: XLSXError.self) { try XLSX.read(path: path) }
        #expect(error?.kind == .malformedXML)
        #expect(error?.message == "has a damaged part xl/worksheets/sheetB.xml (its checksum does not match; a damaged download?); save it again from your spreadsheet program")
    }
}
