/// A failure to open, write or read the webhook inbox, with the file and offset involved.
///
/// Messages follow the house shape: what failed · the input · what to do. They never include
/// event bodies.
public struct InboxError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The directory or a file in it could not be created, opened or locked.
        case cannotOpen
        /// Another process holds the inbox lock.
        case locked
        /// A record in the middle of the journal fails its checksum (not a torn tail).
        case corrupt
        /// The applied-offset file names a position that is not a record boundary of the journal.
        case badAppliedOffset
        /// A write, fsync or rename failed; the inbox refuses further appends until reopened.
        case writeFailed
        /// A read failed.
        case readFailed
        /// The inbox was closed.
        case closed
        /// An event body, id or type too large for one record.
        case recordTooLarge
    }
    public let kind: Kind
    public let path: String
    public let offset: UInt64?
    /// The system's text for errno, or another short detail. Never event data.
    public let detail: String?

    public init(_ kind: Kind, path: String, offset: UInt64? = nil, detail: String? = nil) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        let at = offset.map { " at byte \($0)" } ?? ""
        let why = detail.map { " (\($0))" } ?? ""
        switch kind {
        case .cannotOpen:
            return "cannot open the webhook inbox · \(path)\(why) · check that the directory exists and is writable by this user"
        case .locked:
            return "the webhook inbox is in use · \(path) is locked by another process · stop the other `ledgersync serve` first"
        case .corrupt:
            return "the webhook inbox is damaged · \(path)\(at)\(why) · move the file aside, restart, and resend events after that point from the Stripe Dashboard"
        case .badAppliedOffset:
            return "the applied-offset file does not match the inbox · \(path)\(at)\(why) · delete it to re-apply the whole inbox (duplicates are skipped at apply time)"
        case .writeFailed:
            return "cannot write the webhook inbox · \(path)\(at)\(why) · check free disk space and restart the server; unacknowledged events will be retried by Stripe"
        case .readFailed:
            return "cannot read the webhook inbox · \(path)\(at)\(why) · check the file and restart"
        case .closed:
            return "the webhook inbox is closed · \(path) · this happens during shutdown; Stripe retries unacknowledged events"
        case .recordTooLarge:
            return "event too large for the webhook inbox · \(path)\(why) · raise no limit here; such an event is not from Stripe"
        }
    }
}
