import LedgerCore

/// Excel number formats for money: each row's currency, with its decimals and its symbol or code.
public enum CurrencyFormat {
    /// Symbols shown before the amount; every other currency shows its code after it.
    static let symbols: [String: String] = ["usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹", "krw": "₩", "cny": "CN¥"]

    /// `"$"#,##0.00`, `"¥"#,##0`, `#,##0.000 "KWD"`.
    public static func code(for currency: Currency) -> String {
        let number = "#,##0" + (currency.exponent > 0 ? "." + String(repeating: "0", count: currency.exponent) : "")
        if let symbol = symbols[currency.code] {
            return "\"" + symbol + "\"" + number
        }
        return number + " \"" + currency.description + "\""
    }

    /// The major-unit value of minor units as the nearest Double (exact division, so 1999 / 100 is 19.99).
    public static func majorUnits(_ minorUnits: Int64, exponent: Int) -> Double {
        Double(minorUnits) / powersOfTen[max(0, min(exponent, powersOfTen.count - 1))]
    }

    static let powersOfTen: [Double] = [1, 10, 100, 1000, 10000]
}
