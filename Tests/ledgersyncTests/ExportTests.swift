import Foundation
import Testing

/// `ledgersync export`: the workbook people open and the CSV other tools read.
@Suite(.serialized)
struct ExportTests {
    @Test func sampleExportsToAWorkbookAndACSV() throws {
        let (dir, imported) = try EndToEndTests.importedSample()
        #expect(imported.status <= 1)
        let result = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--xlsx", dir.path("out/book.xlsx"), "--csv", dir.path("out/invoices.csv"), "--json"])
        #expect(result.status == 2) // the output folder does not exist
        #expect(result.stderr.contains("out/book.xlsx") && result.stderr.contains("does not exist or is not writable"), "\(result.stderr)")
        #expect(!result.stderr.contains("[ERROR]"), "only LedgerSync's own message: \(result.stderr)")
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        let ok = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--xlsx", dir.path("out/book.xlsx"), "--csv", dir.path("out/invoices.csv"), "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect(summary?["invoices"] as? Int == 41)
        #expect((summary?["payments"] as? Int ?? 0) > 30)
        #expect((summary?["review"] as? Int ?? 0) > 5)
        #expect(summary?["sheets"] as? [String] == ["Summary", "Invoices", "Review", "Payments", "Payouts"])
        let csvOnly = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--csv", dir.path("out/only.csv"), "--json"])
        let keys = try JSONSerialization.jsonObject(with: Data(csvOnly.stdout.utf8)) as? [String: Any]
        #expect(Set(keys?.keys.map { $0 } ?? []) == ["ledger", "xlsx", "csv", "sheets", "invoices", "payments", "review", "constantMemory"])
        #expect(keys?["xlsx"] is NSNull)

        let book = try PythonTool.dump(dir.path("out/book.xlsx"))
        let invoices = try #require(book.sheet["Invoices"])
        // samples/expected.csv: invoice_number,status,amount_paid,amount_refunded,balance_due,flag (no quoted fields).
        let expected = try String(contentsOf: EndToEndTests.samples.appendingPathComponent("expected.csv"), encoding: .utf8)
        let lines = expected.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let names = lines[0]
        let ledger = lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(names, $0)) }
        #expect(invoices.rows.count == ledger.count + 1)
        for (r, row) in ledger.enumerated() {
            #expect(invoices.value(r + 1, "invoice_number") == .string(row["invoice_number"] ?? ""))
            #expect(invoices.value(r + 1, "status") == (row["status"].map { $0.isEmpty ? Value.null : .string($0) } ?? .null))
            let flagged = !(row["flag"] ?? "").isEmpty
            #expect((invoices.fills[r + 1] != nil) == flagged, "\(row["invoice_number"] ?? "")")
        }
        let summarySheet = try #require(book.sheet["Summary"])
        let rowsLine = try #require(summarySheet.rows.firstIndex { $0.first == .string("Invoice rows") })
        #expect(summarySheet.cached[rowsLine][1] == .number(41))
        #expect(summarySheet.rows[rowsLine][1].text == "=ROWS(Invoices!$A$2:$A$42)")
        // Per currency, the same figures as `status` (the invalid_row row counts nowhere).
        let usd = try #require(summarySheet.rows.firstIndex { $0.first == .string("usd") })
        #expect(summarySheet.cached[usd][1] == .number(36) && summarySheet.cached[usd][2] == .number(40115), "\(summarySheet.cached[usd])")
        // The CSV is the invoices table as the ledger holds it.
        #expect(try dir.read("out/invoices.csv") == (try dir.read("ledger.csv")))
    }

    @Test func formulaLikeCustomerNamesAreNeutralisedInTheCSVAndTextInTheWorkbook() throws {
        let dir = try TempDir()
        try dir.write("ledger.csv", """
        invoice_number,customer_name,currency,amount_due,notes
        INV-1,"=cmd|' /C calc'!A0",usd,10.00,+1 call back
        INV-2,@SUM(A1:A9),usd,-5,-12.50
        INV-3,Plain Name,usd,12.50,ok

        """)
        let result = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--csv", dir.path("out.csv"), "--xlsx", dir.path("out.xlsx")])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try dir.read("out.csv").split(separator: "\n").map(String.init)
        #expect(rows[1].hasPrefix("INV-1,'=cmd|' /C calc'!A0,usd,10.00,'+1 call back,"))
        #expect(rows[2].hasPrefix("INV-2,'@SUM(A1:A9),usd,-5,-12.50,"))
        #expect(rows[3].hasPrefix("INV-3,Plain Name,usd,12.50,ok,"))
        let book = try PythonTool.dump(dir.path("out.xlsx"))
        let invoices = try #require(book.sheet["Invoices"])
        #expect(invoices.value(1, "customer_name") == .string("=cmd|' /C calc'!A0"))
        #expect(invoices.types[1][1] == "s")
        #expect(invoices.value(2, "customer_name") == .string("@SUM(A1:A9)"))

        // A payment's formula-like reference: neutralised in the payments table, the text itself in the workbook.
        try dir.write("payments.csv", """
        id,Created date (UTC),Amount,Currency,Captured,Status,invoice_number (metadata)
        ch_F1,2026-03-05 10:00:00,10.00,usd,true,Paid,"=cmd|' /C calc'!A0"

        """)
        let imported = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("payments.csv")])
        #expect(imported.status <= 1, "\(imported.stderr)")
        #expect(try dir.read("ledger.payments.csv").contains(",'=cmd|' /C calc'!A0,"))
        let again = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--xlsx", dir.path("again.xlsx")])
        #expect(again.status == 0, "\(again.stderr)")
        let payments = try #require(try PythonTool.dump(dir.path("again.xlsx")).sheet["Payments"])
        let referenceColumn = try #require(payments.rows[0].firstIndex(of: .string("reference")))
        #expect(payments.rows.dropFirst().map { $0[referenceColumn] }.contains(.string("=cmd|' /C calc'!A0")), "\(payments.rows)")
    }

    @Test func exportRefusesToOverwriteTheLedgerAndNeedsAnOutput() throws {
        let dir = try TempDir()
        try dir.write("ledger.csv", "invoice_number,currency,amount_due\nINV-1,usd,1.00\n")
        let same = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--csv", dir.path("ledger.csv")])
        #expect(same.status == 2)
        #expect(same.stderr.contains("is one of the ledger's own files"))
        let none = try CLI.run(["export", "--ledger", dir.path("ledger.csv")])
        #expect(none.status == 2)
        #expect(none.stderr.contains("Say what to write"))
        let wrongExtension = try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--xlsx", dir.path("out.csv")])
        #expect(wrongExtension.status == 2)
        #expect(try dir.read("ledger.csv") == "invoice_number,currency,amount_due\nINV-1,usd,1.00\n")
    }

    /// Another program opens the workbook: LibreOffice converts its sheets to CSV with the cached figures.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice"), "needs LibreOffice (make deps)"))
    func libreOfficeOpensTheExportedWorkbook() throws {
        let (dir, _) = try EndToEndTests.importedSample()
        let book = dir.path("book.xlsx")
        #expect(try CLI.run(["export", "--ledger", dir.path("ledger.csv"), "--xlsx", book]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
        process.arguments = ["-env:UserInstallation=file://" + dir.path("lo-profile"), "--headless", "--convert-to",
                             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                             "--outdir", dir.path("csv"), book]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let summary = try dir.read("csv/book-Summary.csv")
        #expect(summary.contains("LedgerSync summary"))
        #expect(summary.contains("Invoice rows,41"))
        let invoices = try dir.read("csv/book-Invoices.csv")
        #expect(invoices.hasPrefix("invoice_number,customer_name"))
        #expect(invoices.contains("INV-2026-0041"))
        let review = try dir.read("csv/book-Review.csv")
        #expect(review.hasPrefix("age_days,kind,target,flag,reason"))
    }
}
