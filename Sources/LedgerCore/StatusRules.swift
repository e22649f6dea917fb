/// What is known about one invoice row while the sweep applies records to it, and the status
/// rules of DESIGN.md §3 over it.
struct RowState {
    let invoice: Invoice
    /// Valid rows take payments; invalid ones only report their problems.
    let valid: Bool
    let currency: Currency?
    /// D: `amount_due` in ledger minor units.
    let due: Int64
    /// Rule 1: Stripe invoice voided or `status_override` void.
    var isVoid = false
    /// Rule 4: Stripe invoice uncollectible or `status_override` uncollectible.
    var isUncollectible = false
    let paidOutOfBand: Bool
    let tolerance: Int64

    /// Sum of payments applied (charges, credit, out-of-band), before lost disputes.
    var paid: Int64 = 0
    /// Taken back by lost disputes.
    var lost: Int64 = 0
    /// R: refunds pending or succeeded.
    var refunded: Int64 = 0
    var openDisputes: [String] = []
    var openInquiries: [String] = []
    var lostDisputes: [String] = []

    var paymentIDs: [String] = []
    var appliedAmounts: [(id: String, amount: Int64)] = []
    var lastRule: MatchRule?
    var paidAt: Int64?
    var lastEventAt: Int64?
    var trail: [String] = []
    /// Sentences per flag, in the order they arose.
    var flagNotes = FlagNotes()

    /// Cached result of ``evaluate()``, refreshed after every change.
    var status: InvoiceStatus = .open
    var balance: Int64 = 0
    var toleranceUsed = false
    var outOfBandAmount: Int64 = 0

    init(invoice: Invoice, tolerance: [String: Int64]) {
        self.invoice = invoice
        currency = invoice.currency
        valid = invoice.isValid && invoice.currency != nil && invoice.amountDue != nil
        due = invoice.amountDue?.minorUnits ?? 0
        paidOutOfBand = invoice.statusOverride == .paidOutOfBand
        self.tolerance = invoice.currency.flatMap { tolerance[$0.code] } ?? 0
        isVoid = invoice.statusOverride == .void
        isUncollectible = invoice.statusOverride == .uncollectible
    }

    /// P: payments applied minus lost disputes (plus what a `paid_out_of_band` override settles).
    var netPaid: Int64 { paid - lost + outOfBandAmount }

    /// The status as `explain` tells it: saying when a person's paid_out_of_band is part of it.
    var statusText: String {
        outOfBandAmount > 0 ? "\(status.rawValue) (with status_override paid_out_of_band)" : status.rawValue
    }

    /// "Open rows" for matching (DESIGN.md §4): open or partially paid, with a balance due.
    var isOpenForMatching: Bool {
        valid && (status == .open || status == .partiallyPaid) && balance > 0
    }

    /// Status rules 1–7 of DESIGN.md §3, first that holds; then `balance_due`.
    mutating func evaluate() {
        toleranceUsed = false
        let p = paid - lost
        let r = refunded
        let d = due
        let strongRule = lastRule == .stripeInvoice || lastRule == .reference
        // A person marked the row paid outside Stripe: what the payments (before refunds and lost
        // disputes) leave owing counts as paid — so a refund then makes the row partially refunded, and a
        // lost dispute owes its amount again.
        let outOfBand = paidOutOfBand ? max(0, d - paid) : 0
        outOfBandAmount = 0
        // What the payments and a person's override cover; settled: in full, or within the tolerance by a strong rule.
        let covered = p + outOfBand
        let settled = covered >= d || (p > 0 && strongRule && !paidOutOfBand && d - p <= tolerance)
        var s: InvoiceStatus
        if isVoid {
            s = .void
        } else if !openDisputes.isEmpty {
            s = .disputed
            outOfBandAmount = outOfBand
        } else if !lostDisputes.isEmpty {
            s = .chargedBack
            outOfBandAmount = outOfBand
        } else if isUncollectible && p <= 0 {
            s = .uncollectible
        } else if p > 0 && r >= p {
            s = .refunded
        } else if r > 0 && settled && covered - r < d {
            // A refund of a settled row does not reopen it (the shortfall a tolerance wrote off included).
            s = .partiallyRefunded
            toleranceUsed = covered < d
            outOfBandAmount = outOfBand
        } else {
            let n = p - r
            if n <= 0 {
                s = .open
            } else if n < d {
                if strongRule && !paidOutOfBand && d - n <= tolerance {
                    s = .paid
                    toleranceUsed = true
                } else {
                    s = .partiallyPaid
                }
            } else if n == d {
                s = .paid
            } else {
                s = .overpaid
            }
            if outOfBand > 0 && (s == .open || s == .partiallyPaid) {
                outOfBandAmount = outOfBand
                s = .paid
            }
        }
        status = s
        switch s {
        case .paid, .overpaid, .refunded, .partiallyRefunded, .void, .uncollectible:
            balance = 0
        default:
            balance = max(0, d - (p - r) - outOfBandAmount)
        }
    }

    /// Order for rule 3's "oldest": `due_date`, then `issue_date`, then `invoice_number` (missing dates last).
    var ageKey: AgeKey {
        AgeKey(due: invoice.dueDay ?? Int.max, issue: invoice.issueDay ?? Int.max,
               number: invoice.invoiceNumber, index: invoice.index)
    }

    mutating func note(_ flag: Flag, _ sentence: String) {
        flagNotes.note(flag, sentence)
    }

    mutating func touch(_ observedAt: Int64?) {
        if let t = observedAt { lastEventAt = max(lastEventAt ?? t, t) }
    }

    func money(_ units: Int64) -> String {
        guard let currency else { return String(units) }
        return Money(minorUnits: units, currency: currency).displayString
    }
}

struct AgeKey: Comparable {
    var due: Int
    var issue: Int
    var number: String
    var index: Int
    static func < (a: AgeKey, b: AgeKey) -> Bool {
        (a.due, a.issue, a.number, a.index) < (b.due, b.issue, b.number, b.index)
    }
}
