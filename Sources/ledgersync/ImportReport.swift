import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import Spreadsheet
import StripeData

/// What an import did, for people (text) and scripts (`--json`).
struct ImportReport: Encodable {
    struct FileSummary: Encodable {
        var file: String
        var items: Int
        var new: Int
        var duplicates: Int
        var unchanged: Int
        var rejected: Int
    }

    var ledger: String
    var dryRun: Bool
    var files: [FileSummary] = []
    var items = 0
    var newItems = 0
    var duplicates = 0
    var ignoredTypes: [String: Int] = [:]
    var problems: [String] = []
    var rows = 0
    var invalidRows = 0
    var statuses: [String: Int] = [:]
    var flags: [String: Int] = [:]
    var unmatchedPayments = 0
    var notes: [String] = []
    var changes: [Changes.Row]?
    var exitCode: Int32 = 0

    init(ledger: String, dryRun: Bool) {
        self.ledger = ledger
        self.dryRun = dryRun
    }

    /// Adds what one input gave; consecutive parts of one input (a pull's pages of one endpoint) share its line.
    mutating func add(file: String, outcome: Intake.Outcome) {
        if files.last?.file != file {
            files.append(FileSummary(file: file, items: 0, new: 0, duplicates: 0, unchanged: 0, rejected: 0))
        }
        files[files.count - 1].items += outcome.considered
        files[files.count - 1].new += outcome.newItems
        files[files.count - 1].duplicates += outcome.duplicates
        files[files.count - 1].unchanged += outcome.unchanged
        files[files.count - 1].rejected += outcome.problems.count
        items += outcome.considered
        newItems += outcome.newItems
        duplicates += outcome.duplicates
        for (type, count) in outcome.ignoredTypes { ignoredTypes[type, default: 0] += count }
        problems += outcome.problems
    }

    /// Records the exit status, prints the report (JSON or text), and throws the status unless it is `ok`.
    mutating func finish(status: Int32, json: Bool) throws {
        exitCode = status
        if json {
            Output.json(self)
        } else {
            printText()
        }
        if status != ExitStatus.ok { throw ExitCode(status) }
    }

    /// Counts from the ledger as written (or, for a dry run, as it would be written).
    mutating func summarise(session: LedgerSession, dryRunChanges: [Changes.Row]?, notes: [String]) {
        let table = session.tables.invoices
        rows = table.rows.count
        invalidRows = session.invoices.filter { !$0.isValid }.count
        self.notes = notes
        if let statusColumn = table.columnIndex("status"), let flagColumn = table.columnIndex("flag") {
            var afterDryRun: [String: [String: String]] = [:]
            for row in dryRunChanges ?? [] {
                afterDryRun[row.invoice] = Dictionary(uniqueKeysWithValues: row.cells.map { ($0.column, $0.after) })
            }
            for r in 0..<table.rows.count {
                let changed = r < session.invoices.count ? afterDryRun[session.invoices[r].invoiceNumber] : nil
                let status = changed?["status"] ?? table.cell(r, statusColumn)
                let flag = changed?["flag"] ?? table.cell(r, flagColumn)
                if !status.isEmpty { statuses[status, default: 0] += 1 }
                if !flag.isEmpty { flags[flag, default: 0] += 1 }
            }
        }
        let payments = session.tables.payments
        if let flagColumn = payments.columnIndex("flag"), let rowsColumn = payments.columnIndex("invoice_number") {
            let needingDecision: Set<String> = ["unmatched_payment", "ambiguous_match", "unknown_invoice", "currency_mismatch"]
            unmatchedPayments = (0..<payments.rows.count).count {
                payments.cell($0, rowsColumn).isEmpty && needingDecision.contains(payments.cell($0, flagColumn))
            }
        }
    }

    func printText() {
        let verb = dryRun ? "would apply" : "applied"
        Output.line("\(ledger): \(verb) \(newItems) new of \(items) records from \(files.count) input\(files.count == 1 ? "" : "s") (\(duplicates) already seen).")
        if !ignoredTypes.isEmpty {
            let list = ignoredTypes.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            Output.line("ignored event types (no money moves): \(list)")
        }
        let statusList = statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        Output.line("rows: \(rows) — \(statusList)")
        if !flags.isEmpty {
            Output.line("flagged rows: " + flags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if unmatchedPayments > 0 { Output.line("payments needing a decision: \(unmatchedPayments) (see `ledgersync status`)") }
        for note in notes { Output.line("note: \(note)") }
        if let changes {
            Output.line(changes.isEmpty ? "no row would change." : "changes:")
            for row in changes {
                Output.line("  \(row.invoice): " + row.cells.map { "\($0.column) '\($0.before)' → '\($0.after)'" }.joined(separator: "; "))
            }
        }
        for problem in problems { Output.warn("rejected: \(problem)") }
        if invalidRows > 0 {
            Output.warn("\(invalidRows) row\(invalidRows == 1 ? " is" : "s are") invalid_row: fix the cells named in flag_detail and run again.")
        }
    }
}

/// The owned cells a run changes, row by row (for `--dry-run`).
enum Changes {
    struct Cell: Encodable {
        var column: String
        var before: String
        var after: String
    }

    struct Row: Encodable {
        var invoice: String
        var cells: [Cell]
    }

    static func between(before: LedgerTables, invoices: [Invoice], result: Reconciliation, tables: LedgerTables) -> [Row] {
        let after = tables.renderedInvoices(invoices, result)
        var rows: [Row] = []
        for r in 0..<after.rows.count {
            var cells: [Cell] = []
            for name in InvoiceColumn.owned {
                guard let newColumn = after.columnIndex(name) else { continue }
                let old = before.invoices.columnIndex(name).map { before.invoices.cell(r, $0) } ?? ""
                let new = after.cell(r, newColumn)
                if old != new { cells.append(Cell(column: name, before: old, after: new)) }
            }
            if !cells.isEmpty {
                rows.append(Row(invoice: r < invoices.count ? invoices[r].invoiceNumber : "row \(r + 2)", cells: cells))
            }
        }
        return rows
    }
}
