/// The records of one reconciliation indexed by the links of DESIGN.md §6.
///
/// Built once per run in O(records · log records); every lookup afterwards is a dictionary hit.
/// Where a link is ambiguous (two Stripe invoices claim one charge) the first in a fixed order of
/// evidence wins, then the smallest id, so the result never depends on the order records arrived.
struct RecordGraph {
    /// Every merged record, plus synthetic charges (see ``init(records:)``).
    private(set) var byID: [String: Record] = [:]
    /// Records of each kind, sorted by id.
    private(set) var ofKind: [Record.Kind: [Record]] = [:]
    /// Payment intent → its charge (`payment_intent.latest_charge`, else the charges naming it).
    private(set) var chargeOfIntent: [String: String] = [:]
    /// Charge → the Stripe invoice it pays.
    private(set) var invoiceOfCharge: [String: String] = [:]
    /// Charge → the checkout session it was paid through.
    private(set) var sessionOfCharge: [String: Record] = [:]
    /// Balance transactions by the object they belong to (`source`, or the object's `balance_transaction`).
    private(set) var transactionsOf: [String: [Record]] = [:]
    /// Balance transactions no other object explains (fees, adjustments, payout failures…), sorted by id.
    private(set) var standaloneTransactions: [Record] = []
    /// Refund objects by the charge they refund.
    private(set) var refundsOfCharge: [String: [Record]] = [:]
    /// Disputes by the charge they dispute.
    private(set) var disputesOfCharge: [String: [Record]] = [:]
    /// Credit notes by the Stripe invoice they credit.
    private(set) var creditNotesOfInvoice: [String: [Record]] = [:]
    /// Counted charges by the Stripe invoice they pay.
    private(set) var chargesOfInvoice: [String: [Record]] = [:]

    /// Builds the graph.
    ///
    /// Synthetic charges, so money known only through a summary still counts once:
    /// - a payment intent (processing, requires_capture or succeeded) whose charge was never seen
    ///   becomes a charge keyed by its `latest_charge` id when known (the real charge, arriving later,
    ///   replaces it under the same key), else by the payment intent id (`pi_…`; the synthetic charge
    ///   then stands in for the intent in `byID`, carrying its links, email and reference);
    /// - a balance transaction of type `charge`/`payment` whose `source` is no known record becomes
    ///   a succeeded charge keyed by that `source` id.
    init(records: RecordSet) {
        var all = records.records
        let sorted = all.values.sorted { $0.id < $1.id }
        var kinds: [Record.Kind: [Record]] = [:]
        for r in sorted { kinds[r.kind, default: []].append(r) }

        // Charges naming each payment intent, to decide the intent's charge.
        var chargesNamingIntent: [String: [Record]] = [:]
        for c in kinds[.charge] ?? [] {
            if let pi = c.paymentIntent { chargesNamingIntent[pi, default: []].append(c) }
        }
        for pi in kinds[.paymentIntent] ?? [] {
            let status = (pi.status ?? "").lowercased()
            let known = (pi.charge.map { all[$0] != nil } ?? false) || chargesNamingIntent[pi.id] != nil
            guard !known, ["processing", "requires_capture", "succeeded"].contains(status) else { continue }
            var c = Record(kind: .charge, id: pi.charge ?? pi.id, door: pi.door)
            c.livemode = pi.livemode
            c.created = pi.created
            c.observedAt = pi.observedAt
            c.eventID = pi.eventID
            c.status = status == "succeeded" ? "succeeded" : status == "processing" ? "pending" : "succeeded"
            c.captured = status != "requires_capture"
            c.currency = pi.currency
            c.amount = pi.amount
            c.amountCaptured = status == "succeeded" ? pi.amount : 0
            c.customer = pi.customer
            c.paymentIntent = pi.id
            c.invoice = pi.invoice
            c.email = pi.email
            c.reference = pi.reference
            c.balanceTransaction = pi.balanceTransaction
            c.payout = pi.payout
            all[c.id] = c
            kinds[.charge, default: []].append(c)
            chargesNamingIntent[pi.id, default: []].append(c)
        }

        // Balance transactions: attach to their object, or keep them as their own line.
        var owners: [String: String] = [:]   // txn id → owning object id
        for r in all.values where r.kind != .balanceTransaction {
            if let t = r.balanceTransaction { owners[t] = min(owners[t] ?? r.id, r.id) }
        }
        var standalone: [Record] = []
        var txnsOf: [String: [Record]] = [:]
        for t in kinds[.balanceTransaction] ?? [] {
            let type = (t.type ?? "").lowercased()
            let ownFailure = type == "payout_failure" || type == "payout_cancel"
            if !ownFailure, let owner = owners[t.id] ?? t.source.flatMap({ all[$0] != nil ? $0 : nil }) {
                txnsOf[owner, default: []].append(t)
                continue
            }
            if !ownFailure, type == "charge" || type == "payment", let source = t.source, all[source] == nil {
                var c = Record(kind: .charge, id: source, door: t.door)
                c.livemode = t.livemode
                c.created = t.created
                c.observedAt = t.observedAt
                c.status = "succeeded"
                c.captured = true
                c.currency = t.currency
                c.amount = t.amount
                c.amountCaptured = t.amount
                c.balanceTransaction = t.id
                c.payout = t.payout
                all[source] = c
                kinds[.charge, default: []].append(c)
                txnsOf[source, default: []].append(t)
                continue
            }
            standalone.append(t)
        }
        kinds[.charge]?.sort { $0.id < $1.id }

        byID = all
        ofKind = kinds
        transactionsOf = txnsOf
        standaloneTransactions = standalone

        // Payment intent → charge.
        for pi in kinds[.paymentIntent] ?? [] {
            if let c = pi.charge, all[c] != nil {
                chargeOfIntent[pi.id] = c
            }
        }
        for (pi, list) in chargesNamingIntent where chargeOfIntent[pi] == nil {
            // Prefer a counted charge, then the newest, then the largest id.
            let best = list.max { a, b in
                let ka = (RecordGraph.chargeCounts(a) ? 1 : 0, a.created ?? 0, a.id)
                let kb = (RecordGraph.chargeCounts(b) ? 1 : 0, b.created ?? 0, b.id)
                return ka < kb
            }
            if let best { chargeOfIntent[pi] = best.id }
        }

        // Charge → Stripe invoice, strongest evidence first; within one kind of evidence, smallest invoice id.
        var candidates: [String: [(rank: Int, invoice: String)]] = [:]
        func claim(_ charge: String?, _ invoice: String?, _ rank: Int) {
            guard let charge, let invoice, !invoice.isEmpty else { return }
            candidates[charge, default: []].append((rank, invoice))
        }
        for c in kinds[.charge] ?? [] {
            claim(c.id, c.invoice, 0)
            if let pi = c.paymentIntent { claim(c.id, all[pi]?.invoice, 1) }
        }
        for p in kinds[.invoicePayment] ?? [] where (p.status ?? "paid").lowercased() != "canceled" {
            let charge = p.charge ?? p.paymentIntent.flatMap { chargeOfIntent[$0] }
            claim(charge, p.invoice, 2)
        }
        for inv in kinds[.invoice] ?? [] {
            claim(inv.charge, inv.id, 3)
            if let pi = inv.paymentIntent { claim(chargeOfIntent[pi], inv.id, 3) }
        }
        for s in kinds[.checkoutSession] ?? [] {
            guard let pi = s.paymentIntent, let charge = chargeOfIntent[pi] else { continue }
            sessionOfCharge[charge] = sessionOfCharge[charge] ?? s
            claim(charge, s.invoice, 4)
        }
        for (charge, list) in candidates {
            if let best = list.min(by: { ($0.rank, $0.invoice) < ($1.rank, $1.invoice) }) {
                invoiceOfCharge[charge] = best.invoice
            }
        }
        for c in kinds[.charge] ?? [] where RecordGraph.chargeCounts(c) {
            if let inv = invoiceOfCharge[c.id] { chargesOfInvoice[inv, default: []].append(c) }
        }

        for r in kinds[.refund] ?? [] {
            if let c = chargeID(charge: r.charge, intent: r.paymentIntent) { refundsOfCharge[c, default: []].append(r) }
        }
        for d in kinds[.dispute] ?? [] {
            if let c = chargeID(charge: d.charge, intent: d.paymentIntent) { disputesOfCharge[c, default: []].append(d) }
        }
        for n in kinds[.creditNote] ?? [] {
            if let inv = n.invoice { creditNotesOfInvoice[inv, default: []].append(n) }
        }
    }

    func records(_ kind: Record.Kind) -> [Record] { ofKind[kind] ?? [] }

    /// The charge a refund or dispute follows: its `charge`, else its payment intent's charge.
    func chargeID(charge: String?, intent: String?) -> String? {
        if let charge, !charge.isEmpty { return charge }
        if let intent { return chargeOfIntent[intent] }
        return nil
    }

    /// Whether a charge's money counts: succeeded (or an export's paid/refunded/disputed) and captured.
    static func chargeCounts(_ c: Record) -> Bool {
        guard c.captured != false else { return false }
        return countedChargeStatuses.contains((c.status ?? "").lowercased())
    }

    /// Charge statuses whose money has moved. Importers should write Stripe's `succeeded`; the
    /// Dashboard's words for a settled payment are accepted as well.
    static let countedChargeStatuses: Set<String> = [
        "succeeded", "paid", "refunded", "partially_refunded", "partially refunded", "disputed",
    ]

    /// The captured amount of a counted charge: `amount_captured`, else `amount`.
    static func capturedAmount(_ c: Record) -> Int64 {
        if let captured = c.amountCaptured, captured > 0 { return captured }
        return abs(c.amount ?? 0)
    }

    /// The payer's email: on the record, its payment intent, its checkout session, else its customer's.
    func email(of r: Record, intent: Record?, session: Record?) -> String {
        for candidate in [r.email, intent?.email, session?.email] {
            if let e = candidate?.trimmingASCIIWhitespace(), !e.isEmpty { return e }
        }
        for cus in [r.customer, intent?.customer, session?.customer] {
            if let cus, let e = byID[cus]?.email?.trimmingASCIIWhitespace(), !e.isEmpty { return e }
        }
        return ""
    }

    /// References of a payment for rule 2, in order of preference: the charge's, its payment intent's,
    /// its checkout session's, its Stripe invoice's reference, then the Stripe invoice's `number`.
    func references(of r: Record, intent: Record?, session: Record?, invoice: Record?) -> [String] {
        var out: [String] = []
        for candidate in [r.reference, intent?.reference, session?.reference, invoice?.reference, invoice?.number] {
            if let t = candidate?.trimmingASCIIWhitespace(), !t.isEmpty, !out.contains(t) { out.append(t) }
        }
        return out
    }
}
