/// The Stripe Dashboard CSV exports LedgerSync reads, each recognised by its header row.
///
/// Headers are matched case-insensitively and ignoring spaces, underscores and brackets
/// (`Created (UTC)` = `created_utc`), against a list of synonyms per column: Stripe has renamed
/// these columns more than once, and users choose which columns to export. Column order is free.
public enum ExportKind: String, Sendable, Hashable, CaseIterable {
    /// Payments → Export (`unified_payments.csv`): one row per charge (`ch_…`/`py_…`).
    case payments
    /// Balance → Export of the legacy balance history (`id,Type,Source,Amount,Fee,Net,…`), both variants.
    case balanceHistory = "balance_history"
    /// Reports → Balance change from activity, itemized (`balance_transaction_id,…,reporting_category`).
    case balanceChange = "balance_change_from_activity"
    /// Payouts → Export (`po_…`).
    case payouts
    /// Invoices → Export (`in_…`).
    case invoices

    /// How people know the export.
    public var title: String {
        switch self {
        case .payments: "Payments export"
        case .balanceHistory: "Balance history export"
        case .balanceChange: "Balance change from activity (itemized) report"
        case .payouts: "Payouts export"
        case .invoices: "Invoices export"
        }
    }

    /// The columns of this export LedgerSync reads; `required` ones identify it.
    var columns: [ExportColumn] {
        switch self {
        case .payments:
            [
                .init(.id, ["id", "charge id", "payment id"], required: true),
                .init(.created, ["Created date (UTC)", "Created (UTC)", "created", "created date", "created_utc"], required: true),
                .init(.amount, ["Amount"], required: true),
                .init(.currency, ["Currency"], required: true),
                .init(.amountRefunded, ["Amount Refunded"], group: "Amount Refunded or Captured"),
                .init(.captured, ["Captured"], group: "Amount Refunded or Captured"),
                .init(.status, ["Status"]),
                .init(.fee, ["Fee"]),
                .init(.settlementCurrency, ["Converted Currency"]),
                .init(.customer, ["Customer ID", "customer"]),
                .init(.email, ["Customer Email", "email", "receipt email"]),
                .init(.invoice, ["Invoice ID", "invoice"]),
                .init(.invoiceNumber, ["Invoice Number"]),
                .init(.paymentIntent, ["PaymentIntent ID", "payment intent id", "payment intent"]),
                .init(.livemode, ["Mode", "Livemode"]),
            ]
        case .balanceHistory:
            [
                .init(.id, ["id", "balance transaction id"], required: true),
                .init(.type, ["Type"], required: true),
                .init(.amount, ["Amount", "gross"], required: true),
                .init(.fee, ["Fee"], required: true),
                .init(.net, ["Net"], required: true),
                .init(.currency, ["Currency"], required: true),
                .init(.created, ["Created (UTC)", "created", "created date (UTC)"], required: true),
                .init(.source, ["Source", "source id"]),
                .init(.status, ["Status"]),
                .init(.payout, ["Transfer", "payout", "payout id", "automatic payout id"]),
                .init(.customerFacingAmount, ["Customer Facing Amount"]),
                .init(.customerFacingCurrency, ["Customer Facing Currency"]),
                .init(.livemode, ["Mode", "Livemode"]),
            ]
        case .balanceChange:
            [
                .init(.id, ["balance_transaction_id"], required: true),
                .init(.created, ["created_utc", "created"], required: true),
                .init(.currency, ["currency"], required: true),
                .init(.amount, ["gross"], required: true),
                .init(.fee, ["fee"]),
                .init(.net, ["net"], required: true),
                .init(.reportingCategory, ["reporting_category"], required: true),
                .init(.source, ["source_id"]),
                .init(.charge, ["charge_id"]),
                .init(.chargeCreated, ["charge_created_utc", "charge_created"]),
                .init(.paymentIntent, ["payment_intent_id"]),
                .init(.customer, ["customer_id"]),
                .init(.email, ["customer_email"]),
                .init(.invoice, ["invoice_id"]),
                .init(.invoiceNumber, ["invoice_number"]),
                .init(.payout, ["automatic_payout_id", "payout_id"]),
                .init(.customerFacingAmount, ["customer_facing_amount"]),
                .init(.customerFacingCurrency, ["customer_facing_currency"]),
            ]
        case .payouts:
            [
                .init(.id, ["id", "payout id"], required: true),
                .init(.amount, ["Amount"], required: true),
                .init(.currency, ["Currency"], required: true),
                .init(.created, ["Created (UTC)", "created", "created date (UTC)"], required: true),
                .init(.arrivalDate, ["Arrival Date (UTC)", "arrival date"], required: true),
                .init(.status, ["Status"], required: true),
                .init(.livemode, ["Livemode", "Mode"]),
                .init(.type, ["Type"]),
                .init(.balanceTransaction, ["Balance Transaction", "balance transaction id"]),
                .init(.failureCode, ["Failure Code"]),
            ]
        case .invoices:
            [
                .init(.id, ["id", "invoice id"], required: true),
                .init(.currency, ["Currency"], required: true),
                .init(.amountDue, ["Amount Due"], required: true),
                .init(.status, ["Status"], required: true),
                .init(.created, ["Date (UTC)", "Created (UTC)", "date", "created"]),
                .init(.total, ["Total"]),
                .init(.amountPaid, ["Amount Paid"]),
                .init(.paid, ["Paid"]),
                .init(.paidAt, ["Paid At (UTC)", "paid at"]),
                .init(.finalizedAt, ["Finalized At (UTC)", "finalized at"]),
                .init(.voidedAt, ["Voided At (UTC)", "voided at"]),
                .init(.uncollectibleAt, ["Marked Uncollectible At (UTC)", "marked uncollectible at"]),
                .init(.customer, ["Customer", "Customer ID"]),
                .init(.email, ["Customer Email"]),
                .init(.number, ["Number", "Invoice Number"]),
                .init(.charge, ["Charge", "Charge ID"]),
                .init(.livemode, ["Livemode", "Mode"]),
            ]
        }
    }
}

/// A value LedgerSync takes from an export row.
enum ExportField: Hashable, Sendable {
    case id, created, amount, currency, amountRefunded, captured, status, fee, net, settlementCurrency
    case customer, email, invoice, invoiceNumber, paymentIntent, livemode, type, source, payout
    case reportingCategory, charge, chargeCreated, arrivalDate, balanceTransaction, failureCode
    case customerFacingAmount, customerFacingCurrency
    case amountDue, total, amountPaid, paid, number, paidAt, finalizedAt, voidedAt, uncollectibleAt
}

/// One column of an export: its synonyms, and whether it identifies the export.
struct ExportColumn: Sendable {
    var field: ExportField
    /// Header names as Stripe writes them; compared by `ExportHeader.normalise`.
    var names: [String]
    var required: Bool
    /// Columns of one group: at least one of them must be present (and identifies the export).
    var group: String?

    init(_ field: ExportField, _ names: [String], required: Bool = false, group: String? = nil) {
        self.field = field
        self.names = names
        self.required = required
        self.group = group
    }
}
