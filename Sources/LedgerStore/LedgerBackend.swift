import LedgerCore
import Spreadsheet

/// How a ledger's tables are read from and written to disk: a CSV pair, or an XLSX workbook.
public protocol LedgerBackend: Sendable {
    /// Reads both tables. A missing payments table reads as empty.
    func load() throws(LedgerError) -> LedgerTables
    /// Writes both tables so that a crash leaves each file old or new, never half written.
    func save(invoices: Table, payments: Table, like tables: LedgerTables) throws(LedgerError)
    /// The same, with what a workbook's report sheets need (a CSV ledger has none and ignores it).
    /// When `context.unchangedSince` is given and the ledger file no longer has that stamp just before
    /// it would be replaced (a person saved it meanwhile), nothing replaces it and `.changedDuringWrite`
    /// is thrown: the caller re-reads the person's version and writes again.
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

    /// Reads the two files at once, each on its own thread.
    public func load() throws(LedgerError) -> LedgerTables {
        let files = FileStamp.of(paths.paymentsCSV) != nil ? [paths.ledger, paths.paymentsCSV] : [paths.ledger]
        let read = try concurrentMap(files) { path throws(LedgerError) in try Self.read(path) }
        let invoices = read[0]
        var payments = read.count > 1 ? read[1] : (table: Table(header: LedgerTables.paymentColumns, rows: []), format: invoices.format)
        // The payments table is written with formula-like text neutralised (`'=…`); read, it is the text itself.
        payments.table.header = payments.table.header.map(CSV.removingFormulaNeutralizing)
        for r in payments.table.rows.indices {
            for c in payments.table.rows[r].indices where payments.table.rows[r][c].utf8.first == UInt8(ascii: "'") {
                payments.table.rows[r][c] = CSV.removingFormulaNeutralizing(payments.table.rows[r][c])
            }
        }
        return LedgerTables(invoices: invoices.table, invoicesFormat: invoices.format,
                            payments: payments.table, paymentsFormat: payments.format)
    }

    private static func read(_ path: String) throws(LedgerError) -> (table: Table, format: CSVFormat) {
        do {
            return try CSV.read(path: path)
        } catch {
            throw LedgerError(.unreadable, file: path, "\(error)")
        }
    }

    public func save(invoices: Table, payments: Table, like tables: LedgerTables) throws(LedgerError) {
        try save(invoices: invoices, payments: payments, like: tables, unchangedSince: nil)
    }

    public func save(invoices: Table, payments: Table, like tables: LedgerTables, context: SaveContext) throws(LedgerError) {
        try save(invoices: invoices, payments: payments, like: tables, unchangedSince: context.unchangedSince)
    }

    private func save(invoices: Table, payments: Table, like tables: LedgerTables, unchangedSince stamp: FileStamp?) throws(LedgerError) {
        // Payments first: the invoices file is "the ledger", written last so it is never ahead of its companion.
        let newTable = FileStamp.of(paths.paymentsCSV) == nil
        // Both written piece by piece: the payments table of a large export is hundreds of megabytes.
        try AtomicFile.write(to: paths.paymentsCSV) { temp in
            try CSV.write(payments, format: tables.paymentsFormat, neutralizeFormulas: true, toFile: temp)
        }
        // A new payments table is as private as the ledger it belongs to.
        if newTable { AtomicFile.copyPermissions(from: paths.ledger, to: paths.paymentsCSV) }
        try AtomicFile.prepare(paths.ledger) { temp in try CSV.write(invoices, format: tables.invoicesFormat, toFile: temp) }
            .replace(ifStill: stamp, of: paths.ledger)
    }

    public func stamp() -> FileStamp? { FileStamp.of(paths.ledger) }
}
