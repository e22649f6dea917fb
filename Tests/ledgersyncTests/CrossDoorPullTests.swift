import Foundation
import Testing

/// `ledgersync pull` against the loopback stand-in: failures injected, headers checked, every object
/// applied once, an interrupted pull resumed.
@Suite(.serialized)
struct CrossDoorPullTests {
    static let events = CrossDoorTests.events

    static func freshLedger(_ dir: TempDir, _ name: String) throws -> String {
        try CrossDoorTests.ledger(dir, name, imports: [])
    }

    /// Endpoint path → every id the server answered with, in order.
    static func served(_ server: StubStripe) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for entry in try server.entries() {
            if let path = entry["path"] as? String, let ids = entry["served"] as? [String] { result[path, default: []] += ids }
        }
        return result
    }

    @Test func pullSurvives429And500AndADroppedConnectionAndTakesEveryObjectOnce() throws {
        let dir = try TempDir()
        let server = try StubStripe(["--scenario", Self.events,
                                     "--fail", "events:2:429,charges:1:500,charges:2:drop,invoices:3:500,customers:2:drop"], in: dir)
        let ledger = try Self.freshLedger(dir, "pulled")
        let result = try pull(ledger, server: server, ["--page-size", "7", "--json"])
        #expect(result.status == 1, "only the sample's invalid row may make the pull exit non-zero: \(result.stderr)")
        #expect(!result.stderr.contains("error:"), "\(result.stderr)")

        let requests = try server.entries().filter { $0["served"] == nil }
        #expect(requests.count > 30)
        for r in requests {
            #expect(r["authorization"] as? String == "Bearer " + StubStripe.key)
            #expect(r["stripe_version"] as? String == "2025-03-31.basil")
        }
        // Each failed request was asked again, with the same starting_after.
        let charges = requests.filter { $0["path"] as? String == "/v1/charges" }
        #expect(charges.count >= 3)
        #expect(charges.count >= 2 && (charges[0]["query"] as? [[String]]) == (charges[2]["query"] as? [[String]]))

        // Every object of every list once: no page skipped, none fetched twice.
        let served = try Self.served(server)
        let dump = dir.path("lists.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", StubStripe.script.path, "--scenario", Self.events, "--key", "x", "--log", "/dev/null", "--dump", dump]
        try process.run()
        process.waitUntilExit()
        let lists = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dump))) as? [String: [[String: Any]]])
        for (endpoint, objects) in lists where !objects.isEmpty {
            let path = "/v1/" + endpoint
            let ids = objects.compactMap { $0["id"] as? String }
            guard path != "/v1/balance_transactions" else { continue }
            #expect(served[path] == ids, "\(path): served \(served[path]?.count ?? 0) of \(ids.count), in order, each once")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("pulled/ledger.ledgersync/pull-cursor.json")), "a finished pull leaves no cursor")

        // The same as importing the events (the API adds nothing the events lack here), but for `source`.
        let imported = try CrossDoorTests.ledger(dir, "imported", imports: [[Self.events]])
        #expect(try CrossDoorTests.files(ledger).invoices == CrossDoorTests.files(imported).invoices)
        #expect(try CrossDoorTests.withoutSource(CrossDoorTests.files(ledger).payments) == CrossDoorTests.withoutSource(CrossDoorTests.files(imported).payments))

        // Pulling again changes nothing.
        let before = try CrossDoorTests.files(ledger)
        _ = try pull(ledger, server: server, ["--page-size", "7"])
        let after = try CrossDoorTests.files(ledger)
        #expect(before.invoices == after.invoices && before.payments == after.payments)
    }

    /// Events and the other listings never say which payout carried a charge: the pull lists each
    /// automatic payout's balance transactions, so rows get `payout_ids` and `deposited_at`. A manual
    /// payout cannot be listed that way (Stripe answers 400) and is skipped.
    @Test func payoutsFillPayoutIDsFromTheTransactionsTheyCarried() throws {
        let dir = try CrossDoorTests.scenario()
        let payout = "po_1R5880e71lHFE8l6C7q1iCs1", charge = "ch_3QiRLHe71lHFE8l69DzmL65O"   // INV-2026-0001's payment
        let generated = try Data(contentsOf: URL(fileURLWithPath: CrossDoorTests.export(dir, "balance_transactions.json")))
        var extras = try #require(try JSONSerialization.jsonObject(with: generated) as? [[String: Any]])
        for i in extras.indices where [charge, payout].contains(extras[i]["source"] as? String) { extras[i]["_payout"] = payout }
        #expect(extras.filter { $0["_payout"] != nil }.count == 2)
        extras.append(["id": "po_manual00000000001", "object": "payout", "amount": 500, "currency": "usd", "status": "paid",
                       "automatic": false, "created": 1_773_965_200, "arrival_date": 1_774_137_900, "livemode": false])
        try JSONSerialization.data(withJSONObject: extras).write(to: URL(fileURLWithPath: dir.path("extras.json")))
        let server = try StubStripe(["--scenario", Self.events, "--extra", dir.path("extras.json")], in: dir)
        let ledger = try Self.freshLedger(dir, "payouts")
        let result = try pull(ledger, server: server)
        #expect(result.status == 1, "only the sample's invalid row makes the pull exit 1: \(result.stderr)")
        let asked = try server.entries().compactMap { $0["query"] as? [[String]] }
        #expect(asked.contains { $0.contains(["payout", payout]) } && asked.contains { $0.contains(["payout", "po_manual00000000001"]) })
        #expect(!asked.contains { $0.contains(["payout", payout]) && $0.contains { $0[0].hasPrefix("created") } },
                "a payout carries transactions of any date: no window")

        func check(_ when: String) throws {
            let row = try #require(try LedgerCSV(ledger).row("INV-2026-0001"))
            #expect(row["payout_ids"] == payout && row["deposited_at"]?.hasPrefix("2026-03-") == true, "\(when): \(row)")
            let lines = try LedgerCSV((ledger as NSString).deletingPathExtension + ".payments.csv", key: "stripe_id")
            #expect(lines.row(charge)?["payout_id"] == payout, "\(when)")
        }
        try check("after the pull")
        // The journal keeps it: rebuilt from the journal alone, the ledger says the same.
        try FileManager.default.removeItem(atPath: (ledger as NSString).deletingPathExtension + ".ledgersync/state.tsv")
        try dir.write("empty.json", #"{"object":"list","data":[],"has_more":false}"#)
        _ = try CLI.run(["import", "--ledger", ledger, dir.path("empty.json")])
        try check("after replaying the journal")
    }

    @Test func anInterruptedPullContinuesWhereItStopped() throws {
        let dir = try TempDir()
        let reference = try Self.freshLedger(dir, "one-go")
        let healthy = try StubStripe(["--scenario", Self.events], in: dir, name: "healthy")
        _ = try pull(reference, server: healthy, ["--page-size", "5"])

        // The server fails the third and fourth charges requests: with two attempts, the pull gives up there.
        let ledger = try Self.freshLedger(dir, "interrupted")
        let server = try StubStripe(["--scenario", Self.events, "--fail", "charges:3-4:500"], in: dir, name: "flaky")
        let broken = try pull(ledger, server: server, ["--page-size", "5", "--max-attempts", "2"])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("gave up after 2 attempts"), "\(broken.stderr)")
        let cursorPath = dir.path("interrupted/ledger.ledgersync/pull-cursor.json")
        let cursor = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cursorPath))) as? [String: Any])
        let endpoints = try #require(cursor["endpoints"] as? [String: [String: Any]])
        #expect(endpoints["events"]?["done"] as? Bool == true)
        let after = try #require(endpoints["charges"]?["startingAfter"] as? String)
        #expect(endpoints["charges"]?["pages"] as? Int == 2)
        #expect(!(try CrossDoorTests.files(ledger).payments.isEmpty), "what was fetched before the failure is kept")

        // Run again: it starts the charges after the cursor and never asks for the events again.
        let seen = try server.entries().count
        let second = try pull(ledger, server: server, ["--page-size", "5"])
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("continuing the pull interrupted earlier"))
        let asked = try server.entries().dropFirst(seen).filter { $0["served"] == nil }
        #expect(!asked.contains { $0["path"] as? String == "/v1/events" })
        let firstCharges = asked.first { $0["path"] as? String == "/v1/charges" }
        #expect((firstCharges?["query"] as? [[String]])?.contains(["starting_after", after]) == true)
        #expect(!FileManager.default.fileExists(atPath: cursorPath))
        try CrossDoorTests.expectIdentical(reference, ledger, "resumed pull vs one pull")
    }

    @Test func theKeyComesFromTheEnvironmentOrAFileAndMustMatchTheLedgersMode() throws {
        let dir = try TempDir()
        let server = try StubStripe(["--scenario", Self.events], in: dir)
        let ledger = try Self.freshLedger(dir, "keys")

        // A dry run fetches and says what would change, and writes nothing.
        let dry = try pull(ledger, server: server, ["--dry-run", "--json"])
        #expect(dry.status <= 1, "\(dry.stderr)")
        let preview = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
        #expect(preview?["dryRun"] as? Bool == true && ((preview?["changes"] as? [Any]) ?? []).count > 10, "\(dry.stdout.prefix(300))")
        #expect(((preview?["paymentChanges"] as? [Any]) ?? []).count > 10)
        let ledgerSide = (ledger as NSString).deletingPathExtension
        #expect(!FileManager.default.fileExists(atPath: ledgerSide + ".payments.csv"))
        #expect(!FileManager.default.fileExists(atPath: ledgerSide + ".ledgersync/journal.jsonl"))

        let backwards = try pull(ledger, server: server, ["--since", "2026-03-01", "--until", "2026-02-01"])
        #expect(backwards.status == 2 && backwards.stderr.contains("is not before --until"), "\(backwards.stderr)")

        let onCommandLine = try CLI.run(["pull", "--ledger", ledger, "--api-base", server.base, "--api-key", StubStripe.key])
        #expect(onCommandLine.status == 2)
        #expect(onCommandLine.stderr.contains("never taken from the command line"))

        let none = try CLI.run(["pull", "--ledger", ledger, "--api-base", server.base], environment: ["STRIPE_API_KEY": ""])
        #expect(none.status == 2 && none.stderr.contains("STRIPE_API_KEY: is not set"), "\(none.stderr)")

        let publishable = try pull(ledger, server: server, key: "pk_test_abcdefghijklmnop")
        #expect(publishable.status == 2 && publishable.stderr.contains("a publishable key cannot read data"), "\(publishable.stderr)")

        // A wrong key of the right shape: Stripe's 401, and the key is not echoed.
        let untouched = try Data(contentsOf: URL(fileURLWithPath: ledger))
        let wrong = try pull(ledger, server: server, key: "sk_test_wrongwrongwrong")
        #expect(wrong.status == 2 && wrong.stderr.contains("HTTP 401") && !wrong.stderr.contains("wrongwrongwrong"), "\(wrong.stderr)")
        // Nothing was fetched, so nothing is written, and the refusal is said once.
        #expect(wrong.stderr.components(separatedBy: "HTTP 401").count == 2, "\(wrong.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger)) == untouched)
        let side = (ledger as NSString).deletingPathExtension
        #expect(!FileManager.default.fileExists(atPath: side + ".payments.csv"))
        #expect(!FileManager.default.fileExists(atPath: side + ".ledgersync/pull-cursor.json"))

        try dir.write("key.txt", StubStripe.key + "\n")
        let fromFile = try CLI.run(["pull", "--ledger", ledger, "--api-base", server.base, "--api-key-file", dir.path("key.txt")],
                                   environment: ["STRIPE_API_KEY": ""])
        #expect(fromFile.status == 1, "\(fromFile.stderr)")

        // The ledger is now bound to test mode: a live key is refused before any request.
        let count = try server.entries().count
        let live = try pull(ledger, server: server, key: "sk_live_abcdefghijklmnop")
        #expect(live.status == 2 && live.stderr.contains("live-mode key") && live.stderr.contains("mode_mismatch"), "\(live.stderr)")
        #expect(try server.entries().count == count)
    }
}
