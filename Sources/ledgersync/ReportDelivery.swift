import Foundation
import Mailer

/// How `report --send` delivers: SMTP from `--smtp-url` or `$LEDGERSYNC_SMTP_URL` (credentials from the
/// environment or `--smtp-credentials-file`, never from a flag), or `sendmail`. Built before the ledger
/// is read, so a settings mistake stops the run with exit 2 and nothing sent or written.
struct ReportDelivery {
    static let urlVariable = "LEDGERSYNC_SMTP_URL"

    var sender: any MailSender
    /// `smtp://host:port` (no user or password) or `sendmail PATH`, for messages.
    var description: String

    init(command: LedgerSync.Report, environment: [String: String]) throws {
        func usage(_ message: String) -> CommandFailure {
            CommandFailure(message: "error: \(message)", status: ExitStatus.failure)
        }
        if command.sendmail {
            let path = command.sendmailPath ?? SendmailSender.defaultPath
            sender = SendmailSender(path: path)
            description = "sendmail \(path)"
            return
        }
        guard let url = (command.smtpURL ?? environment[Self.urlVariable]).map({ $0.trimmingCharacters(in: .whitespaces) }), !url.isEmpty else {
            throw usage("--send needs a way to send · no --smtp-url, $\(Self.urlVariable) or --sendmail · give --smtp-url smtp://mail.example.edu:587 (or set \(Self.urlVariable)), or --sendmail")
        }
        let components = URLComponents(string: url)
        if components?.password != nil || components?.user != nil {
            throw usage("the SMTP URL holds a user or password · \(components?.scheme ?? "smtp")://…@\(components?.host ?? "") · put them in LEDGERSYNC_SMTP_USER and LEDGERSYNC_SMTP_PASSWORD or --smtp-credentials-file, never on the command line")
        }
        var credentials: SMTPCredentials?
        do {
            credentials = try command.smtpCredentialsFile.map { try SMTPCredentials.read(from: URL(fileURLWithPath: $0)) }
                ?? SMTPCredentials.fromEnvironment(environment)
        } catch {
            throw usage("\(error)")
        }
        let host = components?.host ?? ""
        if command.smtpAllowPlain, credentials != nil, components?.scheme?.lowercased() == "smtp", !Self.isLoopback(host) {
            throw usage("--smtp-allow-plain would send the SMTP password unencrypted to \(host) · \(url) · use smtps:// or a server that offers STARTTLS; plain connections are for a relay on this machine (127.0.0.1, ::1, localhost)")
        }
        do {
            let smtp = try SMTPSender(.init(url: url, credentials: credentials, allowPlain: command.smtpAllowPlain, timeout: command.smtpTimeout,
                                            connectTimeout: min(20, command.smtpTimeout), retries: command.smtpRetries,
                                            baseDelay: command.smtpRetryDelay))
            sender = smtp
            description = smtp.displayURL
        } catch {
            throw usage("\(error)")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return lower == "localhost" || lower == "::1" || lower.hasPrefix("127.")
    }
}
