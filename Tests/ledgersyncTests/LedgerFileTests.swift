import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the binary does to ledger files: formats kept, structural problems refused, one writer at a time.
@Suite(.serialized)
struct LedgerFileTests {
    static let events = EndToEndTests.samples.appendingPathComponent("events").path

    @Test func initCreatesTheTemplateLedgerAndNeverOverwrites() throws {
        let dir = try TempDir()
        let dry = try CLI.run(["init", dir.path("books"), "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("Would create"), "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("books")), "a dry run creates nothing")
        for (arguments, message) in [(["--name", "../escape"], "must be a plain file name"), (["--tolerance", "usd=-1"], "zero or more"),
                                     (["--tolerance", "usd=0.50", "--tolerance", "USD=1"], "given twice")] {
            let refused = try CLI.run(["init", dir.path("books")] + arguments)
            #expect(refused.status == 2 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("escape.csv")))
        let first = try CLI.run(["init", dir.path("books"), "--mode", "test", "--tolerance", "usd=0.50"])
        #expect(first.status == 0, "\(first.stderr)")
        let template = try String(contentsOf: CLI.packageRoot.appendingPathComponent("Templates/ledger.csv"), encoding: .utf8)
        #expect(try dir.read("books/ledger.csv") == template)
        #expect(try dir.read("books/ledger.payments.csv").hasPrefix("stripe_id,kind,status,created,currency,amount,fee,net"))
        #expect(try dir.read("books/ledger.ledgersync/settings.json").contains("\"usd\" : \"0.50\""))
        let again = try CLI.run(["init", dir.path("books")])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists; LedgerSync never overwrites a ledger"))
        // A ledger renamed away leaves its payments table and side folder: a new one takes over neither.
        try FileManager.default.moveItem(atPath: dir.path("books/ledger.csv"), toPath: dir.path("books/ledger-2026.csv"))
        let settings = try dir.read("books/ledger.ledgersync/settings.json")
        let over = try CLI.run(["init", dir.path("books"), "--mode", "live"])
        #expect(over.status == 2 && over.stderr.contains("already exists"), "\(over.stderr)")
        #expect(try dir.read("books/ledger.ledgersync/settings.json") == settings)
        #expect(!FileManager.default.fileExists(atPath: dir.path("books/ledger.csv")))
        // A workbook beside a CSV ledger of the same name would share its side folder.
        let twin = try CLI.run(["init", dir.path("books"), "--name", "ledger-2026", "--xlsx"])
        #expect(twin.status == 2 && twin.stderr.contains("ledger-2026.csv: already exists"), "\(twin.stderr)")
    }

    @Test func userColumnsLineEndingsAndBOMAreKept() throws {
        let dir = try TempDir()
        let ledger = "\u{FEFF}program,invoice_number,currency,amount_due,notes,customer_email\r\n" +
            "\"Piano, grade 3\",TEST-0001,usd,100.00,\"said \"\"next week\"\"\",a@example.edu\r\n" +
            "Violin,TEST-0002,usd,250.00,  padded  ,b@example.edu\r\n"
        try dir.write("ledger.csv", ledger)
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        #expect(result.status <= 1, "\(result.stderr)")
        let bytes = try dir.bytes("ledger.csv")
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("program,invoice_number,currency,amount_due,notes,customer_email,status,amount_paid"))
        #expect(lines[1].hasPrefix("\"Piano, grade 3\",TEST-0001,usd,100.00,\"said \"\"next week\"\"\",a@example.edu,open,0.00"))
        // Padded cells keep their spaces; they come back quoted so no reader trims them.
        #expect(lines[2].hasPrefix("Violin,TEST-0002,usd,250.00,\"  padded  \",b@example.edu,open"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test(arguments: [
        ("invoice_number,currency,amount_due\nINV-1,usd,1.00\ninv-1,usd,2.00\n",
         "invoice_number 'inv-1' is on row 2 and row 3; invoice numbers must be unique — rename one of them"),
        ("invoice_number,currency\nINV-1,usd\n",
         "the header has no 'amount_due' column; the invoices table needs invoice_number, currency, amount_due"),
        ("invoice_number,currency,amount_due,currency\nINV-1,usd,1.00,usd\n",
         "column 'currency' appears twice in the header"),
        ("Tuition invoices 2026,,\ninvoice_number,currency,amount_due\nINV-1,usd,1.00\n",
         "the first row ('Tuition invoices 2026') is read as the header, but the header (invoice_number, currency, amount_due) is on row 2; delete the rows above it"),
    ])
    func structuralProblemsExit2AndWriteNothing(ledger: String, message: String) throws {
        let dir = try TempDir()
        try dir.write("ledger.csv", ledger)
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try dir.read("ledger.csv") == ledger)
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.payments.csv")))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.ledgersync")), "not even the side folder")
    }

    @Test func aBadCellFlagsOnlyItsRow() throws {
        let dir = try TempDir()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due,due_date\nINV-1,usd,12.345,2026-01-01\nINV-2,usd,10.00,2026-02-30\nINV-3,xyz,5,\nINV-4,usd,20.00,2026-03-01\nINV-5,usd,1.00,2026-03-01T13:30:00Z\n")
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        #expect(result.status == 1)
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        #expect(ledger.row("INV-1")?["flag"] == "invalid_row")
        #expect(ledger.row("INV-1")?["flag_detail"]?.contains("'12.345' has more decimals than USD allows (2)") == true)
        #expect(ledger.row("INV-2")?["flag_detail"]?.contains("'2026-02-30' is not a date; write YYYY-MM-DD") == true)
        #expect(ledger.row("INV-3")?["flag_detail"]?.contains("'xyz' is not an ISO 4217 currency code") == true)
        #expect(ledger.row("INV-4")?["flag"] == "")
        #expect(ledger.row("INV-4")?["status"] == "open")
        #expect(ledger.row("INV-5")?["flag"] == "", "a date with a time of day is that day")
    }

    @Test func aSecondWriterWaitsThenFailsClearly() throws {
        let dir = try TempDir()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-1,usd,1.00\n")
        try FileManager.default.createDirectory(atPath: dir.path("ledger.ledgersync"), withIntermediateDirectories: true)
        let fd = open(dir.path("ledger.ledgersync/lock"), O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX) == 0)
        defer { flock(fd, LOCK_UN); close(fd) }
        let started = Date()
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--lock-timeout", "1", Self.events])
        #expect(result.status == 2)
        #expect(Date().timeIntervalSince(started) >= 1)
        #expect(result.stderr.contains("is in use by another LedgerSync process"), "\(result.stderr)")
        #expect(try dir.read("ledger.csv") == "invoice_number,currency,amount_due\nINV-1,usd,1.00\n")
    }

    /// A ledger open in a spreadsheet program (its lock file beside it) is still written, with a note
    /// saying that the open copy is out of date.
    @Test func aLedgerOpenInASpreadsheetProgramIsNoted() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: EndToEndTests.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        try dir.write(".~lock.ledger.csv#", ",person,host,21.11.2026 10:00,person;\n")
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        #expect(result.status <= 1)
        #expect(result.stderr.contains("is open in a spreadsheet program (.~lock.ledger.csv#)"), "\(result.stderr)")
        let status = try CLI.run(["status", "--ledger", dir.path("ledger.csv")])
        #expect(!status.stderr.contains("spreadsheet program"), "reading says nothing")
    }

    /// settings.json edited by hand counts from the next run, for what was imported before too: a new
    /// reference key finds the payments already known.
    @Test func editedReferenceKeysApplyToWhatWasImportedBefore() throws {
        let dir = try TempDir()
        #expect(try CLI.run(["init", dir.url.path]).status == 0)
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-T4,usd,100.00\n")
        try dir.write("charge.json", #"{"id":"ch_t4","object":"charge","amount":10000,"amount_captured":10000,"amount_refunded":0,"captured":true,"status":"succeeded","currency":"usd","created":1767300000,"livemode":false,"metadata":{"order_ref":"INV-T4"}}"#)
        try dir.write("empty.json", #"{"object":"list","data":[],"has_more":false}"#)
        _ = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("charge.json")])
        #expect(try LedgerCSV(dir.path("ledger.csv")).row("INV-T4")?["status"] == "open")
        let settings = try dir.read("ledger.ledgersync/settings.json")
        try dir.write("ledger.ledgersync/settings.json", settings.replacingOccurrences(of: "\"invoice_number\"", with: "\"invoice_number\", \"order_ref\""))
        for run in 1...2 {
            let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("empty.json")])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try LedgerCSV(dir.path("ledger.csv")).row("INV-T4")?["status"] == "paid", "run \(run)")
        }
    }

    /// A ledger reached through a symbolic link: the file it points to is the ledger, written in place,
    /// with its side files beside it; the link stays a link.
    @Test func aLinkedLedgerIsWrittenWhereItIs() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.path("real"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path("view"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: EndToEndTests.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("real/ledger.csv"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("view/ledger.csv"), withDestinationPath: "../real/ledger.csv")
        let result = try CLI.run(["import", "--ledger", dir.path("view/ledger.csv"), Self.events])
        #expect(result.status <= 1, "\(result.stderr)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir.path("view/ledger.csv"))) == "../real/ledger.csv")
        #expect(try LedgerCSV(dir.path("real/ledger.csv")).column("status").contains("paid"))
        #expect(FileManager.default.fileExists(atPath: dir.path("real/ledger.ledgersync/journal.jsonl")))
        #expect(!FileManager.default.fileExists(atPath: dir.path("view/ledger.ledgersync")))
        // A linked payments table is written through too.
        try FileManager.default.moveItem(atPath: dir.path("real/ledger.payments.csv"), toPath: dir.path("real/store.csv"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("real/ledger.payments.csv"), withDestinationPath: "store.csv")
        try dir.write("empty.json", #"{"object":"list","data":[],"has_more":false}"#)
        try FileManager.default.removeItem(atPath: dir.path("real/ledger.ledgersync/state.tsv"))
        _ = try CLI.run(["import", "--ledger", dir.path("view/ledger.csv"), dir.path("empty.json")])
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir.path("real/ledger.payments.csv"))) == "store.csv")
        #expect(try dir.read("real/store.csv").contains("ch_"))
    }

    /// A ledger only its owner may read stays so when rewritten; its payments table is made as private,
    /// and the side folder (whose journal holds every event as it came) is its owner's only.
    @Test func permissionsAreKept() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: EndToEndTests.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir.path("ledger.csv"))
        _ = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.events])
        func mode(_ name: String) throws -> Int { try FileManager.default.attributesOfItem(atPath: dir.path(name))[.posixPermissions] as? Int ?? -1 }
        #expect(try mode("ledger.csv") == 0o600 && mode("ledger.payments.csv") == 0o600 && mode("ledger.ledgersync") == 0o700)
    }

    @Test func everyCommandExplainsItselfWithExamples() throws {
        for command in ["init", "import", "status", "explain", "resolve"] {
            let result = try CLI.run([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Examples:"), "\(command) --help has no examples")
        }
        let usage = try CLI.run(["import"])
        #expect(usage.status == 2, "usage errors exit 2")
        // With --json, a failure still gives a script JSON to read.
        for arguments in [["import", "--json"], ["status", "--ledger", "/nonexistent/ledger.csv", "--json"]] {
            let failed = try CLI.run(arguments)
            let answer = try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any]
            #expect(failed.status == 2 && answer?["exitCode"] as? Int == 2 && (answer?["error"] as? String)?.isEmpty == false,
                    "\(arguments): \(failed.stdout)")
        }
    }
}
