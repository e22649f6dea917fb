import Testing
@testable import LedgerCore

@Suite("Matching rules (DESIGN.md §4)")
struct MatchingTests {
    /// Both API shapes and every §6 link lead rule 1 to the row with that stripe_invoice_id.
    @Test("rule 1: Stripe invoice through each kind of link", arguments: [
        "charge.invoice", "payment_intent.invoice", "invoice.charge", "invoice.payment_intent",
        "invoice_payment.charge", "invoice_payment.payment_intent", "checkout_session.invoice",
    ])
    func ruleOneLinks(link: String) {
        var s = Scenario()
        s.row("INV-1", "500.00", customer: "cus_other", stripeInvoice: "in_1")
        var ch = charge("ch_1", 50_000, customer: "cus_1", intent: "pi_1")
        let pi = record(.paymentIntent, "pi_1", status: "succeeded", amount: 50_000) {
            $0.charge = "ch_1"
            if link == "payment_intent.invoice" { $0.invoice = "in_1" }
        }
        var inv = stripeInvoice("in_1", status: "paid", total: 50_000, amountPaid: 50_000)
        switch link {
        case "charge.invoice": ch.invoice = "in_1"
        case "invoice.charge": inv.charge = "ch_1"
        case "invoice.payment_intent": inv.paymentIntent = "pi_1"
        case "invoice_payment.charge":
            s.add(record(.invoicePayment, "inpay_1", status: "paid") { $0.invoice = "in_1"; $0.charge = "ch_1" })
        case "invoice_payment.payment_intent":
            s.add(record(.invoicePayment, "inpay_1", status: "paid") { $0.invoice = "in_1"; $0.paymentIntent = "pi_1" })
        case "checkout_session.invoice":
            s.add(record(.checkoutSession, "cs_1", status: "complete") { $0.invoice = "in_1"; $0.paymentIntent = "pi_1" })
        default: break
        }
        s.add(ch, pi, inv)
        let r = s.run()
        let row = s.state("INV-1", in: r)
        #expect(row?.status == .paid)
        #expect(row?.matchRule == .stripeInvoice)
        #expect(row?.paymentIDs == ["ch_1"])
        // Summary and object counted once: the invoice's amount_paid is the charge's money.
        #expect(row?.amountPaid == 50_000)
        #expect(r.payment("in_1") == nil)
        #expect(r.payment("ch_1")?.stripeInvoiceID == "in_1")
    }

    @Test("rule 2: reference on charge, intent, session or Stripe invoice number; trimmed, case-insensitive",
          arguments: ["charge", "intent", "session", "invoice_reference", "invoice_number"])
    func ruleTwo(source: String) {
        var s = Scenario()
        s.row("INV-2026-0042", "120.00")
        var ch = charge("ch_1", 12_000, intent: "pi_1")
        var pi = record(.paymentIntent, "pi_1", status: "succeeded", amount: 12_000) { $0.charge = "ch_1" }
        let ref = "  inv-2026-0042 "
        switch source {
        case "charge": ch.reference = ref
        case "intent": pi.reference = ref
        case "session": s.add(record(.checkoutSession, "cs_1", status: "complete") { $0.paymentIntent = "pi_1"; $0.reference = ref })
        case "invoice_reference":
            ch.invoice = "in_9"
            s.add(stripeInvoice("in_9", status: "paid", total: 12_000) ) 
            var inv = stripeInvoice("in_9", status: "paid", total: 12_000, at: t0 + 1)
            inv.reference = ref
            s.add(inv)
        default:
            ch.invoice = "in_9"
            s.add(stripeInvoice("in_9", status: "paid", total: 12_000, number: "INV-2026-0042"))
        }
        s.add(ch, pi)
        let r = s.run()
        #expect(s.state("INV-2026-0042", in: r)?.status == .paid)
        #expect(s.state("INV-2026-0042", in: r)?.matchRule == .reference)
        #expect(r.payment("ch_1")?.invoiceNumbers == ["INV-2026-0042"])
        #expect(r.payment("ch_1")?.flag == nil)
    }

    @Test("rules 1–2 apply a different amount: less → partially_paid, more → overpaid (flagged)",
          arguments: [(30_000 as Int64, InvoiceStatus.partiallyPaid, nil as Flag?, 20_000 as Int64),
                      (50_000, .paid, nil, 0), (70_000, .overpaid, .overpaid, 0)])
    func strongRulesDifferentAmount(amount: Int64, status: InvoiceStatus, flag: Flag?, balance: Int64) {
        for viaReference in [false, true] {
            var s = Scenario()
            s.row("INV-1", "500.00", stripeInvoice: "in_1")
            s.add(viaReference ? charge("ch_1", amount, reference: "INV-1") : charge("ch_1", amount, invoice: "in_1"))
            let row = s.state("INV-1", in: s.run())
            #expect(row?.status == status)
            #expect(row?.flag == flag)
            #expect(row?.balanceDue == balance)
            #expect(row?.amountPaid == amount)
        }
    }

    @Test("rule 3: exact open balance of the customer, oldest by due_date, issue_date, invoice_number",
          arguments: [
            // (rows as (number, due, issue), expected winner)
            ([("B", "2026-06-01", "2026-01-01"), ("A", "2026-07-01", "2026-01-01")], "B"),
            ([("B", "2026-06-01", "2026-02-01"), ("A", "2026-06-01", "2026-01-01")], "A"),
            ([("B", "2026-06-01", "2026-01-01"), ("A", "2026-06-01", "2026-01-01")], "A"),
            ([("B", "", ""), ("A", "2026-06-01", "")], "A"),
          ])
    func ruleThreeOldest(rows: [(String, String, String)], winner: String) {
        var s = Scenario()
        for (n, due, issue) in rows { s.row(n, "100.00", customer: "cus_1", due: due, issue: issue) }
        s.add(charge("ch_1", 10_000, customer: "cus_1"))
        let r = s.run()
        #expect(s.state(winner, in: r)?.status == .paid)
        #expect(s.state(winner, in: r)?.matchRule == .customerAmount)
        #expect(r.invoices.filter { $0.status == .open }.count == rows.count - 1)
    }

    @Test("rule 3: installments are taken oldest first, in the order of the payments' created then id")
    func installmentsInOrder() {
        var s = Scenario()
        s.row("I-3", "100.00", email: "Pat@Example.com", due: "2026-08-01")
        s.row("I-1", "100.00", email: "pat@example.com", due: "2026-06-01")
        s.row("I-2", "100.00", email: "pat@example.com", due: "2026-07-01")
        s.add(charge("ch_b", 10_000, at: t0 + 10, email: " PAT@example.com"),
              charge("ch_a", 10_000, at: t0 + 10, email: "pat@example.com"),
              charge("ch_0", 10_000, at: t0, email: "pat@example.com"))
        let r = s.run()
        #expect(s.state("I-1", in: r)?.paymentIDs == ["ch_0"])
        #expect(s.state("I-2", in: r)?.paymentIDs == ["ch_a"])
        #expect(s.state("I-3", in: r)?.paymentIDs == ["ch_b"])
        #expect(s.state("I-1", in: r)?.paidAt == t0)
    }

    @Test("rule 3 names a row's customer by stripe_customer_id when it has one, else by email")
    func customerKey() {
        var s = Scenario()
        s.row("WITH-ID", "100.00", customer: "cus_other", email: "pat@example.com")
        s.add(charge("ch_1", 10_000, email: "pat@example.com"))
        let r = s.run()
        #expect(s.state("WITH-ID", in: r)?.status == .open)
        #expect(r.payment("ch_1")?.flag == .unmatchedPayment)
    }

    @Test("rule 3 never applies an amount that differs from every open balance")
    func ruleThreeExactOnly() {
        var s = Scenario()
        s.row("INV-1", "100.00", customer: "cus_1")
        s.row("INV-2", "250.00", customer: "cus_1")
        s.add(charge("ch_1", 9_999, customer: "cus_1"))
        let r = s.run()
        #expect(r.invoices.allSatisfy { $0.status == .open && $0.amountPaid == 0 })
        #expect(r.payment("ch_1")?.flag == .unmatchedPayment)
        #expect(r.payment("ch_1")?.invoiceNumbers == [])
        #expect(r.payment("ch_1")?.flagDetail.contains("99.99 USD") == true)
    }

    @Test("rule 3 subsets: smallest unique set of 2–5 settles all; two sets of that size are ambiguous",
          arguments: [
            // balances, payment, expected paid rows (nil = ambiguous)
            ([100, 200, 400], 300, ["R0", "R1"] as [String]?),
            ([100, 200, 300, 600], 600, ["R3"]),              // single exact row beats any subset
            ([100, 200, 300, 50], 500, ["R1", "R2"]),         // size 2 unique (200+300), size 3 ignored
            ([100, 200, 300, 400], 500, nil),                 // 100+400 and 200+300: ambiguous
            ([100, 100, 300], 400, nil),                      // two rows of 100 make two sets
            ([10, 20, 30, 40, 50, 1000], 150, ["R0", "R1", "R2", "R3", "R4"]),
            ([10, 20, 30, 40, 50, 60], 1000, []),             // nothing sums: unmatched
          ] as [([Int64], Int64, [String]?)])
    func subsets(balances: [Int64], payment: Int64, expected: [String]?) {
        var s = Scenario()
        for (i, b) in balances.enumerated() {
            s.row("R\(i)", Money.decimalString(b * 100, exponent: 2), customer: "cus_1", due: "2026-06-\(10 + i)")
        }
        s.add(charge("ch_1", payment * 100, customer: "cus_1"))
        let r = s.run()
        let paid = s.invoices.indices.filter { r.invoices[$0].status == .paid }.map { s.invoices[$0].invoiceNumber }
        if let expected {
            #expect(paid == expected)
            #expect(r.payment("ch_1")?.invoiceNumbers == expected)
            #expect(r.payment("ch_1")?.flag == (expected.isEmpty ? .unmatchedPayment : nil))
        } else {
            #expect(paid.isEmpty)
            #expect(r.payment("ch_1")?.flag == .ambiguousMatch)
            #expect(r.payment("ch_1")?.flagDetail.contains("R") == true)
        }
    }

    @Test("a charge of a Stripe invoice no row has: unknown_invoice, never rule 3")
    func unknownInvoice() {
        var s = Scenario()
        s.row("INV-1", "100.00", customer: "cus_1")
        s.add(charge("ch_1", 10_000, customer: "cus_1", invoice: "in_404"))
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .open)
        #expect(r.payment("ch_1")?.flag == .unknownInvoice)
        #expect(r.payment("ch_1")?.flagDetail.contains("in_404") == true)
    }

    @Test("a Stripe invoice's number finds the row by rule 2 when no row has its id")
    func invoiceNumberFallback() {
        var s = Scenario()
        s.row("INV-7", "100.00")
        s.add(charge("ch_1", 10_000, invoice: "in_7"), stripeInvoice("in_7", status: "paid", total: 10_000, number: "inv-7"))
        let r = s.run()
        #expect(s.state("INV-7", in: r)?.matchRule == .reference)
        #expect(s.state("INV-7", in: r)?.status == .paid)
    }

    @Test("the Stripe-invoice link wins over an earlier rule-3 match once it arrives")
    func linkArrivesLater() {
        var s = Scenario()
        s.row("A", "100.00", customer: "cus_1", due: "2026-06-01")
        s.row("B", "100.00", customer: "cus_1", stripeInvoice: "in_b", due: "2026-07-01")
        s.add(charge("ch_1", 10_000, customer: "cus_1"))
        var r = s.run()
        #expect(s.state("A", in: r)?.status == .paid)
        s.add(record(.invoicePayment, "inpay_1", at: t0 + 5, status: "paid") { $0.invoice = "in_b"; $0.charge = "ch_1" })
        r = s.run()
        #expect(s.state("A", in: r)?.status == .open)
        #expect(s.state("B", in: r)?.status == .paid)
        #expect(s.state("B", in: r)?.matchRule == .stripeInvoice)
    }

    @Test("another currency is never applied: currency_mismatch on row and payment")
    func currencyMismatch() {
        var s = Scenario()
        s.row("INV-1", "100.00", currency: "EUR")
        s.add(charge("ch_1", 10_000, currency: "usd", reference: "INV-1"))
        let r = s.run()
        let row = s.state("INV-1", in: r)
        #expect(row?.status == .open)
        #expect(row?.amountPaid == 0)
        #expect(row?.flag == .currencyMismatch)
        #expect(r.payment("ch_1")?.flag == .currencyMismatch)
        #expect(r.payment("ch_1")?.invoiceNumbers == [])
    }

    @Test("zero- and three-decimal currencies keep ledger minor units")
    func exponents() {
        var s = Scenario()
        s.row("J", "5000", currency: "JPY", customer: "cus_j")
        s.row("K", "12.500", currency: "kwd", customer: "cus_k")
        s.add(charge("ch_j", 5_000, currency: "jpy", customer: "cus_j"), charge("ch_k", 12_500, currency: "kwd", customer: "cus_k"))
        let r = s.run()
        #expect(s.state("J", in: r)?.status == .paid)
        #expect(s.state("K", in: r)?.status == .paid)
        s.add(refund("re_k", of: "ch_k", 2_500, at: t0 + 50))
        let r2 = s.run()
        #expect(s.state("K", in: r2)?.amountRefunded == 2_500)
        #expect(s.state("K", in: r2)?.trail.contains { $0.contains("2.500 KWD") } == true)
    }

    @Test("rule 3 finds the payer's email on the Stripe customer record when the charge has none")
    func emailFromCustomerRecord() {
        var s = Scenario()
        s.row("INV-1", "80.00", email: "Sam@Example.com")
        s.add(charge("ch_1", 8_000, customer: "cus_9"), record(.customer, "cus_9", currency: nil) { $0.email = "sam@example.com" })
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .paid)
        #expect(r.payment("ch_1")?.email == "sam@example.com")
    }

    @Test("a refund without a currency takes its charge's")
    func refundCurrencyFromCharge() {
        var s = Scenario()
        s.row("INV-1", "80.00")
        var re = refund("re_1", of: "ch_1", 8_000, at: t0 + 5)
        re.currency = nil
        s.add(charge("ch_1", 8_000, reference: "INV-1"), re)
        let r = s.run()
        #expect(s.state("INV-1", in: r)?.status == .refunded)
        #expect(r.notes.isEmpty)
    }
}
