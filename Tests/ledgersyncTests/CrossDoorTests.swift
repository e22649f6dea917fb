import Foundation
import Testing

/// The Stripe stand-in (Fixtures/stripe_api_server.py) on 127.0.0.1, stopped when the value goes away.
final class StubStripe {
    let process = Process()
    /// Our end of the server's standard input: closing it (when this goes away) stops the server.
    let input = Pipe()
    let port: Int
    let log: URL
    static let key = "sk_test_51LedgerSyncTestKey0000"
    static let script = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/stripe_api_server.py")

    init(_ arguments: [String], in dir: TempDir, name: String = "server") throws {
        log = dir.url.appendingPathComponent(name + ".log.jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "--key", Self.key, "--log", log.path, "--exit-on-eof"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = CLI.firstLine(of: out)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw StubFailed(output: text)
        }
        self.port = port
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Every line the server logged, as JSON objects.
    func entries() throws -> [[String: Any]] {
        let text = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    deinit {
        if process.isRunning {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct StubFailed: Error { var output: String }
}

/// Runs `ledgersync pull` with the stand-in's key in the environment.
func pull(_ ledger: String, server: StubStripe, _ extra: [String] = [], key: String = StubStripe.key) throws -> CLI.Result {
    try CLI.run(["pull", "--ledger", ledger, "--api-base", server.base] + extra, environment: ["STRIPE_API_KEY": key])
}

/// The same scenario (samples/events) through every door: events, Dashboard CSV exports derived from
/// the same objects (Fixtures/make_cross_door.py, run at test time), and API pages served by the
/// stand-in from the same objects. Ledgers are compared byte for byte.
@Suite(.serialized)
struct CrossDoorTests {
    static let samples = CLI.packageRoot.appendingPathComponent("samples")
    static let events = samples.appendingPathComponent("events").path
    static let exportNames = ["payments.csv", "invoices.csv", "payouts.csv", "balance_history.csv"]

    /// A temp folder with the CSV exports and the API's extra objects derived from the scenario.
    static func scenario() throws -> TempDir {
        let dir = try TempDir()
        let script = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/make_cross_door.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, events, dir.path("exports")]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "make_cross_door.py failed")
        return dir
    }

    static func export(_ dir: TempDir, _ name: String) -> String { dir.path("exports/" + name) }

    /// Imports each group of inputs, in order, into a fresh copy of the sample ledger in `name`/.
    static func ledger(_ dir: TempDir, _ name: String, imports groups: [[String]]) throws -> String {
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent(name), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent(name + "/ledger.csv"))
        let ledger = dir.path(name + "/ledger.csv")
        for inputs in groups {
            let result = try CLI.run(["import", "--ledger", ledger] + inputs)
            #expect(result.status <= 1, "import \(inputs) into \(name): \(result.stderr)")
        }
        return ledger
    }

    static func files(_ ledger: String) throws -> (invoices: String, payments: String) {
        let invoices = String(decoding: try Data(contentsOf: URL(fileURLWithPath: ledger)), as: UTF8.self)
        let payments = String(decoding: try Data(contentsOf: URL(fileURLWithPath: ledger.replacingOccurrences(of: ".csv", with: ".payments.csv"))), as: UTF8.self)
        return (invoices, payments)
    }

    static func expectIdentical(_ a: String, _ b: String, _ what: String) throws {
        let x = try files(a), y = try files(b)
        #expect(x.invoices == y.invoices, "\(what): invoices differ\n\(firstDifference(x.invoices, y.invoices))")
        #expect(x.payments == y.payments, "\(what): payments differ\n\(firstDifference(x.payments, y.payments))")
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n"), y = b.split(separator: "\n")
        guard let i = zip(x, y).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return "  (one has \(x.count) lines, the other \(y.count))"
        }
        return "  line \(i + 1):\n  \(x[i])\n  \(y[i])"
    }

    /// The payments table without the `source` column (the richest door, which differs by door).
    static func withoutSource(_ payments: String) throws -> String {
        var lines = payments.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init), header.last == "source" else {
            Issue.record("the payments table does not end with the source column")
            return payments
        }
        for i in lines.indices where !lines[i].isEmpty {
            if let comma = lines[i].lastIndex(of: ",") { lines[i] = String(lines[i][..<comma]) }
        }
        return lines.joined(separator: "\n")
    }

    @Test func eventsAndExportsInAnyOrderGiveByteIdenticalLedgers() throws {
        let dir = try Self.scenario()
        let exports = Self.exportNames.map { Self.export(dir, $0) }
        let eventsOnly = try Self.ledger(dir, "events", imports: [[Self.events]])
        let eventsFirst = try Self.ledger(dir, "events-first", imports: [[Self.events], exports])
        let exportsFirst = try Self.ledger(dir, "exports-first", imports: [exports.reversed(), [Self.events]])
        let together = try Self.ledger(dir, "together", imports: [exports + [Self.events]])
        let interleaved = try Self.ledger(dir, "interleaved", imports: [[exports[3]], [Self.events], [exports[0], exports[2]], [Self.events], [exports[1]]])
        for other in [exportsFirst, together, interleaved] {
            try Self.expectIdentical(eventsFirst, other, "events + exports")
        }
        // Exports carry nothing the events do not: every row is as the events alone leave it (a poorer
        // door never downgrades a richer one); only fee/net/settlement from the exports are added.
        #expect(try Self.files(eventsFirst).invoices == Self.files(eventsOnly).invoices)
        let mixed = try Self.files(eventsFirst).payments
        #expect(mixed.contains(",28.72,951.28,eur,"), "fee and net of ch_3RgR85e71lHFE8l68fpQtTvo come from the exports")
    }

    @Test func exportsAloneReachTheEventsOutcomeWhereTheyCarryTheFacts() throws {
        let dir = try Self.scenario()
        let exportsOnly = try Self.ledger(dir, "exports", imports: [Self.exportNames.map { Self.export(dir, $0) }])
        let eventsOnly = try Self.ledger(dir, "events", imports: [[Self.events]])
        let a = try LedgerCSV(exportsOnly), b = try LedgerCSV(eventsOnly)
        // Dashboard exports hold no dispute or refund objects and no Checkout Session metadata:
        let differs: [String: String] = [
            "INV-2026-0019": "its failed refund is only in refund events",
            "INV-2026-0020": "its open dispute is only in dispute events",
            "INV-2026-0021": "its lost dispute is only in dispute events",
            "INV-2026-0023": "its inquiry is only in dispute events",
            "INV-2026-0040": "its reference is only on the Checkout Session (rule 3 pays it instead)",
        ]
        var compared = 0
        for number in b.column("invoice_number") where differs[number] == nil {
            for column in ["status", "amount_paid", "amount_refunded", "balance_due", "flag", "match_rule", "payment_ids", "paid_at"] {
                #expect(a.row(number)?[column] == b.row(number)?[column], "\(number) \(column)")
            }
            compared += 1
        }
        #expect(compared == 36)
        for (number, why) in differs {
            #expect(a.row(number)?["flag"] != b.row(number)?["flag"] || a.row(number)?["match_rule"] != b.row(number)?["match_rule"],
                    "\(number) was expected to differ (\(why)); update the list")
        }
    }

    @Test func apiPagesMatchTheOtherDoorsAndMixesAreByteIdentical() throws {
        let dir = try Self.scenario()
        let server = try StubStripe(["--scenario", Self.events, "--extra", Self.export(dir, "balance_transactions.json")], in: dir)
        let exports = Self.exportNames.map { Self.export(dir, $0) }

        let apiOnly = try Self.ledger(dir, "api", imports: [])
        let first = try pull(apiOnly, server: server)
        #expect(first.status == 1, "the sample's invalid row makes every run exit 1: \(first.stderr)")

        let apiThenRest = try Self.ledger(dir, "api-then-rest", imports: [])
        _ = try pull(apiThenRest, server: server)
        _ = try CLI.run(["import", "--ledger", apiThenRest] + exports + [Self.events])

        let restThenAPI = try Self.ledger(dir, "rest-then-api", imports: [exports, [Self.events]])
        _ = try pull(restThenAPI, server: server)

        let exportsAPIEvents = try Self.ledger(dir, "exports-api-events", imports: [[exports[1], exports[2]]])
        _ = try pull(exportsAPIEvents, server: server)
        _ = try CLI.run(["import", "--ledger", exportsAPIEvents, exports[0], exports[3], Self.events])

        // Every object the exports or events carry is also in the API pages: the API (richest) wins
        // everywhere, so every mix equals the API alone, byte for byte.
        for other in [apiThenRest, restThenAPI, exportsAPIEvents] {
            try Self.expectIdentical(apiOnly, other, "API + other doors")
        }
        // The API alone says what events and exports together say; only `source` names the door.
        let eventsAndExports = try Self.ledger(dir, "events-exports", imports: [[Self.events] + exports])
        #expect(try Self.files(apiOnly).invoices == Self.files(eventsAndExports).invoices)
        #expect(try Self.withoutSource(Self.files(apiOnly).payments) == Self.withoutSource(Self.files(eventsAndExports).payments))
        #expect(try Self.files(apiOnly).payments.contains(",api\n"))
        #expect(try Self.files(eventsAndExports).payments.contains(",file\n"))
    }
}
