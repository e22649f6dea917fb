import LedgerCore

/// Stripe Dashboard addresses of Stripe ids, so a person reaches the object in one click.
public enum StripeLinks {
    /// `https://dashboard.stripe.com/[test/]payments/ch_…` and the like; nil for an id the Dashboard
    /// has no page for (balance transactions) or that is not a plain Stripe id.
    ///
    /// ```swift
    /// StripeLinks.url(for: "cus_Q1", mode: .test) // "https://dashboard.stripe.com/test/customers/cus_Q1"
    /// ```
    public static func url(for id: String, mode: StripeMode?) -> String? {
        guard let underscore = id.firstIndex(of: "_"), id.utf8.count <= 255,
              id.utf8.allSatisfy({ isIDByte($0) }) else { return nil }
        let prefix = id[..<underscore]
        let section: String
        switch prefix {
        case "ch", "py", "pi": section = "payments"
        case "in": section = "invoices"
        case "cus": section = "customers"
        case "re", "pyr": section = "refunds"
        case "du", "dp": section = "disputes"
        case "po": section = "payouts"
        default: return nil
        }
        return "https://dashboard.stripe.com/" + (mode == .live ? "" : "test/") + section + "/" + id
    }

    private static func isIDByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }
}
