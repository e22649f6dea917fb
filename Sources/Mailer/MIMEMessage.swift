import Foundation

/// A complete Internet message (RFC 5322) with MIME parts (RFC 2045–2047, 2231), rendered as bytes
/// with CRLF line ends, ready for an `.eml` file, SMTP or `sendmail -t`.
///
/// Structure: `multipart/mixed` holding a `multipart/alternative` (text/plain and text/html, UTF-8,
/// quoted-printable) and each attachment (base64 in 76-column lines). Without attachments the
/// alternative part is the top level; without an HTML body the text part stands alone.
///
/// ```swift
/// let message = try MIMEMessage(
///     from: MailAddress(parsing: "Ledger <ledger@school.edu>"),
///     to: MailAddress.list(parsing: "a@school.edu,b@school.edu"),
///     subject: "Relevé hebdomadaire", textBody: text, htmlBody: html,
///     attachments: [Attachment(fileName: "ledger.xlsx", contentType: Attachment.xlsxContentType, data: bytes)])
/// try Data(message.render()).write(to: URL(fileURLWithPath: "report.eml"))
/// ```
/// Header injection is impossible: addresses are checked by `MailAddress`, and every other header
/// value has its control characters replaced by spaces and non-ASCII text encoded before folding.
public struct MIMEMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var attachments: [Attachment]
    public var date: Date
    public var timeZone: TimeZone
    /// `<random@host>`, angle brackets included.
    public let messageID: String
    /// Random token the part boundaries are made of; fixed per message so `render()` is repeatable.
    let boundaryToken: String

    /// - Parameters:
    ///   - messageIDHost: right-hand side of the Message-ID; defaults to the From address's domain, so
    ///     the machine's host name is not disclosed.
    /// - Throws: `MailerError.incompleteMessage` without recipients.
    public init(
        from: MailAddress,
        to: [MailAddress],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        attachments: [Attachment] = [],
        date: Date = Date(),
        timeZone: TimeZone = .current,
        messageIDHost: String? = nil
    ) throws {
        guard !to.isEmpty else {
            throw MailerError(.incompleteMessage, "a message needs at least one recipient · To is empty · give one or more addresses, e.g. --to a@x.edu,b@y.edu")
        }
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.date = date
        self.timeZone = timeZone
        var host = messageIDHost ?? String(from.address[from.address.index(after: from.address.lastIndex(of: "@") ?? from.address.startIndex)...])
        if !MailAddress.isValidAddress("x@" + host) { host = "ledgersync.invalid" }
        let seconds = Int(date.timeIntervalSince1970)
        self.messageID = "<\(seconds).\(MIMEEncoding.randomHex(bytes: 12))@\(host)>"
        self.boundaryToken = MIMEEncoding.randomHex(bytes: 12)
    }

    /// The SMTP envelope this message is sent with: the From address and every To address.
    public var envelope: Envelope {
        Envelope(from: from.address, recipients: to.map(\.address))
    }

    /// The message as bytes: headers, a blank line, the MIME body; CRLF throughout.
    public func render() -> [UInt8] {
        var lines: [String] = []
        lines.append(MIMEEncoding.fold("From: \(from.headerText)"))
        lines.append(MIMEEncoding.fold("To: " + to.map(\.headerText).joined(separator: ", ")))
        lines.append(MIMEEncoding.unstructuredHeader("Subject", subject))
        lines.append("Date: \(MIMEEncoding.date(date, timeZone: timeZone))")
        lines.append("Message-ID: \(messageID)")
        lines.append("MIME-Version: 1.0")
        // RFC 3834: tells vacation responders not to answer a machine-sent report.
        lines.append("Auto-Submitted: auto-generated")
        lines.append(contentsOf: body())
        return Array((lines.joined(separator: MIMEEncoding.crlf) + MIMEEncoding.crlf).utf8)
    }

    // MARK: Parts (each as header lines, a blank line, content lines)

    private func body() -> [String] {
        let alternative = htmlBody.map { multipart("alternative", [textPart("plain", textBody), textPart("html", $0)]) }
            ?? textPart("plain", textBody)
        guard !attachments.isEmpty else { return alternative }
        return multipart("mixed", [alternative] + attachments.map(attachmentPart))
    }

    private func multipart(_ subtype: String, _ parts: [[String]]) -> [String] {
        let boundary = "=_\(subtype)_\(boundaryToken)"
        var lines = [
            MIMEEncoding.fold("Content-Type: multipart/\(subtype); boundary=\"\(boundary)\""),
            "",
            "This is a multipart message in MIME format.",
        ]
        for part in parts {
            lines.append("--\(boundary)")
            lines.append(contentsOf: part)
        }
        lines.append("--\(boundary)--")
        return lines
    }

    private func textPart(_ subtype: String, _ text: String) -> [String] {
        [
            "Content-Type: text/\(subtype); charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            MIMEEncoding.quotedPrintable(text),
        ]
    }

    private func attachmentPart(_ attachment: Attachment) -> [String] {
        [
            MIMEEncoding.fold("Content-Type: \(attachment.contentType); \(MIMEEncoding.parameter("name", attachment.fileName))"),
            MIMEEncoding.fold("Content-Disposition: attachment; \(MIMEEncoding.parameter("filename", attachment.fileName))"),
            "Content-Transfer-Encoding: base64",
            "",
            MIMEEncoding.base64Lines(attachment.data),
        ]
    }
}

/// Who a message is delivered from and to at the SMTP level (MAIL FROM, RCPT TO), apart from headers.
public struct Envelope: Sendable, Equatable, Codable {
    public var from: String
    public var recipients: [String]

    public init(from: String, recipients: [String]) {
        self.from = from
        self.recipients = recipients
    }
}
