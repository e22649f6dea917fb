/// A person's decision (`ledgersync resolve`), kept in the journal; no later sync undoes it (DESIGN.md §4).
public struct Decision: Sendable, Hashable, Codable {
    public enum Action: Sendable, Hashable, Codable {
        /// Apply payment `paymentID` to rows; `amount` nil means "the rest of the payment".
        case match(paymentID: String, allocations: [Allocation])
        /// Take the payment off every row; it stays unmatched and flagged until matched again.
        case unmatch(paymentID: String)
        /// Accept the open flag on a row (by invoice number) or a payment (by Stripe id).
        case accept(target: String, flag: Flag?, note: String)
    }

    public struct Allocation: Sendable, Hashable, Codable {
        public var invoiceNumber: String
        /// Ledger minor units of the payment's currency; nil = what remains of the payment.
        public var amount: Int64?
        public init(invoiceNumber: String, amount: Int64?) {
            self.invoiceNumber = invoiceNumber
            self.amount = amount
        }
    }

    public var action: Action
    /// Unix seconds when the decision was made.
    public var decidedAt: Int64
    /// Order among decisions (journal order); a later decision on the same target replaces an earlier one.
    public var sequence: Int

    public init(action: Action, decidedAt: Int64, sequence: Int) {
        self.action = action
        self.decidedAt = decidedAt
        self.sequence = sequence
    }
}

/// Which Stripe mode a ledger is bound to (DESIGN.md §1).
public enum StripeMode: String, Sendable, Codable {
    case test, live
    public init(livemode: Bool) { self = livemode ? .live : .test }
}

/// Settings that change reconciliation; kept beside the ledger, set by `init` or by hand.
public struct ReconcileSettings: Sendable, Hashable, Codable {
    /// Underpayment tolerance per currency (lowercase code → ledger minor units). Default none.
    public var tolerance: [String: Int64]
    /// Metadata keys whose value is an invoice reference, in order of preference.
    public var referenceKeys: [String]
    /// Whether results carry each row's `trail` (for `explain`); a sync that only writes the ledger
    /// turns it off. Nothing else in the result depends on it.
    public var keepTrail: Bool

    public init(tolerance: [String: Int64] = [:], referenceKeys: [String] = ["invoice_number"], keepTrail: Bool = true) {
        self.tolerance = tolerance
        self.referenceKeys = referenceKeys
        self.keepTrail = keepTrail
    }
}
