/// One snapshot of one Stripe object, as LedgerSync needs it, whatever door it came through.
///
/// The importers (`StripeData`) turn events, API objects and Dashboard CSV rows into records;
/// reconciliation works on records only. Amounts are already in **ledger** minor units of
/// `currency` (the importer converts from the API's exponent), signed as Stripe signs them.
/// Every field but `kind`, `id` and `door` is optional: a poorer door (a CSV export) fills
/// fewer of them, and merging (`Record+Merge.swift`) never lets a poorer snapshot erase a field.
public struct Record: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case charge
        case paymentIntent = "payment_intent"
        case checkoutSession = "checkout_session"
        case invoice
        case invoicePayment = "invoice_payment"
        case creditNote = "credit_note"
        case refund
        case dispute
        case payout
        case balanceTransaction = "balance_transaction"
        case customer
    }

    /// How a record reached LedgerSync; richer doors rank higher (DESIGN.md §1, `source`).
    public enum Door: String, Sendable, Codable, Comparable, CaseIterable {
        case csvExport = "csv_export", file, webhook, api
        var richness: Int {
            switch self {
            case .csvExport: 0
            case .file: 1
            case .webhook: 2
            case .api: 3
            }
        }
        public static func < (lhs: Door, rhs: Door) -> Bool { lhs.richness < rhs.richness }
    }

    public var kind: Kind
    /// The Stripe object id (`ch_…`, `in_…`, `txn_…`).
    public var id: String
    public var door: Door
    /// `livemode` of the event or object; nil when the door does not say (Dashboard exports without `Mode`).
    public var livemode: Bool?
    /// The object's `created` (unix seconds).
    public var created: Int64?
    /// When this snapshot was taken: the event's `created`, else the object's `created`.
    public var observedAt: Int64?
    /// The event this snapshot came in (`evt_…`), for audit and tie-breaks.
    public var eventID: String?

    /// Stripe's status string for the object (`succeeded`, `needs_response`, `paid`, `in_transit`…).
    public var status: String?
    /// Lowercase ISO code of every amount below.
    public var currency: String?

    /// Charge/refund/dispute/payout/payment-intent amount; credit-note total; balance transaction gross.
    public var amount: Int64?
    /// Charge: `amount_captured` (never goes down).
    public var amountCaptured: Int64?
    /// Charge: `amount_refunded` (never goes down). Counts only for what no refund object explains.
    public var amountRefunded: Int64?
    /// Invoice and invoice payment: `amount_paid`.
    public var amountPaid: Int64?
    /// Invoice: `amount_due` (after customer credit and pre-payment credit notes).
    public var amountDue: Int64?
    /// Invoice: `total`.
    public var total: Int64?
    /// Balance transaction `fee` and `net`; on a money object, those of its balance transaction.
    public var fee: Int64?
    public var net: Int64?
    /// Currency the money settled in, when Stripe says (balance transaction, export).
    public var settlementCurrency: String?

    /// Charge: `captured`. Invoice (API before 2025-03-31): `paid_out_of_band`.
    public var captured: Bool?
    public var paidOutOfBand: Bool?

    /// Links to other objects, by id.
    public var customer: String?
    public var charge: String?
    public var paymentIntent: String?
    public var invoice: String?
    public var balanceTransaction: String?
    /// Balance transaction: `source` (the charge, refund, payout… it belongs to).
    public var source: String?
    /// The payout that carried this money (from a balance transaction listed by payout, or a report).
    public var payout: String?

    /// Email of the payer: billing details, receipt email, or the customer's email.
    public var email: String?
    /// The reference a person put on the payment (metadata `invoice_number` by default).
    public var reference: String?
    /// Invoice: Stripe's `number`.
    public var number: String?
    /// Balance transaction `type`; invoice payment `payment.type`; credit note `type`; payout `type`.
    public var type: String?
    /// Dispute or refund reason; failure reason of a refund or payout.
    public var reason: String?
    /// Dispute: `evidence_details.due_by`; payout: `arrival_date` (unix seconds).
    public var dueBy: Int64?

    public init(kind: Kind, id: String, door: Door) {
        self.kind = kind
        self.id = id
        self.door = door
    }
}
