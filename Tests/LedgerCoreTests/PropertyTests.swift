import Testing
@testable import LedgerCore

/// Steele, Lea and Flood's SplitMix64: a small seeded generator so every run sees the same cases.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A ledger and a pile of snapshots (several states per object, several doors) built from a seed.
struct GeneratedScenario {
    var invoices: [Invoice] = []
    var snapshots: [Record] = []

    init(seed: UInt64, customers: Int = 14) {
        var rng = SplitMix64(seed: seed)
        var rowCount = 0
        var time = t0
        func tick() -> Int64 { time += Int64.random(in: 1...3_600, using: &rng); return time }
        var evt = 0
        func eventID() -> String { evt += 1; return "evt_\(evt)" }

        /// Snapshots of one object through its life, plus a poorer export of the final state.
        func life(_ base: Record, statuses: [String]) -> [Record] {
            var out: [Record] = []
            for s in statuses {
                var r = base
                r.status = s
                r.observedAt = tick()
                r.eventID = eventID()
                out.append(r)
            }
            if let last = out.last, Bool.random(using: &rng) {
                var poor = Record(kind: last.kind, id: last.id, door: .csvExport)
                poor.status = last.status
                poor.amount = last.amount
                poor.currency = last.currency
                poor.created = last.created
                poor.observedAt = last.created
                out.append(poor)
            }
            if let first = out.first, Bool.random(using: &rng) {
                var api = first
                api.door = .api
                out.append(api)   // the same event seen through the API too
            }
            return out
        }

        let amounts: [Int64] = [10_000, 20_000, 25_000, 30_000]
        for c in 0..<customers {
            let cus = "cus_\(c)"
            let byEmail = c % 4 == 3
            for k in 0..<3 {
                let number = "INV-\(c)-\(k)"
                let due = amounts[Int.random(in: 0..<amounts.count, using: &rng)]
                let mode = Int.random(in: 0..<7, using: &rng)
                let inID = "in_\(c)_\(k)"
                let cells = [
                    "invoice_number": number, "amount_due": Money.decimalString(due, exponent: 2), "currency": "usd",
                    "stripe_customer_id": byEmail ? "" : cus, "customer_email": "c\(c)@example.com",
                    "stripe_invoice_id": mode <= 1 ? inID : "", "due_date": "2026-0\(k + 6)-0\(1 + c % 9)",
                ]
                invoices.append(Invoice.parse(cells: cells, index: rowCount))
                rowCount += 1
                let created = tick()
                let chID = "ch_\(c)_\(k)"
                var ch = Record(kind: .charge, id: chID, door: .webhook)
                ch.created = created
                ch.currency = "usd"
                ch.amount = mode == 6 ? due / 2 : due
                ch.amountCaptured = ch.amount
                ch.captured = true
                ch.customer = byEmail ? nil : cus
                ch.email = "c\(c)@example.com"
                switch mode {
                case 0:   // old API shape: charge.invoice
                    ch.invoice = inID
                    var inv = Record(kind: .invoice, id: inID, door: .webhook)
                    inv.created = created - 10
                    inv.currency = "usd"
                    inv.total = due
                    inv.amountDue = due
                    inv.amountPaid = due
                    snapshots += life(inv, statuses: ["draft", "open", "paid"])
                case 1:   // new API shape: invoice_payment
                    var ip = Record(kind: .invoicePayment, id: "inpay_\(c)_\(k)", door: .webhook)
                    ip.created = created
                    ip.invoice = inID
                    ip.charge = chID
                    ip.currency = "usd"
                    ip.amountPaid = due
                    snapshots += life(ip, statuses: ["open", "paid"])
                case 2, 6: ch.reference = number.lowercased()
                case 3: ch.customer = byEmail ? nil : cus
                case 4: break   // unpaid
                default:        // pending debit that later succeeds or stays pending
                    ch.reference = number
                }
                if mode == 4 { continue }
                let chStatuses = mode == 5 ? (Bool.random(using: &rng) ? ["pending"] : ["pending", "succeeded"]) : ["pending", "succeeded"]
                snapshots += life(ch, statuses: chStatuses)
                if let bt = Optional("txn_\(c)_\(k)"), Bool.random(using: &rng) {
                    var t = Record(kind: .balanceTransaction, id: bt, door: .file)
                    t.created = created
                    t.currency = "usd"
                    t.amount = ch.amount
                    t.fee = 30
                    t.net = (ch.amount ?? 0) - 30
                    t.source = chID
                    t.type = "charge"
                    t.payout = "po_\(c % 3)"
                    snapshots += life(t, statuses: ["pending", "available"])
                }
                switch Int.random(in: 0..<6, using: &rng) {
                case 0:
                    var re = Record(kind: .refund, id: "re_\(c)_\(k)", door: .webhook)
                    re.created = tick()
                    re.currency = "usd"
                    re.amount = (ch.amount ?? 0) / 4
                    re.charge = chID
                    snapshots += life(re, statuses: Bool.random(using: &rng) ? ["pending", "succeeded"] : ["pending", "failed"])
                case 1:
                    var du = Record(kind: .dispute, id: "du_\(c)_\(k)", door: .webhook)
                    du.created = tick()
                    du.currency = "usd"
                    du.amount = ch.amount
                    du.charge = chID
                    let end = ["won", "lost", "under_review", "warning_closed"][Int.random(in: 0..<4, using: &rng)]
                    snapshots += life(du, statuses: end.hasPrefix("warning") ? ["warning_needs_response", end] : ["needs_response", end])
                case 2:
                    var summary = ch
                    summary.status = "succeeded"
                    summary.amountRefunded = (ch.amount ?? 0) / 5
                    summary.observedAt = tick()
                    summary.eventID = eventID()
                    snapshots.append(summary)
                default: break
                }
            }
        }
        for p in 0..<3 {
            var po = Record(kind: .payout, id: "po_\(p)", door: .api)
            po.created = tick()
            po.currency = "usd"
            po.amount = 100_000
            po.dueBy = time + 86_400
            snapshots += life(po, statuses: p == 2 ? ["pending", "paid", "failed"] : ["pending", "in_transit", "paid"])
        }
    }
}

@Suite("Order independence")
struct PropertyTests {
    @Test("the same records in any order, any number of times, give the same reconciliation", arguments: [1, 2, 3, 42] as [UInt64])
    func orderIndependence(seed: UInt64) {
        let g = GeneratedScenario(seed: seed)
        #expect(g.snapshots.count >= 150)
        var rng = SplitMix64(seed: seed &* 7919)
        var reference: Reconciliation?
        var referenceSet: [String: Record] = [:]
        for _ in 0..<25 {
            var pile = g.snapshots
            for _ in 0..<Int.random(in: 0...60, using: &rng) {
                if let dup = pile.randomElement(using: &rng) { pile.append(dup) }
            }
            pile.shuffle(using: &rng)
            var set = RecordSet()
            for r in pile { set.insert(r) }
            let result = Reconciler.reconcile(invoices: g.invoices, records: set, decisions: [], settings: ReconcileSettings())
            if let ref = reference {
                #expect(set.records == referenceSet)
                #expect(result.invoices == ref.invoices)
                #expect(result.payments == ref.payments)
                #expect(result.notes == ref.notes)
            } else {
                reference = result
                referenceSet = set.records
                // Without trails (a sync that only writes the ledger) everything else is the same.
                let lean = Reconciler.reconcile(invoices: g.invoices, records: set, decisions: [],
                                                settings: ReconcileSettings(keepTrail: false))
                #expect(lean.invoices.allSatisfy { $0.trail.isEmpty })
                #expect(lean.invoices.map { var s = $0; s.trail = []; return s } == result.invoices.map { var s = $0; s.trail = []; return s })
                #expect(lean.payments == result.payments)
                #expect(result.invoices.contains { !$0.trail.isEmpty })
            }
        }
        // The scenario exercises the engine, not only the empty case.
        let statuses = Set(reference?.invoices.map(\.status) ?? [])
        #expect(statuses.count >= 4)
        #expect(reference?.payments.contains { $0.flag == nil && !$0.invoiceNumbers.isEmpty } == true)
    }

    @Test("large ledger: installments across many customers reconcile without quadratic work")
    func scale() {
        var invoices: [Invoice] = []
        var set = RecordSet()
        let customers = 3_000
        for c in 0..<customers {
            for k in 0..<3 {
                let cells = ["invoice_number": "INV-\(c)-\(k)", "amount_due": "100.00", "currency": "usd",
                             "stripe_customer_id": "cus_\(c)", "due_date": "2026-0\(k + 6)-01"]
                invoices.append(Invoice.parse(cells: cells, index: invoices.count))
                set.insert(charge("ch_\(c)_\(k)", 10_000, at: t0 + Int64(k * 100_000 + c), customer: "cus_\(c)"))
            }
        }
        let r = Reconciler.reconcile(invoices: invoices, records: set, decisions: [], settings: ReconcileSettings())
        #expect(r.invoices.allSatisfy { $0.status == .paid && $0.matchRule == .customerAmount })
        // Oldest first: the first charge of each customer paid its first installment.
        #expect(r.invoices[0].paymentIDs == ["ch_0_0"])
        #expect(r.invoices[2].paymentIDs == ["ch_0_2"])
        #expect(r.payments.count == customers * 3)
    }
}
