import Foundation
import Testing

/// An acknowledged event is never lost and never applied twice, whatever instant the server dies at.
@Suite(.serialized)
struct ServeDurabilityTests {
    @Test(arguments: [1, 2])
    func everyAcknowledgedEventIsInTheLedgerExactlyOnceAfterSIGKILL(round: Int) throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        try dir.write("secret", "whsec_durability\n")
        let server = try ServeProcess(ledger: dir.path("ledger.csv"), secrets: [], extra: ["--secret-file", dir.path("secret")])
        defer { server.kill() }
        try server.waitUntilUp()

        // Concurrent signed deliveries; the server is killed once some were acknowledged.
        let prefix = "dur\(round)x"
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", ServeSupport.clientScript, "burst", server.url, "whsec_durability", "400", prefix, "8"]
        let out = try Capture(), err = try Capture()
        client.standardOutput = out.handle
        client.standardError = err.handle
        try client.run()
        // A random moment in the stream: after 1 to 300 acknowledgements, within a group commit or an apply.
        let killAfter = Int.random(in: 1...300)
        let deadline = Date().addingTimeInterval(20)
        while out.text.components(separatedBy: "ack ").count - 1 < killAfter && client.isRunning && Date() < deadline {
            usleep(2_000)
        }
        server.signal(SIGKILL)
        #expect(server.waitForExit(seconds: 10) != nil)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "\(err.text)")

        let lines = out.text.split(separator: "\n")
        let acknowledged = Set(lines.filter { $0.hasPrefix("ack ") }.map { String($0.dropFirst(4)) })
        #expect(!acknowledged.isEmpty)
        #expect(lines.count == 400, "every request got an answer or an error")
        #expect(acknowledged.count < 400, "the server died mid-stream (after \(killAfter) acknowledgements)")

        // The next start applies what the inbox holds that the ledger lacks.
        let again = try server.restarted()
        defer { again.kill() }
        try again.waitUntilUp()
        let drained = try ServeSupport.client(["drained", again.url, "30"])
        #expect(drained["ok"] as? Bool == true, "\(drained)")
        again.signal(SIGTERM)
        #expect(again.waitForExit(seconds: 15) == 0, "\(again.stderr)")

        let payments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id").column("stripe_id")
        var rows: [String: Int] = [:]
        for id in payments { rows[id, default: 0] += 1 }
        #expect(rows.values.allSatisfy { $0 == 1 }, "no payment row twice")
        let journal = try String(contentsOfFile: dir.path("ledger.ledgersync/journal.jsonl"), encoding: .utf8)
        var journalLines: [String: Int] = [:]
        for line in journal.split(separator: "\n") {
            guard let range = line.range(of: "\"id\":\"evt_\(prefix)") else { continue }
            let id = line[range.lowerBound...].dropFirst(6).prefix { $0 != "\"" }
            journalLines[String(id), default: 0] += 1
        }
        for event in acknowledged.sorted() {
            let charge = "ch_" + event.dropFirst(4)
            #expect(rows[charge] == 1, "\(event) was acknowledged; its charge must be in the payments table once")
            #expect(journalLines[event] == 1, "\(event) must be in the journal exactly once, found \(journalLines[event] ?? 0)")
        }
        #expect(journalLines.values.allSatisfy { $0 == 1 }, "no event journaled twice")
    }
}
