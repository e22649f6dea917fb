import Foundation
import Testing
@testable import Spreadsheet

@Suite struct XLSXWriterTests {
    /// 2026-01-31 as days since 1970-01-01.
    static let jan31 = 20_484

    /// Writes one sheet with every kind of cell and layout feature the exporter uses.
    static func writeSample(to path: String, constantMemory: Bool = false) throws {
        let book = try Workbook(path: path, constantMemory: constantMemory)
        try book.setProperties(title: "LedgerSync export", author: "LedgerSync", created: Date(timeIntervalSince1970: 1_767_225_600))
        let sheet = try book.addWorksheet(name: "Invoices")
        let header = book.addFormat(CellFormat(bold: true, fillColor: 0xDDEBF7, border: true))
        let money = book.addFormat(CellFormat(numberFormat: "#,##0.00"))
        let flagged = book.addFormat(CellFormat(fillColor: 0xFFC7CE, fontColor: 0x9C0006, wrap: true))
        for (col, name) in ["invoice_number", "customer_name", "amount_due", "total", "due_date", "stripe_invoice_id", "status_override", "paid"].enumerated() {
            try sheet.write(row: 0, col: col, string: name, format: header)
        }
        try sheet.write(row: 1, col: 0, string: "INV-1")
        try sheet.write(row: 1, col: 1, string: "=1+2")
        try sheet.write(row: 1, col: 2, number: 19.99, format: money)
        try sheet.write(row: 1, col: 3, formula: "=C2+C3", cachedNumber: 1269.99, format: money)
        try sheet.writeDate(row: 1, col: 4, days: jan31)
        try sheet.write(row: 1, col: 5, url: "https://dashboard.stripe.com/test/invoices/in_123", text: "in_123")
        try sheet.write(row: 1, col: 7, bool: true)
        try sheet.write(row: 2, col: 0, string: "INV-2", format: flagged)
        try sheet.write(row: 2, col: 1, string: "@SUM(A1:A2)", format: flagged)
        try sheet.write(row: 2, col: 2, number: 1250, format: money)
        try sheet.write(row: 2, col: 26, string: "beyond Z")
        try sheet.setColumn(first: 0, last: 1, width: 18)
        try sheet.freezePanes(row: 1, col: 0)
        try sheet.autofilter(firstRow: 0, firstCol: 0, lastRow: 2, lastCol: 7)
        try sheet.dataValidationList(firstRow: 1, lastRow: 2, col: 6, values: ["void", "uncollectible", "paid_out_of_band"])
        try book.close()
    }

    @Test(arguments: [false, true])
    func writtenWorkbookReadsBackWithOurReader(constantMemory: Bool) throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.xlsx").path
        try Self.writeSample(to: path, constantMemory: constantMemory)

        let book = try XLSX.read(path: path)
        #expect(book.sheets.map(\.name) == ["Invoices"])
        #expect(book.date1904 == false)
        let rows = book.sheets[0].rows
        #expect(rows.count == 3)
        #expect(rows[0][0] == .text("invoice_number"))
        #expect(rows[1] == [.text("INV-1"), .text("=1+2"), .number("19.99"), .number("1269.99"),
                            .date(days: Self.jan31, seconds: nil), .text("in_123"), .empty, .bool(true)])
        #expect(rows[2][1] == .text("@SUM(A1:A2)"))
        #expect(rows[2][2] == .number("1250"))
        #expect(rows[2].count == 27)
        #expect(rows[2][26] == .text("beyond Z"))
        #expect(rows[1].map(XLSX.text) == ["INV-1", "=1+2", "19.99", "1269.99", "2026-01-31", "in_123", "", "TRUE"])
    }

    @Test func writtenWorkbookReadsBackWithOpenpyxl() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.xlsx").path
        try Self.writeSample(to: path)

        let view = try XLSXTestSupport.openpyxlView(path)
        #expect(view.title == "LedgerSync export")
        #expect(view.creator == "LedgerSync")
        #expect(view.created?.hasPrefix("2026-01-01T00:00:00") == true)
        let sheet = try #require(view.sheet("Invoices"))
        let cells = sheet.cells
        // Header: bold with a fill.
        #expect(cells["A1"]?.value == "invoice_number")
        #expect(cells["A1"]?.bold == true)
        #expect(cells["A1"]?.fill == "FFDDEBF7")
        // Text that looks like a formula stays text.
        #expect(cells["B2"]?.value == "=1+2")
        #expect(cells["B2"]?.type == "s")
        #expect(cells["B3"]?.value == "@SUM(A1:A2)")
        #expect(cells["B3"]?.type == "s")
        // Numbers and their formats.
        #expect(cells["C2"]?.value == "19.99")
        #expect(cells["C2"]?.format == "#,##0.00")
        // A formula, with its cached value for readers that do not recalculate.
        #expect(cells["D2"]?.value == "=C2+C3")
        #expect(cells["D2"]?.type == "f")
        #expect(cells["D2"]?.cached == "1269.99")
        // A real date.
        #expect(cells["E2"]?.value == "2026-01-31 00:00:00")
        #expect(cells["E2"]?.format == "yyyy-mm-dd")
        // A hyperlink showing the id.
        #expect(cells["F2"]?.value == "in_123")
        #expect(cells["F2"]?.link == "https://dashboard.stripe.com/test/invoices/in_123")
        #expect(cells["H2"]?.value == "True")
        // Flagged row fill.
        #expect(cells["A3"]?.fill == "FFFFC7CE")
        #expect(cells["AA3"]?.value == "beyond Z")
        #expect(sheet.freeze == "A2")
        #expect(sheet.autofilter == "A1:H3")
        #expect(sheet.validations == [["G2:G3", "list", "\"void,uncollectible,paid_out_of_band\""]])
    }

    @Test func constantMemoryRefusesAnEarlierRow() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cm.xlsx").path
        let book = try Workbook(path: path, constantMemory: true)
        let sheet = try book.addWorksheet(name: "Payments")
        try sheet.write(row: 0, col: 0, string: "a")
        try sheet.write(row: 1, col: 0, string: "b")
        let error = #expect(throws: XLSXError.self) { try sheet.write(row: 0, col: 1, string: "late") }
        #expect(error?.kind == .cellOutOfRange)
        #expect(error?.description == "\(path), sheet 'Payments', cell B1: cannot write text to a row above one already written in constant-memory mode; write each sheet's rows top to bottom")
        try book.close()
        #expect(try XLSX.read(path: path).sheets[0].rows == [[.text("a")], [.text("b")]])
    }

    @Test func limitsAndMisuseAreErrors() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(Workbook.maxRows == 1_048_576)
        let path = dir.appendingPathComponent("limits.xlsx").path
        let book = try Workbook(path: path)
        let sheet = try book.addWorksheet(name: "Payments")

        let badName = #expect(throws: XLSXError.self) { try book.addWorksheet(name: "a/b") }
        #expect(badName?.kind == .cannotCreate)
        let duplicate = #expect(throws: XLSXError.self) { try book.addWorksheet(name: "Payments") }
        #expect(duplicate?.kind == .cannotCreate)

        let beyond = #expect(throws: XLSXError.self) { try sheet.write(row: Workbook.maxRows, col: 0, string: "x") }
        #expect(beyond?.kind == .cellOutOfRange)
        #expect(beyond?.message == "row 1048577, column 1 is outside a sheet (1,048,576 rows × 16,384 columns); continue a longer table on another sheet")
        try sheet.write(row: Workbook.maxRows - 1, col: 0, string: "last row")
        #expect(throws: XLSXError.self) { try sheet.write(row: -1, col: 0, number: 1) }
        let long = #expect(throws: XLSXError.self) { try sheet.write(row: 0, col: 0, string: String(repeating: "x", count: 32_768)) }
        #expect(long?.kind == .limitExceeded)

        try book.close()
        let closed = #expect(throws: XLSXError.self) { try sheet.write(row: 0, col: 0, string: "after") }
        #expect(closed?.kind == .closed)
        #expect(throws: XLSXError.self) { try book.close() }
        #expect(try XLSX.read(path: path).sheets[0].rows.count == Workbook.maxRows)
    }

    @Test func aMissingFolderIsSaidBeforeAnySheetIsWritten() throws {
        let error = #expect(throws: XLSXError.self) { try Workbook(path: "/nonexistent-folder-\(UUID().uuidString)/out.xlsx") }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.message.hasSuffix("does not exist or is not writable; create it or write elsewhere") == true)
    }

    @Test func formatsAreCachedBySpec() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let book = try Workbook(path: dir.appendingPathComponent("f.xlsx").path)
        let a = book.addFormat(CellFormat(bold: true))
        let b = book.addFormat(CellFormat(bold: true))
        let c = book.addFormat(CellFormat(bold: true, wrap: true))
        #expect(a.pointer == b.pointer)
        #expect(a.pointer != c.pointer)
        #expect(a.pointer != nil)
    }

    @Test func unclosedWorkbookIsFreedWithoutWriting() throws {
        let dir = try XLSXTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("never.xlsx").path
        do {
            let book = try Workbook(path: path)
            let sheet = try book.addWorksheet(name: "S")
            try sheet.write(row: 0, col: 0, string: "x")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
