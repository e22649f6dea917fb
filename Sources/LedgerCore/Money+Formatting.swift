extension Money {
    /// Major-unit text with exactly the currency's decimals and no symbol: `1250.00`, `5000`, `-12.500`.
    public var decimalString: String { Money.decimalString(minorUnits, exponent: currency.exponent) }

    public static func decimalString(_ minorUnits: Int64, exponent: Int) -> String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard exponent > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = magnitude / divisor
        var fraction = String(magnitude % divisor)
        while fraction.count < exponent { fraction = "0" + fraction }
        return (negative ? "-" : "") + String(whole) + "." + fraction
    }

    /// `1250.00 USD`, for sentences in `flag_detail` and messages.
    public var displayString: String { decimalString + " " + currency.description }
}
