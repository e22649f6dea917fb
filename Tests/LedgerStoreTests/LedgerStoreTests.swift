import Foundation
import LedgerCore
@testable import LedgerStore
import Spreadsheet
import StripeData
import Testing

/// A temp folder for one test.
final class Folder {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "ledgerstore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    func write(_ name: String, _ text: String) throws { try text.write(toFile: file(name), atomically: false, encoding: .utf8) }
    func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A `charge.succeeded` event paying `reference`, shaped like Stripe's own fixture (only the fields we read).
func chargeEvent(id: String, charge: String, amount: Int, reference: String, created: Int = 1_767_225_600) -> String {
    """
    {"id":"\(id)","object":"event","type":"charge.succeeded","created":\(created),"livemode":false,"api_version":"2024-06-20",\
    "data":{"object":{"id":"\(charge)","object":"charge","amount":\(amount),"amount_captured":\(amount),"amount_refunded":0,\
    "captured":true,"paid":true,"status":"succeeded","currency":"usd","created":\(created),"livemode":false,\
    "metadata":{"invoice_number":"\(reference)"},"refunds":{"object":"list","data":[],"has_more":false}}}}
    """
}

@Suite struct LedgerStoreTests {
    @Test func stateCacheRoundTripsEveryField() throws {
        var r = Record(kind: .charge, id: "ch_1\ttab", door: .webhook)
        r.livemode = false; r.created = 1; r.observedAt = 2; r.eventID = "evt_1"; r.status = "succeeded"; r.currency = "usd"
        r.amount = 100; r.amountCaptured = 100; r.amountRefunded = -3; r.amountPaid = 4; r.amountDue = 5; r.total = 6
        r.fee = 7; r.net = 93; r.settlementCurrency = "eur"; r.captured = true; r.paidOutOfBand = false; r.customer = "cus_1"
        r.charge = "ch_x"; r.paymentIntent = "pi_1"; r.invoice = "in_1"; r.balanceTransaction = "txn_1"; r.source = "src"
        r.payout = "po_1"; r.email = "a\\b\nc@example.edu"; r.reference = "INV-1"; r.number = "N-1"; r.type = "charge"
        r.reason = "x\ry"; r.dueBy = 9
        var set = RecordSet()
        set.insert(r)
        set.insert(Record(kind: .customer, id: "cus_1", door: .file))
        let decision = Decision(action: .accept(target: "INV-1", flag: .overpaid, note: "ok\tfine"), decidedAt: 5, sequence: 0)
        let cache = StateCache(records: set, decisions: [decision], journalOffset: 42)
        let back = try #require(StateCache.decode(cache.encoded()))
        #expect(back.records.records == set.records)
        #expect(back.decisions == [decision])
        #expect(back.journalOffset == 42)
        #expect(StateCache.decode(Array("something else\n".utf8)) == nil)
    }

    /// settings.json as a person writes it: a tolerance as a number is that amount; a wrong value is
    /// named by its place and what it should be.
    @Test(arguments: [
        (#"{"tolerance": {"usd": 0.5}}"#, nil as String?),
        (#"{"tolerance": {"usd": "0.50"}}"#, nil),
        (#"{"tolerance": {"usd": true}}"#, #"tolerance.usd: expected an amount like "0.50""#),
        (#"{"mode": "testing"}"#, #"mode: expected "test" or "live""#),
        (#"{"mode": "#, "(not JSON)"),
    ])
    func settingsAsAPersonWritesThem(text: String, problem: String?) throws {
        let dir = try Folder()
        try dir.write("settings.json", text)
        do {
            let settings = try LedgerSettings.load(dir.file("settings.json"))
            #expect(problem == nil, "\(text) should be refused")
            #expect(try settings.reconcileSettings(file: "s").tolerance == (settings.tolerance.isEmpty ? [:] : ["usd": 50]))
        } catch {
            #expect(problem.map { error.description.contains($0) } == true, "\(text): \(error)")
        }
    }

    @Test func seenIndexRoundTrips() throws {
        var seen = SeenIndex()
        seen.events = ["evt_1", "evt_2"]
        seen.journalOffset = 7
        seen.ledgerStamp = "1:2:3"
        seen.settingsDigest = "99"
        #expect(SeenIndex.decode(seen.encoded()) == seen)
    }

    @Test func aTornJournalLineIsCutBeforeTheNextAppend() throws {
        let dir = try Folder()
        try dir.write("journal.jsonl", "{\"at\":1,\"decision\":{}}\n{\"at\":2,\"dec")
        let journal = Journal(path: dir.file("journal.jsonl"))
        var lines: [String] = []
        try journal.forEachLine(from: 0) { _, line in lines.append(String(decoding: line, as: UTF8.self)) }
        #expect(lines == ["{\"at\":1,\"decision\":{}}"], "a torn last line is never read")
        try journal.appendDecision(Decision(action: .unmatch(paymentID: "ch_1"), decidedAt: 3, sequence: 0))
        try journal.sync()
        let text = try dir.read("journal.jsonl")
        #expect(text.hasPrefix("{\"at\":1,\"decision\":{}}\n{\"at\":3,\"decision\":"))
        #expect(!text.contains("\"dec{"))
    }

    /// A person saves the ledger while LedgerSync works: the edit is re-read and kept (DESIGN.md §7).
    @Test func anEditSavedDuringARunIsKept() throws {
        let dir = try Folder()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-1,usd,10.00\n")
        let session = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: true)
        defer { session.close() }
        let bytes = Array(chargeEvent(id: "evt_1", charge: "ch_1", amount: 500, reference: "INV-2").utf8)
        let input = StripeJSON.decode(bytes, file: "evt.json", door: .file, settings: ReconcileSettings())
        _ = try session.accept(input, bytes: bytes, door: .file, from: "evt.json")
        // Meanwhile a person adds INV-2 and a column of their own, in a spreadsheet program.
        Thread.sleep(forTimeInterval: 0.01)
        try dir.write("ledger.csv", "invoice_number,currency,amount_due,notes\nINV-1,usd,10.00,\nINV-2,usd,5.00,added by hand\n")
        try session.commit()
        let ledger = try CSV.read(path: dir.file("ledger.csv")).table
        let status = try #require(ledger.columnIndex("status"))
        let notes = try #require(ledger.columnIndex("notes"))
        #expect(ledger.rows.count == 2)
        #expect(ledger.cell(1, notes) == "added by hand")
        #expect(ledger.cell(1, status) == "paid")
        #expect(ledger.cell(0, status) == "open")
    }

    /// The last check is made just before the ledger file is replaced: a save landing while the new
    /// version was being written is never written over.
    @Test func aSaveDuringTheWriteIsNotReplaced() throws {
        let dir = try Folder()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-1,usd,10.00\n")
        let paths = try LedgerPaths(ledger: dir.file("ledger.csv"))
        let stamp = try #require(FileStamp.of(paths.ledger))
        Thread.sleep(forTimeInterval: 0.01)
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-1,usd,10.00\nINV-2,usd,5.00\n")
        let backend = CSVLedger(paths: paths)
        let tables = try backend.load()
        let context = SaveContext(invoices: [], result: Reconciliation(invoices: [], payments: [], notes: []), records: RecordSet(),
                                  mode: nil, now: 0, unchangedSince: stamp)
        #expect(throws: LedgerError.self) {
            try backend.save(invoices: Table(header: ["invoice_number"], rows: []), payments: tables.payments, like: tables, context: context)
        }
        #expect(try dir.read("ledger.csv").contains("INV-2"), "the person's save stays")
        #expect(!FileManager.default.fileExists(atPath: paths.ledger + ".tmp-\(getpid())"))
    }

    @Test func withoutItsSideFilesTheLedgerStillCountsOnce() throws {
        let dir = try Folder()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-1,usd,10.00\n")
        let bytes = Array(chargeEvent(id: "evt_1", charge: "ch_1", amount: 500, reference: "INV-1").utf8)
        for round in 0..<2 {
            if round == 1 { try FileManager.default.removeItem(atPath: dir.file("ledger.ledgersync")) }
            let session = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: true)
            let input = StripeJSON.decode(bytes, file: "evt.json", door: .file, settings: ReconcileSettings())
            _ = try session.accept(input, bytes: bytes, door: .file, from: "evt.json")
            try session.commit()
            session.close()
        }
        let ledger = try CSV.read(path: dir.file("ledger.csv")).table
        #expect(ledger.cell(0, try #require(ledger.columnIndex("amount_paid"))) == "5.00")
        #expect(ledger.cell(0, try #require(ledger.columnIndex("status"))) == "partially_paid")
    }

    @Test func aSecondWriterIsRefusedAfterTheTimeout() throws {
        let dir = try Folder()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\n")
        let first = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: true)
        defer { first.close() }
        #expect(throws: LedgerError.self) {
            _ = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: true, lockTimeout: 0.2)
        }
        // Readers never wait.
        _ = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: false)
    }
}

@Suite struct JournalExportTests {
    /// Export rows go into the journal as CSV inside a JSON string; read back, they are the same cells.
    @Test func exportRowsReadBackExactly() throws {
        let rows = [
            ["id", "Description", "Amount"],
            ["txn_1", "Tuition, \"spring\" term", "-12.50"],
            ["txn_2", "two\nlines\r\nand a \\ and a\ttab", "0.00"],
            ["txn_3", "\u{1}control, é and 日本", ""],
            ["txn_4", "=SUM(A1)", "3"],
        ]
        var csv: [UInt8] = []
        for row in rows {
            CSV.appendRecord(row, to: &csv)
            csv.append(0x0A)
        }
        var inside: [UInt8] = []
        Journal.appendEscaped(csv[...], to: &inside)
        let json = [0x22] + inside + [0x22]
        let text = try JSONDecoder().decode(String.self, from: Data(json))
        let table = try CSV.parse(Array(text.utf8), name: "journal").table
        #expect([table.header] + table.rows == rows)
    }
}

/// Readers (`status`, `export`, `report`) take the reconciliation from the tables' own columns when the
/// tables are what LedgerSync last wrote: that must be exactly what reconciling again gives.
@Suite struct CurrentTablesTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples")

    /// The demo scenario imported into a fresh copy of its ledger.
    func importedSample() throws -> Folder {
        let dir = try Folder()
        try FileManager.default.copyItem(atPath: Self.samples.appendingPathComponent("ledger.csv").path, toPath: dir.file("ledger.csv"))
        let session = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: true)
        defer { session.close() }
        let events = Self.samples.appendingPathComponent("events")
        for name in try FileManager.default.contentsOfDirectory(atPath: events.path).sorted() {
            let bytes = Array(try Data(contentsOf: events.appendingPathComponent(name)))
            let input = StripeJSON.decode(bytes, file: name, door: .file, settings: ReconcileSettings())
            _ = try session.accept(input, bytes: bytes, door: .file, from: name)
        }
        try session.commit()
        return dir
    }

    @Test func readingBackTheSampleLedgerEqualsReconcilingIt() throws {
        let dir = try importedSample()
        let session = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: false)
        #expect(session.tablesAreCurrent)
        let written = try #require(session.tables.reconciliationAsWritten(session.invoices))
        var computed = try session.reconcile(trails: false)
        computed.notes = []
        #expect(written.invoices == computed.invoices)
        #expect(written.payments == computed.payments)
        // The scenario exercises what the read-back must carry: flags, disputes, payouts, invalid rows.
        #expect(written.invoices.contains { $0.flag == .invalidRow })
        #expect(written.payments.contains { $0.kind == .dispute } && written.payments.contains { $0.kind == .payout })
        #expect(written.payments.contains { $0.flag != nil } && written.payments.contains { $0.matchRule != nil })
        // A payment over several rows, and a refund taken back from one.
        #expect(written.payments.contains { $0.appliedAmounts.count > 1 && $0.appliedAmounts.allSatisfy { $0 > 0 } })
        #expect(written.payments.contains { $0.kind == .refund && $0.appliedAmounts.contains { $0 < 0 } })
    }

    @Test func recordsOfSomeKindsAreTheSameReadFromTheStateFileOrLoaded() throws {
        let dir = try importedSample()
        let kinds: Set<Record.Kind> = [.dispute, .payout]
        let current = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: false)
        #expect(current.tablesAreCurrent)
        let fromStateFile = try current.records(ofKinds: kinds)
        let loaded = try current.knownState().records.all.filter { kinds.contains($0.kind) }
        #expect(!fromStateFile.all.isEmpty)
        #expect(Array(fromStateFile.all) == loaded)
    }

    @Test func anEditOrANewRecordMakesTheTablesStale() throws {
        let dir = try importedSample()
        let fresh = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: true)
        #expect(fresh.tablesAreCurrent)
        let bytes = Array(chargeEvent(id: "evt_new", charge: "ch_new", amount: 500, reference: "INV-2026-0001").utf8)
        _ = try fresh.accept(StripeJSON.decode(bytes, file: "evt.json", door: .file, settings: ReconcileSettings()),
                             bytes: bytes, door: .file, from: "evt.json")
        #expect(!fresh.tablesAreCurrent)
        fresh.close()
        // A run stopped after the journal was synced, before the tables were written.
        let journal = Journal(path: try LedgerPaths(ledger: dir.file("ledger.csv")).journal)
        try journal.appendExport(header: ["id", "Created date (UTC)", "Amount", "Currency", "Captured", "Status", "invoice_number (metadata)"],
                                 rows: [Array("ch_after_stop,2026-01-05 10:00:00,5.00,usd,true,Paid,INV-2026-0002\n".utf8)[...]],
                                 from: "payments.csv", at: 0)
        _ = try journal.sync()
        // Older journals kept each export row as a normalised record: still replayed.
        let old = #"{"at":0,"door":"csv_export","from":"old.csv:2","record":{"amount":700,"currency":"usd","door":"csv_export","id":"ch_old_line","kind":"charge","status":"succeeded"}}"# + "\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(old.utf8))
        try handle.close()
        let afterStop = try LedgerSession(ledger: dir.file("ledger.csv"), forWriting: false)
        #expect(!afterStop.tablesAreCurrent)
        let payments = try afterStop.currentReconciliation().payments
        #expect(payments.contains { $0.stripeID == "ch_after_stop" && $0.invoiceNumbers == ["INV-2026-0002"] })
        #expect(payments.contains { $0.stripeID == "ch_old_line" && $0.amount == 700 })

        let dir2 = try importedSample()
        Thread.sleep(forTimeInterval: 0.01)
        let text = try dir2.read("ledger.csv")
        try dir2.write("ledger.csv", text.replacingOccurrences(of: "INV-2026-0001,", with: "INV-2026-0001 ,"))
        let edited = try LedgerSession(ledger: dir2.file("ledger.csv"), forWriting: false)
        #expect(!edited.tablesAreCurrent)
    }
}
