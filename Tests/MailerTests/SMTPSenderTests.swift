import Foundation
import TestSupport
import Testing
@testable import Mailer

/// Delivery to a real SMTP server (aiosmtpd) on loopback, started per test.
@Suite struct SMTPSenderTests {
    static let credentials = SMTPCredentials(user: "reports", password: "s3cret pass")

    func message() throws -> MIMEMessage {
        try MIMEMessage(
            from: MailAddress("ledger@school.edu", name: "Ledger"),
            to: [MailAddress("bursar@school.edu"), MailAddress("zoe@example.org", name: "Zoë")],
            subject: "Relevé: 2 nouveaux paiements",
            textBody: "Hello\n.\n.leading dot\n", htmlBody: "<p>Hello</p>",
            attachments: [Attachment(fileName: "ledger.xlsx", contentType: Attachment.xlsxContentType, data: MIMEMessageTests.workbookBytes)]
        )
    }

    @Test func deliversWithAuthOverAllowedPlainConnection() throws {
        let server = try SMTPTestServer(user: Self.credentials.user, password: Self.credentials.password)
        defer { server.stop() }
        let message = try message()
        let sender = try SMTPSender(.init(url: server.url, credentials: Self.credentials, allowPlain: true, timeout: 20, retries: 0))
        let delivery = try sender.send(message.render(), envelope: message.envelope)
        #expect(delivery.attempts == 1)

        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].info["login"] as? String == "reports")
        #expect(received[0].info["mail_from"] as? String == "ledger@school.edu")
        #expect(received[0].info["rcpt_tos"] as? [String] == ["bursar@school.edu", "zoe@example.org"])
        // The server got the exact bytes (libcurl's dot-stuffing undone by the server).
        #expect(received[0].message == Data(message.render()))
        let parsed = try ParsedMessage.parse(Array(received[0].message))
        #expect(parsed.subject == "Relevé: 2 nouveaux paiements")
        #expect(Data(base64Encoded: parsed.parts.last?.payloadBase64 ?? "") == Data(MIMEMessageTests.workbookBytes))
    }

    @Test func temporaryFailureIsRetriedWithBackoffThenSucceeds() throws {
        let server = try SMTPTestServer(["--fail-data", "2"], user: Self.credentials.user, password: Self.credentials.password)
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let sender = try SMTPSender(.init(url: server.url, credentials: Self.credentials, allowPlain: true, retries: 3, baseDelay: 0.5), sleep: sleeps.sleep)
        let message = try message()
        let delivery = try sender.send(message.render(), envelope: message.envelope)
        #expect(delivery.attempts == 3)
        #expect(sleeps.recorded == [0.5, 1.0])
        #expect(server.log().filter { $0.hasPrefix("DATA") } == ["DATA 451", "DATA 451", "DATA 250"])
        #expect(try server.received().count == 1)
    }

    @Test func temporaryFailureOutlivingRetriesIsTemporary() throws {
        let server = try SMTPTestServer(["--fail-rcpt", "5"])
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let sender = try SMTPSender(.init(url: server.url, allowPlain: true, retries: 1, baseDelay: 0.25), sleep: sleeps.sleep)
        let message = try message()
        let error = try #require(throws: MailerError.self) { try sender.send(message.render(), envelope: message.envelope) }
        #expect(error.kind == .temporaryFailure)
        #expect(error.isTemporary)
        #expect(error.replyCode == 451)
        #expect(error.message.contains("after 2 attempts"))
        #expect(sleeps.recorded == [0.25])
    }

    @Test func permanentFailureIsNotRetriedAndStaysInTheOutbox() throws {
        let server = try SMTPTestServer(["--reject"], user: Self.credentials.user, password: Self.credentials.password)
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let sender = try SMTPSender(.init(url: server.url, credentials: Self.credentials, allowPlain: true, retries: 3, baseDelay: 1), sleep: sleeps.sleep)
        let outbox = Outbox(folder: try Support.temporaryFolder().appendingPathComponent("outbox"))
        let message = try message()

        let error = try #require(throws: MailerError.self) {
            try outbox.deliver(message.render(), envelope: message.envelope, via: sender)
        }
        #expect(error.kind == .permanentFailure)
        #expect(error.replyCode == 550)
        #expect(!error.isTemporary)
        #expect(sleeps.recorded == [])
        #expect(server.log() == ["RCPT 550"])
        #expect(error.message.hasPrefix("the mail server refused the message · \(sender.displayURL) replied 550"))
        #expect(!error.message.contains(Self.credentials.password))

        let pending = try outbox.pending()
        try #require(pending.count == 1)
        #expect(error.message.hasSuffix("kept in the outbox: \(pending[0].message.path)"))
        #expect(try Data(contentsOf: pending[0].message) == Data(message.render()))

        // The next run, against a server that accepts, sends it and empties the outbox.
        let good = try SMTPTestServer(user: Self.credentials.user, password: Self.credentials.password)
        defer { good.stop() }
        let report = outbox.retryAll(try SMTPSender(.init(url: good.url, credentials: Self.credentials, allowPlain: true, retries: 0)))
        #expect(report.sent == pending)
        #expect(report.failed.isEmpty)
        #expect(try outbox.pending().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: pending[0].envelopeFile.path))
        #expect(try good.received().first?.message == Data(message.render()))
        #expect(try good.received().first?.info["rcpt_tos"] as? [String] == ["bursar@school.edu", "zoe@example.org"])
    }

    @Test func plainSMTPWithoutAllowPlainIsRefusedWhenNoSTARTTLS() throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let sender = try SMTPSender(.init(url: server.url, retries: 2, baseDelay: 1), sleep: { _ in Issue.record("must not retry") })
        let message = try message()
        let error = try #require(throws: MailerError.self) { try sender.send(message.render(), envelope: message.envelope) }
        #expect(error.kind == .tlsRequired)
        #expect(error.message.hasPrefix("the mail server offers no STARTTLS, so the message was not sent unencrypted · smtp://127.0.0.1:\(server.port)"))
        #expect(error.message.hasSuffix("use smtps://, a server that offers STARTTLS, or --smtp-allow-plain for a relay on this machine"))
        #expect(server.log().isEmpty)
        #expect(try server.received().isEmpty)
    }

    @Test func wrongPasswordIsAnAuthenticationFailure() throws {
        let server = try SMTPTestServer(user: "reports", password: "right")
        defer { server.stop() }
        let sender = try SMTPSender(.init(url: server.url, credentials: .init(user: "reports", password: "wrong-password"), allowPlain: true, retries: 2), sleep: { _ in Issue.record("must not retry") })
        let message = try message()
        let error = try #require(throws: MailerError.self) { try sender.send(message.render(), envelope: message.envelope) }
        #expect(error.kind == .authenticationFailed)
        #expect(error.replyCode == 535)
        #expect(!error.description.contains("wrong-password"))
    }

    @Test func connectionRefusedIsTemporary() throws {
        let server = try SMTPTestServer()
        let port = server.port
        server.stop()
        let sleeps = SleepRecorder()
        let sender = try SMTPSender(.init(url: "smtp://127.0.0.1:\(port)", allowPlain: true, retries: 2, baseDelay: 0.1), sleep: sleeps.sleep)
        let message = try message()
        let error = try #require(throws: MailerError.self) { try sender.send(message.render(), envelope: message.envelope) }
        #expect(error.kind == .temporaryFailure)
        #expect(error.replyCode == nil)
        #expect(sleeps.recorded == [0.1, 0.2])
    }

    @Test(arguments: ["http://example.org", "smtp://", "mail.example.org:587", "smtp://exa mple.org", "smtp://x.org/\r\nQUIT"])
    func invalidURLIsRefused(url: String) {
        #expect(throws: MailerError.self) { try SMTPSender(.init(url: url)) }
    }

    @Test func displayURLHidesCredentials() throws {
        let sender = try SMTPSender(.init(url: "smtps://user:secret@mail.example.org:465"))
        #expect(sender.displayURL == "smtps://mail.example.org:465")
    }

    @Test func credentialsFromEnvironmentAndFile() throws {
        #expect(SMTPCredentials.fromEnvironment(["LEDGERSYNC_SMTP_USER": "u", "LEDGERSYNC_SMTP_PASSWORD": "p w"]) == .init(user: "u", password: "p w"))
        #expect(SMTPCredentials.fromEnvironment(["LEDGERSYNC_SMTP_PASSWORD": "p"]) == nil)
        let file = try Support.temporaryFolder().appendingPathComponent("smtp-credentials")
        try "reports\r\n pass word \r\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try SMTPCredentials.read(from: file) == .init(user: "reports", password: " pass word "))
        #expect(String(describing: SMTPCredentials(user: "u", password: "hunter2")) == "u (password hidden)")
    }
}

@Suite struct SendmailSenderTests {
    /// A stand-in for sendmail: saves its arguments and stdin, exits with the given status.
    func fakeSendmail(exitStatus: Int32) throws -> (path: String, folder: URL) {
        let folder = try Support.temporaryFolder()
        let script = folder.appendingPathComponent("sendmail")
        try """
        #!/bin/sh
        echo "$@" > "\(folder.path)/args"
        cat > "\(folder.path)/stdin"
        [ \(exitStatus) -ne 0 ] && echo "queue full" >&2
        exit \(exitStatus)
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return (script.path, folder)
    }

    func message() throws -> MIMEMessage {
        try MIMEMessage(from: MailAddress("ledger@school.edu"), to: [MailAddress("b@y.edu")], subject: "s", textBody: "t")
    }

    @Test func pipesTheMessageWithMinusT() throws {
        let (path, folder) = try fakeSendmail(exitStatus: 0)
        let message = try message()
        try SendmailSender(path: path).send(message.render(), envelope: message.envelope)
        #expect(try String(contentsOf: folder.appendingPathComponent("args"), encoding: .utf8) == "-t -i -f ledger@school.edu\n")
        #expect(try Data(contentsOf: folder.appendingPathComponent("stdin")) == Data(message.render()))
    }

    @Test func exitStatus75IsTemporaryOthersPermanent() throws {
        let message = try message()
        let temporary = try #require(throws: MailerError.self) {
            try SendmailSender(path: fakeSendmail(exitStatus: 75).path).send(message.render(), envelope: message.envelope)
        }
        #expect(temporary.kind == .temporaryFailure)
        #expect(temporary.message.contains("exited with status 75: queue full"))
        let permanent = try #require(throws: MailerError.self) {
            try SendmailSender(path: fakeSendmail(exitStatus: 67).path).send(message.render(), envelope: message.envelope)
        }
        #expect(permanent.kind == .sendmailFailed)
        #expect(!permanent.isTemporary)
    }

    @Test func missingSendmailIsExplained() throws {
        let message = try message()
        let error = try #require(throws: MailerError.self) {
            try SendmailSender(path: "/nonexistent/sendmail").send(message.render(), envelope: message.envelope)
        }
        #expect(error.description == "/nonexistent/sendmail: sendmail not found · /nonexistent/sendmail is missing or not executable · install a mail transfer agent (e.g. Debian's msmtp-mta or postfix) or use --smtp-url")
    }
}

@Suite struct OutboxTests {
    /// Fails the first `failures` sends, then records what it was given.
    final class ScriptedSender: MailSender, @unchecked Sendable {
        let lock = NSLock()
        var failures: Int
        var sent: [[UInt8]] = []
        init(failures: Int) { self.failures = failures }

        func send(_ message: [UInt8], envelope: Envelope) throws -> Delivery {
            try lock.withLock {
                if failures > 0 {
                    failures -= 1
                    throw MailerError(.temporaryFailure, "try later")
                }
                sent.append(message)
                return Delivery(attempts: 1)
            }
        }
    }

    @Test func keepsFailuresRemovesOnlyAfterSuccessOldestFirst() throws {
        let outbox = Outbox(folder: try Support.temporaryFolder().appendingPathComponent("outbox"))
        let envelope = Envelope(from: "a@x.edu", recipients: ["b@y.edu"])
        let first = try outbox.store(Array("first".utf8), envelope: envelope)
        let second = try outbox.store(Array("second".utf8), envelope: envelope)
        #expect(try outbox.pending().count == 2)
        let attributes = try FileManager.default.attributesOfItem(atPath: first.message.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let failing = ScriptedSender(failures: 1)
        let report = outbox.retryAll(failing)
        #expect(report.failed.count == 1)
        #expect(report.sent.count == 1)
        #expect(try outbox.pending().count == 1)

        let good = ScriptedSender(failures: 0)
        let again = outbox.retryAll(good)
        #expect(again.sent.count == 1)
        #expect(try outbox.pending().isEmpty)
        #expect(Set(failing.sent + good.sent) == Set([Array("first".utf8), Array("second".utf8)]))
        #expect([first, second].allSatisfy { !FileManager.default.fileExists(atPath: $0.envelopeFile.path) })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: outbox.folder.path).filter { $0 != ".lock" }
        #expect(leftovers.isEmpty)
    }

    @Test func entryWithoutEnvelopeIsReportedNotSentNorDeleted() throws {
        let outbox = Outbox(folder: try Support.temporaryFolder().appendingPathComponent("outbox"))
        let entry = try outbox.store(Array("x".utf8), envelope: Envelope(from: "a@x.edu", recipients: ["b@y.edu"]))
        try FileManager.default.removeItem(at: entry.envelopeFile)
        let sender = ScriptedSender(failures: 0)
        let report = outbox.retryAll(sender)
        #expect(report.failed.first?.error.kind == .outboxFailed)
        #expect(sender.sent.isEmpty)
        #expect(FileManager.default.fileExists(atPath: entry.message.path))
    }

    @Test func emptyOrMissingOutboxDoesNothing() throws {
        let outbox = Outbox(folder: try Support.temporaryFolder().appendingPathComponent("never-created"))
        let report = outbox.retryAll(ScriptedSender(failures: 0))
        #expect(report.sent.isEmpty && report.failed.isEmpty && !report.skippedBecauseLocked)
    }
}
