/// A value that is not money LedgerSync can use, with the offending text.
///
/// The message names the value and says what to do; callers add file, row and column.
public struct MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unknownCurrency, notANumber, tooManyDecimals, outOfRange, notWholeInLedgerUnits
    }
    public let kind: Kind
    public let value: String
    public let currency: String?

    public init(_ kind: Kind, value: String, currency: String? = nil) {
        self.kind = kind
        self.value = value
        self.currency = currency
    }

    public var description: String {
        switch kind {
        case .unknownCurrency:
            return "'\(value)' is not an ISO 4217 currency code; write a three-letter code such as usd, EUR or jpy"
        case .notANumber:
            return "'\(value)' is not an amount; write digits with an optional '.' and decimals, e.g. 1250.00 (no thousands separators or currency symbols)"
        case .tooManyDecimals:
            let cur = currency.map { (try? Currency($0)) ?? nil }.flatMap { $0 }
            let allowed = cur.map { "\($0.exponent)" } ?? "fewer"
            return "'\(value)' has more decimals than \(currency?.uppercased() ?? "the currency") allows (\(allowed)); round it to \(allowed) decimals"
        case .outOfRange:
            return "'\(value)' is too large to be an amount"
        case .notWholeInLedgerUnits:
            return "Stripe amount \(value) in \(currency?.uppercased() ?? "?") is not a whole number of the currency's units; Stripe sends this currency with two decimals ending in 00"
        }
    }
}
