import LedgerCore
import StripeData
import Testing

/// Both Stripe API shapes: before 2025-03-31 (`charge.invoice`, `invoice.charge`,
/// `invoice.payment_intent`, `paid_out_of_band`) and from `2025-03-31.basil` on
/// (`invoice.payments` of `invoice_payment` objects, no `charge.invoice`).
@Suite struct StripeJSONAPIShapeTests {
    @Test func beforeBasilChargeCarriesItsInvoiceAndRefunds() throws {
        let ch = #"{"id":"ch_old","object":"charge","amount":5000,"amount_captured":5000,"amount_refunded":1500,"captured":true,"currency":"usd","invoice":{"id":"in_old","object":"invoice","number":"X-1"},"status":"succeeded","refunds":{"object":"list","data":[{"id":"re_a","object":"refund","amount":1000,"currency":"usd","charge":"ch_old","status":"succeeded","created":11},{"id":"re_b","object":"refund","amount":500,"currency":"usd","charge":"ch_old","status":"pending","created":12}],"has_more":false},"created":10}"#
        let input = decode(event(ch, type: "charge.refunded", apiVersion: "2024-06-20"))
        #expect(input.problems.isEmpty)
        let records = input.records
        #expect(records.map(\.kind) == [.charge, .refund, .refund])
        #expect(records.map(\.id) == ["ch_old", "re_a", "re_b"])
        #expect(records[0].invoice == "in_old" && records[0].amountRefunded == 1500)
        #expect(records[1].eventID == "evt_1" && records[1].observedAt == 1_700_000_000 && records[1].created == 11)
        #expect(records[2].status == "pending" && records[2].livemode == false)
    }

    @Test func beforeBasilInvoiceLinksChargeAndPaymentIntent() throws {
        let inv = #"{"id":"in_old","object":"invoice","number":"INV-0001","status":"paid","customer":"cus_1","customer_email":"billing@example.com","currency":"eur","total":12000,"amount_due":12000,"amount_paid":12000,"charge":"ch_old","payment_intent":{"id":"pi_old","object":"payment_intent"},"paid":true,"paid_out_of_band":false,"metadata":{"invoice_number":"REF-7"},"lines":{"object":"list","data":[{"id":"il_1","amount":12000,"currency":"eur"}]},"created":20}"#
        let input = decode(event(inv, type: "invoice.paid", apiVersion: "2024-06-20"))
        let records = input.records
        try #require(records.count == 1)
        let r = records[0]
        #expect(r.kind == .invoice && r.number == "INV-0001" && r.status == "paid" && r.email == "billing@example.com")
        #expect(r.total == 12000 && r.amountDue == 12000 && r.amountPaid == 12000)
        #expect(r.charge == "ch_old" && r.paymentIntent == "pi_old" && r.paidOutOfBand == false && r.reference == "REF-7")
    }

    @Test func basilInvoiceEmbedsInvoicePayments() throws {
        let inv = #"{"id":"in_new","object":"invoice","number":"INV-0002","status":"paid","customer":"cus_2","currency":"usd","total":9000,"amount_due":9000,"amount_paid":9000,"amount_overpaid":0,"payments":{"object":"list","data":[{"id":"inpay_1","object":"invoice_payment","invoice":"in_new","amount_paid":4000,"amount_requested":4000,"currency":"usd","status":"paid","is_default":false,"payment":{"type":"payment_intent","payment_intent":"pi_a"},"created":31},{"id":"inpay_2","object":"invoice_payment","invoice":"in_new","amount_paid":null,"amount_requested":5000,"currency":"usd","status":"open","payment":{"type":"charge","charge":{"id":"ch_b","object":"charge"}},"created":32}],"has_more":false},"created":30}"#
        let input = decode(event(inv, type: "invoice.paid", apiVersion: "2025-03-31.basil"))
        #expect(input.problems.isEmpty)
        let records = input.records
        #expect(records.map(\.kind) == [.invoice, .invoicePayment, .invoicePayment])
        #expect(records[0].charge == nil && records[0].paymentIntent == nil && records[0].paidOutOfBand == nil)
        #expect(records[1].paymentIntent == "pi_a" && records[1].type == "payment_intent" && records[1].amountPaid == 4000)
        #expect(records[2].charge == "ch_b" && records[2].amountPaid == nil && records[2].amount == 5000)
        #expect(records[2].invoice == "in_new" && records[2].created == 32)
        #expect(input.events.first?.apiVersion == "2025-03-31.basil")
    }

    @Test func basilChargeHasNoInvoice() throws {
        let r = try #require(decode(event(charge(), apiVersion: "2025-03-31.basil")).records.first)
        #expect(r.invoice == nil && r.kind == .charge)
    }

    @Test func invoicePaymentPaidEvent() throws {
        let ip = #"{"id":"inpay_9","object":"invoice_payment","invoice":"in_9","amount_paid":700,"amount_requested":700,"currency":"gbp","status":"paid","payment":{"type":"payment_intent","payment_intent":{"id":"pi_9","object":"payment_intent"}},"status_transitions":{"paid_at":1700000500,"canceled_at":null},"created":1700000400}"#
        let input = decode(event(ip, type: "invoice_payment.paid", created: 1_700_000_600))
        let r = try #require(input.records.first)
        #expect(r.paymentIntent == "pi_9" && r.created == 1_700_000_400 && r.observedAt == 1_700_000_600)
    }
}

/// API minor units → ledger minor units for currencies whose exponents differ.
@Suite struct StripeJSONCurrencyTests {
    @Test(arguments: [
        ("usd", 1250, 1250),
        ("jpy", 1000, 1000),      // zero-decimal: the API's integer is yen
        ("kwd", 5120, 5120),      // three decimals in both
        ("isk", 55000, 550),      // the API sends ISK in hundredths ending in 00
        ("ugx", 300, 3),
        ("USD", 1, 1),            // codes are matched case-insensitively
    ] as [(String, Int64, Int64)])
    func converts(_ code: String, _ api: Int64, _ ledger: Int64) throws {
        let r = try #require(decode(charge(amount: "\(api)", currency: "\"\(code)\"")).records.first)
        #expect(r.amount == ledger && r.amountCaptured == ledger && r.amountRefunded == 0)
        #expect(r.currency == code.lowercased())
    }

    @Test func iskAmountTheLedgerCannotHold() throws {
        let input = decode(event(charge(amount: "550", currency: "\"isk\"")) + "\n" + event(charge(id: "ch_2"), id: "evt_2") + "\n",
                           file: "isk.jsonl")
        #expect(input.records.map(\.id) == ["ch_2"])  // the rest applies
        let p = try #require(input.problems.first)
        #expect(p.kind == .amountNotWhole && p.line == 1)
        #expect(p.description == "isk.jsonl line 1: charge ch_1: amount 550 in ISK is not a whole number of ISK (Stripe sends ISK in hundredths ending in 00); this item was skipped — check it in the Stripe Dashboard")
    }

    @Test func unknownCurrency() throws {
        let p = try #require(decode(charge(currency: "\"xyz\"")).problems.first)
        #expect(p.kind == .unknownCurrency)
        #expect(p.message == "charge ch_1: currency 'xyz' is not an ISO 4217 code; this item was skipped — check it in the Stripe Dashboard")
    }

    @Test func currencyThatIsFreeTextIsNotQuoted() throws {
        let p = try #require(decode(charge(currency: "\"Jane Doe, 1 Main St\"")).problems.first)
        #expect(p.message == "charge ch_1: currency (a value that is not a code) is not an ISO 4217 code; this item was skipped — check it in the Stripe Dashboard")
    }

    @Test func amountsWithoutCurrency() throws {
        let p = try #require(decode(charge(currency: "null")).problems.first)
        #expect(p.kind == .missingCurrency)
        #expect(p.message == "charge ch_1 has amounts but no currency; this item was skipped — give it as Stripe sends it")
    }
}
