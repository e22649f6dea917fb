import LedgerCore

/// Maps one export row to the records it describes (DESIGN.md §6: the same object through another
/// door is the same record, keyed by its Stripe id). Exports carry less than events: every field
/// they lack stays nil, so merging never lets them erase what a richer door said.
///
/// Each record's `observedAt` is the object's `created`: an event about the same object is observed
/// at or after that, so on a tie of state the richer snapshot wins.
enum ExportRecords {
    static func records(_ row: ExportRow) throws(ExportCellError) -> [Record] {
        switch row.header.kind {
        case .payments: try payment(row)
        case .balanceHistory: try balanceTransaction(row, itemized: false)
        case .balanceChange: try balanceTransaction(row, itemized: true)
        case .payouts: [try payout(row)]
        case .invoices: [try invoice(row)]
        }
    }

    // MARK: Payments export

    /// Dashboard payment statuses → Stripe's charge status, and whether they say the charge is captured.
    static func chargeStatus(_ raw: String) -> (status: String, captured: Bool?)? {
        switch normalisedStatus(raw) {
        case "paid", "succeeded", "refunded", "partially_refunded", "partial_refund", "disputed", "refund_pending":
            return ("succeeded", nil)
        case "uncaptured", "not_captured":
            return ("succeeded", false)
        case "pending", "processing", "incomplete":
            return ("pending", nil)
        case "failed", "blocked", "canceled", "cancelled", "expired":
            return ("failed", nil)
        default:
            return nil
        }
    }

    static func payment(_ row: ExportRow) throws(ExportCellError) -> [Record] {
        guard let id = try row.id(.id, ["ch_", "py_", "pi_"], what: "a charge or payment intent id") else {
            throw row.fail(.id, "is empty; every payment row needs its charge id", showValue: false)
        }
        guard let currency = try row.currency(.currency) else { throw row.fail(.currency, "is empty", showValue: false) }
        var status: (status: String, captured: Bool?)?
        if let text = row.text(.status) {
            guard let known = chargeStatus(text) else {
                throw row.fail(.status, "is not a payment status LedgerSync knows (Paid, Pending, Failed, Refunded, Uncaptured…)")
            }
            status = known
        }
        var r = Record(kind: id.hasPrefix("pi_") ? .paymentIntent : .charge, id: id, door: .csvExport)
        r.livemode = try row.livemode()
        r.created = try row.timestamp(.created)
        r.observedAt = r.created
        r.currency = currency.code
        r.amount = try row.amount(.amount, currency)
        if let amount = r.amount, amount < 0 { throw row.fail(.amount, "is below zero, which a payment never is") }
        r.amountRefunded = try row.amount(.amountRefunded, currency)
        r.captured = try row.bool(.captured) ?? status?.captured
        r.status = status?.status
        if r.status == nil, let captured = r.captured { r.status = captured ? "succeeded" : nil }
        // The export says whether a charge was captured, not how much of it: a partial capture known
        // from an event must not become the whole amount. Captured, it counts its amount (or what a
        // richer door says was captured); not captured or failed, nothing.
        if r.kind == .charge, r.amount != nil, r.captured == false || r.status == "failed" {
            r.amountCaptured = 0
        }
        if r.kind == .paymentIntent {
            r.status = intentStatus(status?.status, captured: r.captured)
            r.amountRefunded = nil
            r.captured = nil
        }
        let settlement = try row.currency(.settlementCurrency) ?? currency
        if let fee = try row.amount(.fee, settlement) {
            r.fee = fee
            r.settlementCurrency = settlement.code
        }
        r.customer = try row.id(.customer, ["cus_"], what: "a customer id")
        r.email = row.text(.email)
        r.invoice = try row.id(.invoice, ["in_"], what: "an invoice id")
        r.paymentIntent = try row.id(.paymentIntent, ["pi_"], what: "a payment intent id")
        if r.kind == .paymentIntent { r.paymentIntent = nil }
        r.reference = row.reference()
        var records = [r]
        if let invoice = stripeInvoice(row, id: r.invoice, customer: r.customer, livemode: r.livemode) { records.append(invoice) }
        return records
    }

    /// A payment row whose id is a payment intent (no charge yet): Stripe's intent status.
    static func intentStatus(_ charge: String?, captured: Bool?) -> String? {
        switch charge {
        case "succeeded"?: captured == false ? "requires_capture" : "succeeded"
        case "pending"?: "processing"
        case "failed"?: "requires_payment_method"
        default: nil
        }
    }

    /// The Stripe invoice a payment row names, carrying only its `number`: the Invoice Number
    /// column is Stripe's invoice number, a reference through the invoice (DESIGN.md §4 rule 2).
    static func stripeInvoice(_ row: ExportRow, id: String?, customer: String?, livemode: Bool?) -> Record? {
        guard let id, let number = row.text(.invoiceNumber) else { return nil }
        var invoice = Record(kind: .invoice, id: id, door: .csvExport)
        invoice.number = number
        invoice.customer = customer
        invoice.livemode = livemode
        return invoice
    }

    // MARK: Balance history and balance change from activity

    /// Reporting categories (itemized reports) → the balance transaction `type` the API would give.
    static func transactionType(category: String) -> String {
        switch category.lowercased() {
        case "charge": "charge"
        case "refund": "refund"
        case "payout": "payout"
        case "payout_reversal": "payout_failure"
        case "fee": "stripe_fee"
        case "refund_failure": "refund_failure"
        case "charge_failure": "payment_failure_refund"
        case "dispute", "dispute_reversal", "other_adjustment", "partial_capture_reversal": "adjustment"
        default: category.lowercased()
        }
    }

    static func balanceTransaction(_ row: ExportRow, itemized: Bool) throws(ExportCellError) -> [Record] {
        guard let id = try row.id(.id, ["txn_"], what: "a balance transaction id") else {
            throw row.fail(.id, "is empty; every balance row needs its balance transaction id", showValue: false)
        }
        guard let currency = try row.currency(.currency) else { throw row.fail(.currency, "is empty", showValue: false) }
        var t = Record(kind: .balanceTransaction, id: id, door: .csvExport)
        t.livemode = try row.livemode()
        t.created = try row.timestamp(.created)
        t.observedAt = t.created
        t.currency = currency.code
        t.settlementCurrency = currency.code
        t.amount = try row.amount(.amount, currency)
        t.fee = try row.amount(.fee, currency)
        t.net = try row.amount(.net, currency)
        if itemized {
            t.type = row.text(.reportingCategory).map { transactionType(category: $0) }
        } else {
            t.type = row.text(.type)?.lowercased()
            t.status = row.text(.status)?.lowercased()
        }
        let chargeID = try row.id(.charge, ["ch_", "py_"], what: "a charge id")
        t.source = try row.id(.source, [], what: "a Stripe object id") ?? chargeID
        if let payout = row.text(.payout), payout.hasPrefix("po_") {
            t.payout = try row.id(.payout, ["po_"], what: "a payout id")
        }
        var records = [t]
        // The itemized report names the charge a refund is of: that is a (poor) snapshot of the refund,
        // which explains as much of the charge's refunded amount (the balance history cannot say whose
        // refund it is, so there the refund stays a line of its own).
        if itemized, t.type == "refund", let refund = t.source, refund.hasPrefix("re_") || refund.hasPrefix("pyr_"), let chargeID {
            let facing = try customerFacing(row) ?? (currency, t.amount)
            var r = Record(kind: .refund, id: refund, door: .csvExport)
            r.livemode = t.livemode
            r.created = t.created
            r.observedAt = t.created
            r.status = "succeeded"
            r.currency = facing.currency.code
            r.amount = facing.amount.map { abs($0) }
            r.charge = chargeID
            r.balanceTransaction = id
            records.append(r)
            return records
        }
        let chargeSource = chargeID ?? t.source.flatMap { $0.hasPrefix("ch_") || $0.hasPrefix("py_") ? $0 : nil }
        guard t.type == "charge" || t.type == "payment", let cid = chargeSource else { return records }
        // Gross, fee and net are in the currency the money settled in; the charge itself is in the
        // currency the customer paid, which the customer-facing columns give (EUR 100.00 settled as
        // USD 108.00 is a charge of EUR 100.00, not of USD 108.00).
        let facing = try customerFacing(row) ?? (currency, t.amount)
        // The itemized report names the charge and its links: that is a (poor) snapshot of the charge.
        // The balance history names only the charge, and the ledger makes the same snapshot from the
        // balance transaction alone (`RecordGraph`), unless the charge was paid in another currency.
        guard itemized || facing.currency != currency else { return records }
        var c = Record(kind: .charge, id: cid, door: .csvExport)
        c.livemode = t.livemode
        c.created = try row.timestamp(.chargeCreated) ?? t.created
        c.observedAt = c.created
        c.status = "succeeded"
        c.captured = true
        c.currency = facing.currency.code
        c.amount = facing.amount
        c.amountCaptured = facing.amount
        c.balanceTransaction = id
        c.customer = try row.id(.customer, ["cus_"], what: "a customer id")
        c.email = row.text(.email)
        c.invoice = try row.id(.invoice, ["in_"], what: "an invoice id")
        c.paymentIntent = try row.id(.paymentIntent, ["pi_"], what: "a payment intent id")
        c.reference = row.reference()
        records.append(c)
        if let invoice = stripeInvoice(row, id: c.invoice, customer: c.customer, livemode: c.livemode) { records.append(invoice) }
        return records
    }

    /// The amount and currency the customer paid (`customer_facing_amount`/`_currency`), when the row gives both.
    static func customerFacing(_ row: ExportRow) throws(ExportCellError) -> (currency: Currency, amount: Int64?)? {
        guard let currency = try row.currency(.customerFacingCurrency),
              let amount = try row.amount(.customerFacingAmount, currency) else { return nil }
        return (currency, amount)
    }

    // MARK: Payouts

    static let payoutStatuses = ["pending", "in_transit", "paid", "failed", "canceled"]

    static func payout(_ row: ExportRow) throws(ExportCellError) -> Record {
        guard let id = try row.id(.id, ["po_"], what: "a payout id") else {
            throw row.fail(.id, "is empty; every payout row needs its payout id", showValue: false)
        }
        guard let currency = try row.currency(.currency) else { throw row.fail(.currency, "is empty", showValue: false) }
        var p = Record(kind: .payout, id: id, door: .csvExport)
        p.livemode = try row.livemode()
        p.created = try row.timestamp(.created)
        p.observedAt = p.created
        p.currency = currency.code
        p.amount = try row.amount(.amount, currency)
        if let amount = p.amount, amount < 0 { throw row.fail(.amount, "is below zero, which a payout never is") }
        p.dueBy = try row.timestamp(.arrivalDate)
        p.status = try status(row, "a payout", among: payoutStatuses, alias: ("cancelled", "canceled"))
        p.type = row.text(.type)?.lowercased()
        p.balanceTransaction = try row.id(.balanceTransaction, ["txn_"], what: "a balance transaction id")
        p.reason = row.text(.failureCode)
        return p
    }

    // MARK: Invoices

    static let invoiceStatuses = ["draft", "open", "paid", "uncollectible", "void"]

    static func invoice(_ row: ExportRow) throws(ExportCellError) -> Record {
        guard let id = try row.id(.id, ["in_"], what: "an invoice id") else {
            throw row.fail(.id, "is empty; every invoice row needs its invoice id", showValue: false)
        }
        guard let currency = try row.currency(.currency) else { throw row.fail(.currency, "is empty", showValue: false) }
        var i = Record(kind: .invoice, id: id, door: .csvExport)
        i.livemode = try row.livemode()
        i.created = try row.timestamp(.created)
        // The snapshot is at least as new as the last transition it shows (as an `invoice.paid` event is).
        var seen = i.created
        for field in [ExportField.finalizedAt, .paidAt, .voidedAt, .uncollectibleAt] {
            if let t = try row.timestamp(field) { seen = max(seen ?? t, t) }
        }
        i.observedAt = seen
        i.currency = currency.code
        i.amountDue = try row.amount(.amountDue, currency)
        i.total = try row.amount(.total, currency)
        i.amountPaid = try row.amount(.amountPaid, currency)
        i.status = try status(row, "an invoice", among: invoiceStatuses, alias: ("voided", "void"))
        if i.status == nil, try row.bool(.paid) == true { i.status = "paid" }
        i.customer = try row.id(.customer, ["cus_"], what: "a customer id")
        i.email = row.text(.email)
        i.number = row.text(.number)
        i.charge = try row.id(.charge, ["ch_", "py_"], what: "a charge id")
        i.reference = row.reference()
        return i
    }

    /// The row's status, normalised (`alias` spelled Stripe's way), when it is one of `statuses`; nil when empty.
    static func status(_ row: ExportRow, _ what: String, among statuses: [String], alias: (String, String)) throws(ExportCellError) -> String? {
        guard let text = row.text(.status) else { return nil }
        let status = normalisedStatus(text) == alias.0 ? alias.1 : normalisedStatus(text)
        guard statuses.contains(status) else {
            throw row.fail(.status, "is not \(what) status (\(statuses.joined(separator: ", ")))")
        }
        return status
    }

    /// `Partially Refunded` → `partially_refunded`.
    static func normalisedStatus(_ raw: String) -> String {
        String(raw.trimmingASCIIWhitespace().lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    }
}
