import LedgerCore
import Spreadsheet

/// The Summary sheet: live COUNTIFS/SUMIFS formulas over the Invoices and Payments sheets, each
/// written with the value it computes now (computed from the very cells written), so readers that do
/// not recalculate show the right figures and Excel keeps them right after a person's edit.
extension WorkbookWriter {
    /// A criterion of COUNTIFS/SUMIFS: an Excel expression and the same test in Swift.
    struct Criterion {
        var column: String
        var formula: String
        var test: (CellValue) -> Bool

        static func equals(_ column: String, _ text: String) -> Criterion {
            let lower = text.lowercased()
            return Criterion(column: column, formula: quote(text)) { $0.criteriaText?.lowercased() == lower }
        }
        static func nonBlank(_ column: String) -> Criterion {
            Criterion(column: column, formula: "\"<>\"") { !$0.isBlank }
        }
        static func blank(_ column: String) -> Criterion {
            Criterion(column: column, formula: "\"\"") { $0.criteriaText == "" }
        }
        static func notEqual(_ column: String, _ text: String) -> Criterion {
            let lower = text.lowercased()
            return Criterion(column: column, formula: quote("<>" + text)) { $0.criteriaText?.lowercased() != lower }
        }
        /// The column's date is before the report day minus `days` (`"<"&(INT($B$2)-days)`).
        static func dueBefore(_ column: String, daysBeforeAsOf days: Int, asOfSerial: Double) -> Criterion {
            let limit = asOfSerial - Double(days)
            return Criterion(column: column, formula: "\"<\"&(INT($B$2)-\(days))") { ($0.dateSerial ?? $0.numeric).map { $0 < limit } ?? false }
        }

        static func quote(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    static func sheetReference(_ name: String) -> String {
        name.allSatisfy { $0.isLetter || $0.isNumber } ? name : "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `Invoices!$H$2:$H$42`.
    static func range(_ part: SheetPart, column: Int) -> String {
        let letter = XLSXError.columnName(column)
        return sheetReference(part.name) + "!$\(letter)$2:$\(letter)$\(max(part.rows, 1) + 1)"
    }

    /// A COUNTIFS (or SUMIFS over `sum`) across every part of a table, with its value now.
    func aggregate(table: Table, header: [String], parts: [SheetPart], sum: String?, criteria: [Criterion],
                   value: (Int, Int) -> CellValue) -> (formula: String, cached: Double)? {
        var columns: [Int] = []
        for criterion in criteria {
            guard let c = header.firstIndex(of: criterion.column) else { return nil }
            columns.append(c)
        }
        let sumColumn = sum.flatMap { header.firstIndex(of: $0) }
        if sum != nil && sumColumn == nil { return nil }
        var total = 0.0
        for r in 0..<table.rows.count {
            var ok = true
            for (k, criterion) in criteria.enumerated() where !criterion.test(value(r, columns[k])) {
                ok = false
                break
            }
            guard ok else { continue }
            if let sumColumn { total += value(r, sumColumn).numeric ?? 0 } else { total += 1 }
        }
        let terms = parts.map { part -> String in
            let pairs = zip(columns, criteria).map { Self.range(part, column: $0.0) + "," + $0.1.formula }.joined(separator: ",")
            if let sumColumn { return "SUMIFS(" + Self.range(part, column: sumColumn) + "," + pairs + ")" }
            return "COUNTIFS(" + pairs + ")"
        }
        return (terms.joined(separator: "+"), total)
    }

    func writeSummary(on sheet: Worksheet, invoiceParts: [SheetPart], paymentParts: [SheetPart]) throws {
        let title = styles.format(.title)
        let header = styles.format(.header)
        try sheet.setColumn(first: 0, last: 0, width: 26)
        try sheet.setColumn(first: 1, last: 10, width: 15)
        try sheet.write(row: 0, col: 0, string: "LedgerSync summary", format: title)
        try sheet.write(row: 1, col: 0, string: "As of (UTC)")
        try sheet.writeTimestamp(row: 1, col: 1, unixSeconds: report.asOf, format: styles.format(.timestamp))
        try sheet.write(row: 2, col: 0, string: "Ledger")
        try sheet.write(row: 2, col: 1, string: report.ledgerName)
        let asOfSerial = Double(Review.floorDiv(report.asOf, 86_400) + 25_569)

        let table = report.invoicesTable
        // Each column the figures read is typed once (the same values the Invoices sheet gets).
        var typedColumns: [Int: [CellValue]] = [:]
        func value(_ r: Int, _ c: Int) -> CellValue {
            if let cached = typedColumns[c] { return cached[r] }
            let values = (0..<table.rows.count).map { invoiceValue($0, c) }
            typedColumns[c] = values
            return values[r]
        }
        func invoices(_ sum: String?, _ criteria: [Criterion]) -> (formula: String, cached: Double)? {
            aggregate(table: table, header: invoiceHeader, parts: invoiceParts, sum: sum, criteria: criteria, value: value)
        }
        func put(_ row: Int, _ col: Int, _ figure: (formula: String, cached: Double)?, format: Format? = nil) throws {
            guard let figure else { return }
            try sheet.write(row: row, col: col, formula: "=" + figure.formula, cachedNumber: figure.cached, format: format)
        }

        var row = 3
        let rowCount = invoiceParts.filter { $0.rows > 0 }.map { "ROWS(" + Self.range($0, column: 0) + ")" }
        let figures: [(String, (formula: String, cached: Double)?)] = [
            ("Invoice rows", (rowCount.isEmpty ? "0" : rowCount.joined(separator: "+"), Double(table.rows.count))),
            ("Flagged rows", invoices(nil, [.nonBlank("flag")])),
            ("Unmatched payments", aggregate(table: report.paymentsTable, header: paymentHeader, parts: paymentParts, sum: nil,
                                             criteria: [.nonBlank("flag"), .blank("invoice_number")], value: paymentValue)),
        ]
        for (label, figure) in figures {
            try sheet.write(row: row, col: 0, string: label)
            try put(row, 1, figure, format: styles.format(.number))
            row += 1
        }

        // Rows settled without a person / rows with any payment.
        let settled = InvoiceStatus.settled
        let withPayment = invoices(nil, [.nonBlank("payment_ids")])
        let alone = settled.compactMap {
            invoices(nil, [.nonBlank("payment_ids"), .blank("flag"), .notEqual("match_rule", MatchRule.manual.rawValue), .equals("status", $0.rawValue)])
        }
        try sheet.write(row: row, col: 0, string: "Auto-reconciled rate")
        if let withPayment, alone.count == settled.count {
            let numerator = alone.map(\.formula).joined(separator: "+")
            let cached = withPayment.cached == 0 ? 0 : alone.reduce(0) { $0 + $1.cached } / withPayment.cached
            try sheet.write(row: row, col: 1, formula: "=IF((\(withPayment.formula))=0,0,(\(numerator))/(\(withPayment.formula)))",
                            cachedNumber: cached, format: styles.format(.percent))
        }
        row += 2

        try sheet.write(row: row, col: 0, string: "Status", format: header)
        try sheet.write(row: row, col: 1, string: "Rows", format: header)
        row += 1
        for status in InvoiceStatus.allCases {
            try sheet.write(row: row, col: 0, string: status.rawValue)
            try put(row, 1, invoices(nil, [.equals("status", status.rawValue)]), format: styles.format(.number))
            row += 1
        }
        row += 1

        let columns = ["Currency", "Rows", "Amount due", "Paid", "Refunded", "Balance due",
                       "Current", "1–30 days", "31–60 days", "61–90 days", "90+ days"]
        for (c, name) in columns.enumerated() { try sheet.write(row: row, col: c, string: name, format: header) }
        row += 1
        for (code, currency) in currencyGroups() {
            let money = styles.format(.money, currency: currency)
            // Rows of this currency that can be read (an invalid_row counts nowhere, as in `status`).
            let same = [Criterion.equals(InvoiceColumn.currency, code), .notEqual("flag", Flag.invalidRow.rawValue)]
            try sheet.write(row: row, col: 0, string: code)
            try put(row, 1, invoices(nil, same), format: styles.format(.number))
            for (c, column) in ["amount_due", "amount_paid", "amount_refunded", "balance_due"].enumerated() {
                try put(row, 2 + c, invoices(column, same), format: money)
            }
            // Aging of open balances by days past due: current is what is not overdue (or has no due date).
            let due = InvoiceColumn.dueDate
            let overdue = [0, 30, 60, 90].map { invoices("balance_due", same + [.dueBefore(due, daysBeforeAsOf: $0, asOfSerial: asOfSerial)]) }
            let balance = invoices("balance_due", same)
            if let balance {
                let o = overdue.map { $0 ?? (formula: "0", cached: 0) }
                let buckets = [
                    (balance.formula + "-(" + o[0].formula + ")", balance.cached - o[0].cached),
                    (o[0].formula + "-(" + o[1].formula + ")", o[0].cached - o[1].cached),
                    (o[1].formula + "-(" + o[2].formula + ")", o[1].cached - o[2].cached),
                    (o[2].formula + "-(" + o[3].formula + ")", o[2].cached - o[3].cached),
                    (o[3].formula, o[3].cached),
                ]
                for (k, bucket) in buckets.enumerated() {
                    try put(row, 6 + k, (bucket.0, bucket.1), format: money)
                }
            }
            row += 1
        }
    }

    /// The currencies of the Invoices sheet, as their cells spell them (lowercased), in code order.
    func currencyGroups() -> [(String, Currency)] {
        guard let c = invoiceCurrencyColumn else { return [] }
        var seen: [String: Currency] = [:]
        for r in 0..<report.invoicesTable.rows.count {
            guard case .text(let raw) = invoiceValue(r, c) else { continue }
            let lower = raw.lowercased()
            if seen[lower] == nil, lower.count == 3, let currency = typing.currency(lower) { seen[lower] = currency }
        }
        return seen.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
