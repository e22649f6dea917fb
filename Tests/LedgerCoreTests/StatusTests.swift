import Testing
@testable import LedgerCore

@Suite("Status rules, refunds, disputes, flags (DESIGN.md §3, §5)")
struct StatusTests {
    /// One row of 500.00 USD paid by ch_1 (by reference), plus the records of each case.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var override = ""
        var invoiceStatus: String?
        var paid: Int64 = 50_000
        var refunds: [(Int64, String)] = []
        var disputes: [(Int64, String)] = []
        var status: InvoiceStatus
        var flag: Flag?
        var balance: Int64
        var amountPaid: Int64? = nil
        var refunded: Int64? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "1 void override beats an open dispute", override: "void", disputes: [(50_000, "needs_response")],
             status: .void, flag: .disputed, balance: 0),
        Case(name: "1 Stripe invoice void + payment → payment_on_void", invoiceStatus: "void",
             status: .void, flag: .paymentOnVoid, balance: 0),
        Case(name: "2 open dispute beats a lost one", disputes: [(10_000, "lost"), (50_000, "under_review")],
             status: .disputed, flag: .disputeLost, balance: 10_000),
        Case(name: "2 needs_response", disputes: [(50_000, "needs_response")], status: .disputed, flag: .disputed, balance: 0),
        Case(name: "3 lost dispute reopens the row", disputes: [(50_000, "lost")],
             status: .chargedBack, flag: .disputeLost, balance: 50_000, amountPaid: 0),
        Case(name: "3 charged_back beats uncollectible", override: "uncollectible", disputes: [(50_000, "lost")],
             status: .chargedBack, flag: .disputeLost, balance: 50_000),
        Case(name: "4 uncollectible with nothing paid", invoiceStatus: "uncollectible", paid: 0,
             status: .uncollectible, flag: nil, balance: 0),
        Case(name: "4 uncollectible but paid → paid", override: "uncollectible", status: .paid, flag: nil, balance: 0),
        Case(name: "5 full refund", refunds: [(50_000, "succeeded")], status: .refunded, flag: nil, balance: 0, refunded: 50_000),
        Case(name: "5 pending refund counts", refunds: [(50_000, "pending")], status: .refunded, flag: nil, balance: 0),
        Case(name: "6 partial refund", refunds: [(10_000, "succeeded")], status: .partiallyRefunded, flag: nil, balance: 0,
             amountPaid: 50_000, refunded: 10_000),
        Case(name: "6 failed refund drops out", refunds: [(10_000, "failed")], status: .paid, flag: .refundFailed, balance: 0,
             refunded: 0),
        Case(name: "6 canceled + succeeded refunds", refunds: [(10_000, "canceled"), (20_000, "succeeded")],
             status: .partiallyRefunded, flag: .refundFailed, balance: 0, refunded: 20_000),
        Case(name: "7 open", paid: 0, status: .open, flag: nil, balance: 50_000),
        Case(name: "7 partially paid", paid: 20_000, status: .partiallyPaid, flag: nil, balance: 30_000),
        Case(name: "7 paid", status: .paid, flag: nil, balance: 0),
        Case(name: "7 overpaid", paid: 60_000, status: .overpaid, flag: .overpaid, balance: 0),
        Case(name: "7 partial payment then refund of part of it", paid: 20_000, refunds: [(5_000, "succeeded")],
             status: .partiallyPaid, flag: nil, balance: 35_000),
        Case(name: "inquiry only flags", disputes: [(50_000, "warning_needs_response")], status: .paid, flag: .disputed, balance: 0),
        Case(name: "closed inquiry changes nothing", disputes: [(50_000, "warning_closed")], status: .paid, flag: nil, balance: 0),
        Case(name: "won dispute changes nothing", disputes: [(50_000, "won")], status: .paid, flag: nil, balance: 0),
        Case(name: "prevented changes nothing", disputes: [(50_000, "prevented")], status: .paid, flag: nil, balance: 0),
        Case(name: "paid_out_of_band override settles the rest", override: "paid_out_of_band", paid: 20_000,
             status: .paid, flag: nil, balance: 0, amountPaid: 50_000),
    ]

    @Test("status rules 1–7 in order", arguments: cases)
    func statusRules(c: Case) {
        var s = Scenario()
        s.row("INV-1", "500.00", stripeInvoice: c.invoiceStatus == nil ? "" : "in_1", override: c.override)
        if let st = c.invoiceStatus { s.add(stripeInvoice("in_1", status: st, total: 50_000)) }
        if c.paid > 0 { s.add(charge("ch_1", c.paid, reference: "INV-1")) }
        for (i, (amount, status)) in c.refunds.enumerated() { s.add(refund("re_\(i)", of: "ch_1", amount, at: t0 + 100 + Int64(i), status: status)) }
        for (i, (amount, status)) in c.disputes.enumerated() { s.add(dispute("du_\(i)", of: "ch_1", amount, at: t0 + 200 + Int64(i), status: status)) }
        let r = s.run()
        let row = s.state("INV-1", in: r)
        #expect(row?.status == c.status)
        #expect(row?.flag == c.flag)
        #expect(row?.balanceDue == c.balance)
        if let p = c.amountPaid { #expect(row?.amountPaid == p) }
        if let rf = c.refunded { #expect(row?.amountRefunded == rf) }
        if c.flag != nil { #expect(row?.flagDetail.isEmpty == false) }
        if let f = c.flag, f == .disputed || f == .disputeLost, c.override.isEmpty {
            // The disputed charge carries its row's dispute flag too.
            #expect(r.payment("ch_1")?.flag == f)
        }
    }

    @Test("flag precedence: the most serious shows, the others are named in flag_detail")
    func precedence() {
        var s = Scenario()
        s.row("INV-1", "500.00", stripeInvoice: "in_1")
        s.add(stripeInvoice("in_1", status: "paid", total: 45_000, amountPaid: 45_000))
        s.add(charge("ch_1", 50_000, invoice: "in_1"), charge("ch_2", 50_000, at: t0 + 10, invoice: "in_1"))
        let r = s.run()
        let row = s.state("INV-1", in: r)
        #expect(row?.status == .overpaid)
        #expect(row?.flag == .duplicatePayment)
        #expect(row?.flagDetail.contains("ch_2") == true)
        #expect(row?.flagDetail.contains("Also overpaid") == true)
        #expect(row?.flagDetail.contains("Also amount_mismatch") == true)
        #expect(row?.flagDetail.contains("450.00 USD") == true)
        #expect(r.payment("ch_2")?.flag == .duplicatePayment)
        #expect(r.payment("ch_1")?.flag == nil)
        #expect(row?.paymentIDs == ["ch_1", "ch_2"])
        #expect(row?.paidAt == t0)
    }

    @Test("amount_mismatch alone: Stripe invoice total differs from amount_due")
    func amountMismatch() {
        var s = Scenario()
        s.row("INV-1", "500.00", stripeInvoice: "in_1")
        s.add(stripeInvoice("in_1", status: "open", total: 40_000))
        let row = s.state("INV-1", in: s.run())
        #expect(row?.flag == .amountMismatch)
        #expect(row?.status == .open)
    }

    @Test("tolerance applies to rules 1–2 only, and flags underpaid_within_tolerance")
    func tolerance() {
        var s = Scenario()
        s.settings = ReconcileSettings(tolerance: ["usd": 100])
        s.row("REF", "500.00")
        s.row("CUS", "500.00", customer: "cus_1")
        s.add(charge("ch_ref", 49_950, reference: "REF"), charge("ch_cus", 49_950, customer: "cus_1"))
        let r = s.run()
        #expect(s.state("REF", in: r)?.status == .paid)
        #expect(s.state("REF", in: r)?.balanceDue == 0)
        #expect(s.state("REF", in: r)?.flag == .underpaidWithinTolerance)
        #expect(s.state("REF", in: r)?.flagDetail.contains("0.50 USD") == true)
        #expect(s.state("CUS", in: r)?.status == .open)

        var strict = s
        strict.settings = ReconcileSettings()
        #expect(strict.state("REF", in: strict.run())?.status == .partiallyPaid)
    }

    @Test("pending records appear and never count", arguments: ["pending", "uncaptured", "processing_intent", "failed"])
    func pendingNeverCounts(kind: String) {
        var s = Scenario()
        s.row("INV-1", "100.00", customer: "cus_1")
        let id: String
        switch kind {
        case "pending": s.add(charge("ch_1", 10_000, status: "pending", reference: "INV-1")); id = "ch_1"
        case "uncaptured": s.add(charge("ch_1", 10_000, reference: "INV-1", captured: false)); id = "ch_1"
        case "failed": s.add(charge("ch_1", 10_000, status: "failed", reference: "INV-1")); id = "ch_1"
        default:
            s.add(record(.paymentIntent, "pi_1", status: "processing", amount: 10_000) { $0.reference = "INV-1"; $0.customer = "cus_1" })
            id = "pi_1"
        }
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .open)
        #expect(s.state("INV-1", in: r)?.amountPaid == 0)
        let line = r.payment(id)
        #expect(line != nil)
        #expect(line?.invoiceNumbers == [])
        #expect(line?.flagDetail.isEmpty == false)
    }

    @Test("a processing intent that succeeds counts once, and once more only via its real charge id")
    func intentThenCharge() {
        var s = Scenario()
        s.row("INV-1", "100.00")
        s.add(record(.paymentIntent, "pi_1", status: "succeeded", amount: 10_000) { $0.reference = "INV-1"; $0.charge = "ch_1" })
        var r = s.run()
        #expect(s.state("INV-1", in: r)?.paymentIDs == ["ch_1"])
        s.add(charge("ch_1", 10_000, intent: "pi_1"))
        r = s.run()
        #expect(s.state("INV-1", in: r)?.paymentIDs == ["ch_1"])
        #expect(s.state("INV-1", in: r)?.amountPaid == 10_000)
        #expect(r.payments.filter { $0.kind == .charge }.count == 1)
    }

    @Test("charge.amount_refunded counts only what no refund object explains")
    func refundResidual() {
        var s = Scenario()
        s.row("INV-1", "500.00")
        s.add(charge("ch_1", 50_000, reference: "INV-1", refunded: 15_000))
        var r = s.run()
        #expect(s.state("INV-1", in: r)?.amountRefunded == 15_000)
        #expect(r.payment("ch_1#refunded")?.amount == -15_000)
        s.add(refund("re_1", of: "ch_1", 10_000, at: t0 + 50))
        r = s.run()
        #expect(s.state("INV-1", in: r)?.amountRefunded == 15_000)
        #expect(r.payment("ch_1#refunded")?.amount == -5_000)
        s.add(refund("re_2", of: "ch_1", 5_000, at: t0 + 60))
        r = s.run()
        #expect(s.state("INV-1", in: r)?.amountRefunded == 15_000)
        #expect(r.payment("ch_1#refunded") == nil)
        #expect(s.state("INV-1", in: r)?.status == .partiallyRefunded)
    }

    @Test("a refund found through the payment intent follows the charge")
    func refundViaIntent() {
        var s = Scenario()
        s.row("INV-1", "500.00")
        s.add(charge("ch_1", 50_000, reference: "INV-1", intent: "pi_1"))
        s.add(record(.refund, "re_1", at: t0 + 9, status: "succeeded", amount: 50_000) { $0.paymentIntent = "pi_1" })
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .refunded)
        #expect(r.payment("re_1")?.invoiceNumbers == ["INV-1"])
        #expect(r.payment("re_1")?.amount == -50_000)
    }

    @Test("Stripe invoice paid out of band: one manual line keyed by the invoice id", arguments: [true, false])
    func outOfBand(oldShape: Bool) {
        var s = Scenario()
        s.row("INV-1", "300.00", stripeInvoice: "in_1")
        var inv = stripeInvoice("in_1", status: "paid", total: 30_000, amountPaid: 30_000)
        if oldShape { inv.paidOutOfBand = true }
        s.add(inv)
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .paid)
        #expect(s.state("INV-1", in: r)?.paymentIDs == ["in_1"])
        #expect(r.payment("in_1")?.kind == .manual)
        #expect(r.payment("in_1")?.amount == 30_000)
        #expect(r.payment("in_1")?.status == "paid", "the manual line carries the Stripe invoice's own status")
    }

    @Test("credit notes and customer balance applied count as credit")
    func credit() {
        var s = Scenario()
        s.row("INV-1", "500.00", stripeInvoice: "in_1")
        // total 500, 100 by a pre-payment credit note, 50 from the customer balance, 350 charged.
        s.add(stripeInvoice("in_1", status: "paid", total: 50_000, amountDue: 35_000, amountPaid: 35_000))
        s.add(record(.creditNote, "cn_1", status: "issued", amount: 10_000) { $0.invoice = "in_1"; $0.type = "pre_payment" })
        s.add(charge("ch_1", 35_000, at: t0 + 5, invoice: "in_1"))
        let r = s.run()
        let row = s.state("INV-1", in: r)
        #expect(row?.status == .paid)
        #expect(row?.amountPaid == 50_000)
        #expect(Set(row?.paymentIDs ?? []) == ["cn_1", "in_1#credit", "ch_1"])
        #expect(r.payment("in_1#credit")?.amount == 5_000)
        #expect(r.payment("in_1#credit")?.kind == .credit)
        #expect(r.payment("in_1") == nil)
    }

    @Test("invalid rows take no payments and say why")
    func invalidRow() {
        var s = Scenario()
        s.row("INV-1", "12.345")
        s.add(charge("ch_1", 1_234, reference: "INV-1"))
        let r = s.run()
        let row = s.state("INV-1", in: r)
        #expect(row?.flag == .invalidRow)
        #expect(row?.status == .open)
        #expect(row?.amountPaid == 0)
        #expect(row?.flagDetail.contains("amount_due") == true)
        #expect(r.payment("ch_1")?.flag == .unmatchedPayment)
        #expect(r.payment("ch_1")?.invoiceNumbers == [])
    }

    @Test("payouts: payout_ids and deposited_at from the balance transaction; a failed payout clears them")
    func payouts() {
        var s = Scenario()
        s.row("INV-1", "100.00")
        var ch = charge("ch_1", 10_000, reference: "INV-1")
        ch.balanceTransaction = "txn_1"
        s.add(ch, record(.balanceTransaction, "txn_1", status: "available", amount: 10_000) {
            $0.source = "ch_1"; $0.fee = 320; $0.net = 9_680; $0.payout = "po_1"; $0.type = "charge"
        })
        s.add(record(.payout, "po_1", at: t0 + 86_400, status: "paid", amount: 9_680) { $0.dueBy = t0 + 2 * 86_400 })
        s.add(record(.balanceTransaction, "txn_fee", at: t0 + 10, status: "available", amount: -500) { $0.type = "stripe_fee"; $0.fee = 0; $0.net = -500 })
        var r = s.run()
        #expect(s.state("INV-1", in: r)?.payoutIDs == ["po_1"])
        #expect(s.state("INV-1", in: r)?.depositedAt == t0 + 2 * 86_400)
        #expect(r.payment("ch_1")?.fee == 320)
        #expect(r.payment("ch_1")?.net == 9_680)
        #expect(r.payment("ch_1")?.payoutID == "po_1")
        #expect(r.payment("txn_fee")?.kind == .fee)
        #expect(r.payment("txn_1") == nil)
        #expect(r.payment("po_1")?.amount == -9_680)
        s.add(record(.payout, "po_1", at: t0 + 3 * 86_400, status: "failed", amount: 9_680))
        r = s.run()
        #expect(s.state("INV-1", in: r)?.payoutIDs == [])
        #expect(s.state("INV-1", in: r)?.depositedAt == nil)
        #expect(r.payment("ch_1")?.payoutID == "")
    }

    @Test("a charge known only from its balance transaction pays its Stripe invoice once; its refund and dispute follow it")
    func chargeFromBalanceTransaction() {
        var s = Scenario()
        s.row("INV-1", "100.00", stripeInvoice: "in_1")
        s.row("INV-2", "40.00")
        // The balance history names the charges only as the sources of their transactions.
        s.add(record(.balanceTransaction, "txn_1", status: "available", amount: 10_000, door: .csvExport) {
            $0.type = "charge"; $0.source = "ch_1"; $0.fee = 320; $0.net = 9_680; $0.payout = "po_1"
        })
        s.add(record(.balanceTransaction, "txn_2", at: t0 + 5, status: "pending", amount: 4_000, door: .csvExport) {
            $0.type = "charge"; $0.source = "ch_2"; $0.fee = 146; $0.net = 3_854
        })
        // Stripe's invoice says it was paid by ch_1: that charge explains its amount_paid.
        var invoice = stripeInvoice("in_1", status: "paid", total: 10_000, amountPaid: 10_000)
        invoice.charge = "ch_1"
        s.add(invoice)
        s.add(refund("re_1", of: "ch_1", 2_500, at: t0 + 60))
        s.add(dispute("du_2", of: "ch_2", 4_000, at: t0 + 90, status: "needs_response"))
        let r = s.run()
        let line = r.payment("ch_1")
        #expect(line?.kind == .charge)
        #expect(line?.status == "succeeded")
        #expect(line?.amount == 10_000)
        #expect(line?.fee == 320)
        #expect(line?.net == 9_680)
        #expect(line?.payoutID == "po_1")
        #expect(line?.stripeInvoiceID == "in_1")
        #expect(line?.invoiceNumbers == ["INV-1"])
        #expect(line?.matchRule == .stripeInvoice)
        // Counted once: no out-of-band line for what the charge explains, no line for the transaction.
        #expect(r.payment("in_1") == nil)
        #expect(r.payment("txn_1") == nil)
        #expect(s.state("INV-1", in: r)?.amountPaid == 10_000)
        #expect(s.state("INV-1", in: r)?.amountRefunded == 2_500)
        #expect(s.state("INV-1", in: r)?.status == .partiallyRefunded)
        #expect(r.payment("re_1")?.chargeID == "ch_1")
        #expect(r.payment("re_1")?.stripeInvoiceID == "in_1")
        // The other charge is unmatched, and its dispute sweeps no earlier than it.
        #expect(r.payment("ch_2")?.flag == .unmatchedPayment)
        #expect(r.payment("du_2")?.chargeID == "ch_2")
        #expect(r.payments.map(\.stripeID) == ["ch_1", "ch_2", "re_1", "du_2"])
    }

    @Test("payments table sorted by (created, stripe_id); lines carry their door")
    func paymentsOrder() {
        var s = Scenario()
        s.add(charge("ch_b", 100, at: t0), charge("ch_a", 100, at: t0), charge("ch_0", 100, at: t0 - 1, door: .csvExport))
        let r = s.run()
        #expect(r.payments.map(\.stripeID) == ["ch_0", "ch_a", "ch_b"])
        #expect(r.payments.first?.door == .csvExport)
    }
}
