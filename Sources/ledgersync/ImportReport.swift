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
    var paymentChanges: [Changes.Payment]?
    /// What stopped the run after part of it was applied (a pull whose server failed).
    var error: String?
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

    /// Ends the run: commits what was applied, or for a dry run reconciles only and notes what would
    /// change against `before`; then counts from the tables as written (or as they would be).
    mutating func conclude(session: LedgerSession, before: LedgerTables) throws(LedgerError) {
        if dryRun {
            let result = try session.reconcile()
            let invoices = session.tables.renderedInvoices(session.invoices, result), payments = session.tables.renderedPayments(result)
            changes = Changes.rows(before: before.invoices, after: invoices, invoices: session.invoices)
            paymentChanges = Changes.payments(before: before.payments, after: payments)
            summarise(invoices: invoices, payments: payments, rows: session.invoices, notes: result.notes)
        } else {
            let notes = try session.commit()?.notes ?? []
            summarise(invoices: session.tables.invoices, payments: session.tables.payments, rows: session.invoices, notes: notes)
        }
    }

    /// Counts from the tables as written (or, for a dry run, as they would be written).
    mutating func summarise(invoices table: Table, payments: Table, rows invoiceList: [Invoice], notes: [String]) {
        rows = table.rows.count
        invalidRows = invoiceList.filter { !$0.isValid }.count
        self.notes = notes
        if let statusColumn = table.columnIndex("status"), let flagColumn = table.columnIndex("flag") {
            for r in 0..<table.rows.count {
                let status = table.cell(r, statusColumn), flag = table.cell(r, flagColumn)
                if !status.isEmpty { statuses[status, default: 0] += 1 }
                if !flag.isEmpty { flags[flag, default: 0] += 1 }
            }
        }
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
            Changes.print(rows: changes, payments: paymentChanges ?? [], would: true)
        }
        for problem in problems { Output.warn("rejected: \(problem)") }
        if invalidRows > 0 {
            Output.warn("\(invalidRows) row\(invalidRows == 1 ? " is" : "s are") invalid_row: fix the cells named in flag_detail and run again.")
        }
        if let error { Output.warn("error: \(error)") }
    }
}

/// The cells a run changes (for `--dry-run`, and for what `resolve` did): the invoices table's owned
/// cells row by row, and the payments table's lines by `stripe_id`.
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

    /// A payments-table line that is new, changed, or gone (`change`), with the cells that differ.
    struct Payment: Encodable {
        var stripeID: String
        var change: String
        var cells: [Cell]
    }

    static func rows(before: Table, after: Table, invoices: [Invoice]) -> [Row] {
        var rows: [Row] = []
        for r in 0..<after.rows.count {
            var cells: [Cell] = []
            for name in InvoiceColumn.owned {
                guard let newColumn = after.columnIndex(name) else { continue }
                let old = before.columnIndex(name).map { before.cell(r, $0) } ?? ""
                let new = after.cell(r, newColumn)
                if old != new { cells.append(Cell(column: name, before: old, after: new)) }
            }
            if !cells.isEmpty {
                rows.append(Row(invoice: r < invoices.count ? invoices[r].invoiceNumber : "row \(r + 2)", cells: cells))
            }
        }
        return rows
    }

    static func payments(before: Table, after: Table) -> [Payment] {
        let columns = LedgerTables.paymentColumns
        func lines(_ table: Table) -> [String: [String]] {
            let index = columns.map { table.columnIndex($0) }
            guard let id = table.columnIndex("stripe_id") else { return [:] }
            var lines: [String: [String]] = [:]
            for r in 0..<table.rows.count {
                lines[table.cell(r, id)] = index.map { $0.map { table.cell(r, $0) } ?? "" }
            }
            return lines
        }
        let old = lines(before), new = lines(after)
        func cells(_ a: [String]?, _ b: [String]?) -> [Cell] {
            columns.indices.compactMap { k in
                let x = a?[k] ?? "", y = b?[k] ?? ""
                return x == y || k == 0 ? nil : Cell(column: columns[k], before: x, after: y)
            }
        }
        var changes: [Payment] = []
        for id in Set(old.keys).union(new.keys).sorted() {
            let a = old[id], b = new[id]
            let differing = cells(a, b)
            guard !differing.isEmpty else { continue }
            changes.append(Payment(stripeID: id, change: a == nil ? "new" : b == nil ? "gone" : "changed", cells: differing))
        }
        return changes
    }

    /// The payments-table columns shown in text; `--json` gives every column.
    static let shownPaymentColumns: Set<String> = [
        "kind", "status", "currency", "amount", "invoice_number", "applied_amounts", "match_rule", "payout_id", "flag",
    ]

    static func print(rows: [Row], payments: [Payment], would: Bool) {
        Output.line(rows.isEmpty ? "no row \(would ? "would change" : "changed")." : "rows:")
        for row in rows {
            Output.line("  \(row.invoice): " + row.cells.map { "\($0.column) '\($0.before)' → '\($0.after)'" }.joined(separator: "; "))
        }
        let counts = ["new", "changed", "gone"].map { kind in (kind, payments.count { $0.change == kind }) }.filter { $0.1 > 0 }
        guard !counts.isEmpty else {
            Output.line("no payment line \(would ? "would change" : "changed").")
            return
        }
        Output.line("payment lines (" + counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + "):")
        for line in payments {
            let shown = line.cells.filter { shownPaymentColumns.contains($0.column) }
            let text = line.change == "new"
                ? shown.map { "\($0.column) '\($0.after)'" }
                : shown.map { "\($0.column) '\($0.before)' → '\($0.after)'" }
            Output.line("  \(line.stripeID) (\(line.change))" + (text.isEmpty ? "" : ": " + text.joined(separator: "; ")))
        }
    }
}
