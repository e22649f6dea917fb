import Foundation
import LedgerCore
import Spreadsheet

/// How a workbook is written.
public struct WorkbookOptions: Sendable {
    /// Above this many invoice + payment rows, rows are flushed as they are written (constant memory).
    public var constantMemoryAbove: Int
    /// Rows a sheet holds, header included (Excel: 1,048,576); a longer table continues on `Name (2)`.
    public var rowsPerSheet: Int

    public init(constantMemoryAbove: Int = 10_000, rowsPerSheet: Int = Workbook.maxRows) {
        self.constantMemoryAbove = constantMemoryAbove
        self.rowsPerSheet = max(2, min(rowsPerSheet, Workbook.maxRows))
    }
}

/// What was written.
public struct WorkbookResult: Sendable, Equatable {
    public var sheets: [String]
    public var invoiceRows: Int
    public var paymentRows: Int
    public var reviewItems: Int
    public var constantMemory: Bool
}

/// The ledger's workbook (DESIGN.md §9): Summary, Invoices, Review, Payments, Payouts, then the
/// user's own sheets. Written with libxlsxwriter; text is always text, never a formula.
public enum LedgerWorkbook {
    /// Writes `report` to `path` (replacing it; callers wanting atomicity write to a temporary path).
    ///
    /// ```swift
    /// let written = try LedgerWorkbook.write(report, to: "books/export.xlsx")
    /// print(written.sheets) // ["Summary", "Invoices", "Review", "Payments", "Payouts"]
    /// ```
    /// - Throws: `ReportError` `.writeFailed` (folder, permissions, disk) or `.tooLarge`.
    @discardableResult
    public static func write(_ report: LedgerReport, to path: String, options: WorkbookOptions = WorkbookOptions()) throws(ReportError) -> WorkbookResult {
        do {
            return try WorkbookWriter.write(report, to: path, options: options)
        } catch let error as XLSXError {
            throw ReportError(error)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.writeFailed, file: path, "\(error)")
        }
    }
}

/// Formats by role, fill and currency; each distinct one is registered once.
final class Styles {
    enum Role: Hashable { case plain, header, title, money, number, percent, date, timestamp, link, wrap }
    struct Key: Hashable {
        var role: Role
        var fill: FlagSeverity?
        var currency: String
    }

    let book: Workbook
    private var cache: [Key: Format] = [:]

    init(book: Workbook) { self.book = book }

    func format(_ role: Role, fill: FlagSeverity? = nil, currency: Currency? = nil) -> Format {
        let key = Key(role: role, fill: fill, currency: role == .money ? currency?.code ?? "" : "")
        if let format = cache[key] { return format }
        var spec = CellFormat(fillColor: fill?.fillColor)
        switch role {
        case .plain: break
        case .header:
            spec.bold = true
            spec.fillColor = 0xD9E1F2
            spec.border = true
        case .title: spec.bold = true
        case .money: spec.numberFormat = currency.map(CurrencyFormat.code) ?? "#,##0.00"
        case .number: spec.numberFormat = "0"
        case .percent: spec.numberFormat = "0.0%"
        case .date: spec.numberFormat = "yyyy-mm-dd"
        case .timestamp: spec.numberFormat = "yyyy-mm-dd hh:mm:ss"
        case .link:
            spec.underline = true
            spec.fontColor = 0x0563C1
        case .wrap: spec.wrap = true
        }
        let format = book.addFormat(spec)
        cache[key] = format
        return format
    }
}

/// One table spread over as many sheets as it needs.
struct SheetPart {
    var name: String
    /// Data rows on this sheet (header excluded), and the first table row they hold.
    var rows: Int
    var firstRow: Int
}

/// Writes the sheets of one workbook. One writer is used by one thread: it keeps its own caches of
/// formats and currencies.
final class WorkbookWriter {
    let report: LedgerReport
    let options: WorkbookOptions
    let book: Workbook
    let styles: Styles
    var typing: CellTyping

    let invoiceHeader: [String]
    let invoiceKinds: [ColumnKind]
    let invoiceOwned: [Bool]
    let paymentHeader: [String]
    let paymentKinds: [ColumnKind]

    static let maxLinksPerSheet = 65_530

    init(report: LedgerReport, book: Workbook, options: WorkbookOptions) throws {
        self.report = report
        self.options = options
        self.book = book
        styles = Styles(book: book)
        typing = CellTyping(mode: report.mode)
        invoiceHeader = report.invoicesTable.header.map { $0.trimmingASCIIWhitespace() }
        invoiceKinds = invoiceHeader.map(ColumnKind.invoices)
        invoiceOwned = invoiceHeader.map { InvoiceColumn.owned.contains($0) }
        paymentHeader = report.paymentsTable.header.map { $0.trimmingASCIIWhitespace() }
        paymentKinds = paymentHeader.map(ColumnKind.payments)
        guard report.invoicesTable.header.count <= Workbook.maxColumns, report.paymentsTable.header.count <= Workbook.maxColumns else {
            throw ReportError(.tooLarge, file: book.path, "the table has more columns than a sheet holds (16,384); remove unused columns")
        }
    }

    /// Writes the workbook: Summary, Invoices, Review, Payments, Payouts, then the user's sheets.
    /// With rows flushed as written (constant memory) every sheet is a file of its own, so two
    /// writers fill them at once: Invoices and Review on one thread, Payments and Summary on another.
    static func write(_ report: LedgerReport, to path: String, options: WorkbookOptions) throws -> WorkbookResult {
        let rows = report.invoicesTable.rows.count + report.paymentsTable.rows.count
        let book = try Workbook(path: path, constantMemory: rows > options.constantMemoryAbove)
        let first = try WorkbookWriter(report: report, book: book, options: options)
        let second = try WorkbookWriter(report: report, book: book, options: options)
        try book.setProperties(title: "LedgerSync — " + report.ledgerName, author: "LedgerSync",
                               created: Date(timeIntervalSince1970: TimeInterval(report.asOf)))
        let invoiceParts = first.parts("Invoices", rows: report.invoicesTable.rows.count)
        let paymentParts = first.parts("Payments", rows: report.paymentsTable.rows.count)
        let others = report.otherSheets.filter { !LedgerReport.isOwnSheet($0.name) }
        // Every sheet is added first, in the workbook's order; they are filled afterwards.
        var names: [String] = []
        func add(_ sheets: [String]) throws -> [Worksheet] {
            names += sheets
            return try sheets.map { name throws(XLSXError) in try book.addWorksheet(name: name) }
        }
        let summary = try add(["Summary"])[0]
        let invoiceSheets = try add(invoiceParts.map(\.name))
        let reviewSheet = try add(["Review"])[0]
        let paymentSheets = try add(paymentParts.map(\.name))
        let payoutSheet = try add(["Payouts"])[0]
        let otherSheets = try add(others.map(\.name))

        var reviewItems = 0
        try runConcurrently([
            {
                try first.writeInvoices(invoiceParts, on: invoiceSheets)
                let review = Review.items(invoices: report.invoices, result: report.result, records: report.records,
                                          asOfDay: Int(Review.floorDiv(report.asOf, 86_400)))
                try first.writeReview(review, on: reviewSheet)
                reviewItems = review.count
            },
            {
                try second.writePayments(paymentParts, on: paymentSheets)
                try second.writeSummary(on: summary, invoiceParts: invoiceParts, paymentParts: paymentParts)
            },
        ], concurrently: book.constantMemory)
        try first.writePayouts(Payouts.lines(result: report.result, records: report.records), on: payoutSheet)
        for (source, sheet) in zip(others, otherSheets) {
            try first.writeOther(source, on: sheet)
        }
        try book.close()
        return WorkbookResult(sheets: names, invoiceRows: report.invoicesTable.rows.count,
                              paymentRows: report.paymentsTable.rows.count, reviewItems: reviewItems,
                              constantMemory: book.constantMemory)
    }

    func parts(_ name: String, rows: Int) -> [SheetPart] {
        let perSheet = options.rowsPerSheet - 1
        var result = [SheetPart(name: name, rows: min(rows, perSheet), firstRow: 0)]
        var start = perSheet
        while start < rows {
            result.append(SheetPart(name: "\(name) (\(result.count + 1))", rows: min(rows - start, perSheet), firstRow: start))
            start += perSheet
        }
        return result
    }

    // MARK: Cells

    func invoiceValue(_ r: Int, _ c: Int) -> CellValue {
        let text = report.invoicesTable.cell(r, c)
        let currency = invoiceCurrency(r)
        if !invoiceOwned[c], r < report.invoiceCellsAsRead.count, c < report.invoiceCellsAsRead[r].count {
            let cell = report.invoiceCellsAsRead[r][c]
            if XLSX.text(cell) == text { return typing.value(asRead: cell, kind: invoiceKinds[c], currency: currency) }
        }
        return typing.value(text, kind: invoiceKinds[c], currency: currency)
    }

    lazy var invoiceCurrencyColumn = invoiceHeader.firstIndex(of: InvoiceColumn.currency)
    lazy var invoiceFlagColumn = invoiceHeader.firstIndex(of: "flag")
    lazy var paymentCurrencyColumn = paymentHeader.firstIndex(of: "currency")
    /// Fee and net are in the settlement currency.
    lazy var paymentSettledColumns: Set<Int> = Set(["fee", "net"].compactMap { paymentHeader.firstIndex(of: $0) })
    lazy var paymentSettlementColumn = paymentHeader.firstIndex(of: "settlement_currency")

    /// The currency of payments-table cell (`r`, `c`): fee and net in the settlement currency, the rest in the payment's.
    func paymentCurrency(_ r: Int, _ c: Int) -> Currency? {
        let table = report.paymentsTable
        if paymentSettledColumns.contains(c), let s = paymentSettlementColumn, let settled = typing.currency(table.cell(r, s)) {
            return settled
        }
        return paymentCurrencyColumn.flatMap { typing.currency(table.cell(r, $0)) }
    }
    lazy var paymentFlagColumn = paymentHeader.firstIndex(of: "flag")
    lazy var paymentIDColumn = paymentHeader.firstIndex(of: "stripe_id")

    func invoiceCurrency(_ r: Int) -> Currency? {
        guard let c = invoiceCurrencyColumn else { return nil }
        return typing.currency(report.invoicesTable.cell(r, c))
    }

    func paymentValue(_ r: Int, _ c: Int) -> CellValue {
        let text = report.paymentsTable.cell(r, c)
        let currency = paymentCurrency(r, c)
        if !report.paymentCellsAsRead.isEmpty, let idColumn = paymentIDColumn,
           let cell = report.paymentCellsAsRead[report.paymentsTable.cell(r, idColumn)]?[paymentHeader[c]], XLSX.text(cell) == text {
            return typing.value(asRead: cell, kind: paymentKinds[c], currency: currency)
        }
        return typing.value(text, kind: paymentKinds[c], currency: currency)
    }

    static func severity(_ flagText: String) -> FlagSeverity? {
        Flag(rawValue: flagText.trimmingASCIIWhitespace()).map(FlagSeverity.init)
    }

    /// Writes one value; `links` counts the sheet's hyperlinks so the 65,530th is the last.
    func put(_ value: CellValue, _ sheet: Worksheet, _ row: Int, _ col: Int, fill: FlagSeverity?, currency: Currency?,
             links: inout Int) throws {
        switch value {
        case .blank:
            if let fill { try sheet.write(row: row, col: col, string: "", format: styles.format(.plain, fill: fill)) }
        case .text(let s):
            try sheet.write(row: row, col: col, string: s, format: fill.map { styles.format(.plain, fill: $0) })
        case .number(let v):
            try sheet.write(row: row, col: col, number: v, format: fill.map { styles.format(.plain, fill: $0) })
        case .money(let v):
            try sheet.write(row: row, col: col, number: v, format: styles.format(.money, fill: fill, currency: currency))
        case .date(let days):
            try sheet.writeDate(row: row, col: col, days: days, format: styles.format(.date, fill: fill))
        case .timestamp(let seconds):
            try sheet.writeTimestamp(row: row, col: col, unixSeconds: seconds, format: styles.format(.timestamp, fill: fill))
        case .bool(let b):
            try sheet.write(row: row, col: col, bool: b, format: fill.map { styles.format(.plain, fill: $0) })
        case .link(let url, let text):
            if links < Self.maxLinksPerSheet {
                links += 1
                try sheet.write(row: row, col: col, url: url, text: text, format: styles.format(.link, fill: fill))
            } else {
                try sheet.write(row: row, col: col, string: text, format: fill.map { styles.format(.plain, fill: $0) })
            }
        }
    }

    /// Header row, widths that fit, frozen header and filter buttons.
    func prepareTable(_ sheet: Worksheet, header: [String], rows: Int, width: (Int) -> Double) throws {
        let headerFormat = styles.format(.header)
        for (c, name) in header.enumerated() {
            try sheet.write(row: 0, col: c, string: name, format: headerFormat)
            try sheet.setColumn(first: c, last: c, width: width(c))
        }
        try sheet.freezePanes(row: 1, col: 0)
        if !header.isEmpty {
            try sheet.autofilter(firstRow: 0, firstCol: 0, lastRow: max(rows, 1), lastCol: header.count - 1)
        }
    }

    /// Characters of the widest of the first rows, plus room for the filter button, within 8...60.
    static func fitWidth(header: String, kind: ColumnKind, sample: (Int) -> String, rows: Int) -> Double {
        var widest = header.count + 3
        switch kind {
        case .date: widest = max(widest, 11)
        case .timestamp: widest = max(widest, 20)
        case .money: widest = max(widest, 12)
        default: break
        }
        for r in 0..<min(rows, 2_000) { widest = max(widest, sample(r).utf8.count + (kind == .money ? 5 : 1)) }
        return Double(min(max(widest, 8), 60))
    }

    // MARK: Invoices and Payments

    func writeInvoices(_ parts: [SheetPart], on sheets: [Worksheet]) throws {
        let table = report.invoicesTable
        let widths = invoiceHeader.indices.map { c in
            Self.fitWidth(header: table.header[c], kind: invoiceKinds[c], sample: { table.cell($0, c) }, rows: table.rows.count)
        }
        let overrideColumn = invoiceHeader.firstIndex(of: InvoiceColumn.statusOverride)
        for (part, sheet) in zip(parts, sheets) {
            try prepareTable(sheet, header: table.header, rows: part.rows, width: { widths[$0] })
            for c in table.header.indices where report.invoiceHiddenColumns.contains(where: { $0.contains(c) }) {
                try sheet.hideColumns(c...c, width: widths[c])
            }
            if let overrideColumn {
                try sheet.dataValidationList(firstRow: 1, lastRow: min(options.rowsPerSheet - 1, part.rows + 1_000), col: overrideColumn,
                                             values: Invoice.StatusOverride.allCases.map(\.rawValue))
            }
            var links = 0
            for k in 0..<part.rows {
                let r = part.firstRow + k
                let fill = invoiceFlagColumn.flatMap { Self.severity(table.cell(r, $0)) }
                let currency = invoiceCurrency(r)
                for c in 0..<table.header.count {
                    try put(invoiceValue(r, c), sheet, k + 1, c, fill: fill, currency: currency, links: &links)
                }
            }
        }
    }

    func writePayments(_ parts: [SheetPart], on sheets: [Worksheet]) throws {
        let table = report.paymentsTable
        let widths = paymentHeader.indices.map { c in
            Self.fitWidth(header: table.header[c], kind: paymentKinds[c], sample: { table.cell($0, c) }, rows: table.rows.count)
        }
        for (part, sheet) in zip(parts, sheets) {
            try prepareTable(sheet, header: table.header, rows: part.rows, width: { widths[$0] })
            var links = 0
            for k in 0..<part.rows {
                let r = part.firstRow + k
                let fill = paymentFlagColumn.flatMap { Self.severity(table.cell(r, $0)) }
                for c in 0..<table.header.count {
                    try put(paymentValue(r, c), sheet, k + 1, c, fill: fill, currency: paymentCurrency(r, c), links: &links)
                }
            }
        }
    }

    // MARK: Review, Payouts, the user's sheets

    func writeReview(_ items: [ReviewItem], on sheet: Worksheet) throws {
        let header = Review.columns
        let widths: [Double] = [9, 9, 18, 18, 50, 50, 24, 9, 14, 14, 11, 20, 12, 48, 48, 48]
        try prepareTable(sheet, header: header, rows: items.count, width: { widths[$0] })
        var links = 0
        for (k, item) in items.enumerated() {
            let fill = FlagSeverity(item.flag)
            let currency = item.currency
            func money(_ v: Int64?) -> CellValue {
                guard let v, let currency else { return .blank }
                return .money(CurrencyFormat.majorUnits(v, exponent: currency.exponent))
            }
            let target = item.subject == .payment ? typing.value(item.target, kind: .link, currency: nil) : .text(item.target)
            let values: [CellValue] = [
                item.ageDays.map { .number(Double($0)) } ?? .blank, .text(item.subject.rawValue), target,
                .text(item.flag.rawValue), .text(item.reason), item.detail.isEmpty ? .blank : .text(item.detail),
                item.customer.isEmpty ? .blank : .text(item.customer), currency.map { .text($0.code) } ?? .blank,
                money(item.amount), money(item.balanceDue), item.day.map { .date($0) } ?? .blank,
                item.disputeEvidenceDueBy.map { .timestamp($0) } ?? .blank, money(item.disputeFee),
            ] + (0..<3).map { $0 < item.candidates.count ? .text(item.candidates[$0]) : .blank }
            for (c, value) in values.enumerated() {
                try put(value, sheet, k + 1, c, fill: fill, currency: currency, links: &links)
            }
        }
    }

    func writePayouts(_ lines: [PayoutLine], on sheet: Worksheet) throws {
        let widths: [Double] = [32, 12, 20, 12, 9, 14, 11, 14, 14, 14]
        try prepareTable(sheet, header: Payouts.columns, rows: lines.count, width: { widths[$0] })
        var links = 0
        for (k, line) in lines.enumerated() {
            let money = { (v: Int64) in CellValue.money(CurrencyFormat.majorUnits(v, exponent: line.currency.exponent)) }
            let values: [CellValue] = [
                typing.value(line.payoutID, kind: .link, currency: nil), .text(line.status), .timestamp(line.created),
                line.arrival.map { .date(Int(Review.floorDiv($0, 86_400))) } ?? .blank, .text(line.currency.code),
                money(line.amount), .number(Double(line.movements)), money(line.gross), money(line.fees), money(line.net),
            ]
            for (c, value) in values.enumerated() {
                try put(value, sheet, k + 1, c, fill: nil, currency: line.currency, links: &links)
            }
        }
    }

    /// A sheet of the user's: its values with their types; formatting is not kept.
    func writeOther(_ source: XLSXSheet, on sheet: Worksheet) throws {
        // What a person hid stays hidden.
        if source.hidden { sheet.hide() }
        for range in source.hiddenColumns where range.upperBound < Workbook.maxColumns { try sheet.hideColumns(range) }
        var links = Self.maxLinksPerSheet
        for (r, row) in source.rows.enumerated() where r < Workbook.maxRows {
            for (c, cell) in row.enumerated() where c < Workbook.maxColumns {
                try put(typing.value(asRead: cell, kind: .text, currency: nil), sheet, r, c, fill: nil, currency: nil, links: &links)
            }
        }
    }
}

