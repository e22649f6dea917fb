import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import Mailer
import Reports

extension LedgerSync {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the ledger's weekly report — a short summary with the workbook attached — and mail it.",
            discussion: """
            Builds the workbook (as `export --xlsx`) and a message from the templates: totals by status, what \
            changed since the last report sent (or since --since), the five oldest open flags and the \
            auto-reconciled rate.

            Without --send it writes the message as an .eml file (default \
            NAME.ledgersync/reports/report-YYYYMMDD-HHMMSS.eml). With --send it first retries what waits in \
            NAME.ledgersync/outbox/, then delivers over SMTP (smtp:// must offer STARTTLS unless \
            --smtp-allow-plain; smtps://) or through sendmail; a message that cannot be delivered stays in \
            the outbox and the run exits 1. Only a delivered report moves "since the last report".

            Templates: --templates DIR, else $LEDGERSYNC_TEMPLATES, else ./Templates/email, else the built-in \
            ones. SMTP: --smtp-url or $LEDGERSYNC_SMTP_URL; user and password from $LEDGERSYNC_SMTP_USER and \
            $LEDGERSYNC_SMTP_PASSWORD, or --smtp-credentials-file (user on line 1, password on line 2).

            Examples:
              ledgersync report --ledger books/ledger.csv --to bursar@school.edu \\
                --out week.eml
              ledgersync report --ledger books/ledger.csv --to bursar@school.edu \\
                --from "Ledger <ledger@school.edu>" --send \\
                --smtp-url smtp://mail.school.edu:587
            """
        )

        @OptionGroup var options: LedgerOptions

        @Option(name: .long, help: ArgumentHelp("Recipients, comma-separated (a@x.edu,\"Doe, Jane\" <j@y.edu>).", valueName: "addresses"))
        var to: String

        @Option(name: .long, help: ArgumentHelp("Cover this period instead of \"since the last report\": 7d, 12h, 2w, or a date YYYY-MM-DD[THH:MM:SSZ] (UTC).", valueName: "period"))
        var since: String?

        @Option(name: .long, help: ArgumentHelp("Write the message here (replaced if it exists).", valueName: "file.eml"))
        var out: String?

        @ArgumentParser.Flag(name: .long, help: "Deliver the message (SMTP or --sendmail) after retrying the outbox.")
        var send = false

        @Option(name: .long, help: ArgumentHelp("Sender, e.g. \"Ledger <ledger@school.edu>\" (required with --send).", valueName: "address"))
        var from: String?

        @Option(name: .customLong("smtp-url"), help: ArgumentHelp("smtp://host:587 (STARTTLS) or smtps://host:465 (default: $LEDGERSYNC_SMTP_URL).", valueName: "url"))
        var smtpURL: String?

        @ArgumentParser.Flag(name: .customLong("smtp-allow-plain"), help: "Allow smtp:// without TLS (a relay on this machine only).")
        var smtpAllowPlain = false

        @Option(name: .customLong("smtp-credentials-file"), help: ArgumentHelp("File with the SMTP user on line 1 and the password on line 2.", valueName: "file"))
        var smtpCredentialsFile: String?

        @Option(name: .customLong("smtp-timeout"), help: ArgumentHelp("Longest time one SMTP attempt may take.", valueName: "seconds"))
        var smtpTimeout: Double = 60

        @Option(name: .customLong("smtp-retries"), help: ArgumentHelp("Further attempts after a temporary (4xx) failure.", valueName: "count"))
        var smtpRetries: Int = 3

        @Option(name: .customLong("smtp-retry-delay"), help: ArgumentHelp("Wait before the first retry; doubles for each further one.", valueName: "seconds"))
        var smtpRetryDelay: Double = 5

        @Option(name: .long, help: ArgumentHelp("Folder of email templates (default: $LEDGERSYNC_TEMPLATES, ./Templates/email, built-in).", valueName: "dir"))
        var templates: String?

        @ArgumentParser.Flag(name: .long, help: "Deliver through `sendmail -t -i` instead of SMTP.")
        var sendmail = false

        @Option(name: .customLong("sendmail-path"), help: ArgumentHelp("The sendmail program (default /usr/sbin/sendmail).", valueName: "path"))
        var sendmailPath: String?

        @ArgumentParser.Flag(name: .customLong("dry-run"), help: "Build the message and check the settings; send nothing, record nothing (writes only --out).")
        var dryRun = false

        func validate() throws {
            do {
                guard !(try MailAddress.list(parsing: to)).isEmpty else {
                    throw ValidationError("--to is empty; give one or more addresses, e.g. --to a@x.edu,b@y.edu")
                }
                if let from { _ = try MailAddress(parsing: from) }
            } catch let error as MailerError {
                throw ValidationError("\(error.message)")
            }
            if let since, ReportSince(since) == nil {
                throw ValidationError("--since '\(since)' is neither a period nor a date; write 7d, 12h, 2w, or YYYY-MM-DD (UTC)")
            }
            if let out, Export.isLedgersOwn(out, ledger: options.ledger) {
                throw ValidationError("--out '\(out)' is one of the ledger's own files; write the message to another file, e.g. report.eml")
            }
            if sendmail, smtpURL != nil {
                throw ValidationError("--sendmail and --smtp-url both say how to send; give one of them")
            }
            if send, from == nil {
                throw ValidationError("--send needs a sender: add --from \"Ledger <ledger@your-domain>\" (an address your mail server accepts)")
            }
            if smtpTimeout <= 0 || smtpRetryDelay < 0 || smtpRetries < 0 {
                throw ValidationError("--smtp-timeout must be above 0, --smtp-retries and --smtp-retry-delay 0 or more")
            }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let now = Int64(Date().timeIntervalSince1970)
            // Settings first, so a mistake stops the run before anything is read or written.
            let templateSet = try ReportTemplateSource.load(option: templates, environment: environment)
            let delivery = send ? try ReportDelivery(command: self, environment: environment) : nil
            let recipients: [MailAddress]
            let sender: MailAddress
            do {
                recipients = try MailAddress.list(parsing: to)
                sender = try from.map { try MailAddress(parsing: $0) } ?? MailAddress("ledgersync@localhost", name: "LedgerSync")
            } catch {
                throw CommandFailure(message: "error: \(error)", status: ExitStatus.failure)
            }

            let ledger = try ReportLedger.read(options, now: now)
            let paths = ledger.paths
            let reportsFolder = ReportState.folder(paths)
            var lock: FileLock?
            if !dryRun {
                do {
                    try FileManager.default.createDirectory(atPath: reportsFolder, withIntermediateDirectories: true)
                    lock = try FileLock(path: (reportsFolder as NSString).appendingPathComponent("lock"), ledger: paths.ledger,
                                        timeout: options.lockTimeout ?? ledger.lockTimeout)
                } catch let error as LedgerError {
                    throw Output.fail(error)
                } catch {
                    throw CommandFailure(message: "error: \(reportsFolder): cannot create the reports folder: \(error.localizedDescription)", status: ExitStatus.failure)
                }
            }
            defer { lock?.unlock() }

            var state = try ReportState.load(paths)
            var run = ReportRun(ledger: options.ledger, to: recipients.map(\.address), from: sender.address,
                                templates: templateSet.origin, dryRun: dryRun)
            let outbox = Outbox(folder: URL(fileURLWithPath: (paths.sideDirectory as NSString).appendingPathComponent("outbox")))
            var problems: [String] = []

            // Every sending run first retries what earlier runs could not deliver, oldest first.
            if let delivery, !dryRun {
                let retried = outbox.retryAll(delivery.sender)
                state.promoteDelivered(retried.sent.map(\.message), paths: paths)
                run.outboxDelivered = retried.sent.map(\.message.path)
                for failure in retried.failed {
                    problems.append("error: an earlier report is still waiting · \(failure.error)")
                }
                for refusal in retried.refused {
                    problems.append("error: an earlier report was refused for good and is set aside, never to be retried: \(refusal.entry.message.path) · \(refusal.error)")
                }
            }

            let since = self.since.flatMap(ReportSince.init)
            let period = ReportPeriod(since: since, state: state, now: now)
            let attachmentName = "\(paths.name)-\(LedgerDate.timestampString(now).prefix(10)).xlsx"
            let figures = ReportFigures.make(invoices: ledger.invoices, result: ledger.result, state: state, period: period, now: now,
                                             ledgerName: (paths.ledger as NSString).lastPathComponent, attachmentName: attachmentName)
            let rendered = templateSet.templates.render(figures.context)
            let message: MIMEMessage
            do {
                message = try MIMEMessage(
                    from: sender, to: recipients, subject: rendered.subject, textBody: rendered.text, htmlBody: rendered.html,
                    attachments: [Attachment(fileName: attachmentName, contentType: Attachment.xlsxContentType, data: ledger.workbook)],
                    date: Date(timeIntervalSince1970: TimeInterval(now)))
            } catch {
                throw CommandFailure(message: "error: \(error)", status: ExitStatus.failure)
            }
            let bytes = message.render()
            run.subject = rendered.subject
            run.messageID = message.messageID
            run.period = .init(start: period.start.map(LedgerDate.timestampString), label: period.label, firstReport: period.isFirstReport)
            run.figures = figures.context

            // The .eml: always without --send (that is the product), with --send only where --out asks.
            let stamp = LedgerDate.timestampString(now).filter { $0.isNumber || $0 == "T" }.replacingOccurrences(of: "T", with: "-")
            let emlPath = out ?? (send || dryRun ? nil : (reportsFolder as NSString).appendingPathComponent("report-\(stamp).eml"))
            if let emlPath {
                do { try AtomicFile.write(bytes, to: emlPath) } catch { throw Output.fail(error) }
                run.eml = emlPath
            }

            if let delivery {
                run.via = delivery.description
                if !dryRun {
                    do {
                        let done = try delivery.sender.send(bytes, envelope: message.envelope)
                        run.sent = true
                        run.attempts = done.attempts
                        state.recordSent(figures.snapshot)
                    } catch let sendError as MailerError {
                        run.attempts = sendError.attempts
                        // Refused for good (5xx): kept for a person to read, never retried — the next run,
                        // with the address fixed, sends a new report.
                        let kept: Outbox.Entry
                        do {
                            kept = try outbox.store(bytes, envelope: message.envelope, refused: sendError.isRefusal)
                            if !sendError.isRefusal {
                                try ReportState.write(figures.snapshot, to: ReportState.pendingFile(paths, outboxMessage: kept.message))
                            }
                        } catch {
                            throw CommandFailure(message: "error: \(sendError) · and it could not be kept for a later run either: \(error)", status: ExitStatus.failure)
                        }
                        run.keptInOutbox = kept.message.path
                        run.refusedForGood = sendError.isRefusal
                        problems.insert(sendError.isRefusal
                            ? "error: \(sendError) · set aside, not retried: \(kept.message.path) — fix the address and run report again"
                            : "error: \(sendError) · kept in the outbox: \(kept.message.path)", at: 0)
                    }
                }
            }
            if !dryRun {
                state.lastRun = figures.snapshot
                try state.save(paths)
            }
            run.outboxWaiting = (try? outbox.pending().count) ?? 0
            run.lastSent = state.lastSent?.at

            if options.json {
                Output.json(run)
            } else {
                run.printText()
            }
            if !problems.isEmpty {
                throw CommandFailure(message: problems.joined(separator: "\n"), status: ExitStatus.partial)
            }
        }
    }
}

/// What one `report` run did, for people and (with --json) for scripts.
struct ReportRun: Encodable {
    struct Period: Encodable {
        /// Start of the "what changed" period (`YYYY-MM-DDTHH:MM:SSZ`); nil on a first report.
        var start: String?
        var label: String
        var firstReport: Bool

        private enum CodingKeys: String, CodingKey { case start, label, firstReport }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(start, forKey: .start)   // null on a first report
            try c.encode(label, forKey: .label)
            try c.encode(firstReport, forKey: .firstReport)
        }
    }

    var ledger: String
    var to: [String]
    var from: String
    /// The template folder used, or `built-in`.
    var templates: String
    var dryRun: Bool
    var subject = ""
    var messageID = ""
    var eml: String?
    var period = Period(start: nil, label: "", firstReport: true)
    var figures: ReportContext?
    /// `smtp://host:port` or `sendmail PATH`; nil without --send.
    var via: String?
    var sent = false
    var attempts: Int?
    var keptInOutbox: String?
    /// The server refused the report for good: it is in the outbox's `refused/`, not retried (text output only).
    var refusedForGood = false
    var outboxDelivered: [String] = []
    var outboxWaiting = 0
    /// When the last delivered report was made: the next report's changes count from there.
    var lastSent: String?

    private enum CodingKeys: String, CodingKey {
        case ledger, to, from, templates, dryRun, subject, messageID, eml, period, figures, via, sent, attempts
        case keptInOutbox, outboxDelivered, outboxWaiting, lastSent
    }

    /// Every key, an absent value as null, so a script finds the same keys in every run.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ledger, forKey: .ledger)
        try c.encode(to, forKey: .to)
        try c.encode(from, forKey: .from)
        try c.encode(templates, forKey: .templates)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(subject, forKey: .subject)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(eml, forKey: .eml)
        try c.encode(period, forKey: .period)
        try c.encode(figures, forKey: .figures)
        try c.encode(via, forKey: .via)
        try c.encode(sent, forKey: .sent)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(keptInOutbox, forKey: .keptInOutbox)
        try c.encode(outboxDelivered, forKey: .outboxDelivered)
        try c.encode(outboxWaiting, forKey: .outboxWaiting)
        try c.encode(lastSent, forKey: .lastSent)
    }

    func printText() {
        if let eml { Output.line("Wrote \(eml): \"\(subject)\"") }
        if let figures {
            Output.line("\(figures.invoiceCount) invoices; \(period.label): \(figures.newlyPaidCount) newly paid, \(figures.newlyFlaggedCount) newly flagged, \(figures.stillFlaggedCount) still flagged; \(figures.openFlagCount) open flags; auto-reconciled \(figures.autoReconciledRate).")
        }
        if !outboxDelivered.isEmpty {
            Output.line("Delivered \(outboxDelivered.count) earlier report\(outboxDelivered.count == 1 ? "" : "s") from the outbox.")
        }
        if let via {
            if dryRun {
                Output.line("Dry run: would send to \(to.joined(separator: ", ")) via \(via); nothing sent or recorded.")
            } else if sent {
                Output.line("Sent to \(to.joined(separator: ", ")) via \(via)\((attempts ?? 1) > 1 ? " after \(attempts ?? 1) attempts" : ""). The next report counts changes from now.")
            } else if let keptInOutbox {
                Output.line(refusedForGood
                    ? "Not sent: the mail server refused it for good; kept in \(keptInOutbox), not retried."
                    : "Not sent: kept in \(keptInOutbox); the next report --send retries it.")
            }
        } else if !dryRun {
            Output.line("Not sent (no --send): changes still count from \(lastSent.map { "the last report sent, \($0)" } ?? "the beginning").")
        }
        if outboxWaiting > 0 {
            Output.line("Outbox: \(outboxWaiting) message\(outboxWaiting == 1 ? "" : "s") waiting.")
        }
    }
}
