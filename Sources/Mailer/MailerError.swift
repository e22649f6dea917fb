/// Everything that can go wrong while composing, rendering or delivering a report message.
///
/// The message follows the house shape "what failed · the input · what to do". Passwords and message
/// bodies never appear in it; addresses and server URLs do, because a person needs them to act.
public struct MailerError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// An address or header value is malformed (empty, CR/LF, no `@`).
        case invalidAddress
        /// A header value cannot be used (a malformed content type).
        case invalidHeader
        /// A message lacks something RFC 5322 requires (a From, at least one recipient).
        case incompleteMessage
        /// A template file is missing or unreadable.
        case templateMissing
        /// A template does not parse; `file` and `line` say where.
        case templateSyntax
        /// The SMTP URL is not `smtp://host[:port]` or `smtps://host[:port]`.
        case invalidURL
        /// `smtp://` without `allowPlain` and the server offered no STARTTLS, or TLS failed.
        case tlsRequired
        /// The server rejected the user name or password.
        case authenticationFailed
        /// A 4xx reply or a connection failure that outlived every retry.
        case temporaryFailure
        /// A 5xx reply: retrying will not help.
        case permanentFailure
        /// `sendmail` could not be started or exited non-zero.
        case sendmailFailed
        /// The outbox folder could not be written or read.
        case outboxFailed
    }

    public var kind: Kind
    /// The file, template or URL concerned ("" when none).
    public var file: String
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// 1-based column in `line`, when known.
    public var column: Int?
    /// The SMTP reply code, when the server gave one.
    public var replyCode: Int?
    public var message: String
    /// Delivery attempts made before this failure, when it ended a delivery.
    public var attempts: Int?

    public init(_ kind: Kind, file: String = "", line: Int? = nil, column: Int? = nil, replyCode: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.replyCode = replyCode
        self.message = message
    }

    /// True for failures that may succeed later (4xx replies, connection problems): the outbox keeps them.
    public var isTemporary: Bool { kind == .temporaryFailure }

    /// True when sending the same message again cannot help (the server refused it, 5xx): the outbox
    /// sets it aside instead of retrying it on every run.
    public var isRefusal: Bool { kind == .permanentFailure }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return place.isEmpty ? message : "\(place): \(message)"
    }
}
