import Testing
@testable import LedgerCore

@Suite("Record merge by state rank (DESIGN.md §6)")
struct MergeTests {
    @Test("a later state wins whatever the order; an older snapshot arriving late never rolls back", arguments: [
        (Record.Kind.refund, "pending", "succeeded"), (.refund, "succeeded", "failed"), (.refund, "pending", "canceled"),
        (.dispute, "warning_needs_response", "needs_response"), (.dispute, "needs_response", "under_review"),
        (.dispute, "under_review", "lost"), (.dispute, "warning_under_review", "won"),
        (.payout, "pending", "in_transit"), (.payout, "in_transit", "paid"), (.payout, "paid", "failed"),
        (.invoice, "draft", "open"), (.invoice, "open", "uncollectible"), (.invoice, "uncollectible", "paid"),
        (.invoice, "open", "void"), (.charge, "pending", "succeeded"), (.charge, "failed", "succeeded"),
        (.invoicePayment, "open", "paid"),
    ])
    func rank(kind: Record.Kind, earlier: String, later: String) {
        // The later state was observed *before* the earlier one: rank still wins.
        let a = record(kind, "x_1", at: t0 + 100, status: earlier)
        let b = record(kind, "x_1", at: t0, status: later)
        #expect(a.merged(with: b).status == later)
        #expect(b.merged(with: a).status == later)
        #expect(a.merged(with: b) == b.merged(with: a))
    }

    @Test("same rank: newer observedAt, then larger event id wins")
    func ties() {
        var a = record(.charge, "ch_1", at: t0, status: "succeeded", amount: 100) { $0.email = "old@example.com" }
        var b = record(.charge, "ch_1", at: t0 + 1, status: "succeeded", amount: 100) { $0.email = "new@example.com" }
        #expect(a.merged(with: b).email == "new@example.com")
        #expect(b.merged(with: a).email == "new@example.com")
        a.observedAt = t0 + 1
        a.eventID = "evt_2"
        b.eventID = "evt_1"
        #expect(a.merged(with: b).email == "old@example.com")
        #expect(b.merged(with: a).email == "old@example.com")
    }

    @Test("a poorer door never erases links; the richer door is kept; amounts never go down")
    func doors() {
        let api = record(.charge, "ch_1", at: t0, status: "succeeded", amount: 1_000, door: .api) {
            $0.invoice = "in_1"
            $0.paymentIntent = "pi_1"
            $0.amountRefunded = 300
            $0.amountCaptured = 1_000
        }
        let csv = record(.charge, "ch_1", at: t0 + 50, status: "succeeded", amount: 1_000, door: .csvExport) {
            $0.amountRefunded = 200
            $0.fee = 59
        }
        for m in [api.merged(with: csv), csv.merged(with: api)] {
            #expect(m.invoice == "in_1")
            #expect(m.paymentIntent == "pi_1")
            #expect(m.fee == 59)
            #expect(m.amountRefunded == 300)
            #expect(m.amountCaptured == 1_000)
            #expect(m.door == .api)
            #expect(m.observedAt == t0 + 50)
        }
    }

    @Test("tie on rank, time and event: the richer door's values win; same door: field-wise, order-free")
    func contentTie() {
        let webhook = record(.charge, "ch_1", status: "succeeded", door: .webhook) { $0.email = "a@example.com" }
        let file = record(.charge, "ch_1", status: "succeeded", door: .file) { $0.email = "b@example.com"; $0.reference = "R" }
        #expect(webhook.merged(with: file).email == "a@example.com")
        #expect(file.merged(with: webhook).email == "a@example.com")
        #expect(file.merged(with: webhook).reference == "R")
        let other = record(.charge, "ch_1", status: "succeeded", door: .webhook) { $0.email = "z@example.com" }
        #expect(webhook.merged(with: other) == other.merged(with: webhook))
    }

    @Test("identical snapshots change nothing; RecordSet reports unchanged")
    func identical() {
        let a = charge("ch_1", 500, reference: "INV-1")
        #expect(a.merged(with: a) == a)
        var set = RecordSet()
        #expect(set.insert(a) == .added)
        #expect(set.insert(a) == .unchanged)
        var older = a
        older.status = "pending"
        older.observedAt = t0 - 10
        #expect(set.insert(older) == .unchanged)
        #expect(set.records["ch_1"]?.status == "succeeded")
    }

    @Test("unknown statuses rank below known ones, missing below unknown")
    func unknownRank() {
        let known = record(.refund, "re_1", status: "pending")
        let unknown = record(.refund, "re_1", at: t0 + 5, status: "mystery")
        let none = record(.refund, "re_1", at: t0 + 9, status: nil)
        #expect(known.merged(with: unknown).status == "pending")
        #expect(none.merged(with: unknown).status == "mystery")
        #expect(unknown.stateRank == 0)
        #expect(none.stateRank == -1)
    }
}
