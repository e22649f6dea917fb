import Foundation
import Testing

/// `ledgersync report` without --send: the .eml, read back by Python's `email` package and openpyxl,
/// and the figures it carries on the demo sample.
@Suite(.serialized)
struct ReportMessageTests {
    @Test func sampleReportIsAStandardMessageWithTheWorkbookAttached() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "bursar@school.edu,\"Zoë Müller\" <zoe@example.org>",
                                            "--from", "Ledger <ledger@school.edu>", "--out", dir.path("week.eml"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try ReportSupport.json(result.stdout)
        #expect(run["eml"] as? String == dir.path("week.eml"))
        #expect(run["sent"] as? Bool == false)
        #expect(run["templates"] as? String == "Templates/email")

        let eml = try ReportSupport.parse(dir.path("week.eml"))
        #expect(eml["defects"] as? [String] == [])
        #expect(eml["from"] as? [String] == ["ledger@school.edu"])
        #expect((eml["to"] as? [[String]]) == [["", "bursar@school.edu"], ["Zoë Müller", "zoe@example.org"]])
        #expect(eml["rawSubjectIsASCII"] as? Bool == true)
        #expect(eml["dateHasZone"] as? Bool == true)
        #expect((eml["messageID"] as? String)?.hasSuffix("@school.edu>") == true)
        #expect(eml["mimeVersion"] as? String == "1.0")
        #expect(eml["crlfOnly"] as? Bool == true)
        #expect((eml["longestLine"] as? Int ?? 999) <= 78)
        let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        #expect(eml["structure"] as? [String] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", xlsxType])

        let attachments = try #require(eml["attachments"] as? [[String: Any]])
        try #require(attachments.count == 1)
        let book = attachments[0]
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(book["filename"] as? String == "ledger-\(today).xlsx")
        #expect(book["contentType"] as? String == xlsxType)
        #expect(book["transferEncoding"] as? String == "base64")
        #expect(book["longestEncodedLine"] as? Int == 76)
        #expect(book["sheets"] as? [String] == ["Summary", "Invoices", "Review", "Payments", "Payouts"])
        #expect(book["invoiceRows"] as? Int == 41)
        #expect((book["summaryInvoiceRows"] as? NSNumber)?.intValue == 41)

        // First report: everything paid or flagged is new; figures from samples/expected.csv.
        let figures = try #require(run["figures"] as? [String: Any])
        let expected = EndToEndTests.csvRows(try String(contentsOf: EndToEndTests.samples.appendingPathComponent("expected.csv"), encoding: .utf8))
        let paid = expected.filter { ["paid", "overpaid"].contains($0["status"] ?? "") }.compactMap { $0["invoice_number"] }
        let flaggedRows = expected.filter { !($0["flag"] ?? "").isEmpty }.compactMap { $0["invoice_number"] }
        #expect(figures["isFirstReport"] as? Bool == true)
        #expect(Set(ReportSupport.invoiceNumbers(figures["newlyPaid"])) == Set(paid))
        #expect(ReportSupport.invoiceNumbers(figures["stillFlagged"]) == [])
        let newlyFlagged = ReportSupport.invoiceNumbers(figures["newlyFlagged"])
        #expect(Set(newlyFlagged.filter { $0.hasPrefix("INV-") }) == Set(flaggedRows))
        // Payments no row took, with their flag (samples/expected_payments.csv); the EUR payment's
        // currency_mismatch is already the flag of its row INV-2026-0033, so it is listed once.
        #expect(Set(newlyFlagged.filter { $0.hasPrefix("ch_") }) == ["ch_3QcDqIe71lHFE8l6khCQBQo9", "ch_3R7ahYe71lHFE8l6OvPqMznp",
                                                                     "ch_3Rrxa2e71lHFE8l6qt152yfn"])
        #expect(figures["openFlagCount"] as? Int == flaggedRows.count + 3)
        #expect((figures["oldestOpenFlags"] as? [Any])?.count == 5)
        let totals = try #require(figures["totals"] as? [[String: Any]])
        #expect(totals.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 41)
        let paidLine = try #require(totals.first { $0["status"] as? String == "paid" })
        #expect(paidLine["count"] as? Int == expected.filter { $0["status"] == "paid" }.count)
        #expect(totals.first { $0["status"] as? String == "invalid_row" }?["count"] as? Int == 1)
        // Rows with a payment, and those settled by a rule without a flag (as `status` and the workbook
        // define the rate), counted from the sample's golden ledger.
        let golden = try LedgerCSV(EndToEndTests.golden.appendingPathComponent("ledger.csv").path)
        let goldenRows = golden.rows.map { row in Dictionary(uniqueKeysWithValues: golden.header.enumerated().map { ($0.element, $0.offset < row.count ? row[$0.offset] : "") }) }
        let incoming = goldenRows.filter { !($0["payment_ids"] ?? "").isEmpty }
        let automatic = incoming.filter {
            ["paid", "overpaid", "refunded", "partially_refunded"].contains($0["status"] ?? "") && ($0["flag"] ?? "").isEmpty && $0["match_rule"] != "manual"
        }
        #expect(figures["paymentCount"] as? Int == incoming.count)
        #expect(figures["autoReconciledCount"] as? Int == automatic.count)
        let rate = String(format: "%.1f%%", Double(automatic.count) * 100 / Double(incoming.count))
        #expect(figures["autoReconciledRate"] as? String == rate)

        let text = try #require(eml["text"] as? String)
        #expect(text.contains("LedgerSync report for ledger.csv"))
        #expect(text.contains("This is the first report for this ledger"))
        #expect(text.contains("TOTALS BY STATUS (41 invoices)"))
        #expect(text.contains("  paid: \(paidLine["count"] as? Int ?? -1), due "))
        #expect(text.contains("Auto-reconciled: \(rate) (\(automatic.count) of \(incoming.count) rows with a payment settled without a person)"))
        #expect(text.contains("INV-2026-0001  María José Dubois  1,250.00 USD  paid "))
        #expect(text.contains("The full ledger is attached as ledger-\(today).xlsx."))
        let html = try #require(eml["html"] as? String)
        #expect(html.contains("<h2>LedgerSync report for ledger.csv</h2>"))
        #expect(html.contains("<strong>INV-2026-0001</strong>, María José Dubois: 1,250.00 USD"))
        #expect(eml["subject"] as? String == run["subject"] as? String)
        #expect((run["subject"] as? String)?.hasPrefix("ledger.csv: \(paid.count) newly paid, \(flaggedRows.count + 3) open flags (") == true)

        // Without --send nothing counts as a report sent, but flags' first-seen times are kept.
        let state = try ReportSupport.state(dir)
        #expect(state["lastSent"] == nil)
        let lastRun = try #require(state["lastRun"] as? [String: Any])
        let rows = try #require(lastRun["rows"] as? [String: [String: Any]])
        #expect(rows.count == 41)
        #expect(rows["INV-2026-0019"]?["flag"] as? String == "refund_failed")
        #expect(rows["INV-2026-0001"]?["status"] as? String == "paid")
    }

    @Test func defaultFileIsInTheReportsFolderAndTheLedgerIsUntouched() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let before = try dir.bytes("ledger.csv")
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "bursar@school.edu"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = ReportSupport.defaultEMLs(dir)
        try #require(files.count == 1)
        #expect(files[0].range(of: #"^report-\d{8}-\d{6}\.eml$"#, options: .regularExpression) != nil)
        #expect(result.stdout.contains("Wrote \(dir.path("ledger.ledgersync/reports/" + files[0])): \""))
        #expect(result.stdout.contains("Not sent (no --send): changes still count from the beginning."))
        let eml = try ReportSupport.parse(dir.path("ledger.ledgersync/reports/" + files[0]))
        #expect(eml["from"] as? [String] == ["ledgersync@localhost"])
        #expect(try dir.bytes("ledger.csv") == before)
        #expect(ReportSupport.outbox(dir).isEmpty)
    }

    @Test func sinceAPeriodCountsPaidAtAndFirstSeenInsideIt() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let start = "2026-03-15"
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--since", start,
                                            "--out", dir.path("r.eml"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try #require(try ReportSupport.json(result.stdout)["figures"] as? [String: Any])
        #expect(figures["isFirstReport"] as? Bool == false)
        #expect(figures["periodLabel"] as? String == "since 2026-03-15 00:00 UTC")
        // The ledger's own paid_at column says which rows were paid in the period.
        let ledger = try dir.read("ledger.csv")
        let table = ledger.split(separator: "\n").map { Self.csvFields(String($0)) }
        let header = table[0]
        let number = try #require(header.firstIndex(of: "invoice_number")), status = try #require(header.firstIndex(of: "status"))
        let paidAt = try #require(header.firstIndex(of: "paid_at"))
        let inPeriod = table.dropFirst().filter { ["paid", "overpaid"].contains($0[status]) && $0[paidAt] >= start + "T00:00:00Z" }.map { $0[number] }
        let before = table.dropFirst().filter { ["paid", "overpaid"].contains($0[status]) && $0[paidAt] < start }.map { $0[number] }
        #expect(!inPeriod.isEmpty && !before.isEmpty, "the sample has payments on both sides of \(start)")
        #expect(Set(ReportSupport.invoiceNumbers(figures["newlyPaid"])) == Set(inPeriod))

        let lastDay = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--since", "1d",
                                             "--out", dir.path("r.eml"), "--json"])
        let recent = try #require(try ReportSupport.json(lastDay.stdout)["figures"] as? [String: Any])
        #expect((recent["periodLabel"] as? String)?.hasPrefix("in the last day (since \(Self.hoursAgo(24).prefix(10)) ") == true)
        #expect(ReportSupport.invoiceNumbers(recent["newlyPaid"]) == [])
        // The first run dated each flag from its row's newest Stripe record (months ago), and the
        // second carries those times forward: only the unreadable row, which no record dates, was
        // first seen within the last day.
        #expect(ReportSupport.invoiceNumbers(recent["newlyFlagged"]) == ["INV-2026-0038"])
        #expect((recent["stillFlagged"] as? [Any])?.count == (recent["openFlagCount"] as? Int ?? 0) - 1)

        let bad = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--since", "last week"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--since 'last week' is neither a period nor a date; write 7d, 12h, 2w, or YYYY-MM-DD (UTC)"))
    }

    @Test func flagAgeIsCarriedForwardFromRunToRun() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let first = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--out", dir.path("r.eml")])
        #expect(first.status == 0, "\(first.stderr)")
        // Pretend the last run saw every flag a day ago, INV-2026-0019's ten days ago and the unmatched
        // payment's three days ago.
        let path = dir.path("ledger.ledgersync/reports/state.json")
        var state = try ReportSupport.state(dir)
        var lastRun = try #require(state["lastRun"] as? [String: Any])
        var rows = try #require(lastRun["rows"] as? [String: [String: Any]])
        var payments = try #require(lastRun["payments"] as? [String: [String: Any]])
        let dayAgo = Self.timestamp(Date().addingTimeInterval(-86_400))
        for (key, row) in rows where row["flaggedSince"] as? String != nil { rows[key]?["flaggedSince"] = dayAgo }
        for key in payments.keys { payments[key]?["flaggedSince"] = dayAgo }
        let tenDaysAgo = Self.timestamp(Date().addingTimeInterval(-10 * 86_400 - 60))
        rows["INV-2026-0019"]?["flaggedSince"] = tenDaysAgo
        payments["ch_3R7ahYe71lHFE8l6OvPqMznp"]?["flaggedSince"] = Self.timestamp(Date().addingTimeInterval(-3 * 86_400 - 60))
        lastRun["rows"] = rows
        lastRun["payments"] = payments
        state["lastRun"] = lastRun
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: path))

        let second = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--since", "7d",
                                            "--out", dir.path("r.eml"), "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let figures = try #require(try ReportSupport.json(second.stdout)["figures"] as? [String: Any])
        let still = try #require(figures["stillFlagged"] as? [[String: Any]])
        #expect(still.map { $0["invoiceNumber"] as? String } == ["INV-2026-0019"])
        #expect(still.first?["flaggedDays"] as? Int == 10)
        #expect(still.first?["flaggedFor"] as? String == "10 days")
        let oldest = try #require(figures["oldestOpenFlags"] as? [[String: Any]])
        #expect(oldest.prefix(2).map { $0["invoiceNumber"] as? String } == ["INV-2026-0019", "ch_3R7ahYe71lHFE8l6OvPqMznp"])
        #expect(oldest[1]["flaggedFor"] as? String == "3 days")
        #expect(oldest[1]["customerName"] as? String != "")
        #expect(ReportSupport.invoiceNumbers(figures["newlyFlagged"]).contains("ch_3R7ahYe71lHFE8l6OvPqMznp"))
        let text = try #require(try ReportSupport.parse(dir.path("r.eml"))["text"] as? String)
        #expect(text.contains("Still flagged (1):\n  - INV-2026-0019  Ingrid Ibrahim  [refund_failed] for 10 days\n"))
        // Written forward again: the next run still knows when the flag was first seen.
        let after = try ReportSupport.state(dir)
        let kept = ((after["lastRun"] as? [String: Any])?["rows"] as? [String: [String: Any]])?["INV-2026-0019"]
        #expect(kept?["flaggedSince"] as? String == tenDaysAgo)
    }

    @Test func dryRunWritesAndRecordsNothing() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--from", "l@x.edu", "--send",
                                            "--smtp-url", "smtp://127.0.0.1:9", "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Dry run: would send to a@x.edu via smtp://127.0.0.1:9; nothing sent or recorded."))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.ledgersync/reports")))
        #expect(ReportSupport.outbox(dir).isEmpty)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `YYYY-MM-DD HH:MM UTC` of `hours` ago (the minute may tick over between the run and this line).
    static func hoursAgo(_ hours: Double) -> String {
        let stamp = timestamp(Date().addingTimeInterval(-hours * 3600))
        return String(stamp.prefix(10)) + " " + String(stamp.dropFirst(11).prefix(5)) + " UTC"
    }

    /// Splits one CSV line (quotes honoured; no line breaks inside fields in the sample).
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var characters = Array(line)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(current); current = "" } else { current.append(c) }
        }
        fields.append(current)
        return fields
    }
}
