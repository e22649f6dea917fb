import LedgerCore

/// Turns a payments-table row back into a record, for when the side files are gone (DESIGN.md §1:
/// deleting them must never let a later import double-count — the payments table's ids still dedupe).
enum PaymentTableSeed {
    /// - Parameter cell: the row's cell in a payments-table column (`""` when there is no such column).
    static func record(id: String, cell: (String) -> String) -> Record? {
        guard !id.isEmpty, let kind = PaymentKind(rawValue: cell("kind")),
              let currency = try? Currency(cell("currency")) else { return nil }
        func amount(_ name: String) -> Int64? {
            let text = cell(name)
            return text.isEmpty ? nil : try? Money.parseMinorUnits(text, exponent: currency.exponent)
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
        case .credit, .manual: return nil // derived from Stripe invoices; restored when those are imported again
        }
        var r = Record(kind: recordKind, id: id, door: Record.Door(rawValue: cell("source")) ?? .file)
        r.status = text("status")
        r.currency = currency.code
        r.created = text("created").flatMap(LedgerDate.parseTimestamp)
        r.observedAt = r.created
        r.fee = amount("fee")
        r.net = amount("net")
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
            }
        case .refund, .dispute, .payout:
            r.amount = signed < 0 ? -signed : signed
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
