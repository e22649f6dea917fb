/// A Stripe list endpoint a pull reads.
public struct Endpoint: Sendable, Hashable, Codable {
    /// Short name, used in the cursor and the report (`charges`).
    public var name: String
    /// `/v1/charges`.
    public var path: String
    /// Extra query parameters (`expand[]`).
    public var query: [String]
    /// Whether the pull's `--since`/`--until` window applies (`created[gte]`/`created[lt]`).
    public var windowed: Bool
    /// Whether a 400 answer means the listing does not apply to this object (a manual payout cannot be
    /// listed by payout), so it is skipped rather than ending the pull.
    public var optional: Bool

    public init(name: String, path: String, query: [String] = [], windowed: Bool = true, optional: Bool = false) {
        self.name = name
        self.path = path
        self.query = query
        self.windowed = windowed
        self.optional = optional
    }

    /// The cursor name of a payout's transaction listing.
    static let payoutTransactionsPrefix = "payout_transactions:"

    /// The balance transactions `payout` carried (`GET /v1/balance_transactions?payout=po_…`): all of
    /// them, whenever they were created, so the window does not apply. Stripe lists them for automatic
    /// payouts only; for a manual one the listing is skipped.
    public static func transactions(ofPayout payout: String) -> Endpoint {
        Endpoint(name: payoutTransactionsPrefix + payout, path: "/v1/balance_transactions", query: ["payout=" + payout],
                 windowed: false, optional: true)
    }

    /// The payout whose transactions this endpoint lists, if it is such a listing.
    public var payout: String? {
        name.hasPrefix(Self.payoutTransactionsPrefix) ? String(name.dropFirst(Self.payoutTransactionsPrefix.count)) : nil
    }

    /// Every endpoint a pull reads, in order: events first (the API keeps 30 days of them), then the
    /// objects, whose list endpoints reach back to the account's start. Invoice payments exist from
    /// API version `2025-03-31.basil` on; before it, charges name their invoice themselves.
    public static func standard(version: String) -> [Endpoint] {
        var list = [
            Endpoint(name: "events", path: "/v1/events"),
            Endpoint(name: "customers", path: "/v1/customers"),
            Endpoint(name: "payment_intents", path: "/v1/payment_intents"),
            Endpoint(name: "checkout_sessions", path: "/v1/checkout/sessions"),
            Endpoint(name: "charges", path: "/v1/charges"),
            Endpoint(name: "refunds", path: "/v1/refunds"),
            Endpoint(name: "disputes", path: "/v1/disputes"),
            Endpoint(name: "invoices", path: "/v1/invoices"),
        ]
        if version >= "2025-03-31" {
            list.append(Endpoint(name: "invoice_payments", path: "/v1/invoice_payments"))
        }
        list += [
            Endpoint(name: "payouts", path: "/v1/payouts"),
            Endpoint(name: "balance_transactions", path: "/v1/balance_transactions"),
        ]
        return list
    }
}
