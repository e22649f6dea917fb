/// The records of one reconciliation indexed by the links of DESIGN.md §6.
///
/// Built once per run in O(records · log records); every lookup afterwards is a dictionary hit.
/// Where a link is ambiguous (two Stripe invoices claim one charge) the first in a fixed order of
/// evidence wins, then the smallest id, so the result never depends on the order records arrived.
/// Records by position: the record set's pages (shared, never copied), then the synthetic records.
struct RecordStore {
    let base: RecordPages
    private(set) var extra = RecordPages()

    var count: Int { base.count + extra.count }

    subscript(i: Int) -> Record {
        // Read through the record's address: reading one field never copies the whole record.
        unsafeAddress { address(i) }
    }

    /// Where record `i` is (``RecordPages/address(_:)``): `let c = store.address(i)`, then `c.pointee.id`.
    @inline(__always)
    func address(_ i: Int) -> UnsafePointer<Record> {
        i < base.count ? base.address(i) : extra.address(i - base.count)
    }

    mutating func append(_ record: consuming Record) { extra.append(record) }
}

final class RecordGraph {
    // Records are kept once, in `store`, and everything else refers to them by their position in it:
    // a `Record` has ~16 `String?` fields, so copying one (as `[String: Record]` lookups and
    // `[Record]` lists do) costs a retain and a release per field. A final class with `let`
    // properties lets the engine read `store[i].field` without copying the record.

    /// Every merged record (in the record set's order), then the charges made from payment intents
    /// (see ``init(records:)``).
    let store: RecordStore
    /// Id → position in `store`; a synthetic charge replaces the record of the same id. A charge known
    /// only from its balance transaction has the transaction's position (``charge(_:)``).
    let slot: [String: Int]
    /// Positions of the records of each kind (``kindIndex(_:)``), sorted by id; the charges standing on
    /// their balance transactions come after the other charges, in the transactions' id order.
    private let ofKind: [[Int]]
    /// Payment intent → its charge (`payment_intent.latest_charge`, else the charges naming it).
    let chargeOfIntent: [String: String]
    /// Charge → the Stripe invoice it pays.
    let invoiceOfCharge: [String: String]
    /// Charge → the checkout session it was paid through.
    let sessionOfCharge: [String: Int]
    /// Balance transactions by the object they belong to (`source`, or the object's `balance_transaction`).
    let transactionsOf: [String: [Int]]
    /// Balance transactions no other object explains (fees, adjustments, payout failures…), sorted by id.
    let standaloneTransactions: [Int]
    /// Refund objects by the charge they refund.
    let refundsOfCharge: [String: [Int]]
    /// Counted charges by the Stripe invoice they pay.
    let chargesOfInvoice: [String: [Int]]

    /// Position of a kind in `ofKind`.
    @inline(__always)
    static func kindIndex(_ kind: Record.Kind) -> Int {
        switch kind {
        case .charge: 0
        case .paymentIntent: 1
        case .checkoutSession: 2
        case .invoice: 3
        case .invoicePayment: 4
        case .creditNote: 5
        case .refund: 6
        case .dispute: 7
        case .payout: 8
        case .balanceTransaction: 9
        case .customer: 10
        }
    }

    /// Builds the graph.
    ///
    /// Synthetic charges, so money known only through a summary still counts once:
    /// - a payment intent (processing, requires_capture or succeeded) whose charge was never seen
    ///   becomes a charge keyed by its `latest_charge` id when known (the real charge, arriving later,
    ///   replaces it under the same key), else by the payment intent id (`pi_…`; the synthetic charge
    ///   then stands in for the intent in `slot`, carrying its links, email and reference);
    /// - a balance transaction of type `charge`/`payment` whose `source` is no known record stands for
    ///   a succeeded charge keyed by that `source` id (``charge(fromTransaction:)``). It is not copied
    ///   into a record of its own — an export of a few hundred thousand charges would double the
    ///   memory — its position is listed among the charges and its `source` id points to it.
    init(records: RecordSet) {
        let timing = Timing()
        // The record set's own array and index, shared, not copied.
        var store = RecordStore(base: records.all)
        var slot = records.positions
        let n = store.count
        // Sorting positions by id (a stable sort, like sorting the records themselves) moves Ints, not
        // records; the ids are taken out first so comparing never touches a whole record.
        let sorted = IDKey.sortedPositions(records.all.map(\.id))
        var kinds = [[Int]](repeating: [], count: Record.Kind.allCases.count)
        for i in sorted { kinds[RecordGraph.kindIndex(store[i].kind)].append(i) }
        let chargeK = RecordGraph.kindIndex(.charge)
        // Room for the synthetic charges made once (at most one per payment intent and balance
        // transaction), not by repeated doubling and rehashing.
        slot.reserveCapacity(n + kinds[RecordGraph.kindIndex(.paymentIntent)].count + kinds[RecordGraph.kindIndex(.balanceTransaction)].count)
        timing.mark("links: ids sorted, slots reserved")

        // Charges naming each payment intent, to decide the intent's charge.
        var chargesNamingIntent: [String: [Int]] = [:]
        for c in kinds[chargeK] {
            if let pi = store[c].paymentIntent { chargesNamingIntent[pi, default: []].append(c) }
        }
        for p in kinds[RecordGraph.kindIndex(.paymentIntent)] {
            let pi = store[p]
            let status = RecordGraph.lowercase(pi.status)
            let known = (pi.charge.map { slot[$0] != nil } ?? false) || chargesNamingIntent[pi.id] != nil
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
            let ci = store.count
            slot[c.id] = ci
            store.append(c)
            kinds[chargeK].append(ci)
            chargesNamingIntent[pi.id, default: []].append(ci)
        }

        // Balance transactions: attach to their object, or keep them as their own line.
        var owners: [String: String] = [:]   // txn id → owning object id
        for (_, i) in slot where store[i].kind != .balanceTransaction {
            if let t = store[i].balanceTransaction {
                let id = store[i].id
                owners[t] = min(owners[t] ?? id, id)
            }
        }
        timing.mark("links: owners")
        var standalone: [Int] = []
        var transactionCharges: [Int] = []
        var txnsOf: [String: [Int]] = [:]
        for ti in kinds[RecordGraph.kindIndex(.balanceTransaction)] {
            // Read in place: copying the whole record costs a retain per field.
            let t = store.address(ti)
            let type = RecordGraph.lowercase(t.pointee.type)
            let ownFailure = type == "payout_failure" || type == "payout_cancel"
            if !ownFailure, !owners.isEmpty, let owner = owners[t.pointee.id] {
                txnsOf[owner, default: []].append(ti)
                continue
            }
            guard !ownFailure, let source = t.pointee.source else {
                standalone.append(ti)
                continue
            }
            guard type == "charge" || type == "payment" else {
                if slot[source] != nil { txnsOf[source, default: []].append(ti) } else { standalone.append(ti) }
                continue
            }
            // One hash: the source's slot is taken by the transaction, standing for the charge, unless a
            // record holds it.
            guard RecordSet.claim(&slot[source], ti) == ti else {
                txnsOf[source, default: []].append(ti)
                continue
            }
            transactionCharges.append(ti)
            // Not in `txnsOf`: the charge's own `balanceTransaction` names it (``Engine/settle``).
        }
        timing.mark("links: balance transactions")
        // Charges made from payment intents were added last: put them in order. Those standing on their
        // balance transactions need no sorting by their own id: no line depends on the order charges
        // are taken in, only on that order being the same each run.
        if store.count > n {
            let charges = kinds[chargeK]
            kinds[chargeK] = IDKey.sortedPositions(count: charges.count, id: { store[charges[$0]].id }).map { charges[$0] }
        }
        kinds[chargeK] += transactionCharges

        timing.mark("links: charges sorted")
        // Payment intent → charge.
        var chargeOfIntent: [String: String] = [:]
        for p in kinds[RecordGraph.kindIndex(.paymentIntent)] {
            if let c = store[p].charge, slot[c] != nil {
                chargeOfIntent[store[p].id] = c
            }
        }
        for (pi, list) in chargesNamingIntent where chargeOfIntent[pi] == nil {
            // Prefer a counted charge, then the newest, then the largest id.
            let best = list.max { a, b in
                let ka = (RecordGraph.chargeCounts(store[a]) ? 1 : 0, store[a].created ?? 0, store[a].id)
                let kb = (RecordGraph.chargeCounts(store[b]) ? 1 : 0, store[b].created ?? 0, store[b].id)
                return ka < kb
            }
            if let best { chargeOfIntent[pi] = store[best].id }
        }

        // Charge → Stripe invoice, strongest evidence first; within one kind of evidence, smallest invoice id.
        var candidates: [String: [(rank: Int, invoice: String)]] = [:]
        func claim(_ charge: String?, _ invoice: String?, _ rank: Int) {
            guard let charge, let invoice, !invoice.isEmpty else { return }
            candidates[charge, default: []].append((rank, invoice))
        }
        // A charge standing on its balance transaction names no invoice or payment intent.
        for c in kinds[chargeK] where store[c].kind == .charge {
            claim(store[c].id, store[c].invoice, 0)
            if let pi = store[c].paymentIntent { claim(store[c].id, slot[pi].flatMap { store[$0].invoice }, 1) }
        }
        for p in kinds[RecordGraph.kindIndex(.invoicePayment)] where (store[p].status ?? "paid").lowercased() != "canceled" {
            let charge = store[p].charge ?? store[p].paymentIntent.flatMap { chargeOfIntent[$0] }
            claim(charge, store[p].invoice, 2)
        }
        for i in kinds[RecordGraph.kindIndex(.invoice)] {
            claim(store[i].charge, store[i].id, 3)
            if let pi = store[i].paymentIntent { claim(chargeOfIntent[pi], store[i].id, 3) }
        }
        var sessionOfCharge: [String: Int] = [:]
        for s in kinds[RecordGraph.kindIndex(.checkoutSession)] {
            guard let pi = store[s].paymentIntent, let charge = chargeOfIntent[pi] else { continue }
            sessionOfCharge[charge] = sessionOfCharge[charge] ?? s
            claim(charge, store[s].invoice, 4)
        }
        timing.mark("links: claims")
        var invoiceOfCharge: [String: String] = Dictionary(minimumCapacity: candidates.count)
        for (charge, list) in candidates {
            if let best = list.min(by: { ($0.rank, $0.invoice) < ($1.rank, $1.invoice) }) {
                invoiceOfCharge[charge] = best.invoice
            }
        }
        var chargesOfInvoice: [String: [Int]] = [:]
        // A charge standing on its balance transaction counts (it is a succeeded, captured charge).
        if !invoiceOfCharge.isEmpty {
            for c in kinds[chargeK] where store[c].kind != .charge || RecordGraph.chargeCounts(store[c]) {
                if let inv = invoiceOfCharge[RecordGraph.chargeID(store[c])] { chargesOfInvoice[inv, default: []].append(c) }
            }
        }

        timing.mark("links: invoices")
        var refundsOfCharge: [String: [Int]] = [:]
        for r in kinds[RecordGraph.kindIndex(.refund)] {
            if let c = RecordGraph.chargeID(charge: store[r].charge, intent: store[r].paymentIntent, chargeOfIntent: chargeOfIntent) {
                refundsOfCharge[c, default: []].append(r)
            }
        }

        self.store = store
        self.slot = slot
        self.ofKind = kinds
        self.chargeOfIntent = chargeOfIntent
        self.invoiceOfCharge = invoiceOfCharge
        self.sessionOfCharge = sessionOfCharge
        self.transactionsOf = txnsOf
        self.standaloneTransactions = standalone
        self.refundsOfCharge = refundsOfCharge
        self.chargesOfInvoice = chargesOfInvoice
    }

    /// Positions in `store` of the records of one kind, sorted by id.
    func records(_ kind: Record.Kind) -> [Int] { ofKind[RecordGraph.kindIndex(kind)] }

    /// Position in `store` of the record with this id.
    @inline(__always)
    func index(_ id: String) -> Int? { slot[id] }

    /// The record with this id, copied (for the few places that are not hot); a charge standing on its
    /// balance transaction as the charge.
    func record(_ id: String) -> Record? {
        slot[id].map { store[$0].kind == .balanceTransaction && store[$0].id != id ? RecordGraph.charge(fromTransaction: store[$0]) : store[$0] }
    }

    /// Position in `store` of the charge with this id: a charge record, or the balance transaction
    /// standing for it.
    func charge(_ id: String) -> Int? {
        guard let i = slot[id] else { return nil }
        let kind = store[i].kind
        return kind == .charge || (kind == .balanceTransaction && store[i].id != id) ? i : nil
    }

    /// The id of the charge at a position of `records(.charge)`: its own, or the `source` of the balance
    /// transaction that stands for it.
    @inline(__always)
    static func chargeID(_ c: borrowing Record) -> String {
        c.kind == .balanceTransaction ? c.source ?? c.id : c.id
    }

    /// The charge a `charge`/`payment` balance transaction stands for when the charge itself was never
    /// seen: succeeded and captured, of the transaction's amount and currency, keyed by its `source`.
    static func charge(fromTransaction t: borrowing Record) -> Record {
        var c = Record(kind: .charge, id: t.source ?? t.id, door: t.door)
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
        return c
    }

    /// The charge a refund or dispute follows: its `charge`, else its payment intent's charge.
    func chargeID(charge: String?, intent: String?) -> String? {
        RecordGraph.chargeID(charge: charge, intent: intent, chargeOfIntent: chargeOfIntent)
    }

    static func chargeID(charge: String?, intent: String?, chargeOfIntent: [String: String]) -> String? {
        if let charge, !charge.isEmpty { return charge }
        if let intent { return chargeOfIntent[intent] }
        return nil
    }
    /// Whether a charge's money counts: succeeded (or an export's paid/refunded/disputed) and captured.
    /// Importers should write Stripe's `succeeded`; the Dashboard's words for a settled payment are
    /// accepted as well.
    @inline(__always)
    static func chargeCounts(_ c: borrowing Record) -> Bool {
        guard c.captured != false else { return false }
        switch lowercase(c.status) {
        case "succeeded", "paid", "refunded", "partially_refunded", "partially refunded", "disputed": return true
        default: return false
        }
    }

    /// The captured amount of a counted charge: `amount_captured`, else `amount`.
    @inline(__always)
    static func capturedAmount(_ c: borrowing Record) -> Int64 {
        if let captured = c.amountCaptured, captured > 0 { return captured }
        return abs(c.amount ?? 0)
    }

    /// The payer's email: on the record, its payment intent, its checkout session, else its customer's.
    func email(of r: UnsafePointer<Record>, intent: Int?, session: Int?) -> String {
        // The first non-empty of the record's, the intent's and the session's email, then the
        // email of the first of their customers that has one.
        if let e = RecordGraph.trimmedNonEmpty(r.pointee.email) { return e }
        if let i = intent, let e = RecordGraph.trimmedNonEmpty(store[i].email) { return e }
        if let s = session, let e = RecordGraph.trimmedNonEmpty(store[s].email) { return e }
        func customerEmail(_ cus: String?) -> String? {
            guard let cus, let c = slot[cus] else { return nil }
            return RecordGraph.trimmedNonEmpty(store[c].email)
        }
        return customerEmail(r.pointee.customer) ?? intent.flatMap { customerEmail(store[$0].customer) }
            ?? session.flatMap { customerEmail(store[$0].customer) } ?? ""
    }

    /// `s` lowercased (`""` when nil), without making a new string for Stripe's own words, which are lowercase already.
    @inline(__always)
    static func lowercase(_ s: String?) -> String {
        guard let s else { return "" }
        return s.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A || $0 >= 0x80 }) ? s.lowercased() : s
    }

    @inline(__always)
    static func trimmedNonEmpty(_ s: String?) -> String? {
        guard let t = s?.trimmingASCIIWhitespace(), !t.isEmpty else { return nil }
        return t
    }

    /// References of a payment for rule 2, in order of preference: the charge's, its payment intent's,
    /// its checkout session's, its Stripe invoice's reference, then the Stripe invoice's `number`.
    func references(of r: UnsafePointer<Record>, intent: Int?, session: Int?, invoice: Int?) -> [String] {
        var out: [String] = []
        func consider(_ candidate: String?) {
            if let t = RecordGraph.trimmedNonEmpty(candidate), !out.contains(t) { out.append(t) }
        }
        consider(r.pointee.reference)
        if let intent { consider(store[intent].reference) }
        if let session { consider(store[session].reference) }
        if let invoice {
            consider(store[invoice].reference)
            consider(store[invoice].number)
        }
        return out
    }
}
