import Foundation
import LedgerCore
import StripeData
import Testing

/// Every Stripe reference fixture (stripe/openapi fixtures3.json), bare and wrapped in an event.
@Suite struct StripeJSONFixtureTests {
    /// Record expected from each fixture that maps to a record kind.
    static func expected(_ name: String) -> Record? {
        switch name {
        case "balance_transaction":
            var r = Record(kind: .balanceTransaction, id: "txn_1PgaxNB7WZ01zgkWEV3TLf40", door: .file)
            r.amount = 100; r.fee = 0; r.net = 100; r.currency = "usd"; r.settlementCurrency = "usd"
            r.status = "available"; r.type = "charge"; r.source = "ch_1PgafuB7WZ01zgkWXYmPNZs8"
            r.created = 1_234_567_890  // the fixture has no livemode
            return r
        case "charge":
            var r = Record(kind: .charge, id: "ch_1PgafuB7WZ01zgkWXYmPNZs8", door: .file)
            r.amount = 100; r.amountCaptured = 0; r.amountRefunded = 0; r.captured = false; r.currency = "usd"
            r.status = "succeeded"; r.balanceTransaction = "txn_1PgaxNB7WZ01zgkWEV3TLf40"
            r.created = 1_234_567_890; r.livemode = false
            return r
        case "checkout.session":
            var r = Record(kind: .checkoutSession, id: "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY", door: .file)
            r.paymentIntent = "pi_1PgafyB7WZ01zgkWSjxsAJo3"; r.email = "example@example.com"; r.status = "unpaid"
            r.created = 1_234_567_890; r.livemode = false
            return r
        case "credit_note":
            var r = Record(kind: .creditNote, id: "cn_1Pgc75B7WZ01zgkWJMPt5riP", door: .file)
            r.invoice = "in_1Pgc75B7WZ01zgkWYv4iMwt7"; r.amount = 1690; r.type = "pre_payment"; r.status = "issued"
            r.customer = "cus_QXg1o8vcGmoR32"; r.currency = "usd"; r.created = 1_234_567_890; r.livemode = false
            return r
        case "customer":
            var r = Record(kind: .customer, id: "cus_QXg1o8vcGmoR32", door: .file)
            r.created = 1_234_567_890; r.livemode = false
            return r
        case "dispute":
            var r = Record(kind: .dispute, id: "dp_1Pgc71B7WZ01zgkWMevJiAUx", door: .file)
            r.charge = "ch_1PgafuB7WZ01zgkWXYmPNZs8"; r.amount = 1000; r.currency = "usd"
            r.status = "warning_needs_response"; r.reason = "general"; r.dueBy = 1_723_679_999
            r.created = 1_234_567_890; r.livemode = false
            return r
        case "invoice":
            var r = Record(kind: .invoice, id: "in_1Pgc6tB7WZ01zgkWu9fdqL6I", door: .file)
            r.status = "draft"; r.customer = "cus_QXg1o8vcGmoR32"; r.currency = "usd"; r.total = 1000
            r.amountDue = 1000; r.amountPaid = 0; r.created = 1_234_567_890; r.livemode = false
            return r
        case "payment_intent":
            var r = Record(kind: .paymentIntent, id: "pi_1PgafyB7WZ01zgkWSjxsAJo3", door: .file)
            r.amount = 1099; r.currency = "usd"; r.status = "requires_payment_method"
            r.created = 1_234_567_890; r.livemode = false
            return r
        case "payout":
            var r = Record(kind: .payout, id: "po_1Pgc79B7WZ01zgkWu1KToYf4", door: .file)
            r.amount = 1100; r.currency = "usd"; r.status = "in_transit"; r.dueBy = 1_234_567_890
            r.balanceTransaction = "txn_1PgaxNB7WZ01zgkWEV3TLf40"; r.type = "bank_account"
            r.created = 1_234_567_890; r.livemode = false
            return r
        case "refund":
            var r = Record(kind: .refund, id: "re_1Pgc72B7WZ01zgkWqPvrRrPE", door: .file)
            r.charge = "ch_1PgafuB7WZ01zgkWXYmPNZs8"; r.amount = 100; r.currency = "usd"; r.status = "succeeded"
            r.created = 1_234_567_890  // the fixture has no livemode
            return r
        default:
            return nil
        }
    }

    static let recordFixtures = ["balance_transaction", "charge", "checkout.session", "credit_note", "customer",
                                 "dispute", "invoice", "payment_intent", "payout", "refund"]
    static let ignoredFixtures = ["customer_cash_balance_transaction", "fee_refund", "reporting.report_run",
                                  "reporting.report_type", "webhook_endpoint"]

    @Test(arguments: recordFixtures)
    func bareObject(_ name: String) throws {
        let bytes = try fixture(name)
        let input = decode(bytes, file: "\(name).json")
        #expect(input.problems.isEmpty)
        #expect(input.ignoredTypes.isEmpty)
        try #require(input.events.count == 1)
        let item = input.events[0]
        #expect(item.eventID == nil && item.eventType == nil && item.apiVersion == nil)
        #expect(item.livemode == Self.expected(name)?.livemode)
        #expect(item.raw == 0..<(bytes.count - (bytes.last == 10 ? 1 : 0)))
        #expect(item.line == 1)
        var want = try #require(Self.expected(name))
        want.observedAt = want.created
        #expect(item.records == [want])
        #expect(item.created == want.created)
    }

    @Test(arguments: recordFixtures)
    func wrappedInEvent(_ name: String) throws {
        let object = String(decoding: try fixture(name), as: UTF8.self)
        let input = decode(event(object, id: "evt_wrap", type: "\(name).updated", created: 1_700_000_123, livemode: false),
                           door: .webhook)
        #expect(input.problems.isEmpty)
        try #require(input.events.count == 1)
        let item = input.events[0]
        #expect(item.eventID == "evt_wrap")
        #expect(item.eventType == "\(name).updated")
        #expect(item.apiVersion == "2024-06-20")
        #expect(item.created == 1_700_000_123)
        #expect(item.livemode == false)
        var want = try #require(Self.expected(name))
        want.door = .webhook
        want.eventID = "evt_wrap"
        want.observedAt = 1_700_000_123
        // The object's own livemode (the fixtures are test mode, as the event), else the event's; a
        // disagreement between the two is refused when the item is accepted.
        want.livemode = want.livemode ?? false
        #expect(item.records == [want])
    }

    @Test(arguments: ignoredFixtures)
    func ignoredObject(_ name: String) throws {
        let input = decode(try fixture(name))
        #expect(input.events.isEmpty)
        #expect(input.problems.isEmpty)
        #expect(input.ignoredTypes == [name: 1])  // a bare object is counted under its object type
    }

    @Test func eventFixtureOfAnIgnoredTypeIsCounted() throws {
        let input = decode(try fixture("event"))
        #expect(input.events.isEmpty)
        #expect(input.problems.isEmpty)
        #expect(input.ignoredTypes == ["plan.created": 1])
    }

    /// The fixture's synthetic `"currency": "currency"` is a clear problem, not a crash.
    @Test func invoicePaymentFixtureWithSyntheticCurrency() throws {
        let input = decode(try fixture("invoice_payment"), file: "invoice_payment.json")
        #expect(input.events.isEmpty)
        try #require(input.problems.count == 1)
        let p = input.problems[0]
        #expect(p.kind == .unknownCurrency)
        #expect(p.line == 1 && p.offset == 0)
        #expect(p.description == "invoice_payment.json line 1: invoice_payment obj_123: currency 'currency' is not an ISO 4217 code; this item was skipped — check it in the Stripe Dashboard")
    }

    @Test func invoicePaymentFixtureWithARealCurrency() throws {
        let text = String(decoding: try fixture("invoice_payment"), as: UTF8.self)
            .replacingOccurrences(of: #""currency": "currency""#, with: #""currency": "eur""#)
        let input = decode(text)
        #expect(input.problems.isEmpty)
        let r = try #require(input.records.first)
        #expect(r.kind == .invoicePayment && r.id == "obj_123")
        #expect(r.amount == 1_112_626_247 && r.amountPaid == nil && r.currency == "eur")
        #expect(r.invoice == "invoice" && r.type == "payment_intent" && r.status == "status")
        #expect(r.created == 1_028_554_472 && r.livemode == true)
    }
}
