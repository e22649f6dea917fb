/// An invoice row's status (DESIGN.md §3).
public enum InvoiceStatus: String, Sendable, CaseIterable, Codable {
    case open
    case partiallyPaid = "partially_paid"
    case paid
    case overpaid
    case refunded
    case partiallyRefunded = "partially_refunded"
    case disputed
    case chargedBack = "charged_back"
    case void
    case uncollectible

    /// The statuses of a row its payments settled (a refund afterwards does not unsettle it): what the
    /// auto-reconciled rate counts.
    public static let settled: [InvoiceStatus] = [.paid, .overpaid, .refunded, .partiallyRefunded]
}

/// How a payment was matched to its row (DESIGN.md §4).
public enum MatchRule: String, Sendable, CaseIterable, Codable {
    case stripeInvoice = "stripe_invoice"
    case reference
    case customerAmount = "customer_amount"
    case manual
}

/// A reason a person must look (DESIGN.md §5). Declared most serious first for rows.
public enum Flag: String, Sendable, CaseIterable, Codable, Comparable {
    case invalidRow = "invalid_row"
    case disputeLost = "dispute_lost"
    case disputed
    case paymentOnVoid = "payment_on_void"
    case refundFailed = "refund_failed"
    case currencyMismatch = "currency_mismatch"
    case duplicatePayment = "duplicate_payment"
    case overpaid
    case amountMismatch = "amount_mismatch"
    case underpaidWithinTolerance = "underpaid_within_tolerance"
    // Flags only a payment carries.
    case unmatchedPayment = "unmatched_payment"
    case ambiguousMatch = "ambiguous_match"
    case unknownInvoice = "unknown_invoice"
    case modeMismatch = "mode_mismatch"

    /// Lower is more serious.
    public var severity: Int { Flag.allCases.firstIndex(of: self)! }
    public static func < (lhs: Flag, rhs: Flag) -> Bool { lhs.severity < rhs.severity }
}

/// What a payments-table row is (DESIGN.md §1).
public enum PaymentKind: String, Sendable, CaseIterable, Codable {
    case charge, refund, dispute, payout
    case payoutFailure = "payout_failure"
    case fee
    case feeRefund = "fee_refund"
    case adjustment, credit, manual
}
