import Foundation
import Testing

/// `ledgersync serve` run as a user runs it, over a real socket, with requests signed by Stripe's
/// official Python library (Fixtures/serve-client.py).
@Suite(.serialized)
struct ServeEndToEndTests {
    @Test func refusesToStartWithoutASecret() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        let result = try ServeSupport.run(["serve", "--ledger", dir.path("ledger.csv"), "--port", "1"], environment: [:])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no webhook signing secret"), "\(result.stderr)")
        #expect(result.stderr.contains("STRIPE_WEBHOOK_SECRET"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.ledgersync/inbox/inbox.log")), "nothing may be set up without a secret")

        let missing = try ServeSupport.run(["serve", "--ledger", dir.path("ledger.csv"), "--secret-file", dir.path("nope")], environment: [:])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--secret-file"), "\(missing.stderr)")

        try dir.write("blank-secrets", "# rotated 2026-05\n\n")
        let blank = try ServeSupport.run(["serve", "--ledger", dir.path("ledger.csv"), "--secret-file", dir.path("blank-secrets")], environment: [:])
        #expect(blank.status == 2)
        #expect(blank.stderr.contains("no webhook signing secret"))
    }

    /// Every sample event over HTTP, signed with the old, the new or both secrets of a rotation,
    /// gives the same ledger as `import` of the same events; forged, replayed, retyped requests get 4xx.
    @Test func samplesOverARealSocketMatchImport() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        try FileManager.default.createDirectory(atPath: dir.path("imported"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("imported/ledger.csv"))
        let imported = try CLI.run(["import", "--ledger", dir.path("imported/ledger.csv"), ServeSupport.samples + "/events"])
        #expect(imported.status <= 1, "\(imported.stderr)")

        let server = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: ["whsec_old_endpoint_secret", "whsec_new_endpoint_secret"])
        defer { server.kill() }
        try server.waitUntilUp()
        let sent = try ServeSupport.client(["samples", server.url, ServeSupport.samples + "/events",
                                            "whsec_old_endpoint_secret", "whsec_new_endpoint_secret"])
        let sentAt = Date()
        let results = sent["results"] as? [[String: Any]] ?? []
        #expect(results.count == 159)
        #expect(results.allSatisfy { ($0["status"] as? Int) == 200 }, "every signed sample is acknowledged")
        #expect(sent["replay"] as? Int == 400, "a request an hour old is refused")
        #expect((sent["replayReason"] as? String ?? "").contains("timestamp"))
        #expect(sent["forged"] as? Int == 400)
        #expect(sent["wrongType"] as? Int == 415)
        #expect(sent["tampered"] as? Int == 400, "a body changed after signing is refused")

        let drained = try ServeSupport.client(["drained", server.url, "20"])
        #expect(drained["ok"] as? Bool == true, "backlog drained: \(drained)")
        #expect(Date().timeIntervalSince(sentAt) < 5, "the ledger reflects the events within seconds")

        server.signal(SIGTERM)
        #expect(server.waitForExit(seconds: 15) == 0, "SIGTERM drains and exits 0: \(server.stderr)")

        let viaWebhook = try LedgerCSV(dir.path("ledger.csv"))
        let viaImport = try LedgerCSV(dir.path("imported/ledger.csv"))
        #expect(viaWebhook.rows.count == viaImport.rows.count)
        var compared = 0
        for number in viaImport.column("invoice_number") where !number.isEmpty {
            let a = viaWebhook.row(number) ?? [:], b = viaImport.row(number) ?? [:]
            for column in ["status", "amount_paid", "amount_refunded", "balance_due", "flag", "payment_ids", "payout_ids"] {
                #expect(a[column] == b[column], "\(number) \(column): webhook '\(a[column] ?? "")' vs import '\(b[column] ?? "")'")
            }
            compared += 1
        }
        #expect(compared > 20)
        let webhookPayments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        let importPayments = try LedgerCSV(dir.path("imported/ledger.payments.csv"), key: "stripe_id")
        #expect(webhookPayments.column("stripe_id") == importPayments.column("stripe_id"))
        #expect(Set(webhookPayments.column("source")) == ["webhook"])

        // Logs carry event ids, never secrets or customer data.
        let log = server.stderr
        #expect(log.contains("evt_"))
        #expect(!log.contains("whsec_"))
        #expect(!log.contains("@"), "no email address in the logs")

        let status = try CLI.run(["status", "--ledger", dir.path("ledger.csv"), "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(summary["webhookEventsNotApplied"] as? Int == 0, "every sample event applied")
    }

    @Test func healthReadinessAndMetrics() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        try dir.write("secret", "whsec_from_a_file\n")
        let server = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: [], extra: ["--secret-file", dir.path("secret")])
        defer { server.kill() }
        try server.waitUntilUp()
        let burst = try ServeSupport.clientLines(["burst", server.url, "whsec_from_a_file", "5", "hm", "1"])
        #expect(burst.filter { $0.hasPrefix("ack ") }.count == 5)
        let drained = try ServeSupport.client(["drained", server.url, "20"])
        let readyz = drained["readyz"] as? [String: Any] ?? [:]
        #expect(readyz["ready"] as? Bool == true)
        #expect(readyz["ledgerWritable"] as? Bool == true)
        var metrics = try ServeSupport.get(server.url + "/metrics")
        #expect(metrics.contains("webhook_events_received_total 5"), "\(metrics)")
        #expect(metrics.contains("webhook_events_applied_total 5"))

        // A live-mode event for this test-mode ledger: acknowledged (it is genuine), kept, not applied.
        let live = try ServeSupport.client(["live", server.url, "whsec_from_a_file", "live"])
        #expect(live["status"] as? Int == 200)
        _ = try ServeSupport.client(["drained", server.url, "20"])
        metrics = try ServeSupport.get(server.url + "/metrics")
        #expect(metrics.contains("webhook_events_apply_failed_total 1"), "\(metrics)")
        let failed = try String(contentsOfFile: dir.path("ledger.ledgersync/inbox/failed.jsonl"), encoding: .utf8)
        #expect(failed.contains("evt_live0000000"))
        #expect(failed.contains("mode_mismatch"), "\(failed)")
        let status = try CLI.run(["status", "--ledger", dir.path("ledger.csv")])
        #expect(status.stdout.contains("webhook events not applied: 1"), "\(status.stdout)")
        let json = try CLI.run(["status", "--ledger", dir.path("ledger.csv"), "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(summary["webhookEventsNotApplied"] as? Int == 1)
        server.signal(SIGINT)
        #expect(server.waitForExit(seconds: 15) == 0)
        let payments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        #expect(payments.column("stripe_id").filter { $0.hasPrefix("ch_hm") }.count == 5)
        #expect(!payments.column("stripe_id").contains("ch_live0000000"))

        // Started again, with JSON logs: the event kept in failed.jsonl still counts; HEAD /healthz answers.
        let again = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: [], extra: ["--secret-file", dir.path("secret"), "--json"])
        defer { again.kill() }
        try again.waitUntilUp()
        let ready = try JSONSerialization.jsonObject(with: Data(try ServeSupport.get(again.url + "/readyz").utf8)) as? [String: Any]
        #expect(ready?["failedEvents"] as? Int == 1, "\(String(describing: ready))")
        #expect(try ServeSupport.get(again.url + "/healthz", method: "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == "200")
        again.signal(SIGINT)
        #expect(again.waitForExit(seconds: 15) == 0)
        let logs = again.stdout.split(separator: "\n")
        #expect(!logs.isEmpty && logs.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "\(again.stdout)")
        #expect(logs.contains { $0.contains(#""message":"starting""#) }, "\(again.stdout)")

        // Its port taken by another server: the JSON lines end with one saying why, and the exit is 2.
        try FileManager.default.createDirectory(atPath: dir.path("other"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("other/ledger.csv"))
        let blocker = try ServeProcess(ledger: dir.path("other/ledger.csv"), secrets: [], extra: ["--secret-file", dir.path("secret")])
        defer { blocker.kill() }
        try blocker.waitUntilUp()
        let clash = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: [], extra: ["--secret-file", dir.path("secret"), "--json"],
                                     port: blocker.port)
        #expect(clash.waitForExit(seconds: 15) == 2)
        let clashLines = clash.stdout.split(separator: "\n")
        #expect(clashLines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "\(clash.stdout)")
        #expect(clashLines.last?.contains("the address is in use") == true, "\(clash.stdout)")

        // A replay window longer than an hour is refused.
        let wide = try CLI.run(["serve", "--ledger", dir.path("ledger.csv"), "--tolerance", "86400"])
        #expect(wide.status == 2 && wide.stderr.contains("between 1 and 3600 seconds"), "\(wide.stderr)")
    }
}

extension ServeEndToEndTests {
    /// While batches cannot be written (another process holds the ledger), /readyz says so; they are
    /// applied once it lets go.
    @Test func readinessFollowsWhetherBatchesAreWritten() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        let server = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: ["whsec_ready"], extra: ["--lock-timeout", "0.2"])
        defer { server.kill() }
        try server.waitUntilUp()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [dir.path("ledger.ledgersync/lock"), "sleep", "3"]
        try holder.run()
        usleep(300_000)
        let burst = try ServeSupport.clientLines(["burst", server.url, "whsec_ready", "1", "rd", "1"])
        #expect(burst.filter { $0.hasPrefix("ack ") }.count == 1, "stored and acknowledged while the ledger is held")
        var blocked: [String: Any]?
        for _ in 0..<20 where blocked == nil {
            usleep(100_000)
            let ready = try JSONSerialization.jsonObject(with: Data(try ServeSupport.get(server.url + "/readyz").utf8)) as? [String: Any]
            if ready?["consecutiveApplyErrors"] as? Int ?? 0 > 0 { blocked = ready }
        }
        #expect(blocked?["ready"] as? Bool == false && blocked?["ledgerWritable"] as? Bool == false, "\(String(describing: blocked))")
        holder.waitUntilExit()
        let drained = try ServeSupport.client(["drained", server.url, "20"])
        #expect((drained["readyz"] as? [String: Any])?["ready"] as? Bool == true, "\(drained)")
    }

    /// The server holds the ledger lock only per batch: a person's `import` gets in while events stream.
    @Test func importRunsWhileTheServerIsBusy() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        let server = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: ["whsec_busy"])
        defer { server.kill() }
        try server.waitUntilUp()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", ServeSupport.clientScript, "burst", server.url, "whsec_busy", "600", "busy", "4"]
        let out = try Capture()
        client.standardOutput = out.handle
        try client.run()
        usleep(300_000)
        let started = Date()
        let imported = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--lock-timeout", "5",
                                    ServeSupport.fixtures + "/watch-events.jsonl"])
        // 1, not 0: the sample ledger has an invalid_row; 2 would be a lock timeout.
        #expect(imported.status == 1, "\(imported.stderr)")
        #expect(!imported.stderr.contains("in use by another"))
        #expect(Date().timeIntervalSince(started) < 5)
        client.waitUntilExit()
        #expect(out.text.components(separatedBy: "ack ").count - 1 == 600)
        _ = try ServeSupport.client(["drained", server.url, "30"])
        server.signal(SIGTERM)
        #expect(server.waitForExit(seconds: 15) == 0)
        let ids = Set(try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id").column("stripe_id"))
        #expect(ids.filter { $0.hasPrefix("ch_busy") }.count == 600)
        #expect(ids.isSuperset(of: ["ch_watch0000000", "ch_watch0000001", "ch_watch0000002"]), "the import's records survive the server's writes")
    }
}

/// Paths and process helpers shared by the serve and watch tests.
enum ServeSupport {
    static let samples = CLI.packageRoot.appendingPathComponent("samples").path
    static let sampleLedger = samples + "/ledger.csv"
    static let clientScript = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/serve-client.py").path
    static let fixtures = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures").path

    /// The environment without any webhook secret of the person running the tests.
    static var cleanEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["STRIPE_WEBHOOK_SECRET"] = nil
        return environment
    }

    /// Runs the binary to completion with exactly `environment` added to a clean one.
    static func run(_ arguments: [String], environment: [String: String]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.environment = cleanEnvironment.merging(environment) { $1 }
        let out = try Capture(), err = try Capture()
        process.standardOutput = out.handle
        process.standardError = err.handle
        try process.run()
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: out.text, stderr: err.text)
    }

    /// Runs the Python client and parses its JSON answer.
    static func client(_ arguments: [String]) throws -> [String: Any] {
        let lines = try clientLines(arguments)
        guard let last = lines.last, let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw SupportError("serve-client.py \(arguments.first ?? "") printed no JSON: \(lines)")
        }
        return object
    }

    static func clientLines(_ arguments: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", clientScript] + arguments
        let out = try Capture(), err = try Capture()
        process.standardOutput = out.handle
        process.standardError = err.handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SupportError("serve-client.py \(arguments.first ?? "") failed: \(err.text)")
        }
        return out.text.split(separator: "\n").map(String.init)
    }

    /// The body of a GET (of an error answer too); for another method, the status code.
    static func get(_ url: String, method: String = "GET") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys,urllib.request,urllib.error
            try:
                r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], method=sys.argv[2]), timeout=5)
            except urllib.error.HTTPError as error:
                r = error
            print(r.read().decode() if sys.argv[2] == "GET" else r.status)
            """, url, method]
        let out = try Capture()
        process.standardOutput = out.handle
        try process.run()
        process.waitUntilExit()
        return out.text
    }

    /// A port nobody listens on now (the kernel's pick).
    static func freePort() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        let out = try Capture()
        process.standardOutput = out.handle
        try process.run()
        process.waitUntilExit()
        guard let port = Int(out.text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw SupportError("no free port") }
        return port
    }
}

struct SupportError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Output of a child process into a file (never a pipe a chatty child could fill).
final class Capture {
    let url: URL
    let handle: FileHandle

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ledgersync-capture-" + UUID().uuidString)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
    }

    var text: String { String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }
}

/// A running `ledgersync serve` on a free loopback port.
final class ServeProcess {
    let process = Process()
    let port: Int
    let ledger: String
    let secrets: [String]
    let extra: [String]
    private let err: Capture
    private let out: Capture

    var url: String { "http://127.0.0.1:\(port)" }
    var stderr: String { err.text }
    var stdout: String { out.text }

    init(ledger: String, secrets: [String], extra: [String] = [], port: Int? = nil) throws {
        self.port = try port ?? ServeSupport.freePort()
        self.ledger = ledger
        self.secrets = secrets
        self.extra = extra
        err = try Capture()
        out = try Capture()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--ledger", ledger, "--port", String(self.port)] + extra
        var environment = ServeSupport.cleanEnvironment
        if !secrets.isEmpty { environment["STRIPE_WEBHOOK_SECRET"] = secrets.joined(separator: ",") }
        process.environment = environment
        process.standardOutput = out.handle
        process.standardError = err.handle
        try process.run()
    }

    /// The same server again, on the same port, after this one ended.
    func restarted() throws -> ServeProcess {
        try ServeProcess(ledger: ledger, secrets: secrets, extra: extra, port: port)
    }

    func waitUntilUp() throws {
        let answer = try ServeSupport.client(["wait", url, "30"])
        guard answer["ok"] as? Bool == true else { throw SupportError("server did not come up: \(stderr)") }
    }

    func signal(_ number: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, number) }
    }

    /// The exit status, or nil if it is still running after `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func kill() {
        signal(SIGKILL)
        _ = waitForExit(seconds: 5)
    }
}
