import LedgerCore

/// How urgent a flag is; each group has one fill colour in the workbook.
public enum FlagSeverity: String, Sendable, CaseIterable {
    /// Money may be lost or owed: invalid rows, disputes, payments on void invoices.
    case critical
    /// The books disagree with Stripe and a person must decide.
    case warning
    /// Settled, but worth a look (an underpayment within tolerance).
    case notice

    public init(_ flag: Flag) {
        switch flag {
        case .invalidRow, .disputeLost, .disputed, .paymentOnVoid: self = .critical
        case .underpaidWithinTolerance: self = .notice
        default: self = .warning
        }
    }

    /// 0xRRGGBB of the row fill.
    public var fillColor: UInt32 {
        switch self {
        case .critical: 0xF8CBAD
        case .warning: 0xFFE699
        case .notice: 0xDDEBF7
        }
    }

    /// A sentence naming what a person must decide, for the Review sheet.
    public static func reason(_ flag: Flag) -> String {
        switch flag {
        case .invalidRow: "A cell of this row cannot be read; fix it so the row can take payments"
        case .disputeLost: "A dispute was lost; the customer owes the amount again"
        case .disputed: "A payment is disputed; submit evidence before the due date"
        case .paymentOnVoid: "A payment arrived on a void invoice; refund it or reopen the invoice"
        case .refundFailed: "A refund failed; the customer has not been repaid"
        case .currencyMismatch: "The payment is in another currency than the invoice"
        case .duplicatePayment: "The invoice was paid twice; refund one payment or apply it elsewhere"
        case .overpaid: "More was paid than due; refund or credit the difference"
        case .amountMismatch: "Stripe's invoice total differs from amount_due"
        case .underpaidWithinTolerance: "Paid slightly less than due, within the tolerance"
        case .unmatchedPayment: "No invoice row matches this payment; match it or add the row"
        case .ambiguousMatch: "Several invoice rows fit this payment equally; choose one"
        case .unknownInvoice: "The payment belongs to a Stripe invoice no row names"
        case .modeMismatch: "The record is from the other Stripe mode than the ledger"
        }
    }
}
