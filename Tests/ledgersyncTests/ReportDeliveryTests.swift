import Foundation
import TestSupport
import Testing

/// `ledgersync report --send` against a real SMTP server on loopback (aiosmtpd), and through a
/// sendmail stand-in: AUTH, retries on 4xx, the outbox on 5xx, and "since the last report" exactly.
@Suite(.serialized)
struct ReportDeliveryTests {
    static let user = "reports"
    static let password = "s3cret pass"

    func send(_ dir: TempDir, _ server: SMTPTestServer, _ extra: [String] = [], environment: [String: String?] = [:]) throws -> CLI.Result {
        var settings: [String: String?] = ["LEDGERSYNC_SMTP_USER": Self.user, "LEDGERSYNC_SMTP_PASSWORD": Self.password]
        settings.merge(environment) { $1 }
        return try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "bursar@school.edu,dean@school.edu",
                               "--from", "Ledger <ledger@school.edu>", "--send", "--smtp-url", server.url, "--smtp-allow-plain",
                               "--smtp-retry-delay", "0.1", "--json"] + extra,
                              environment: settings)
    }

    @Test func sendsWithAuthFromTheEnvironmentAndRecordsTheReport() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let server = try SMTPTestServer(user: Self.user, password: Self.password)
        defer { server.stop() }
        let result = try send(dir, server)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try ReportSupport.json(result.stdout)
        #expect(run["sent"] as? Bool == true)
        #expect(run["attempts"] as? Int == 1)
        #expect(run["via"] as? String == server.url)
        #expect(run["eml"] is NSNull, "with --send the message is written only where --out asks")
        #expect(ReportSupport.defaultEMLs(dir).isEmpty)

        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].info["login"] as? String == Self.user)
        #expect(received[0].info["mail_from"] as? String == "ledger@school.edu")
        #expect(received[0].info["rcpt_tos"] as? [String] == ["bursar@school.edu", "dean@school.edu"])
        let eml = try ReportSupport.parse(received[0].eml)
        #expect(eml["subject"] as? String == run["subject"] as? String)
        #expect(((eml["attachments"] as? [[String: Any]])?.first?["sheets"] as? [String]) == ["Summary", "Invoices", "Review", "Payments", "Payouts"])

        let state = try ReportSupport.state(dir)
        let sent = try #require(state["lastSent"] as? [String: Any])
        #expect(sent["at"] as? String == run["lastSent"] as? String)
        #expect((sent["rows"] as? [String: Any])?.count == 41)
        #expect(result.stderr.contains(Self.password) == false && result.stdout.contains(Self.password) == false)
    }

    @Test func credentialsFileAndAWrongPassword() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let server = try SMTPTestServer(user: Self.user, password: Self.password)
        defer { server.stop() }
        try dir.write("smtp-credentials", "\(Self.user)\n\(Self.password)\n")
        let good = try send(dir, server, ["--smtp-credentials-file", dir.path("smtp-credentials")],
                            environment: ["LEDGERSYNC_SMTP_USER": nil, "LEDGERSYNC_SMTP_PASSWORD": nil])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try server.received().count == 1)

        let wrong = try send(dir, server, [], environment: ["LEDGERSYNC_SMTP_PASSWORD": "not it"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("the mail server refused the login"))
        #expect(wrong.stderr.contains("kept in the outbox: \(dir.path("ledger.ledgersync/outbox/"))"))
        #expect(!wrong.stderr.contains("not it"))
        #expect(ReportSupport.outbox(dir).count == 1)
    }

    @Test func temporaryFailureIsRetriedWithinTheRun() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let server = try SMTPTestServer(["--fail-data", "2"], user: Self.user, password: Self.password)
        defer { server.stop() }
        let result = try send(dir, server, ["--smtp-retries", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try ReportSupport.json(result.stdout)
        #expect(run["sent"] as? Bool == true)
        #expect(run["attempts"] as? Int == 3)
        #expect(server.log().filter { $0.hasPrefix("DATA") } == ["DATA 451", "DATA 451", "DATA 250"])
        #expect(try server.received().count == 1)
        #expect(ReportSupport.outbox(dir).isEmpty)
    }

    @Test func aTemporaryFailureOutlastingTheRetriesStaysInTheOutboxAndTheNextRunDeliversIt() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let busy = try SMTPTestServer(["--fail-data", "9"], user: Self.user, password: Self.password)
        let failed = try send(dir, busy, ["--smtp-retries", "1"])
        busy.stop()
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("could not be delivered now after 2 attempts"), "\(failed.stderr)")
        #expect(busy.log().filter { $0.hasPrefix("DATA") } == ["DATA 451", "DATA 451"])
        let failedRun = try ReportSupport.json(failed.stdout)
        #expect(failedRun["sent"] as? Bool == false)
        #expect(failedRun["attempts"] as? Int == 2, "the attempts made are said when delivery failed too")
        let kept = try #require(failedRun["keptInOutbox"] as? String)
        #expect(ReportSupport.outbox(dir) == [(kept as NSString).lastPathComponent])
        #expect(FileManager.default.fileExists(atPath: kept.replacingOccurrences(of: ".eml", with: ".envelope.json")))
        let pending = dir.path("ledger.ledgersync/reports/pending/" + ((kept as NSString).lastPathComponent as NSString).deletingPathExtension + ".json")
        #expect(FileManager.default.fileExists(atPath: pending))
        #expect(try ReportSupport.state(dir)["lastSent"] == nil, "a report not delivered does not count")
        let keptBytes = try Data(contentsOf: URL(fileURLWithPath: kept))

        // The next run first delivers what waits in the outbox, then its own report.
        let server = try SMTPTestServer(user: Self.user, password: Self.password)
        defer { server.stop() }
        let next = try send(dir, server)
        #expect(next.status == 0, "\(next.stderr)")
        let nextRun = try ReportSupport.json(next.stdout)
        #expect(nextRun["outboxDelivered"] as? [String] == [kept])
        #expect(nextRun["outboxWaiting"] as? Int == 0)
        let received = try server.received()
        try #require(received.count == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: received[0].eml)) == keptBytes)
        #expect(ReportSupport.outbox(dir).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: pending))
        // The delivered late report counts as the last report sent, so the new one says "since the last report".
        let figures = try #require(nextRun["figures"] as? [String: Any])
        #expect(figures["isFirstReport"] as? Bool == false)
        #expect((figures["periodLabel"] as? String)?.hasPrefix("since the last report (") == true)
        #expect(ReportSupport.invoiceNumbers(figures["newlyPaid"]) == [])
        let sent = try #require(try ReportSupport.state(dir)["lastSent"] as? [String: Any])
        #expect(sent["at"] as? String == nextRun["lastSent"] as? String)
    }

    /// A report the server refuses for good (550) is set aside, never retried: the next run, with the
    /// address fixed, sends its own report and exits 0.
    @Test func aRefusedReportIsSetAsideAndNeverRetried() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let refusing = try SMTPTestServer(["--reject"], user: Self.user, password: Self.password)
        let failed = try send(dir, refusing)
        refusing.stop()
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("the mail server refused the message") && failed.stderr.contains("replied 550"))
        #expect(failed.stderr.contains("set aside, not retried"), "\(failed.stderr)")
        // One attempt: libcurl stops at the first refused recipient, and a 5xx is not retried.
        #expect(refusing.log() == ["RCPT 550"])
        let failedRun = try ReportSupport.json(failed.stdout)
        #expect(failedRun["sent"] as? Bool == false && failedRun["attempts"] as? Int == 1)
        let kept = try #require(failedRun["keptInOutbox"] as? String)
        #expect(kept.contains("/outbox/refused/") && FileManager.default.fileExists(atPath: kept))
        #expect(ReportSupport.outbox(dir).isEmpty, "nothing waits to be retried")

        let server = try SMTPTestServer(user: Self.user, password: Self.password)
        defer { server.stop() }
        let next = try send(dir, server)
        #expect(next.status == 0, "\(next.stderr)")
        let nextRun = try ReportSupport.json(next.stdout)
        #expect(nextRun["outboxDelivered"] as? [String] == [] && nextRun["outboxWaiting"] as? Int == 0)
        #expect(try server.received().count == 1, "only the new report")
        #expect((nextRun["figures"] as? [String: Any])?["isFirstReport"] as? Bool == true, "the refused report never counted as sent")
        #expect(FileManager.default.fileExists(atPath: kept), "kept for a person to read")
    }

    @Test func sinceTheLastReportAcrossAnImport() throws {
        // Before any payment: the customers and the catalogue only.
        let dir = try ReportSupport.sampleLedger(importing: ["01_customers_and_catalog.list.json"])
        let server = try SMTPTestServer(user: Self.user, password: Self.password)
        defer { server.stop() }
        let first = try send(dir, server)
        #expect(first.status == 0, "\(first.stderr)")
        let firstFigures = try #require(try ReportSupport.json(first.stdout)["figures"] as? [String: Any])
        #expect(firstFigures["isFirstReport"] as? Bool == true)
        #expect(ReportSupport.invoiceNumbers(firstFigures["newlyPaid"]) == [])
        let firstFlagged = ReportSupport.invoiceNumbers(firstFigures["newlyFlagged"])
        #expect(firstFlagged == ["INV-2026-0038"], "only the unreadable row is flagged before any payment")

        let imported = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), EndToEndTests.samples.appendingPathComponent("events").path])
        #expect(imported.status <= 1, "\(imported.stderr)")

        // A preview (.eml only) shows the change but does not count as a report.
        let preview = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--out", dir.path("preview.eml"), "--json"])
        #expect(preview.status == 0, "\(preview.stderr)")
        let previewFigures = try #require(try ReportSupport.json(preview.stdout)["figures"] as? [String: Any])
        #expect(ReportSupport.invoiceNumbers(previewFigures["newlyPaid"]).contains("INV-2026-0001"))

        let second = try send(dir, server)
        #expect(second.status == 0, "\(second.stderr)")
        let secondRun = try ReportSupport.json(second.stdout)
        let figures = try #require(secondRun["figures"] as? [String: Any])
        let firstSent = try #require(try ReportSupport.json(first.stdout)["lastSent"] as? String)
        #expect(figures["isFirstReport"] as? Bool == false)
        #expect((secondRun["period"] as? [String: Any])?["start"] as? String == firstSent)
        let expected = EndToEndTests.csvRows(try String(contentsOf: EndToEndTests.samples.appendingPathComponent("expected.csv"), encoding: .utf8))
        let paid = expected.filter { ["paid", "overpaid"].contains($0["status"] ?? "") }.compactMap { $0["invoice_number"] }
        #expect(Set(ReportSupport.invoiceNumbers(figures["newlyPaid"])) == Set(paid))
        #expect(ReportSupport.invoiceNumbers(figures["stillFlagged"]) == ["INV-2026-0038"])
        #expect(!ReportSupport.invoiceNumbers(figures["newlyFlagged"]).contains("INV-2026-0038"))
        #expect(ReportSupport.invoiceNumbers(figures["newlyFlagged"]).contains("INV-2026-0019"))
        let text = try #require(try ReportSupport.parse(try server.received()[1].eml)["text"] as? String)
        #expect(text.contains("WHAT CHANGED since the last report ("))
        #expect(text.contains("Newly paid (\(paid.count)):"))
        #expect(!text.contains("This is the first report"))

        // Nothing new since: the third report lists no newly paid rows, and every flag is "still".
        let third = try send(dir, server)
        #expect(third.status == 0, "\(third.stderr)")
        let thirdFigures = try #require(try ReportSupport.json(third.stdout)["figures"] as? [String: Any])
        #expect(ReportSupport.invoiceNumbers(thirdFigures["newlyPaid"]) == [])
        #expect(ReportSupport.invoiceNumbers(thirdFigures["newlyFlagged"]) == [])
        #expect(Set(ReportSupport.invoiceNumbers(thirdFigures["stillFlagged"])) == Set(ReportSupport.invoiceNumbers(figures["newlyFlagged"]) + ["INV-2026-0038"]))
    }

    @Test func plainConnectionIsRefusedUnlessAllowed() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let server = try SMTPTestServer()
        defer { server.stop() }
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--from", "l@x.edu",
                                            "--send", "--smtp-url", server.url, "--smtp-retries", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the mail server offers no STARTTLS, so the message was not sent unencrypted"))
        #expect(try server.received().isEmpty)
        #expect(ReportSupport.outbox(dir).count == 1)
    }

    @Test func settingsMistakesStopBeforeAnythingIsWritten() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let base = ["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu"]
        let cases: [([String], [String: String?], String)] = [
            (["--send"], [:], "--send needs a sender: add --from"),
            (["--send", "--from", "l@x.edu"], [:], "--send needs a way to send · no --smtp-url, $LEDGERSYNC_SMTP_URL or --sendmail"),
            (["--send", "--from", "l@x.edu", "--smtp-url", "smtp://me:pw@mail.x.edu:587"], [:], "the SMTP URL holds a user or password"),
            (["--send", "--from", "l@x.edu", "--smtp-url", "http://mail.x.edu"], [:], "invalid SMTP URL"),
            (["--send", "--from", "l@x.edu", "--smtp-allow-plain"], ["LEDGERSYNC_SMTP_URL": "smtp://mail.x.edu:25", "LEDGERSYNC_SMTP_USER": "u", "LEDGERSYNC_SMTP_PASSWORD": "p"],
             "--smtp-allow-plain would send the SMTP password unencrypted to mail.x.edu"),
            (["--send", "--from", "l@x.edu", "--smtp-url", "smtps://mail.x.edu", "--smtp-credentials-file", dir.path("missing")], [:], "cannot read the SMTP credentials file"),
            (["--from", "not an address"], [:], "invalid email address"),
            (["--templates", dir.path("nowhere")], [:], "email template folder not found"),
        ]
        for (extra, environment, message) in cases {
            let result = try ReportSupport.run(base + extra, environment: environment)
            #expect(result.status == 2, "\(extra)")
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
            #expect(!result.stderr.contains("pw@"), "no password in messages")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.ledgersync/reports")))
        let empty = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", " , "])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("--to is empty"))
    }

    @Test func sendmailDeliversThroughThePipe() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        // A stand-in for /usr/sbin/sendmail: keeps its arguments and the message it is given.
        try dir.write("sendmail", "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/sendmail.args\"\ncat > \"$(dirname \"$0\")/sendmail.eml\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path("sendmail"))
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--from", "l@x.edu",
                                            "--send", "--sendmail", "--sendmail-path", dir.path("sendmail")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Sent to a@x.edu via sendmail \(dir.path("sendmail"))."))
        #expect(try dir.read("sendmail.args") == "-t -i -f l@x.edu\n")
        let eml = try ReportSupport.parse(dir.path("sendmail.eml"))
        #expect(eml["to"] as? [[String]] == [["", "a@x.edu"]])
        #expect(try ReportSupport.state(dir)["lastSent"] != nil)

        // sendmail saying "try later" (EX_TEMPFAIL) keeps the message for the next run.
        try dir.write("sendmail", "#!/bin/sh\ncat > /dev/null\necho 'queue full' >&2\nexit 75\n")
        let later = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--from", "l@x.edu",
                                           "--send", "--sendmail", "--sendmail-path", dir.path("sendmail")])
        #expect(later.status == 1)
        #expect(later.stderr.contains("sendmail could not deliver now"))
        #expect(ReportSupport.outbox(dir).count == 1)
    }
}
