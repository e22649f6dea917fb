import LedgerCore
import Spreadsheet

/// A ledger's two tables as read from disk, with what is needed to write them back unchanged in shape.
public struct LedgerTables: Sendable {
    public var invoices: Table
    public var invoicesFormat: CSVFormat
    public var payments: Table
    public var paymentsFormat: CSVFormat

    public init(invoices: Table, invoicesFormat: CSVFormat, payments: Table, paymentsFormat: CSVFormat) {
        self.invoices = invoices
        self.invoicesFormat = invoicesFormat
        self.payments = payments
        self.paymentsFormat = paymentsFormat
    }

    /// The payments table's columns (DESIGN.md §1), in the order LedgerSync writes them.
    public static let paymentColumns = [
        "stripe_id", "kind", "status", "created", "currency", "amount", "fee", "net", "settlement_currency",
        "stripe_customer_id", "customer_email", "stripe_invoice_id", "charge_id", "reference", "invoice_number", "applied_amounts",
        "match_rule", "payout_id", "flag", "flag_detail", "source",
    ]

    /// Reads the invoice rows. Structural problems (a missing required column, a contract column twice,
    /// a duplicate `invoice_number`) throw: the caller exits 2 and writes nothing.
    public func parseInvoices(file: String) throws(LedgerError) -> [Invoice] {
        let header = invoices.header.map { $0.trimmingASCIIWhitespace() }
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where InvoiceColumn.userOwned.contains(name) || InvoiceColumn.owned.contains(name) {
            if index[name] != nil {
                throw LedgerError(.missingColumn, file: file,
                                  "column '\(name)' appears twice in the header; keep one of them (LedgerSync would not know which to use)")
            }
            index[name] = i
        }
        let missing = InvoiceColumn.required.filter { index[$0] == nil }
        if !missing.isEmpty {
            // A title or blank lines above the table: say where the header really is.
            if let r = invoices.rows.prefix(10).firstIndex(where: { row in
                InvoiceColumn.required.allSatisfy { name in row.contains { $0.trimmingASCIIWhitespace() == name } }
            }) {
                let first = invoices.header.first { !$0.isEmpty }.map { " ('\($0.prefix(40))')" } ?? ""
                throw LedgerError(.missingColumn, file: file,
                                  "the first row\(first) is read as the header, but the header (invoice_number, currency, amount_due) is on row \(r + 2); delete the rows above it, so the header is the first row")
            }
            throw LedgerError(.missingColumn, file: file,
                              "the header has no \(missing.map { "'\($0)'" }.joined(separator: ", ")) column; the invoices table needs \(InvoiceColumn.required.joined(separator: ", ")) (see `ledgersync init` for a template)")
        }
        var result: [Invoice] = []
        result.reserveCapacity(invoices.rows.count)
        var seen: [String: Int] = [:]
        for r in 0..<invoices.rows.count {
            let invoice = Invoice.parse(index: r) { name in index[name].map { invoices.cell(r, $0) } }
            let key = invoice.invoiceNumber.lowercased()
            if !key.isEmpty {
                if let first = seen[key] {
                    throw LedgerError(.duplicateInvoiceNumber, file: file,
                                      "invoice_number '\(invoice.invoiceNumber)' is on row \(first + 2) and row \(r + 2); invoice numbers must be unique — rename one of them")
                }
                seen[key] = r
            }
            result.append(invoice)
        }
        return result
    }

    /// The invoices table with LedgerSync's columns written from `result`; every other cell,
    /// column and row stays where it was. Missing owned columns are added at the end — after the last
    /// cell any row uses, so a value in a column without a header name is never written over.
    public func renderedInvoices(_ invoiceList: [Invoice], _ result: Reconciliation) -> Table {
        var header = invoices.header
        let used = invoices.rows.reduce(header.count) { width, row in
            max(width, (row.lastIndex { !$0.isEmpty } ?? -1) + 1)
        }
        if used > header.count { header += Array(repeating: "", count: used - header.count) }
        var owned: [Int] = []
        for name in InvoiceColumn.owned {
            if let i = header.firstIndex(where: { $0.trimmingASCIIWhitespace() == name }) {
                owned.append(i)
            } else {
                header.append(name)
                owned.append(header.count - 1)
            }
        }
        var rows = invoices.rows
        for r in 0..<rows.count {
            if rows[r].count < header.count {
                rows[r] += Array(repeating: "", count: header.count - rows[r].count)
            }
            guard r < result.invoices.count else { continue }
            let values = LedgerTables.ownedCells(result.invoices[r], invoice: invoiceList[r])
            for (k, column) in owned.enumerated() { rows[r][column] = values[k] }
        }
        return Table(header: header, rows: rows)
    }

    /// The payments table from `result`, keeping any column a person added (by `stripe_id`).
    public func renderedPayments(_ result: Reconciliation) -> Table {
        let standard = LedgerTables.paymentColumns
        let oldHeader = payments.header.map { $0.trimmingASCIIWhitespace() }
        let extraColumns = oldHeader.enumerated().filter { !standard.contains($0.element) && !$0.element.isEmpty }
        var extras: [String: [String]] = [:]
        if !extraColumns.isEmpty, let idColumn = oldHeader.firstIndex(of: "stripe_id") {
            for r in 0..<payments.rows.count {
                extras[payments.cell(r, idColumn)] = extraColumns.map { payments.cell(r, $0.offset) }
            }
        }
        var rows: [[String]] = []
        rows.reserveCapacity(result.payments.count)
        for line in result.payments {
            var row = LedgerTables.paymentCells(line)
            if !extraColumns.isEmpty {
                row += extras[line.stripeID] ?? Array(repeating: "", count: extraColumns.count)
            }
            rows.append(row)
        }
        return Table(header: standard + extraColumns.map { payments.header[$0.offset] }, rows: rows)
    }

    /// A row that cannot be read has no status or amounts to show: only its flag and why.
    static func ownedCells(_ s: InvoiceState, invoice: Invoice) -> [String] {
        let currency = invoice.isValid ? invoice.currency : nil
        func money(_ v: Int64) -> String { currency.map { Money.decimalString(v, exponent: $0.exponent) } ?? "" }
        func time(_ t: Int64?) -> String { t.map(LedgerDate.timestampString) ?? "" }
        return [
            invoice.isValid ? s.status.rawValue : "", money(s.amountPaid), money(s.amountRefunded), money(s.balanceDue), time(s.paidAt),
            s.paymentIDs.joined(separator: " "), s.matchRule?.rawValue ?? "", s.flag?.rawValue ?? "", s.flagDetail,
            s.payoutIDs.joined(separator: " "), time(s.depositedAt), time(s.lastEventAt),
        ]
    }

    static func paymentCells(_ p: PaymentLine) -> [String] {
        let e = p.currency.exponent, settled = p.settlement.exponent
        return [
            p.stripeID, p.kind.rawValue, p.status, LedgerDate.timestampString(p.created), p.currency.code,
            Money.decimalString(p.amount, exponent: e), p.fee.map { Money.decimalString($0, exponent: settled) } ?? "",
            p.net.map { Money.decimalString($0, exponent: settled) } ?? "", p.settlementCurrency, p.customer, p.email,
            p.stripeInvoiceID, p.chargeID, p.reference, p.invoiceNumbers.joined(separator: " "), appliedAmountsCell(p),
            p.matchRule?.rawValue ?? "", p.payoutID, p.flag?.rawValue ?? "", p.flagDetail, p.door.rawValue,
        ]
    }

    /// `applied_amounts`: one amount per row in `invoice_number`, space-separated; empty when nothing moved.
    static func appliedAmountsCell(_ p: PaymentLine) -> String {
        guard p.appliedAmounts.contains(where: { $0 != 0 }) else { return "" }
        return p.appliedAmounts.map { Money.decimalString($0, exponent: p.currency.exponent) }.joined(separator: " ")
    }

    /// Reads `applied_amounts` back: one amount per row named, or nil when the cell does not fit them.
    static func appliedAmounts(_ cell: String, rows: Int, exponent: Int) -> [Int64]? {
        if cell.isEmpty { return Array(repeating: 0, count: rows) }
        let parts = cell.split(separator: " ")
        guard parts.count == rows else { return nil }
        var amounts: [Int64] = []
        for part in parts {
            guard let v = try? Money.parseMinorUnits(String(part), exponent: exponent) else { return nil }
            amounts.append(v)
        }
        return amounts
    }
}

extension LedgerTables {
    /// The reconciliation these tables show, read back from LedgerSync's own columns: when the tables are
    /// exactly what LedgerSync last wrote, it equals what ``Reconciler`` computed then, without `trail` and
    /// `notes`. Nil when a cell is not as LedgerSync writes it (the caller then reconciles).
    public func reconciliationAsWritten(_ invoiceList: [Invoice]) -> Reconciliation? {
        let invoiceHeader = invoices.header.map { $0.trimmingASCIIWhitespace() }
        let owned = InvoiceColumn.owned.map { invoiceHeader.firstIndex(of: $0) }
        guard invoiceList.count == invoices.rows.count, owned.allSatisfy({ $0 != nil }) else { return nil }
        func times(_ text: String) -> Int64?? {
            text.isEmpty ? .some(nil) : LedgerDate.parseTimestamp(text).map { .some($0) }
        }
        func ids(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }
        var states: [InvoiceState] = []
        states.reserveCapacity(invoiceList.count)
        for (r, invoice) in invoiceList.enumerated() {
            let cells = owned.map { invoices.cell(r, $0!) }
            // The order of `InvoiceColumn.owned` (and `ownedCells`).
            let (status, paid, refunded, balance, paidAt, paymentIDs, rule, flag, detail, payouts, deposited, lastEvent) =
                (cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8], cells[9], cells[10], cells[11])
            var s = InvoiceState(status: .open)
            if invoice.isValid, let currency = invoice.currency {
                guard let st = InvoiceStatus(rawValue: status),
                      let p = try? Money.parseMinorUnits(paid, exponent: currency.exponent),
                      let f = try? Money.parseMinorUnits(refunded, exponent: currency.exponent),
                      let b = try? Money.parseMinorUnits(balance, exponent: currency.exponent) else { return nil }
                s.status = st
                s.amountPaid = p
                s.amountRefunded = f
                s.balanceDue = b
            }
            guard let pa = times(paidAt), let de = times(deposited), let le = times(lastEvent) else { return nil }
            s.paidAt = pa
            s.depositedAt = de
            s.lastEventAt = le
            s.paymentIDs = ids(paymentIDs)
            s.payoutIDs = ids(payouts)
            if !rule.isEmpty { guard let m = MatchRule(rawValue: rule) else { return nil }; s.matchRule = m }
            if !flag.isEmpty { guard let fl = Flag(rawValue: flag) else { return nil }; s.flag = fl }
            s.flagDetail = detail
            states.append(s)
        }

        let paymentHeader = payments.header.map { $0.trimmingASCIIWhitespace() }
        let columns = LedgerTables.paymentColumns.map { paymentHeader.firstIndex(of: $0) }
        guard columns.allSatisfy({ $0 != nil }) else { return nil }
        var lines: [PaymentLine] = []
        lines.reserveCapacity(payments.rows.count)
        for r in 0..<payments.rows.count {
            let c = columns.map { payments.cell(r, $0!) }
            // The order of `paymentColumns` (and `paymentCells`).
            guard let kind = PaymentKind(rawValue: c[1]), let created = LedgerDate.parseTimestamp(c[3]),
                  let currency = try? Currency(c[4]), let door = Record.Door(rawValue: c[20]),
                  let amount = try? Money.parseMinorUnits(c[5], exponent: currency.exponent) else { return nil }
            var line = PaymentLine(stripeID: c[0], kind: kind, status: c[2], created: created, currency: currency, amount: amount, door: door)
            line.settlementCurrency = c[8]
            for (k, keyPath) in [(6, \PaymentLine.fee), (7, \PaymentLine.net)] where !c[k].isEmpty {
                guard let v = try? Money.parseMinorUnits(c[k], exponent: line.settlement.exponent) else { return nil }
                line[keyPath: keyPath] = v
            }
            line.customer = c[9]
            line.email = c[10]
            line.stripeInvoiceID = c[11]
            line.chargeID = c[12]
            line.reference = c[13]
            line.invoiceNumbers = ids(c[14])
            guard let applied = LedgerTables.appliedAmounts(c[15], rows: line.invoiceNumbers.count, exponent: currency.exponent) else { return nil }
            line.appliedAmounts = applied
            if !c[16].isEmpty { guard let m = MatchRule(rawValue: c[16]) else { return nil }; line.matchRule = m }
            line.payoutID = c[17]
            if !c[18].isEmpty { guard let f = Flag(rawValue: c[18]) else { return nil }; line.flag = f }
            line.flagDetail = c[19]
            lines.append(line)
        }
        return Reconciliation(invoices: states, payments: lines, notes: [])
    }
}
