/// The figures a report message shows, as the Mustache templates in `Templates/email/` see them.
///
/// Every amount arrives already formatted (`"1,250.00 USD"`): the Mailer module knows no ledger or
/// money types, so formatting stays with the caller that owns `Money`. Keys are documented, with an
/// example, in `Templates/email/README.md`; a key a template names that is not here renders empty.
public struct ReportContext: Codable, Sendable, Equatable {
    /// File name of the ledger (`fall-2026.xlsx`).
    public var ledgerName: String
    /// When the report was made, formatted for people (`2026-11-20 09:00 UTC`).
    public var generatedAt: String
    /// Start of the period the "changes" lists cover, formatted (`2026-11-13 09:00 UTC`).
    public var periodStart: String
    /// How the period reads in a sentence: `since the last report (2026-11-13 09:00 UTC)`, `in the last 7 days`.
    public var periodLabel: String
    /// True when no earlier report was recorded: every paid or flagged invoice counts as new.
    public var isFirstReport: Bool
    /// File name of the attached workbook.
    public var attachmentName: String

    /// One line per status present in the ledger, in the ledger's status order.
    public var totals: [StatusTotal]
    /// Number of invoice rows.
    public var invoiceCount: Int

    /// Invoices that became `paid` during the period.
    public var newlyPaid: [InvoiceLine]
    /// Invoices that got a flag during the period.
    public var newlyFlagged: [InvoiceLine]
    /// Invoices flagged before the period and still flagged (not accepted) now.
    public var stillFlagged: [InvoiceLine]
    /// The five oldest open flags (oldest first).
    public var oldestOpenFlags: [InvoiceLine]
    public var newlyPaidCount: Int
    public var newlyFlaggedCount: Int
    public var stillFlaggedCount: Int
    /// All open flags, not only the five shown.
    public var openFlagCount: Int

    /// Share of rows with a payment settled without a person, formatted (`98.7%`).
    public var autoReconciledRate: String
    public var autoReconciledCount: Int
    public var paymentCount: Int

    public init(
        ledgerName: String, generatedAt: String, periodStart: String, periodLabel: String, isFirstReport: Bool,
        attachmentName: String, totals: [StatusTotal], invoiceCount: Int,
        newlyPaid: [InvoiceLine], newlyFlagged: [InvoiceLine], stillFlagged: [InvoiceLine],
        oldestOpenFlags: [InvoiceLine], openFlagCount: Int,
        autoReconciledRate: String, autoReconciledCount: Int, paymentCount: Int
    ) {
        self.ledgerName = ledgerName
        self.generatedAt = generatedAt
        self.periodStart = periodStart
        self.periodLabel = periodLabel
        self.isFirstReport = isFirstReport
        self.attachmentName = attachmentName
        self.totals = totals
        self.invoiceCount = invoiceCount
        self.newlyPaid = newlyPaid
        self.newlyFlagged = newlyFlagged
        self.stillFlagged = stillFlagged
        self.oldestOpenFlags = oldestOpenFlags
        self.newlyPaidCount = newlyPaid.count
        self.newlyFlaggedCount = newlyFlagged.count
        self.stillFlaggedCount = stillFlagged.count
        self.openFlagCount = openFlagCount
        self.autoReconciledRate = autoReconciledRate
        self.autoReconciledCount = autoReconciledCount
        self.paymentCount = paymentCount
    }

    /// Count and amounts of the invoices in one status.
    public struct StatusTotal: Codable, Sendable, Equatable {
        /// Status code as in the ledger's `status` column (`paid`, `partially_paid`…).
        public var status: String
        public var count: Int
        /// Sum of `amount_due` per currency, formatted and joined (`12,500.00 USD · 300,000 JPY`).
        public var amountDue: String
        /// Sum of `balance_due` per currency, formatted and joined.
        public var balanceDue: String

        public init(status: String, count: Int, amountDue: String, balanceDue: String) {
            self.status = status
            self.count = count
            self.amountDue = amountDue
            self.balanceDue = balanceDue
        }
    }

    /// One invoice row as a list shows it.
    public struct InvoiceLine: Codable, Sendable, Equatable {
        public var invoiceNumber: String
        public var customerName: String
        /// `amount_due`, formatted with its currency.
        public var amountDue: String
        /// `balance_due`, formatted with its currency.
        public var balanceDue: String
        public var status: String
        /// `paid_at` formatted, or "" when not paid.
        public var paidAt: String
        /// Reason code (`overpaid`…), or "" when not flagged.
        public var flag: String
        /// The row's `flag_detail` sentence.
        public var flagDetail: String
        /// When the flag was first seen, formatted, or "".
        public var flaggedSince: String
        /// Whole days the flag has been open.
        public var flaggedDays: Int
        /// The same as words (`12 days`, `1 day`, `less than a day`).
        public var flaggedFor: String

        public init(
            invoiceNumber: String, customerName: String, amountDue: String, balanceDue: String, status: String,
            paidAt: String = "", flag: String = "", flagDetail: String = "", flaggedSince: String = "", flaggedDays: Int = 0
        ) {
            self.invoiceNumber = invoiceNumber
            self.customerName = customerName
            self.amountDue = amountDue
            self.balanceDue = balanceDue
            self.status = status
            self.paidAt = paidAt
            self.flag = flag
            self.flagDetail = flagDetail
            self.flaggedSince = flaggedSince
            self.flaggedDays = flaggedDays
            self.flaggedFor = switch flaggedDays {
            case ..<1: "less than a day"
            case 1: "1 day"
            default: "\(flaggedDays) days"
            }
        }
    }
}
