/// What reconciliation computes for one invoice row: the LedgerSync-owned columns (DESIGN.md §1).
public struct InvoiceState: Sendable, Hashable {
    public var status: InvoiceStatus
    /// Ledger minor units of the row's currency.
    public var amountPaid: Int64
    public var amountRefunded: Int64
    public var balanceDue: Int64
    /// Unix seconds: when the payment that completed the row succeeded.
    public var paidAt: Int64?
    /// Stripe ids applied to the row, oldest first.
    public var paymentIDs: [String]
    public var matchRule: MatchRule?
    public var flag: Flag?
    public var flagDetail: String
    public var payoutIDs: [String]
    public var depositedAt: Int64?
    public var lastEventAt: Int64?
    /// Every step that led here, oldest first, for `explain`.
    public var trail: [String]

    public init(status: InvoiceStatus) {
        self.status = status
        amountPaid = 0
        amountRefunded = 0
        balanceDue = 0
        paymentIDs = []
        flagDetail = ""
        payoutIDs = []
        trail = []
    }
}

/// One row of the payments table (DESIGN.md §1).
public struct PaymentLine: Sendable, Hashable {
    public var stripeID: String
    public var kind: PaymentKind
    public var status: String
    public var created: Int64
    public var currency: Currency
    /// Ledger minor units, signed as in Stripe's balance transactions.
    public var amount: Int64
    /// From the balance transaction, never computed; nil until known. In minor units of
    /// `settlementCurrency` (``settlement``), which may differ from `currency`.
    public var fee: Int64?
    public var net: Int64?
    public var settlementCurrency: String

    /// The currency `fee` and `net` are in: `settlementCurrency`, else the payment's own.
    public var settlement: Currency { (try? Currency(settlementCurrency)) ?? currency }
    public var customer: String
    public var email: String
    public var stripeInvoiceID: String
    /// The charge a refund or dispute follows (`charge_id`); "" for every other kind.
    public var chargeID: String
    public var reference: String
    /// Rows it was applied to, in allocation order.
    public var invoiceNumbers: [String]
    /// What moved on each row of `invoiceNumbers` (same order), signed like `amount`: the part of a payment
    /// applied to it, or the part of a refund or lost dispute taken back from it; 0 where nothing moved.
    public var appliedAmounts: [Int64]
    public var matchRule: MatchRule?
    public var payoutID: String
    public var flag: Flag?
    public var flagDetail: String
    public var door: Record.Door

    public init(stripeID: String, kind: PaymentKind, status: String, created: Int64, currency: Currency,
                amount: Int64, door: Record.Door) {
        self.stripeID = stripeID
        self.kind = kind
        self.status = status
        self.created = created
        self.currency = currency
        self.amount = amount
        self.door = door
        settlementCurrency = ""
        customer = ""
        email = ""
        stripeInvoiceID = ""
        chargeID = ""
        reference = ""
        invoiceNumbers = []
        appliedAmounts = []
        payoutID = ""
        flagDetail = ""
    }
}

/// The whole result of one reconciliation: a pure function of rows, records, decisions and settings.
public struct Reconciliation: Sendable {
    /// Parallel to the input invoices.
    public var invoices: [InvoiceState]
    /// Sorted by (`created`, `stripeID`).
    public var payments: [PaymentLine]
    /// Notes about records that could not be used (e.g. an amount the ledger cannot hold), for the run summary.
    public var notes: [String]

    public init(invoices: [InvoiceState], payments: [PaymentLine], notes: [String]) {
        self.invoices = invoices
        self.payments = payments
        self.notes = notes
    }
}

extension Reconciliation {
    /// Payments no row took that carry a flag (unmatched, ambiguous, unknown invoice…): a person must act on
    /// them too. A payment applied to a row shares that row's flag, as does one a row's flag names (a
    /// currency mismatch is flagged on both): that is one item, the row's, and not listed here.
    public var flaggedPaymentsNoRowTook: [(payment: PaymentLine, flag: Flag)] {
        var rowFlagDetails: [Flag: [String]] = [:]
        for row in invoices { if let flag = row.flag { rowFlagDetails[flag, default: []].append(row.flagDetail) } }
        return payments.compactMap { payment in
            guard let flag = payment.flag, payment.invoiceNumbers.isEmpty,
                  !(rowFlagDetails[flag] ?? []).contains(where: { $0.contains(payment.stripeID) }) else { return nil }
            return (payment, flag)
        }
    }

    /// The auto-reconciled rate's parts, as `status`, the report and the workbook's Summary define it: rows
    /// settled without a person (no flag, not matched by hand), of the rows with any payment.
    public var autoReconciled: (settled: Int, withPayment: Int) {
        let withPayment = invoices.filter { !$0.paymentIDs.isEmpty }
        let settled = withPayment.filter { InvoiceStatus.settled.contains($0.status) && $0.flag == nil && $0.matchRule != .manual }
        return (settled.count, withPayment.count)
    }
}
