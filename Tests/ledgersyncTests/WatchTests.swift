import Foundation
import Testing

/// `ledgersync watch` over a real folder, run as a user runs it.
@Suite(.serialized)
struct WatchTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: ServeSupport.fixtures + "/" + name))
    }

    /// A ledger and an empty drop folder.
    static func setUp() throws -> TempDir {
        let dir = try TempDir()
        try FileManager.default.copyItem(atPath: ServeSupport.sampleLedger, toPath: dir.path("ledger.csv"))
        try FileManager.default.createDirectory(atPath: dir.path("drop"), withIntermediateDirectories: true)
        return dir
    }

    static func files(_ dir: TempDir, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path(sub))) ?? []).sorted()
    }

    static func paymentIDs(_ dir: TempDir) throws -> [String] {
        guard FileManager.default.fileExists(atPath: dir.path("ledger.payments.csv")) else { return [] }
        return try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id").column("stripe_id")
    }

    @Test func onceSortsGoodBadAndPartlyBadFilesAndLeavesUnfinishedOnes() throws {
        let dir = try Self.setUp()
        try Self.fixture("watch-events.jsonl").write(to: dir.url.appendingPathComponent("drop/events.jsonl"))
        try Self.fixture("watch-bad.json").write(to: dir.url.appendingPathComponent("drop/notes.json"))
        try Self.fixture("watch-partial.jsonl").write(to: dir.url.appendingPathComponent("drop/partial.jsonl"))
        try Self.fixture("watch-event.json").write(to: dir.url.appendingPathComponent("drop/.hidden.json"))
        try Self.fixture("watch-event.json").write(to: dir.url.appendingPathComponent("drop/upload.json.part"))
        try Data("invoice_id,amount\nin_1,10\n".utf8).write(to: dir.url.appendingPathComponent("drop/export.csv"))

        let result = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.path("drop"), "--once"])
        #expect(result.status == 1, "a rejected file makes --once exit 1: \(result.stderr)")
        #expect(Self.files(dir, "drop/processed") == ["events.jsonl", "partial.jsonl", "partial.jsonl.error.txt"])
        #expect(Self.files(dir, "drop/rejected") == ["export.csv", "export.csv.error.txt", "notes.json", "notes.json.error.txt"])
        #expect(Self.files(dir, "drop").filter { !["processed", "rejected", ".ledgersync-watch.lock"].contains($0) }
                == [".hidden.json", "upload.json.part"], "unfinished and hidden files stay where they are")

        let payments = try Self.paymentIDs(dir)
        for id in ["ch_watch0000000", "ch_watch0000001", "ch_watch0000002", "ch_part0000000"] {
            #expect(payments.contains(id), "\(id) applied")
        }
        let notes = try dir.read("drop/rejected/notes.json.error.txt")
        #expect(notes.contains("nothing in it could be applied"))
        #expect(notes.contains("notes.json"))
        #expect(notes.contains("Stripe JSON"), "says what was wrong: \(notes)")
        let partial = try dir.read("drop/processed/partial.jsonl.error.txt")
        #expect(partial.contains("except for 1 record"))
        #expect(partial.contains("partial.jsonl line 2"), "names the line: \(partial)")
        #expect(result.stdout.contains("rejected notes.json"))
        #expect(result.stdout.contains("processed events.jsonl: 3 new"))
        // Byte-for-byte what was dropped: moved, never rewritten.
        #expect(try dir.bytes("drop/processed/events.jsonl") == (try Self.fixture("watch-events.jsonl")))
    }

    /// Watching the folder the ledger lives in: its tables are never taken as dropped files (they were
    /// read as exports, rejected and moved to rejected/).
    @Test func theLedgersOwnFilesInTheWatchedFolderStayWhereTheyAre() throws {
        let dir = try Self.setUp()
        try Self.fixture("watch-event.json").write(to: dir.url.appendingPathComponent("event.json"))
        let first = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.url.path, "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path("ledger.payments.csv")))
        try Self.fixture("watch-events.jsonl").write(to: dir.url.appendingPathComponent("more.jsonl"))
        let second = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.url.path, "--once"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.files(dir, "rejected") == [])
        #expect(Self.files(dir, "processed") == ["event.json", "more.jsonl"])
        #expect(FileManager.default.fileExists(atPath: dir.path("ledger.csv")))
        #expect(FileManager.default.fileExists(atPath: dir.path("ledger.payments.csv")))
    }

    @Test func onceWithNothingToDoExitsZero() throws {
        let dir = try Self.setUp()
        let result = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.path("drop"), "--once"])
        #expect(result.status == 0, "\(result.stderr)")
        let missing = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.path("nowhere"), "--once"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("is not a folder"))
        // A symbolic link dropped in the folder could point anywhere: it is not taken.
        try FileManager.default.createSymbolicLink(atPath: dir.path("drop/link.json"), withDestinationPath: ServeSupport.fixtures + "/watch-event.json")
        let linked = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.path("drop"), "--once"])
        #expect(linked.status == 0 && !linked.stdout.contains("link.json"), "\(linked.stdout)")
        #expect(try Self.files(dir, "drop").contains("link.json") && Self.paymentIDs(dir).isEmpty)
        // A ledger that is not there is said at once, before any file arrives.
        let noLedger = try CLI.run(["watch", "--ledger", dir.path("elsewhere/ledger.csv"), dir.path("drop"), "--once"])
        #expect(noLedger.status == 2 && noLedger.stderr.contains("does not exist"), "\(noLedger.stderr)")
    }

    /// A running watcher: files dropped while it runs, one written slowly, the same file twice.
    @Test func runningWatcherTakesDroppedFilesOnceTheyAreComplete() throws {
        let dir = try Self.setUp()
        let watcher = Process()
        watcher.executableURL = CLI.binary
        watcher.arguments = ["watch", "--ledger", dir.path("ledger.csv"), dir.path("drop"), "--interval", "0.2"]
        let out = try Capture(), err = try Capture()
        watcher.standardOutput = out.handle
        watcher.standardError = err.handle
        try watcher.run()
        defer { if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) } }

        func waitFor(_ path: String, seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if FileManager.default.fileExists(atPath: dir.path(path)) { return true }
                usleep(50_000)
            }
            return false
        }

        // Renamed in from a temporary name, as careful writers do.
        let event = try Self.fixture("watch-event.json")
        try event.write(to: dir.url.appendingPathComponent("drop/evt.json.tmp"))
        #expect(rename(dir.path("drop/evt.json.tmp"), dir.path("drop/evt.json")) == 0)
        #expect(waitFor("drop/processed/evt.json"), "applied and moved: \(err.text)")
        #expect(try Self.paymentIDs(dir).contains("ch_single0000000"))
        let ledgerAfterFirst = try dir.bytes("ledger.csv")
        let paymentsAfterFirst = try dir.bytes("ledger.payments.csv")

        // The same file again: a new name in processed/, nothing changed.
        try event.write(to: dir.url.appendingPathComponent("drop/evt.json"))
        #expect(waitFor("drop/processed/evt.2.json"), "\(err.text)")
        #expect(try dir.bytes("ledger.csv") == ledgerAfterFirst)
        #expect(try dir.bytes("ledger.payments.csv") == paymentsAfterFirst)
        // The file is moved first and the line printed after: wait for the line too.
        let said = Date().addingTimeInterval(10)
        while !out.text.contains("processed evt.json: 0 new, 1 duplicate") && Date() < said { usleep(50_000) }
        #expect(out.text.contains("processed evt.json: 0 new, 1 duplicate"), "\(out.text)")

        // Written slowly in place: never read half-way.
        let lines = try Self.fixture("watch-events.jsonl")
        let half = lines.count / 2
        _ = FileManager.default.createFile(atPath: dir.path("drop/slow.jsonl"), contents: nil)
        let writer = try FileHandle(forWritingTo: dir.url.appendingPathComponent("drop/slow.jsonl"))
        for chunk in stride(from: 0, to: half, by: 200) {
            writer.write(lines.subdata(in: chunk..<min(chunk + 200, half)))
            usleep(100_000) // faster than the watcher looks, so the size changes between any two looks
        }
        #expect(FileManager.default.fileExists(atPath: dir.path("drop/slow.jsonl")), "still being written: left alone")
        writer.write(lines.subdata(in: half..<lines.count))
        try writer.close()
        #expect(waitFor("drop/processed/slow.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("drop/processed/slow.jsonl.error.txt")), "read whole, no problem")
        #expect(Self.files(dir, "drop/rejected").isEmpty)
        #expect(try dir.bytes("drop/processed/slow.jsonl") == lines)

        // A bad file while it runs.
        try Self.fixture("watch-bad.json").write(to: dir.url.appendingPathComponent("drop/bad.json"))
        #expect(waitFor("drop/rejected/bad.json.error.txt"))
        #expect(waitFor("drop/rejected/bad.json"))

        kill(watcher.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while watcher.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!watcher.isRunning)
        #expect(watcher.terminationStatus == 0, "\(err.text)")
    }

    @Test func aSecondWatcherOnTheSameFolderIsRefused() throws {
        let dir = try Self.setUp()
        let first = Process()
        first.executableURL = CLI.binary
        first.arguments = ["watch", "--ledger", dir.path("ledger.csv"), dir.path("drop"), "--interval", "0.2"]
        let out = try Capture()
        first.standardOutput = out.handle
        first.standardError = out.handle
        try first.run()
        defer { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() }
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: dir.path("drop/processed")) && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        let second = try CLI.run(["watch", "--ledger", dir.path("ledger.csv"), dir.path("drop"), "--once"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("watched by another"), "\(second.stderr)")
    }
}
