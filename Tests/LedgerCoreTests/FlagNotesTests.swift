import Testing
@testable import LedgerCore

@Suite("Flag notes and flag_detail")
struct FlagNotesTests {
    @Test("each flag keeps its sentences in the order noted, none twice; flags come out in Flag's order")
    func notesKeepOrderWithoutRepeats() {
        var notes = FlagNotes()
        #expect(notes.isEmpty && notes.flags.isEmpty && notes.only == nil)
        notes.note(.overpaid, "A.")
        #expect(notes.only?.flag == .overpaid && notes.only?.sentence == "A.")
        notes.note(.overpaid, "A.")
        #expect(notes.only?.sentence == "A.")
        notes.note(.disputed, "B.")
        notes.note(.overpaid, "C.")
        notes.note(.disputed, "B.")
        #expect(notes.only == nil)
        #expect(notes.flags == [.overpaid, .disputed].sorted())
        #expect(notes.sentences(.overpaid) == ["A.", "C."])
        #expect(notes.sentences(.disputed) == ["B."])
        #expect(notes.has(.disputed) && !notes.has(.refundFailed))
    }

    @Test("one sentence with nothing accepted is the detail as it is; otherwise the most serious flag leads")
    func resolve() {
        var one = FlagNotes()
        one.note(.unmatchedPayment, "No row matches ch_1.")
        #expect(FlagText.resolve(notes: one, acceptances: []) == (.unmatchedPayment, "No row matches ch_1."))
        #expect(FlagText.resolve(notes: one, acceptances: [], prefix: "Row 3.") == (.unmatchedPayment, "Row 3. No row matches ch_1."))

        var two = one
        two.note(.disputed, "Dispute du_1 is open.")
        two.note(.unmatchedPayment, "And again.")
        #expect(Flag.disputed < .unmatchedPayment)
        #expect(FlagText.resolve(notes: two, acceptances: [])
            == (.disputed, "Dispute du_1 is open. Also unmatched_payment: No row matches ch_1. And again."))

        let accepted = FlagText.resolve(notes: two, acceptances: [.init(flag: .disputed, note: "known")])
        #expect(accepted.flag == .unmatchedPayment)
        #expect(accepted.detail == "No row matches ch_1. And again. Accepted disputed: known (was: Dispute du_1 is open.)")
    }

    @Test("permute moves each item to its sorted place, whatever the cycles")
    func permute() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 7, 100] {
            let items = (0..<count).map { "item \($0)" }
            var order = Array(0..<count).shuffled(using: &generator)
            let expected = order.map { items[$0] }
            var moved = items
            Engine.permute(&moved, by: &order)
            #expect(moved == expected)
        }
    }
}
