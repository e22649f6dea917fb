import LedgerCore
import Spreadsheet

/// How a ledger's tables are read from and written to disk: a CSV pair, or an XLSX workbook.
public protocol LedgerBackend: Sendable {
    /// Reads both tables. A missing payments table reads as empty.
    func load() throws(LedgerError) -> LedgerTables
    /// Writes both tables so that a crash leaves each file old or new, never half written.
    func save(invoices: Table, payments: Table, like tables: LedgerTables) throws(LedgerError)
    /// The same, with what a workbook's report sheets need (a CSV ledger has none and ignores it).
    func save(invoices: Table, payments: Table, like tables: LedgerTables, context: SaveContext) throws(LedgerError)
    /// What the ledger file looked like, to notice a person saving it meanwhile.
    func stamp() -> FileStamp?
}

extension LedgerBackend {
    public func save(invoices: Table, payments: Table, like tables: LedgerTables, context: SaveContext) throws(LedgerError) {
        try save(invoices: invoices, payments: payments, like: tables)
    }
}

/// `NAME.csv` + `NAME.payments.csv`.
public struct CSVLedger: LedgerBackend {
    public let paths: LedgerPaths

    public init(paths: LedgerPaths) {
        self.paths = paths
    }

    public func load() throws(LedgerError) -> LedgerTables {
        let invoices: (table: Table, format: CSVFormat)
        do {
            invoices = try CSV.read(path: paths.ledger)
        } catch {
            throw LedgerError(.unreadable, file: paths.ledger, "\(error)")
        }
        var payments = (table: Table(header: LedgerTables.paymentColumns, rows: []), format: invoices.format)
        if FileStamp.of(paths.paymentsCSV) != nil {
            do {
                payments = try CSV.read(path: paths.paymentsCSV)
            } catch {
                throw LedgerError(.unreadable, file: paths.paymentsCSV, "\(error)")
            }
        }
        return LedgerTables(invoices: invoices.table, invoicesFormat: invoices.format,
                            payments: payments.table, paymentsFormat: payments.format)
    }

    public func save(invoices: Table, payments: Table, like tables: LedgerTables) throws(LedgerError) {
        // Payments first: the invoices file is "the ledger", written last so it is never ahead of its companion.
        try AtomicFile.write(CSV.encode(payments, format: tables.paymentsFormat, neutralizeFormulas: true), to: paths.paymentsCSV)
        try AtomicFile.write(CSV.encode(invoices, format: tables.invoicesFormat), to: paths.ledger)
    }

    public func stamp() -> FileStamp? { FileStamp.of(paths.ledger) }
}
