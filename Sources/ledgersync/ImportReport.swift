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

    mutating func add(file: String, input: StripeInput, intake: LedgerSession.Intake) {
        files.append(FileSummary(file: file, items: intake.items, new: intake.newItems, duplicates: intake.duplicates,
                                 unchanged: intake.unchanged, rejected: input.problems.count + intake.rejected.count))
        items += intake.items
        newItems += intake.newItems
        duplicates += intake.duplicates
        for (type, count) in input.ignoredTypes { ignoredTypes[type, default: 0] += count }
        problems += input.problems.map(\.description) + intake.rejected
    }

    mutating func summarise(_ result: Reconciliation, invoices: [Invoice]) {
        rows = result.invoices.count
        for (state, invoice) in zip(result.invoices, invoices) {
            statuses[state.status.rawValue, default: 0] += 1
            if let flag = state.flag { flags[flag.rawValue, default: 0] += 1 }
            if !invoice.isValid { invalidRows += 1 }
        }
        unmatchedPayments = result.payments.filter { $0.flag == .unmatchedPayment || $0.flag == .ambiguousMatch || $0.flag == .unknownInvoice }.count
        notes = result.notes
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
