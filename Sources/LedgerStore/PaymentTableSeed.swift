import LedgerCore
import Spreadsheet

/// Turns the tables back into records and decisions, for when the side files are gone (DESIGN.md §1:
/// deleting them must never corrupt the ledger or let a later import double-count). Reconciling what
/// this gives reproduces the tables: the payments table's ids still dedupe; `charge_id` ties refunds and
/// disputes to their charges; `uncaptured` charges stay uncounted; credit and out-of-band lines come back
/// as the credit notes and Stripe invoices that made them; and a row's `void` or `uncollectible` status
/// that no `status_override` explains comes back as its Stripe invoice's. What the tables do not hold —
/// when each record was last seen (`last_event_at`), a Stripe invoice's total (`amount_mismatch`), a person's
/// acceptances — returns when the Stripe history is imported again.
enum PaymentTableSeed {
    static func state(payments: Table, invoiceRows: Table, invoices: [Invoice]) -> StateCache {
        var cache = StateCache()
        let header = payments.header.map { $0.trimmingASCIIWhitespace() }
        var columns: [String: Int] = [:]
        for name in LedgerTables.paymentColumns { columns[name] = header.firstIndex(of: name) }
        guard let idColumn = columns["stripe_id"] else { return cache }
        var outOfBand: [String] = []
        for r in 0..<payments.rows.count {
            let cell = { (name: String) in columns[name].map { payments.cell(r, $0) } ?? "" }
            let id = payments.cell(r, idColumn)
            if let record = record(id: id, cell: cell) {
                if record.kind == .invoice { outOfBand.append(id) }
                cache.records.insert(record)
            }
            if let decision = decision(id: id, cell: cell, sequence: cache.decisions.count) {
                cache.decisions.append(decision)
            }
        }
        // An out-of-band line is what a Stripe invoice says paid beyond its counted charges.
        if !outOfBand.isEmpty {
            var captured: [String: Int64] = [:]
            for c in cache.records.all where c.kind == .charge && c.captured == true {
                if let invoice = c.invoice { captured[invoice, default: 0] += c.amountCaptured ?? 0 }
            }
            for id in outOfBand {
                guard var invoice = cache.records.record(id) else { continue }
                invoice.amountPaid = (invoice.amountPaid ?? 0) + (captured[id] ?? 0)
                cache.records.insert(invoice)
            }
        }
        for record in stripeInvoiceStates(invoiceRows: invoiceRows, invoices: invoices) { cache.records.insert(record) }
        return cache
    }

    /// A row shown `void` or `uncollectible` (or flagged `payment_on_void`) without a `status_override`
    /// saying so got that from its Stripe invoice.
    static func stripeInvoiceStates(invoiceRows: Table, invoices: [Invoice]) -> [Record] {
        let header = invoiceRows.header.map { $0.trimmingASCIIWhitespace() }
        guard let statusColumn = header.firstIndex(of: "status"), invoices.count == invoiceRows.rows.count else { return [] }
        let flagColumn = header.firstIndex(of: "flag")
        let detailColumn = header.firstIndex(of: "flag_detail")
        var out: [Record] = []
        for (r, invoice) in invoices.enumerated() where !invoice.stripeInvoiceID.isEmpty && invoice.statusOverride == nil {
            let flag = flagColumn.map { invoiceRows.cell(r, $0) } ?? ""
            let detail = detailColumn.map { invoiceRows.cell(r, $0) } ?? ""
            let onVoid = flag == Flag.paymentOnVoid.rawValue || detail.contains("Also \(Flag.paymentOnVoid.rawValue):")
            let status: String
            switch invoiceRows.cell(r, statusColumn) {
            case InvoiceStatus.void.rawValue: status = "void"
            case InvoiceStatus.uncollectible.rawValue: status = "uncollectible"
            default:
                guard onVoid else { continue }
                status = "void"
            }
            var record = Record(kind: .invoice, id: invoice.stripeInvoiceID, door: .file)
            record.status = status
            out.append(record)
        }
        return out
    }

    /// - Parameter cell: the row's cell in a payments-table column (`""` when there is no such column).
    static func record(id: String, cell: (String) -> String) -> Record? {
        guard !id.isEmpty, let kind = PaymentKind(rawValue: cell("kind")),
              let currency = try? Currency(cell("currency")) else { return nil }
        // Fee and net are in the settlement currency.
        let settlement = (try? Currency(cell("settlement_currency"))) ?? currency
        func amount(_ name: String, in unit: Currency? = nil) -> Int64? {
            let text = cell(name)
            return text.isEmpty ? nil : try? Money.parseMinorUnits(text, exponent: (unit ?? currency).exponent)
        }
        func text(_ name: String) -> String? {
            let t = cell(name)
            return t.isEmpty ? nil : t
        }
        guard let signed = amount("amount") else { return nil }
        let recordKind: Record.Kind
        switch kind {
        case .charge: recordKind = .charge
        case .refund: recordKind = .refund
        case .dispute: recordKind = .dispute
        case .payout: recordKind = .payout
        case .fee, .feeRefund, .adjustment, .payoutFailure: recordKind = .balanceTransaction
        case .credit:
            // A credit note, or `in_…#credit` (customer balance applied), which comes back as a
            // pre-payment credit note of the same key: the Stripe invoice, imported again, then finds it explained.
            recordKind = .creditNote
        case .manual:
            recordKind = .invoice
        }
        var r = Record(kind: recordKind, id: id, door: Record.Door(rawValue: cell("source")) ?? .file)
        r.status = text("status")
        r.currency = currency.code
        r.created = text("created").flatMap(LedgerDate.parseTimestamp)
        r.observedAt = r.created
        r.fee = amount("fee", in: settlement)
        r.net = amount("net", in: settlement)
        r.settlementCurrency = text("settlement_currency")
        r.customer = text("stripe_customer_id")
        r.email = text("customer_email")
        r.invoice = text("stripe_invoice_id")
        r.reference = text("reference")
        r.payout = text("payout_id")
        switch kind {
        case .charge:
            r.amount = signed
            if r.status == "succeeded" {
                r.amountCaptured = signed
                r.captured = true
            } else if r.status == "uncaptured" {
                r.status = "succeeded"
                r.captured = false
            }
        case .refund, .dispute, .payout:
            r.amount = signed < 0 ? -signed : signed
            r.charge = text("charge_id")
        case .credit:
            r.amount = signed
            r.invoice = text("stripe_invoice_id")
            // Counted credit is on a row or flagged; a note issued after payment is neither.
            r.type = cell("invoice_number").isEmpty && cell("flag").isEmpty ? "post_payment" : "pre_payment"
        case .manual:
            r.amountPaid = signed
        default:
            r.amount = signed
            r.type = kind == .payoutFailure ? "payout_failure" : kind.rawValue
        }
        return r
    }

    /// A person's decision on a payment, read back from its row: `match_rule` `manual` with the rows in
    /// `invoice_number` (and each one's part in `applied_amounts`, so a split stays split), or with none
    /// (the payment was taken off every row). Nil for a row no person decided.
    static func decision(id: String, cell: (String) -> String, sequence: Int) -> Decision? {
        guard !id.isEmpty, cell("match_rule") == MatchRule.manual.rawValue,
              let kind = PaymentKind(rawValue: cell("kind")), [.charge, .credit, .manual].contains(kind) else { return nil }
        let numbers = cell("invoice_number").split(separator: " ").map(String.init)
        guard !numbers.isEmpty else { return Decision(action: .unmatch(paymentID: id), decidedAt: 0, sequence: sequence) }
        // Amounts as the table shows them; a table written before `applied_amounts` leaves the split to the rows' order.
        let amounts = (try? Currency(cell("currency"))).flatMap {
            LedgerTables.appliedAmounts(cell("applied_amounts"), rows: numbers.count, exponent: $0.exponent)
        }
        let allocations = numbers.enumerated().map { k, number in
            Decision.Allocation(invoiceNumber: number, amount: amounts.flatMap { $0[k] > 0 ? $0[k] : nil })
        }
        return Decision(action: .match(paymentID: id, allocations: allocations), decidedAt: 0, sequence: sequence)
    }
}
