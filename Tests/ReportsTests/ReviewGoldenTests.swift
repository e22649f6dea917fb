import Foundation
import LedgerCore
import Reports
import Spreadsheet
import Testing

/// The Review sheet's content on the demo sample, pinned in Fixtures/review.expected.csv.
/// Regenerate on purpose only: `UPDATE_GOLDEN=1 swift test --filter ReviewGoldenTests`.
@Suite struct ReviewGoldenTests {
    @Test func reviewOfTheDemoSampleMatchesTheGoldenFile() throws {
        let sample = try SampleScenario.load()
        let items = Review.items(invoices: sample.invoices, result: sample.result, records: sample.records,
                                 asOfDay: Int(SampleScenario.asOf / 86_400))
        let text = String(decoding: CSV.encode(Table(header: Review.columns, rows: Review.textRows(items)), format: .standard), as: UTF8.self)
        let golden = SampleScenario.fixtures.appendingPathComponent("review.expected.csv")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        if text != expected {
            let got = text.split(separator: "\n"), want = expected.split(separator: "\n")
            let first = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("review differs from \(golden.lastPathComponent) (\(got.count) vs \(want.count) lines); first difference at line \((first?.offset ?? min(got.count, want.count)) + 1):\n got: \(first.map { String($0.element.0) } ?? "")\nwant: \(first.map { String($0.element.1) } ?? "")")
        }
    }

    @Test func everyFlaggedRowAndUnmatchedPaymentIsListedOldestFirst() throws {
        let sample = try SampleScenario.load()
        let items = Review.items(invoices: sample.invoices, result: sample.result, records: sample.records,
                                 asOfDay: Int(SampleScenario.asOf / 86_400))
        let flaggedRows = zip(sample.invoices, sample.result.invoices).filter { $0.1.flag != nil }.map(\.0.invoiceNumber)
        let unmatched = sample.result.payments.filter { $0.flag != nil && $0.invoiceNumbers.isEmpty }.map(\.stripeID)
        #expect(!flaggedRows.isEmpty && !unmatched.isEmpty)
        #expect(Set(items.filter { $0.subject == .invoice }.map(\.target)) == Set(flaggedRows))
        #expect(Set(items.filter { $0.subject == .payment }.map(\.target)) == Set(unmatched))
        #expect(items.count == flaggedRows.count + unmatched.count)
        let ages = items.compactMap(\.ageDays)
        #expect(ages == ages.sorted(by: >))
        #expect(items.allSatisfy { $0.candidates.count <= 3 && !$0.reason.isEmpty })
        // An open dispute on a row carries its evidence due date from the dispute record.
        let disputed = items.filter { $0.flag == .disputed }
        #expect(!disputed.isEmpty)
        #expect(disputed.contains { $0.disputeEvidenceDueBy != nil })
        // An unmatched payment is offered the open rows of the same customer or amount.
        #expect(items.contains { $0.subject == .payment && !$0.candidates.isEmpty })
    }

    @Test func candidatesPreferSameCustomerAndAmountThenCustomerThenAmount() throws {
        let usd = try Currency("usd")
        func row(_ i: Int, _ number: String, email: String, due: Int64, day: Int) -> Invoice {
            var invoice = Invoice(index: i, invoiceNumber: number)
            invoice.customerEmail = email
            invoice.currency = usd
            invoice.amountDue = Money(minorUnits: due, currency: usd)
            invoice.dueDay = day
            return invoice
        }
        let invoices = [row(0, "A", email: "x@example.com", due: 500, day: 10), row(1, "B", email: "y@example.com", due: 1000, day: 5),
                        row(2, "C", email: "x@example.com", due: 1000, day: 20), row(3, "D", email: "x@example.com", due: 700, day: 1),
                        row(4, "E", email: "z@example.com", due: 1000, day: 30)]
        let states = invoices.map { invoice -> InvoiceState in
            var state = InvoiceState(status: .open)
            state.balanceDue = invoice.amountDue?.minorUnits ?? 0
            return state
        }
        var payment = PaymentLine(stripeID: "ch_1", kind: .charge, status: "succeeded", created: 86_400 * 40, currency: usd, amount: 1000, door: .file)
        payment.email = "X@Example.com"
        payment.flag = .unmatchedPayment
        let items = Review.items(invoices: invoices, result: Reconciliation(invoices: states, payments: [payment], notes: []),
                                 records: RecordSet(), asOfDay: 50)
        #expect(items.count == 1)
        #expect(items[0].candidates.map { String($0.prefix(1)) } == ["C", "D", "A"])
        #expect(items[0].candidates[0].contains("same customer and amount"))
        #expect(items[0].ageDays == 10)
    }
}
