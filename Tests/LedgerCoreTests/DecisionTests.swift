import Testing
@testable import LedgerCore

@Suite("Decisions (resolve)")
struct DecisionTests {
    func base() -> Scenario {
        var s = Scenario()
        s.row("INV-1", "300.00", customer: "cus_1", due: "2026-06-01")
        s.row("INV-2", "200.00", customer: "cus_1", due: "2026-07-01")
        s.row("INV-3", "300.00", customer: "cus_1", due: "2026-08-01")
        return s
    }

    @Test("match overrides automatic matching; match_rule manual")
    func match() {
        var s = base()
        s.add(charge("ch_1", 30_000, customer: "cus_1"))
        #expect(s.state("INV-1", in: s.run())?.status == .paid)
        s.decide(.match(paymentID: "ch_1", allocations: [.init(invoiceNumber: "inv-3", amount: nil)]))
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .open)
        #expect(s.state("INV-3", in: r)?.status == .paid)
        #expect(s.state("INV-3", in: r)?.matchRule == .manual)
        #expect(r.payment("ch_1")?.matchRule == .manual)
    }

    @Test("split: explicit amounts, nil takes the rest, in allocation order")
    func split() {
        var s = base()
        s.add(charge("ch_1", 50_000, customer: "cus_1"))
        s.decide(.match(paymentID: "ch_1", allocations: [.init(invoiceNumber: "INV-2", amount: 20_000),
                                                          .init(invoiceNumber: "INV-3", amount: nil)]))
        let r = s.run()
        #expect(s.state("INV-2", in: r)?.status == .paid)
        #expect(s.state("INV-3", in: r)?.status == .paid)
        #expect(s.state("INV-3", in: r)?.amountPaid == 30_000)
        #expect(r.payment("ch_1")?.invoiceNumbers == ["INV-2", "INV-3"])
        // A refund of a split payment is taken back allocation by allocation.
        s.add(refund("re_1", of: "ch_1", 25_000, at: t0 + 100))
        let r2 = s.run()
        #expect(s.state("INV-2", in: r2)?.status == .refunded)
        #expect(s.state("INV-3", in: r2)?.amountRefunded == 5_000)
    }

    @Test("unmatch takes the payment off every row; it stays flagged; a later match wins")
    func unmatch() {
        var s = base()
        s.add(charge("ch_1", 30_000, customer: "cus_1"))
        s.decide(.unmatch(paymentID: "ch_1"))
        var r = s.run()
        #expect(r.invoices.allSatisfy { $0.status == .open })
        #expect(r.payment("ch_1")?.flag == .unmatchedPayment)
        s.decide(.match(paymentID: "ch_1", allocations: [.init(invoiceNumber: "INV-1", amount: nil)]))
        r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .paid)
        #expect(r.payment("ch_1")?.flag == nil)
    }

    @Test("accept hides the flag but flag_detail records the acceptance; other flags stay open")
    func accept() {
        var s = base()
        s.add(charge("ch_1", 40_000, reference: "INV-1"))
        #expect(s.state("INV-1", in: s.run())?.flag == .overpaid)
        s.decide(.accept(target: "inv-1", flag: .overpaid, note: "credited to next term"))
        var r = s.run()
        #expect(s.state("INV-1", in: r)?.flag == nil)
        #expect(s.state("INV-1", in: r)?.flagDetail.contains("Accepted overpaid: credited to next term") == true)
        #expect(s.state("INV-1", in: r)?.status == .overpaid)
        // A new, different flag is not covered by the acceptance.
        s.add(dispute("du_1", of: "ch_1", 40_000, at: t0 + 100, status: "needs_response"))
        r = s.run()
        #expect(s.state("INV-1", in: r)?.flag == .disputed)
        // Accepting an unmatched payment by its id.
        var p = base()
        p.add(charge("ch_9", 12_345, customer: "cus_1"))
        p.decide(.accept(target: "ch_9", flag: nil, note: "donation"))
        let rp = p.run()
        #expect(rp.payment("ch_9")?.flag == nil)
        #expect(rp.payment("ch_9")?.flagDetail.contains("donation") == true)
    }

    @Test("invalid_row cannot be accepted")
    func acceptInvalid() {
        var s = Scenario()
        s.row("BAD", "1.2.3")
        s.decide(.accept(target: "BAD", flag: nil, note: "later"))
        #expect(s.state("BAD", in: s.run())?.flag == .invalidRow)
    }
}
