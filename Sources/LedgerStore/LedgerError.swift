import LedgerCore

/// Everything that can go wrong with a ledger on disk. Structural problems exit 2 with nothing written.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case unreadable, notALedger, missingColumn, duplicateInvoiceNumber, locked, writeFailed
        case changedDuringWrite, modeMismatch, corruptSideFile, unknownPayment, unknownInvoice, badDecision, exists
    }
    public var kind: Kind
    public var file: String
    public var message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
