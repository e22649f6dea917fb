import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Broken inputs are rejected with a message naming the file and place; everything else still applies.
@Suite(.serialized)
struct ImportInputTests {
    static let events = EndToEndTests.samples.appendingPathComponent("events").path

    static func freshLedger() throws -> TempDir {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: EndToEndTests.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        return dir
    }

    @Test func brokenFilesAreRejectedAndTheRestApplies() throws {
        let dir = try Self.freshLedger()
        try dir.write("bad/truncated.json", "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"id\":\"ch_1\"")
        try Data([0x00, 0x01, 0xFF, 0xFE, 0x7B, 0x00]).write(to: dir.url.appendingPathComponent("bad/binary.json"))
        try dir.write("bad/notjson.csv.json", "hello,world\n")
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--json", dir.path("bad"), Self.events])
        #expect(result.status == 1)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let problems = (summary["problems"] as? [String]) ?? []
        #expect(problems.contains { $0.contains("truncated.json") }, "\(problems)")
        #expect(problems.contains { $0.contains("binary.json") }, "\(problems)")
        #expect(problems.contains { $0.contains("notjson.csv.json") && $0.contains("not a Stripe export LedgerSync reads") && $0.contains("give Stripe JSON") }, "\(problems)")
        #expect((summary["newItems"] as? Int ?? 0) > 20, "the good files still applied")
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        #expect(ledger.column("status").contains("paid"))
    }

    @Test func recordsOfTheOtherModeAreRejected() throws {
        let dir = try Self.freshLedger()
        let first = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        #expect(first.status <= 1)
        let live = """
        {"id":"evt_live_1","object":"event","type":"charge.succeeded","created":1767225600,"livemode":true,"api_version":"2024-06-20",
         "data":{"object":{"id":"ch_live_1","object":"charge","amount":1000,"amount_captured":1000,"amount_refunded":0,"captured":true,"paid":true,
         "status":"succeeded","currency":"usd","created":1767225600,"livemode":true,"metadata":{}}}}
        """
        try dir.write("live.json", live)
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("live.json")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("live.json line 1: evt_live_1 is a live-mode record but"), "\(result.stderr)")
        #expect(result.stderr.contains("is bound to test mode; import it into a live-mode ledger (mode_mismatch)"))
        #expect(!(try dir.read("ledger.payments.csv")).contains("ch_live_1"))

        // A test-mode event carrying a live-mode object is not as Stripe sends it: refused too.
        try dir.write("mixed.json", live.replacingOccurrences(of: "evt_live_1", with: "evt_mixed_1")
            .replacingOccurrences(of: "ch_live_1", with: "ch_mixed_1")
            .replacingOccurrences(of: #""created":1767225600,"livemode":true,"api_version""#, with: #""created":1767225600,"livemode":false,"api_version""#))
        let mixed = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("mixed.json")])
        #expect(mixed.status == 1 && mixed.stderr.contains("evt_mixed_1 is a test-mode event whose object ch_mixed_1 is live-mode"), "\(mixed.stderr)")
        #expect(!(try dir.read("ledger.payments.csv")).contains("ch_mixed_1"))
    }

    @Test func resolveMatchesUnmatchesAndAccepts() throws {
        let dir = try Self.freshLedger()
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        let payments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        let flagIndex = try #require(payments.header.firstIndex(of: "flag"))
        let idIndex = try #require(payments.header.firstIndex(of: "stripe_id"))
        let unmatched = try #require(payments.rows.first { $0[flagIndex] == "unmatched_payment" }?[idIndex], "the sample has an unmatched payment")
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        let openRow = try #require(ledger.rows.first { $0[ledger.header.firstIndex(of: "status")!] == "open" && $0[ledger.header.firstIndex(of: "flag")!] == "" })
        let invoice = openRow[ledger.header.firstIndex(of: "invoice_number")!]

        let matched = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), unmatched, "--invoice", invoice])
        #expect(matched.status == 0, "\(matched.stderr)")
        var after = try LedgerCSV(dir.path("ledger.csv"))
        #expect(after.row(invoice)?["match_rule"] == "manual")
        #expect(after.row(invoice)?["payment_ids"]?.contains(unmatched) == true)

        // A later import never undoes a person's decision.
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        after = try LedgerCSV(dir.path("ledger.csv"))
        #expect(after.row(invoice)?["match_rule"] == "manual")

        let undone = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), "--unmatch", unmatched])
        #expect(undone.status == 0)
        after = try LedgerCSV(dir.path("ledger.csv"))
        #expect(after.row(invoice)?["payment_ids"]?.contains(unmatched) == false)
        #expect(try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id").row(unmatched)?["flag"] == "unmatched_payment")

        let flagged = try #require(after.rows.first { !$0[after.header.firstIndex(of: "flag")!].isEmpty && $0[after.header.firstIndex(of: "flag")!] != "invalid_row" })
        let flaggedNumber = flagged[after.header.firstIndex(of: "invoice_number")!]
        let accepted = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), "--accept", flaggedNumber, "--note", "agreed by phone"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        after = try LedgerCSV(dir.path("ledger.csv"))
        #expect(after.row(flaggedNumber)?["flag"] == "")
        #expect(after.row(flaggedNumber)?["flag_detail"]?.contains("agreed by phone") == true)

        let wrong = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), "ch_doesnotexist", "--invoice", invoice])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("no payment 'ch_doesnotexist' is known"))
    }

    /// Decisions that cannot mean what they say are refused (exit 2) and nothing is recorded.
    @Test func resolveRefusesDecisionsThatCannotHold() throws {
        let dir = try Self.freshLedger()
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        let payments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        let flagIndex = try #require(payments.header.firstIndex(of: "flag"))
        let idIndex = try #require(payments.header.firstIndex(of: "stripe_id"))
        let unmatched = try #require(payments.rows.first { $0[flagIndex] == "unmatched_payment" }?[idIndex])
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        let status = try #require(ledger.header.firstIndex(of: "status")), number = try #require(ledger.header.firstIndex(of: "invoice_number"))
        let flag = try #require(ledger.header.firstIndex(of: "flag"))
        let open = ledger.rows.filter { $0[status] == "open" && $0[flag] == "" }.map { $0[number] }
        let invalid = try #require(ledger.rows.first { $0[flag] == "invalid_row" }?[number])
        let kindIndex = try #require(payments.header.firstIndex(of: "kind"))
        let refund = try #require(payments.rows.first { $0[kindIndex] == "refund" }?[idIndex])
        let journal = try dir.bytes("ledger.ledgersync/journal.jsonl")
        let cases: [([String], String)] = [
            ([unmatched, "--invoice", open[0] + "=-5", "--invoice", open[1]], "must be more than zero"),
            ([unmatched, "--invoice", open[0] + "=0"], "must be more than zero"),
            ([unmatched, "--invoice", open[0], "--invoice", open[1]], "more than one --invoice without an amount"),
            ([unmatched, "--invoice", open[0] + "=1", "--invoice", open[0]], "given twice"),
            ([unmatched, "--invoice", open[0], "--invoice", open[0].lowercased()], "given twice"),
            ([unmatched, "--invoice", open[0] + "=1", "--invoice", open[1] + "=2"], "on no row; give one row no amount"),
            ([unmatched, "--invoice", open[0] + "=999.00", "--invoice", open[1]], "leaving nothing for"),
            ([refund, "--invoice", open[0]], "not a payment: it follows its charge"),
            (["--accept", invalid, "--note", "x"], "invalid_row, which cannot be accepted"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv")] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try dir.bytes("ledger.ledgersync/journal.jsonl") == journal, "a refused decision is not recorded")
    }

    /// The ledger's own files are never Stripe input nor an export's output.
    @Test func theLedgersOwnFilesAreNeitherInputNorOutput() throws {
        let dir = try Self.freshLedger()
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        let payments = try dir.bytes("ledger.payments.csv")
        for out in ["ledger.payments.csv", "ledger.ledgersync/state.tsv"] {
            let result = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--csv", dir.path(out)])
            #expect(result.status == 2, "\(out): \(result.stderr)")
            #expect(result.stderr.contains("one of the ledger's own files"), "\(result.stderr)")
        }
        #expect(try dir.bytes("ledger.payments.csv") == payments)
        // A folder holding the ledger: its tables and side folder are skipped, so nothing is rejected.
        let again = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--json", dir.url.path])
        #expect(!again.stdout.contains("journal.jsonl") && !again.stdout.contains("settings.json"), "\(again.stdout)")
    }

    /// A charge paid in euros and settled in dollars is a charge of euros, whichever export tells of it:
    /// the balance exports' gross is the settled amount, their customer-facing columns the charge's.
    @Test func chargesPaidInAnotherCurrencyCountInThatCurrency() throws {
        let header = "invoice_number,customer_name,customer_email,stripe_customer_id,stripe_invoice_id,program,currency,amount_due,issue_date,due_date,description,notes,status_override\n"
        let ledger = header + """
        INV-FX-1,Ana Lima,ana@example.com,cus_FXone,,Design,EUR,100.00,2026-03-01,2026-03-31,Tuition,,
        INV-FX-2,Ben Ode,ben@example.com,cus_FXtwo,,Design,EUR,200.00,2026-03-01,2026-03-31,Tuition,,

        """
        let itemized = """
        balance_transaction_id,created_utc,charge_id,currency,gross,fee,net,reporting_category,customer_facing_amount,customer_facing_currency,customer_id,payment_metadata[invoice_number]
        txn_FX1,2026-03-05 10:00:00,ch_FX1,usd,108.00,3.43,104.57,charge,100.00,eur,cus_FXone,INV-FX-1

        """
        let history = """
        id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC)
        txn_FX2,charge,ch_FX2,216.00,6.56,209.44,usd,2026-03-06 10:00,2026-03-13 00:00,Tuition,200.00,eur,po_FX1,2026-03-13 00:00

        """
        let payments = """
        id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Currency,Status,Customer ID,invoice_number (metadata)
        ch_FX2,2026-03-06 10:00:00,200.00,0.00,eur,true,216.00,usd,Paid,cus_FXtwo,INV-FX-2

        """
        var ledgers: [Data] = []
        for order in [["itemized.csv", "history.csv", "payments.csv"], ["payments.csv", "history.csv", "itemized.csv"]] {
            let dir = try TempDir()
            try dir.write("ledger.csv", ledger)
            try dir.write("itemized.csv", itemized)
            try dir.write("history.csv", history)
            try dir.write("payments.csv", payments)
            for file in order {
                let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path(file)])
                #expect(result.status <= 1, "\(file): \(result.stderr)")
            }
            let rows = try LedgerCSV(dir.path("ledger.csv"))
            for (number, paid) in [("INV-FX-1", "100.00"), ("INV-FX-2", "200.00")] {
                let row = try #require(rows.row(number))
                #expect(row["status"] == "paid" && row["amount_paid"] == paid && row["flag"] == "", "\(order) \(number): \(row)")
            }
            let lines = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
            for (id, amount) in [("ch_FX1", "100.00"), ("ch_FX2", "200.00")] {
                let line = try #require(lines.row(id))
                #expect(line["currency"] == "eur" && line["amount"] == amount && line["settlement_currency"] == "usd", "\(order) \(id): \(line)")
            }
            #expect(lines.row("ch_FX2")?["net"] == "209.44" && lines.row("ch_FX2")?["payout_id"] == "po_FX1")
            ledgers.append(try dir.bytes("ledger.csv"))
        }
        #expect(ledgers[0] == ledgers[1], "the order of the exports changes nothing")
    }

    /// A refund told by the Payments export (Amount Refunded) and by the itemized balance report (its
    /// refund row names the charge) is one refund: one payment line, counted once on the row.
    @Test func aRefundInTwoExportsIsOneLine() throws {
        let payments = """
        id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,invoice_number (metadata)
        ch_RF5,2026-03-05 10:00:00,100.00,50.00,usd,true,Partially Refunded,cus_RF,INV-RF-1

        """
        let itemized = """
        balance_transaction_id,created_utc,charge_id,source_id,currency,gross,fee,net,reporting_category
        txn_RFc,2026-03-05 10:00:00,ch_RF5,ch_RF5,usd,100.00,3.20,96.80,charge
        txn_RFr,2026-03-06 10:00:00,ch_RF5,re_RF5,usd,-50.00,0.00,-50.00,refund

        """
        for order in [["payments.csv", "itemized.csv"], ["itemized.csv", "payments.csv"]] {
            let dir = try TempDir()
            try dir.write("ledger.csv", "invoice_number,currency,amount_due,stripe_customer_id\nINV-RF-1,usd,100.00,cus_RF\n")
            try dir.write("payments.csv", payments)
            try dir.write("itemized.csv", itemized)
            for file in order {
                let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path(file)])
                #expect(result.status == 0, "\(file): \(result.stderr)")
            }
            let row = try #require(try LedgerCSV(dir.path("ledger.csv")).row("INV-RF-1"))
            #expect(row["status"] == "partially_refunded" && row["amount_refunded"] == "50.00", "\(order): \(row)")
            let lines = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
            #expect(lines.column("stripe_id").sorted() == ["ch_RF5", "re_RF5"], "\(order): \(lines.rows)")
            #expect(lines.row("re_RF5")?["amount"] == "-50.00" && lines.row("re_RF5")?["charge_id"] == "ch_RF5")
        }
    }

    /// `status --as-of` shows each record as it stood that day: a Stripe invoice voided on 2026-03-05
    /// (INV-2026-0025) and one marked uncollectible on 2026-04-12 (INV-2026-0026) are neither the day before.
    @Test func statusAsOfADayShowsWhatWasTrueThen() throws {
        let dir = try Self.freshLedger()
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        func statuses(_ day: String) throws -> [String: Int] {
            let result = try CLI.run(["status", "--ledger", dir.path("ledger.csv"), "--as-of", day, "--json"])
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return try #require(summary["statuses"] as? [String: Int])
        }
        let beforeVoid = try statuses("2026-03-04"), voided = try statuses("2026-03-05")
        #expect(voided["void", default: 0] == beforeVoid["void", default: 0] + 1, "\(beforeVoid) → \(voided)")
        let beforeUncollectible = try statuses("2026-04-11"), uncollectible = try statuses("2026-04-12")
        #expect(uncollectible["uncollectible", default: 0] == beforeUncollectible["uncollectible", default: 0] + 1,
                "\(beforeUncollectible) → \(uncollectible)")
        // Rows not issued yet are not there, not even as candidates: ch_3Rrxa2… (800.00) pays INV-2026-0013 and
        // -0014 as of 2026-03-10 (INV-2026-0016, issued 2026-03-31, made it ambiguous).
        let early = try CLI.run(["status", "--ledger", dir.path("ledger.csv"), "--as-of", "2026-03-10", "--json"])
        #expect(!early.stdout.contains("ambiguous_match"), "\(early.stdout.prefix(400))")
        // Without the side folder, the decisions the payments table holds still count as of a later day.
        let unmatched = "ch_3R7ahYe71lHFE8l6OvPqMznp"
        #expect(try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), unmatched, "--invoice", "INV-2026-0029=500", "--invoice", "INV-2026-0030"]).status == 0)
        try FileManager.default.removeItem(atPath: dir.path("ledger.ledgersync"))
        let now = try CLI.run(["status", "--ledger", dir.path("ledger.csv"), "--json"])
        let today = try #require(try JSONSerialization.jsonObject(with: Data(now.stdout.utf8)) as? [String: Any])
        #expect(try statuses("2030-01-01") == today["statuses"] as? [String: Int])
    }

    /// Snapshots of one charge from several doors count what happened, in any order: a refund that
    /// failed returned nothing; an export's "Captured" captures an authorisation, but never turns a
    /// partial capture into the whole amount.
    @Test func snapshotsOfOneChargeCountWhatHappened() throws {
        func charge(_ id: String, amount: Int, captured: Int, isCaptured: Bool, refunded: Int = 0) -> String {
            #"{"id":"\#(id)","object":"charge","amount":\#(amount),"amount_captured":\#(captured),"amount_refunded":\#(refunded),"captured":\#(isCaptured),"paid":true,"status":"succeeded","currency":"usd","customer":"cus_A","created":1770000000,"livemode":false,"metadata":{"invoice_number":"INV-1"}}"#
        }
        func event(_ id: String, _ type: String, at time: Int, _ object: String) -> String {
            #"{"id":"\#(id)","object":"event","type":"\#(type)","created":\#(time),"livemode":false,"api_version":"2024-06-20","data":{"object":\#(object)}}"#
        }
        func refund(_ status: String) -> String {
            #"{"id":"re_1","object":"refund","amount":60000,"currency":"usd","charge":"ch_1","status":"\#(status)","created":1770100000,"metadata":{}}"#
        }
        let export = { (id: String, amount: String) in
            "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,invoice_number (metadata)\n\(id),2026-02-02 02:40:00,\(amount),0.00,usd,true,Paid,cus_A,INV-1\n"
        }
        let cases: [(name: String, due: String, files: [(String, String)], status: String, paid: String, refunded: String)] = [
            ("failed refund", "600.00", [("events.jsonl", [
                event("evt_1", "charge.succeeded", at: 1_770_000_000, charge("ch_1", amount: 60000, captured: 60000, isCaptured: true)),
                event("evt_2", "charge.refunded", at: 1_770_100_000, charge("ch_1", amount: 60000, captured: 60000, isCaptured: true, refunded: 60000)),
                event("evt_3", "refund.created", at: 1_770_100_000, refund("pending")),
                event("evt_4", "refund.failed", at: 1_770_400_000, refund("failed")),
                event("evt_5", "charge.updated", at: 1_770_400_001, charge("ch_1", amount: 60000, captured: 60000, isCaptured: true)),
            ].joined(separator: "\n") + "\n")], "paid", "600.00", "0.00"),
            ("captured after the authorisation", "990.00", [
                ("auth.json", event("evt_a", "charge.succeeded", at: 1_770_000_001, charge("ch_u", amount: 99000, captured: 0, isCaptured: false))),
                ("payments.csv", export("ch_u", "990.00")),
            ], "paid", "990.00", "0.00"),
            ("partial capture", "10.00", [
                ("charge.json", charge("ch_pc", amount: 1000, captured: 600, isCaptured: true)),
                ("payments.csv", export("ch_pc", "10.00")),
            ], "partially_paid", "6.00", "0.00"),
        ]
        for c in cases {
            for files in [c.files, c.files.reversed()] {
                let dir = try TempDir()
                try dir.write("ledger.csv", "invoice_number,stripe_customer_id,currency,amount_due\nINV-1,cus_A,usd,\(c.due)\n")
                for (name, text) in files {
                    try dir.write(name, text)
                    let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path(name)])
                    #expect(result.status == 0, "\(c.name) \(name): \(result.stderr)")
                }
                let row = try #require(try LedgerCSV(dir.path("ledger.csv")).row("INV-1"))
                #expect(row["status"] == c.status && row["amount_paid"] == c.paid && row["amount_refunded"] == c.refunded,
                        "\(c.name), \(files.map(\.0)): \(row)")
                #expect(!(try dir.read("ledger.payments.csv")).contains("#refunded"), "\(c.name): no refund beyond the refund objects")
            }
        }
    }

    /// Fee and net are in the settlement currency: a JPY charge settled in USD has a fee of 1.00, and a
    /// EUR charge settled in USD counts in its USD payout's sums.
    @Test func feesAndNetAreInTheSettlementCurrency() throws {
        let dir = try TempDir()
        try dir.write("ledger.csv", "invoice_number,stripe_customer_id,currency,amount_due\nINV-1,cus_A,usd,100.00\nINV-3,cus_C,eur,50.00\nINV-4,cus_D,jpy,5000\n")
        try dir.write("payments.csv", """
        id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Currency,Fee,Status,Customer ID,invoice_number (metadata)
        ch_1,2026-02-01 10:00:00,100.00,0.00,usd,true,100.00,usd,3.20,Paid,cus_A,INV-1
        ch_3,2026-02-03 10:00:00,50.00,0.00,eur,true,55.00,usd,1.90,Paid,cus_C,INV-3
        ch_4,2026-02-04 10:00:00,5000,0,jpy,true,33.00,usd,1.00,Paid,cus_D,INV-4

        """)
        try dir.write("balance.csv", """
        id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC)
        txn_c1,charge,ch_1,100.00,3.20,96.80,usd,2026-02-01 10:00,2026-02-08 00:00,Payment,,,po_1,2026-02-10 00:00
        txn_c3,charge,ch_3,55.00,1.90,53.10,usd,2026-02-03 10:00,2026-02-10 00:00,Payment,50.00,eur,po_1,2026-02-10 00:00
        txn_c4,charge,ch_4,33.00,1.00,32.00,usd,2026-02-04 10:00,2026-02-11 00:00,Payment,5000,jpy,,
        txn_p1,payout,po_1,-149.90,0.00,-149.90,usd,2026-02-10 00:00,2026-02-10 00:00,STRIPE PAYOUT,,,po_1,2026-02-10 00:00

        """)
        try dir.write("payouts.csv", "id,Amount,Created (UTC),Currency,Arrival Date (UTC),Status,Balance Transaction\npo_1,149.90,2026-02-10 00:00,usd,2026-02-12 00:00,paid,txn_p1\n")
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("payments.csv"), dir.path("balance.csv"), dir.path("payouts.csv")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        #expect(lines.row("ch_4")?["fee"] == "1.00" && lines.row("ch_4")?["net"] == "32.00", "\(String(describing: lines.row("ch_4")))")
        #expect(lines.row("ch_3")?["net"] == "53.10")
        // Read back (side files deleted), the fee is still 1.00.
        try FileManager.default.removeItem(atPath: dir.path("ledger.ledgersync"))
        try dir.write("empty.json", #"{"object":"list","data":[],"has_more":false}"#)
        _ = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("empty.json")])
        #expect(try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id").row("ch_4")?["fee"] == "1.00")

        let exported = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--xlsx", dir.path("book.xlsx")])
        #expect(exported.status == 0, "\(exported.stderr)")
        let payouts = try #require(try PythonTool.dump(dir.path("book.xlsx")).sheet["Payouts"])
        #expect(payouts.value(1, "movements") == .number(2) && payouts.value(1, "gross") == .number(155)
                && payouts.value(1, "net") == .number(149.9), "\(payouts.rows)")
    }

    /// What a row owes after its story: a refund never reopens a row a tolerance settled; money paid
    /// twice and refunded leaves no flag; a `paid_out_of_band` row owes only what a lost dispute took,
    /// and the override is the `manual` rule, never the payment's.
    @Test func settledRowsOweOnlyWhatTheirStoryLeaves() throws {
        let dir = try TempDir()
        let created = try CLI.run(["init", dir.url.path, "--tolerance", "usd=0.50"])
        #expect(created.status == 0, "\(created.stderr)")
        try dir.write("ledger.csv", """
        invoice_number,stripe_customer_id,currency,amount_due,status_override
        INV-T,cus_A,usd,1000.00,
        INV-D,cus_A,usd,1000.00,
        INV-O,cus_A,usd,1000.00,paid_out_of_band
        INV-P,cus_A,usd,1000.00,paid_out_of_band
        INV-R,cus_A,usd,3000.00,paid_out_of_band

        """)
        func charge(_ id: String, _ amount: Int, _ row: String, at time: Int) -> String {
            #"{"id":"evt_\#(id)","object":"event","type":"charge.succeeded","created":\#(time),"livemode":false,"data":{"object":{"id":"\#(id)","object":"charge","amount":\#(amount),"amount_captured":\#(amount),"amount_refunded":0,"captured":true,"status":"succeeded","currency":"usd","customer":"cus_A","created":\#(time),"livemode":false,"metadata":{"invoice_number":"\#(row)"}}}}"#
        }
        func refund(_ id: String, _ charge: String, _ amount: Int) -> String {
            #"{"id":"evt_\#(id)","object":"event","type":"refund.created","created":1770100000,"livemode":false,"data":{"object":{"id":"\#(id)","object":"refund","amount":\#(amount),"charge":"\#(charge)","currency":"usd","status":"succeeded","created":1770100000,"metadata":{}}}}"#
        }
        let lostDispute = #"{"id":"evt_du","object":"event","type":"charge.dispute.closed","created":1770200000,"livemode":false,"data":{"object":{"id":"du_1","object":"dispute","amount":40000,"charge":"ch_o","currency":"usd","status":"lost","reason":"fraudulent","created":1770150000,"livemode":false,"evidence_details":{"due_by":1770300000}}}}"#
        try dir.write("events.jsonl", [
            charge("ch_t", 99950, "INV-T", at: 1_770_000_000), refund("re_t", "ch_t", 1000),
            charge("ch_d1", 100000, "INV-D", at: 1_770_000_000), charge("ch_d2", 100000, "INV-D", at: 1_770_000_100), refund("re_d2", "ch_d2", 100000),
            charge("ch_o", 40000, "INV-O", at: 1_770_000_000), lostDispute,
            charge("ch_p", 100000, "INV-P", at: 1_770_000_000),
            charge("ch_r", 100000, "INV-R", at: 1_770_000_000), refund("re_r", "ch_r", 40000),
        ].joined(separator: "\n") + "\n")
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("events.jsonl")])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try LedgerCSV(dir.path("ledger.csv"))
        let t = try #require(rows.row("INV-T")), d = try #require(rows.row("INV-D"))
        let o = try #require(rows.row("INV-O")), p = try #require(rows.row("INV-P"))
        #expect(t["status"] == "partially_refunded" && t["balance_due"] == "0.00" && t["flag"] == "underpaid_within_tolerance", "\(t)")
        #expect(t["flag_detail"]?.contains("Paid 999.50 USD of 1000.00 USD") == true, "\(t)")
        #expect(d["status"] == "paid" && d["balance_due"] == "0.00" && d["flag"] == "", "\(d)")
        #expect(!(try dir.read("ledger.payments.csv")).contains("overpaid INV-D"), "the refunded duplicate is not called an overpayment")
        #expect(o["status"] == "charged_back" && o["amount_paid"] == "600.00" && o["balance_due"] == "400.00" && o["match_rule"] == "manual", "\(o)")
        #expect(p["status"] == "paid" && p["match_rule"] == "reference" && p["paid_at"] == "2026-02-02T02:40:00Z", "\(p): paid in full by its charge")
        let refundedRow = try #require(rows.row("INV-R"))
        #expect(refundedRow["status"] == "partially_refunded" && refundedRow["amount_paid"] == "3000.00" && refundedRow["balance_due"] == "0.00",
                "a refund does not grow what the override covers: \(refundedRow)")
        // explain says when the override is part of a status.
        let story = try CLI.run(["explain", "--ledger", dir.path("ledger.csv"), "INV-O"])
        #expect(story.stdout.contains("matched by reference INV-O → paid (with status_override paid_out_of_band)"), "\(story.stdout)")
    }

    @Test func explainAndStatusShowTheChain() throws {
        let dir = try Self.freshLedger()
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        let paidRow = try #require(ledger.rows.first { $0[ledger.header.firstIndex(of: "status")!] == "paid" && !$0[ledger.header.firstIndex(of: "payment_ids")!].isEmpty })
        let number = paidRow[ledger.header.firstIndex(of: "invoice_number")!]
        let payment = String(paidRow[ledger.header.firstIndex(of: "payment_ids")!].split(separator: " ").first ?? "")
        let explained = try CLI.run(["explain", "--ledger", dir.path("ledger.csv"), number])
        #expect(explained.status == 0)
        #expect(explained.stdout.contains("\(number): paid"))
        #expect(explained.stdout.contains(payment))
        #expect(explained.stdout.contains("how it got here:"))
        let status = try CLI.run(["status", "--ledger", dir.path("ledger.csv"), "--json", "--as-of", "2030-12-31"])
        #expect(status.status == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect((summary["statuses"] as? [String: Int])?["paid"] ?? 0 > 0)
        // The same counts as the ledger's status column: the invalid_row row has no status.
        let imported = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--json", Self.events])
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
        #expect(summary["statuses"] as? [String: Int] == counts["statuses"] as? [String: Int])
        let attention = (summary["needsAttention"] as? [[String: String]]) ?? []
        #expect(attention.count > 0)
        // One item per problem: a payment whose row's flag already names it is not listed again.
        for item in attention where item["target"]?.hasPrefix("ch_") == true {
            #expect(!attention.contains { $0["target"] != item["target"] && $0["flag"] == item["flag"] && ($0["detail"] ?? "").contains(item["target"] ?? "") },
                    "\(item)")
        }
    }

    /// SIGKILL during a large import, again and again: the ledger is always the old file or the new one,
    /// and running the import again reaches the same final state.
    @Test func killedImportsLeaveTheOldOrTheNewLedger() throws {
        let work = try TempDir()
        let generate = try CLI.runTool("/usr/bin/env", ["python3", CLI.packageRoot.appendingPathComponent("samples/generate.py").path,
                                                         "--seed", "7", "--invoices", "1500", "--events", "6000", "--format", "jsonl", "--out", work.path("big")])
        #expect(generate.status == 0, "\(generate.stderr)")
        let input = work.path("big/events.jsonl")
        let reference = try TempDir()
        try FileManager.default.copyItem(atPath: work.path("big/ledger.csv"), toPath: reference.path("ledger.csv"))
        let original = try reference.bytes("ledger.csv")
        try CLI.run(["import", "--ledger", reference.path("ledger.csv"), input])
        let final = try reference.bytes("ledger.csv")
        let finalPayments = try reference.bytes("ledger.payments.csv")
        #expect(final != original)

        var generator = SystemRandomNumberGenerator()
        for round in 0..<8 {
            let dir = try TempDir()
            try FileManager.default.copyItem(atPath: work.path("big/ledger.csv"), toPath: dir.path("ledger.csv"))
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["import", "--ledger", dir.path("ledger.csv"), input]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...1_500_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = try dir.bytes("ledger.csv")
            #expect(now == original || now == final, "round \(round): the ledger is neither the old nor the new file")
            let rerun = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), input])
            #expect(rerun.status <= 1)
            #expect(try dir.bytes("ledger.csv") == final, "round \(round): re-running did not reach the same ledger")
            #expect(try dir.bytes("ledger.payments.csv") == finalPayments, "round \(round): payments differ after re-run")
        }
    }
}

extension CLI {
    static func runTool(_ path: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self))
    }
}
