/// Something that delivers a rendered message: `SMTPSender` or `SendmailSender`.
public protocol MailSender: Sendable {
    /// Delivers `message` (the bytes of `MIMEMessage.render()`) to `envelope.recipients`.
    /// - Returns: how the delivery went (attempts made).
    /// - Throws: `MailerError`; `isTemporary` tells whether a later retry may succeed.
    @discardableResult
    func send(_ message: [UInt8], envelope: Envelope) throws -> Delivery
}

/// A successful delivery.
public struct Delivery: Sendable, Equatable {
    /// Attempts made, the successful one included (1 when nothing was retried).
    public var attempts: Int

    public init(attempts: Int) {
        self.attempts = attempts
    }
}

extension Envelope {
    /// Checks every address again: an envelope may come from an outbox file a person edited.
    func validated() throws -> Envelope {
        guard !recipients.isEmpty else {
            throw MailerError(.incompleteMessage, "no recipients · the envelope lists none · give one or more addresses")
        }
        for address in [from] + recipients where !MailAddress.isValidAddress(address) {
            throw MailerError(.invalidAddress, "invalid email address · \"\(MailAddress.printable(address))\" · write it as local@domain")
        }
        return self
    }
}
