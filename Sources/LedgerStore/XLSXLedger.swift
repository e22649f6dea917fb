import Foundation
import LedgerCore
import Reports
import Spreadsheet

/// What the report sheets of a workbook ledger need besides the two tables.
public struct SaveContext: Sendable {
    public var invoices: [Invoice]
    public var result: Reconciliation
    public var records: RecordSet
    public var mode: StripeMode?
    /// Unix seconds, the Summary's as-of time.
    public var now: Int64
    /// The ledger file as it was read: if it changed by the time it would be replaced, it is not.
    public var unchangedSince: FileStamp?

    public init(invoices: [Invoice], result: Reconciliation, records: RecordSet, mode: StripeMode?, now: Int64,
                unchangedSince: FileStamp? = nil) {
        self.invoices = invoices
        self.result = result
        self.records = records
        self.mode = mode
        self.now = now
        self.unchangedSince = unchangedSince
    }
}

/// `NAME.xlsx`: the `Invoices` and `Payments` sheets are the tables (DESIGN.md §1).
///
/// Reading turns cells into the ledger's text (numbers as their shortest decimal, dates as
/// `YYYY-MM-DD`). Writing rewrites the whole workbook with libxlsxwriter, atomically: the user's
/// cells keep their type (text stays text, numbers numbers, dates dates), LedgerSync's columns are
/// written as numbers, dates and links, the report sheets (Summary, Review, Payouts) are regenerated,
/// and every other sheet is copied with its values (its formatting and formulas are not kept).
public final class XLSXLedger: LedgerBackend, @unchecked Sendable {
    public let paths: LedgerPaths
    /// The cells as last read, to write the user's back with their types. Guarded by `lock`.
    private var asRead = AsRead()
    private let lock = NSLock()

    struct AsRead {
        var invoiceCells: [[XLSXCell]] = []
        var paymentCells: [String: [String: XLSXCell]] = [:]
        var otherSheets: [XLSXSheet] = []
        var invoiceHiddenColumns: [ClosedRange<Int>] = []
    }

    public init(paths: LedgerPaths) {
        self.paths = paths
    }

    public func stamp() -> FileStamp? { FileStamp.of(paths.ledger) }

    public func load() throws(LedgerError) -> LedgerTables {
        let contents: XLSXWorkbookContents
        let timing = Timing()
        defer { timing.mark("workbook tables converted") }
        do {
            // The report sheets are regenerated on every write: their cells are not read.
            contents = try XLSX.read(path: paths.ledger, skipping: LedgerReport.isReportSheet)
        } catch {
            throw LedgerError(.unreadable, file: paths.ledger, Self.message(error))
        }
        timing.mark("workbook inflated and parsed")
        guard let invoiceSheet = contents.sheet(named: "Invoices") else {
            throw LedgerError(.notALedger, file: paths.ledger,
                              "has no sheet named 'Invoices' (it has \(contents.sheets.map { "'\($0.name)'" }.joined(separator: ", "))); a workbook ledger keeps its invoices on a sheet named Invoices — rename that sheet, or start one with `ledgersync init --xlsx`")
        }
        var read = AsRead()
        read.invoiceHiddenColumns = invoiceSheet.hiddenColumns
        let invoices = Self.table(invoiceSheet, moneyColumns: ["amount_paid", "amount_refunded", "balance_due"],
                                  dateColumns: [InvoiceColumn.issueDate, InvoiceColumn.dueDate], cells: &read.invoiceCells)
        var payments = Table(header: LedgerTables.paymentColumns, rows: [])
        if let paymentSheet = contents.sheet(named: "Payments") {
            var cells: [[XLSXCell]] = []
            payments = Self.table(paymentSheet, moneyColumns: ["amount", "fee", "net"], dateColumns: [], cells: &cells)
            let header = payments.header.map { $0.trimmingASCIIWhitespace() }
            let extra = header.enumerated().filter { !LedgerTables.paymentColumns.contains($0.element) && !$0.element.isEmpty }
            if !extra.isEmpty, let idColumn = header.firstIndex(of: "stripe_id") {
                for (r, row) in cells.enumerated() {
                    var byName: [String: XLSXCell] = [:]
                    for (c, name) in extra where c < row.count { byName[name] = row[c] }
                    read.paymentCells[payments.cell(r, idColumn)] = byName
                }
            }
        }
        read.otherSheets = contents.sheets.filter { !LedgerReport.isOwnSheet($0.name) }
        lock.withLock { asRead = read }
        return LedgerTables(invoices: invoices, invoicesFormat: .standard, payments: payments, paymentsFormat: .standard)
    }

    /// A sheet as a table of ledger text. Fully empty rows are skipped (a spreadsheet's blank lines);
    /// `cells` gets the kept rows as read. Numbers in LedgerSync's money columns are written back with
    /// the row currency's decimals, as the CSV ledger holds them (`1250` → `1250.00`). A date column's
    /// cell shown with a time of day at midnight (a program's default date-time format) is its date.
    static func table(_ sheet: XLSXSheet, moneyColumns: Set<String>, dateColumns: Set<String>, cells: inout [[XLSXCell]]) -> Table {
        guard let first = sheet.rows.first else { return Table(header: [], rows: []) }
        let header = first.map(XLSX.text)
        let trimmed = header.map { $0.trimmingASCIIWhitespace() }
        let currencyColumn = trimmed.firstIndex(of: "currency")
        let money = Set(trimmed.indices.filter { moneyColumns.contains(trimmed[$0]) })
        let dates = Set(trimmed.indices.filter { dateColumns.contains(trimmed[$0]) })
        var rows: [[String]] = []
        rows.reserveCapacity(sheet.rows.count)
        cells.reserveCapacity(sheet.rows.count)
        for row in sheet.rows.dropFirst() where row.contains(where: { $0 != .empty }) {
            var texts = row.map(XLSX.text)
            for c in dates where c < row.count {
                if case .date(let days, 0) = row[c] { texts[c] = XLSX.text(.date(days: days, seconds: nil)) }
            }
            if !money.isEmpty, let currencyColumn, currencyColumn < texts.count, let currency = try? Currency(texts[currencyColumn]) {
                for c in money where c < row.count {
                    if case .number(let s) = row[c], let units = try? Money.parseMinorUnits(s, exponent: currency.exponent) {
                        texts[c] = Money.decimalString(units, exponent: currency.exponent)
                    }
                }
            }
            rows.append(texts)
            cells.append(row)
        }
        return Table(header: header, rows: rows)
    }

    public func save(invoices: Table, payments: Table, like tables: LedgerTables) throws(LedgerError) {
        let parsed = (try? LedgerTables(invoices: invoices, invoicesFormat: .standard, payments: payments, paymentsFormat: .standard)
            .parseInvoices(file: paths.ledger)) ?? []
        try save(invoices: invoices, payments: payments, like: tables,
                 context: SaveContext(invoices: parsed, result: Reconciliation(invoices: [], payments: [], notes: []),
                                      records: RecordSet(), mode: nil, now: Int64(Date().timeIntervalSince1970)))
    }

    public func save(invoices: Table, payments: Table, like tables: LedgerTables, context: SaveContext) throws(LedgerError) {
        let read = lock.withLock { asRead }
        let report = LedgerReport(ledgerName: (paths.ledger as NSString).lastPathComponent, invoicesTable: invoices,
                                  paymentsTable: payments, invoices: context.invoices, result: context.result,
                                  records: context.records, mode: context.mode, asOf: context.now,
                                  invoiceCellsAsRead: read.invoiceCells, paymentCellsAsRead: read.paymentCells,
                                  otherSheets: read.otherSheets, invoiceHiddenColumns: read.invoiceHiddenColumns)
        let prepared = try AtomicFile.prepare(paths.ledger) { temp in
            try LedgerWorkbook.write(report, to: temp)
        }
        try prepared.replace(ifStill: context.unchangedSince, of: paths.ledger)
    }

    /// A new workbook ledger with the contract's columns and no rows.
    public static func create(paths: LedgerPaths, invoiceHeader: [String], now: Int64) throws(LedgerError) {
        let ledger = XLSXLedger(paths: paths)
        let empty = Table(header: invoiceHeader, rows: [])
        try ledger.save(invoices: empty, payments: Table(header: LedgerTables.paymentColumns, rows: []),
                        like: LedgerTables(invoices: empty, invoicesFormat: .standard, payments: empty, paymentsFormat: .standard),
                        context: SaveContext(invoices: [], result: Reconciliation(invoices: [], payments: [], notes: []),
                                             records: RecordSet(), mode: nil, now: now))
    }

    /// The reader's message without its leading file name, which LedgerError adds
    /// (`sheet 'Invoices', cell B7: …` or just the message).
    static func message(_ error: XLSXError) -> String {
        let text = error.description
        guard text.hasPrefix(error.file + ": ") || text.hasPrefix(error.file + ", ") else { return text }
        return String(text.dropFirst(error.file.count + 2))
    }
}
