import Foundation

/// Delivers messages over SMTP with libcurl: `smtp://host:port` with STARTTLS required (unless
/// `allowPlain`, for a relay on this machine), or `smtps://host:port` with TLS from the first byte.
///
/// ```swift
/// let sender = try SMTPSender(.init(url: "smtp://mail.school.edu:587",
///                                   credentials: SMTPCredentials.fromEnvironment(ProcessInfo.processInfo.environment)))
/// try sender.send(message.render(), envelope: message.envelope)
/// ```
/// Temporary failures (4xx replies, connection problems, timeouts) are retried `retries` times after
/// `baseDelay`, `2 × baseDelay`, `4 × baseDelay`… seconds; permanent ones (5xx) fail at once.
public struct SMTPSender: MailSender {
    public struct Configuration: Sendable {
        /// `smtp://host[:port]` or `smtps://host[:port]`.
        public var url: String
        public var credentials: SMTPCredentials?
        /// Permit `smtp://` without TLS (`CURLUSESSL_NONE`). Meant for a relay on loopback.
        public var allowPlain: Bool
        /// Longest time one attempt may take, in seconds.
        public var timeout: Double
        /// Longest time connecting may take, in seconds.
        public var connectTimeout: Double
        /// Further attempts after the first one fails temporarily.
        public var retries: Int
        /// Delay before the first retry, in seconds; doubles for each further retry.
        public var baseDelay: Double
        /// A CA bundle to verify the server with, instead of the system's.
        public var caFile: String?

        public init(
            url: String, credentials: SMTPCredentials? = nil, allowPlain: Bool = false, timeout: Double = 60,
            connectTimeout: Double = 20, retries: Int = 3, baseDelay: Double = 5, caFile: String? = nil
        ) {
            self.url = url
            self.credentials = credentials
            self.allowPlain = allowPlain
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.retries = retries
            self.baseDelay = baseDelay
            self.caFile = caFile
        }
    }

    public let configuration: Configuration
    /// The URL as shown in messages: scheme, host and port only (no user or password).
    public let displayURL: String
    private let isImplicitTLS: Bool
    private let sleep: @Sendable (Double) -> Void

    /// - Parameter sleep: waits between retries (tests pass a recorder).
    /// - Throws: `MailerError.invalidURL` when the URL is not `smtp://host[:port]` or `smtps://host[:port]`.
    public init(_ configuration: Configuration, sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }) throws {
        let url = configuration.url.trimmingWhitespace()
        guard MIMEEncoding.isPrintableASCII(url), let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
              let host = components.host, !host.isEmpty
        else {
            throw MailerError(.invalidURL, file: MailAddress.printable(url), "invalid SMTP URL · \(MailAddress.printable(url)) · write it as smtp://host:587 (STARTTLS) or smtps://host:465 (TLS)")
        }
        self.displayURL = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        self.isImplicitTLS = scheme == "smtps"
        var configuration = configuration
        configuration.url = url
        self.configuration = configuration
        self.sleep = sleep
    }

    @discardableResult
    public func send(_ message: [UInt8], envelope: Envelope) throws -> Delivery {
        let envelope = try envelope.validated()
        let request = CurlSMTPTransfer.Request(
            url: configuration.url,
            tls: isImplicitTLS || !configuration.allowPlain ? .required : .none,
            user: configuration.credentials?.user, password: configuration.credentials?.password,
            mailFrom: envelope.from, recipients: envelope.recipients, message: message,
            timeoutSeconds: configuration.timeout, connectTimeoutSeconds: configuration.connectTimeout,
            caFile: configuration.caFile
        )
        var attempt = 0
        while true {
            attempt += 1
            let outcome = try CurlSMTPTransfer().perform(request)
            if outcome.succeeded { return Delivery(attempts: attempt) }
            var error = classify(outcome, attempts: attempt)
            error.attempts = attempt
            guard error.isTemporary, attempt <= configuration.retries else { throw error }
            sleep(configuration.baseDelay * pow(2, Double(attempt - 1)))
        }
    }

    /// Turns a failed attempt into a `MailerError`: the SMTP reply code decides when there is one
    /// (4xx temporary, 5xx permanent), else the kind of libcurl failure.
    func classify(_ outcome: CurlSMTPTransfer.Outcome, attempts: Int) -> MailerError {
        let reply = outcome.replyCode
        let tried = attempts == 1 ? "" : " after \(attempts) attempts"
        let server = "\(displayURL)\(reply > 0 ? " replied \(reply)" : ""): \(outcome.detail)"
        switch outcome.category {
        case .tlsUnavailable:
            return MailerError(.tlsRequired, file: displayURL, replyCode: reply > 0 ? reply : nil,
                "the mail server offers no STARTTLS, so the message was not sent unencrypted · \(server) · use smtps://, a server that offers STARTTLS, or --smtp-allow-plain for a relay on this machine")
        case .tlsFailed:
            return MailerError(.tlsRequired, file: displayURL,
                "the TLS connection to the mail server failed · \(server) · check the host name and that its certificate is trusted (or give a CA file)")
        case .badURL:
            return MailerError(.invalidURL, file: displayURL, "libcurl rejected the SMTP URL · \(server) · write it as smtp://host:587 or smtps://host:465")
        case .loginDenied where (400..<500).contains(reply):
            return MailerError(.temporaryFailure, file: displayURL, replyCode: reply, "the mail server could not check the login now\(tried) · \(server) · the message stays in the outbox and is retried by the next run")
        case .loginDenied:
            return MailerError(.authenticationFailed, file: displayURL, replyCode: reply > 0 ? reply : nil,
                "the mail server refused the login · \(server) · check LEDGERSYNC_SMTP_USER and LEDGERSYNC_SMTP_PASSWORD (or the credentials file)")
        case .ok, .connection, .other:
            if (500..<600).contains(reply) {
                return MailerError(.permanentFailure, file: displayURL, replyCode: reply,
                    "the mail server refused the message · \(server) · check the sender and recipient addresses and the message size; retrying will not help")
            }
            if (400..<500).contains(reply) || outcome.category == .connection {
                return MailerError(.temporaryFailure, file: displayURL, replyCode: reply > 0 ? reply : nil,
                    "the message could not be delivered now\(tried) · \(server) · the message stays in the outbox and is retried by the next run")
            }
            return MailerError(.permanentFailure, file: displayURL, replyCode: reply > 0 ? reply : nil,
                "sending over SMTP failed · \(server) · check the SMTP settings")
        }
    }
}

/// User name and password for SMTP AUTH. `description` never shows the password.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public static let userVariable = "LEDGERSYNC_SMTP_USER"
    public static let passwordVariable = "LEDGERSYNC_SMTP_PASSWORD"

    /// Reads `LEDGERSYNC_SMTP_USER` and `LEDGERSYNC_SMTP_PASSWORD`; nil when the user is unset or empty.
    public static func fromEnvironment(_ environment: [String: String]) -> SMTPCredentials? {
        guard let user = environment[userVariable], !user.isEmpty else { return nil }
        return SMTPCredentials(user: user, password: environment[passwordVariable] ?? "")
    }

    /// Reads a credentials file: the user name on the first line, the password on the second
    /// (the rest of that line, spaces kept; a final CR is dropped).
    /// - Throws: `MailerError.authenticationFailed` when the file is unreadable or lacks a user line.
    public static func read(from file: URL) throws -> SMTPCredentials {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw MailerError(.authenticationFailed, file: file.path, "cannot read the SMTP credentials file · \(file.path) · create it with the user on line 1 and the password on line 2, readable by you only")
        }
        let lines = MIMEEncoding.lines(text).map { String(decoding: $0, as: UTF8.self) }
        guard let user = lines.first?.trimmingWhitespace(), !user.isEmpty else {
            throw MailerError(.authenticationFailed, file: file.path, "the SMTP credentials file has no user name · \(file.path) · put the user on line 1 and the password on line 2")
        }
        return SMTPCredentials(user: user, password: lines.count > 1 ? lines[1] : "")
    }

    public var description: String { "\(user) (password hidden)" }
}
