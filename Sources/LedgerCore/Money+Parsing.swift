extension Money {
    /// Parses a strict decimal in major units: optional `-`, digits, optional `.` and at most
    /// the currency's decimals. `"1250.00"` USD → 125000; `"5000"` JPY → 5000; `"12.500"` KWD → 12500.
    ///
    /// - Throws: `MoneyError` `.notANumber`, `.tooManyDecimals` or `.outOfRange`.
    public init(parsing text: String, currency: Currency) throws(MoneyError) {
        let units = try Money.parseMinorUnits(text, exponent: currency.exponent, currency: currency.code)
        self.init(minorUnits: units, currency: currency)
    }

    /// Parses major-unit text into minor units with a given exponent.
    /// Trailing zeros beyond the exponent are accepted (`"19.990"` USD is 1999) because spreadsheet
    /// programs pad them; any other extra digit is an error.
    public static func parseMinorUnits(_ raw: String, exponent: Int, currency: String? = nil) throws(MoneyError) -> Int64 {
        // Two passes over the bytes, nothing allocated (this runs for every amount of every export row).
        // First the shape: an optional sign, digits, at most one point.
        let text = raw.trimmingASCIIWhitespace().utf8
        var negative = false
        var start = text.startIndex
        if let first = text.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            start = text.index(after: start)
        }
        var digits = 0
        var fractionDigits = 0
        var trailingZeros = 0
        var seenPoint = false
        for b in text[start...] {
            if b == UInt8(ascii: ".") {
                if seenPoint { throw MoneyError(.notANumber, value: raw) }
                seenPoint = true
            } else if b >= 0x30 && b <= 0x39 {
                digits += 1
                if seenPoint {
                    fractionDigits += 1
                    trailingZeros = b == 0x30 ? trailingZeros + 1 : 0
                }
            } else {
                throw MoneyError(.notANumber, value: raw)
            }
        }
        guard digits > 0 else { throw MoneyError(.notANumber, value: raw) }
        // Zeros beyond the exponent are padding; any other extra digit is an error.
        let significant = fractionDigits > exponent ? max(exponent, fractionDigits - trailingZeros) : fractionDigits
        guard significant <= exponent else { throw MoneyError(.tooManyDecimals, value: raw, currency: currency) }
        // Then the value: the whole digits and exactly `exponent` decimals.
        var value: Int64 = 0
        func push(_ digit: Int64) throws(MoneyError) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(digit)
            guard !o1, !o2, s <= 999_999_999_999_999 else { throw MoneyError(.outOfRange, value: raw) }
            value = s
        }
        var decimals = 0
        seenPoint = false
        for b in text[start...] {
            if b == UInt8(ascii: ".") {
                seenPoint = true
            } else if !seenPoint {
                try push(Int64(b - 0x30))
            } else if decimals < exponent {
                try push(Int64(b - 0x30))
                decimals += 1
            }
        }
        while decimals < exponent {
            try push(0)
            decimals += 1
        }
        return negative ? -value : value
    }
}
