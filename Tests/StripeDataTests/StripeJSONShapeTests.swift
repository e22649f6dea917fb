import Foundation
import LedgerCore
import StripeData
import Testing

/// Input shapes: one event, pretty or compact; an array; a list object; JSON Lines (LF, CRLF,
/// blank lines, BOM); raw byte ranges and line numbers; the two-thread split.
@Suite struct StripeJSONShapeTests {
    func rawText(_ text: String, _ item: ParsedItem) -> String {
        let bytes = Array(text.utf8)
        return String(decoding: bytes[item.raw], as: UTF8.self)
    }

    @Test func oneEventCompact() throws {
        let text = event(charge())
        let input = decode(text)
        #expect(input.problems.isEmpty)
        try #require(input.events.count == 1)
        let item = input.events[0]
        #expect(item.eventID == "evt_1" && item.eventType == "charge.succeeded" && item.created == 1_700_000_000)
        #expect(rawText(text, item) == text)
        let r = try #require(item.records.first)
        #expect(r.kind == .charge && r.id == "ch_1" && r.amount == 1000 && r.currency == "usd")
        #expect(r.email == "payer@example.com")  // billing_details.email before receipt_email
        #expect(r.reference == "INV-1" && r.customer == "cus_1" && r.paymentIntent == "pi_1")
        #expect(r.balanceTransaction == "txn_1" && r.observedAt == 1_700_000_000 && r.created == 1_690_000_000)
    }

    @Test func oneEventPrettyPrinted() throws {
        let pretty = """
        {
          "id": "evt_p",
          "object": "event",
          "type": "refund.created",
          "created": 1700000001,
          "livemode": false,
          "api_version": null,
          "data": {
            "object": {"id": "re_1", "object": "refund", "amount": 500, "currency": "usd", "charge": "ch_1",
                       "status": "pending", "reason": "requested_by_customer", "created": 1700000000}
          }
        }

        """
        let input = decode(pretty)
        #expect(input.problems.isEmpty)
        let item = try #require(input.events.first)
        #expect(item.apiVersion == nil)
        #expect(item.raw == 0..<(pretty.utf8.count - 1))
        let r = try #require(item.records.first)
        #expect(r.kind == .refund && r.amount == 500 && r.charge == "ch_1" && r.reason == "requested_by_customer")
    }

    @Test func arrayOfEventsAndObjects() throws {
        let text = "[\n  \(event(charge(id: "ch_a"), id: "evt_a")),\n  \(charge(id: "ch_b")) ,\n  \(event(charge(id: "ch_c"), id: "evt_c"))\n]\n"
        let input = decode(text)
        #expect(input.problems.isEmpty)
        #expect(input.events.map(\.eventID) == ["evt_a", nil, "evt_c"])
        #expect(input.records.map(\.id) == ["ch_a", "ch_b", "ch_c"])
        #expect(input.events.map(\.line) == [2, 3, 4])
        #expect(rawText(text, input.events[0]) == event(charge(id: "ch_a"), id: "evt_a"))
        #expect(rawText(text, input.events[1]) == charge(id: "ch_b"))
    }

    @Test func listObject() throws {
        let text = #"{"object":"list","url":"/v1/events","has_more":false,"data":["# + event(charge(id: "ch_a"), id: "evt_a")
            + "," + event(charge(id: "ch_b"), id: "evt_b") + "]}"
        let input = decode(text)
        #expect(input.problems.isEmpty)
        #expect(input.events.map(\.eventID) == ["evt_a", "evt_b"])
        #expect(rawText(text, input.events[1]) == event(charge(id: "ch_b"), id: "evt_b"))
    }

    @Test func listOfBareObjects() throws {
        let text = #"{"data":[{"id":"txn_1","object":"balance_transaction","amount":-500,"fee":0,"net":-500,"currency":"eur","type":"refund","source":{"id":"re_9","object":"refund"},"status":"pending","reporting_category":"refund","created":5}],"has_more":true,"object":"list"}"#
        let input = decode(text)
        #expect(input.problems.isEmpty)
        let r = try #require(input.records.first)
        #expect(r.kind == .balanceTransaction && r.amount == -500 && r.net == -500 && r.source == "re_9")
        #expect(r.settlementCurrency == "eur" && r.observedAt == 5)
    }

    @Test func jsonLinesWithBlankLinesAndCRLF() throws {
        let lines = [event(charge(id: "ch_a"), id: "evt_a"), "", event(charge(id: "ch_b"), id: "evt_b"), "   ",
                     event(charge(id: "ch_c"), id: "evt_c")]
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        let input = decode(text, file: "events.jsonl")
        #expect(input.problems.isEmpty)
        #expect(input.events.map(\.line) == [1, 3, 5])
        #expect(input.events.map { rawText(text, $0) } == [lines[0], lines[2], lines[4]])
    }

    @Test func singleLineListIsDecodedAsAList() {
        let text = #"{"object":"list","data":["# + charge(id: "ch_a") + "]}\n"
        let input = decode(text)
        #expect(input.records.map(\.id) == ["ch_a"])
    }

    @Test func expandedLinksGiveTheirIDs() throws {
        let pi = #"{"id":"pi_1","object":"payment_intent","amount":2000,"amount_received":1500,"currency":"usd","status":"succeeded","customer":{"id":"cus_9","object":"customer","email":"x@example.com"},"latest_charge":{"id":"ch_9","object":"charge","amount":1500},"receipt_email":"r@example.com","metadata":{"order":"A-1","invoice_number":"INV-9"},"created":1}"#
        let input = decode(pi, settings: ReconcileSettings(referenceKeys: ["order", "invoice_number"]))
        let r = try #require(input.records.first)
        #expect(r.customer == "cus_9" && r.charge == "ch_9")
        #expect(r.amount == 1500)  // amount_received when positive
        #expect(r.email == "r@example.com")
        #expect(r.reference == "A-1")  // the first reference key in settings order wins
        #expect(input.records.count == 1)  // an expanded charge inside a payment intent is not a record
    }

    @Test func checkoutSessionFields() throws {
        let cs = #"{"id":"cs_1","object":"checkout.session","payment_intent":{"id":"pi_5"},"invoice":"in_5","customer":"cus_5","customer_details":null,"customer_email":"c@example.com","payment_status":"paid","status":"complete","amount_total":4200,"currency":"jpy","metadata":{"invoice_number":"INV-5"},"created":9}"#
        let r = try #require(decode(cs).records.first)
        #expect(r.kind == .checkoutSession && r.paymentIntent == "pi_5" && r.invoice == "in_5" && r.customer == "cus_5")
        #expect(r.email == "c@example.com" && r.status == "paid" && r.amount == 4200 && r.currency == "jpy")
        #expect(r.reference == "INV-5")
    }

    @Test func disputeFeeFromBalanceTransactions() throws {
        let du = #"{"id":"du_1","object":"dispute","amount":1000,"currency":"usd","charge":{"id":"ch_1"},"payment_intent":"pi_1","status":"needs_response","reason":"fraudulent","evidence_details":{"due_by":1800000000,"has_evidence":false},"balance_transactions":[{"id":"txn_a","object":"balance_transaction","amount":-1000,"fee":1500,"currency":"eur"},{"id":"txn_b","object":"balance_transaction","amount":0,"fee":500,"currency":"eur"}],"created":3}"#
        let r = try #require(decode(du).records.first)
        #expect(r.kind == .dispute && r.charge == "ch_1" && r.paymentIntent == "pi_1" && r.dueBy == 1_800_000_000)
        #expect(r.fee == 2000 && r.settlementCurrency == "eur" && r.currency == "usd" && r.reason == "fraudulent")
    }

    @Test func payoutFields() throws {
        let po = #"{"id":"po_1","object":"payout","amount":90000,"currency":"usd","status":"failed","arrival_date":1700100000,"balance_transaction":"txn_p","failure_code":"account_closed","failure_message":"The bank account has been closed","type":"bank_account","created":1}"#
        let r = try #require(decode(po).records.first)
        #expect(r.kind == .payout && r.dueBy == 1_700_100_000 && r.reason == "account_closed" && r.status == "failed")
    }

    @Test func refundFailureReasonWins() throws {
        let re = #"{"id":"pyr_1","object":"refund","amount":100,"currency":"usd","charge":"py_1","payment_intent":"pi_1","status":"failed","reason":"requested_by_customer","failure_reason":"expired_or_canceled_card","balance_transaction":"txn_r","created":1}"#
        let r = try #require(decode(re).records.first)
        #expect(r.reason == "expired_or_canceled_card" && r.balanceTransaction == "txn_r" && r.charge == "py_1")
    }

    @Test func objectWithoutObjectFieldIsKnownByIDPrefix() throws {
        let input = decode(#"{"id":"inpay_1","invoice":"in_1","amount_paid":500,"amount_requested":500,"currency":"usd","status":"paid","payment":{"type":"charge","charge":{"id":"ch_7","object":"charge"}},"created":1}"#)
        let r = try #require(input.records.first)
        #expect(r.kind == .invoicePayment && r.charge == "ch_7" && r.type == "charge" && r.amountPaid == 500)
    }

    /// Over 1 MB of JSON Lines is decoded on two threads; order, lines and problems stay exact.
    @Test func largeJSONLinesKeepOrderAndLinesAcrossThreads() throws {
        var lines: [String] = []
        for n in 1...3000 {
            lines.append(event(charge(id: "ch_\(n)", extra: #","description":"\#(String(repeating: "x", count: 300))""#), id: "evt_\(n)"))
        }
        lines[2499] = "{\"id\":\"evt_broken\",\"object\":\"event\",\"data\":{\"object\":"  // truncated line 2500
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 1 << 20)
        let input = decode(text, file: "big.jsonl")
        #expect(input.events.count == 2999)
        #expect(input.events.map(\.eventID) == (1...3000).filter { $0 != 2500 }.map { "evt_\($0)" })
        #expect(input.events.map(\.line) == (1...3000).filter { $0 != 2500 })
        #expect(input.events.allSatisfy { rawText(text, $0) == lines[$0.line - 1] })
        #expect(input.problems.map(\.line) == [2500])
        #expect(input.problems.first?.kind == .truncatedJSON)
    }
}
