/// An amount of one currency, as an integer count of the currency's smallest ledger unit.
///
/// Never floating point (DESIGN.md §2). Formatting lives in `Money+Formatting.swift`.
///
/// ```swift
/// let fee = Money(minorUnits: 125_000, currency: try Currency("usd"))   // 1250.00 USD
/// ```
public struct Money: Hashable, Sendable, Comparable {
    public var minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Converts an integer amount from the Stripe API (which uses `apiExponent`) to ledger units.
    /// - Throws: `.notWholeInLedgerUnits` when the API amount has a fraction the ledger cannot hold.
    public init(apiAmount: Int64, currency: Currency) throws(MoneyError) {
        // No Stripe amount comes near this (the same bound as amounts read from text): sums of them stay
        // far from Int64's limit.
        guard apiAmount >= -999_999_999_999_999, apiAmount <= 999_999_999_999_999 else {
            throw MoneyError(.outOfRange, value: String(apiAmount), currency: currency.code)
        }
        let shift = currency.apiExponent - currency.exponent
        if shift == 0 {
            self.init(minorUnits: apiAmount, currency: currency)
            return
        }
        var divisor: Int64 = 1
        for _ in 0..<shift { divisor *= 10 }
        guard apiAmount % divisor == 0 else {
            throw MoneyError(.notWholeInLedgerUnits, value: String(apiAmount), currency: currency.code)
        }
        self.init(minorUnits: apiAmount / divisor, currency: currency)
    }

    /// Only amounts of the same currency compare; callers never compare across currencies.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "compared \(lhs.currency) with \(rhs.currency)")
        return lhs.minorUnits < rhs.minorUnits
    }
}
