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
        let text = raw.trimmingASCIIWhitespace()
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw MoneyError(.notANumber, value: raw) }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        var whole: [UInt8] = []
        var fraction: [UInt8] = []
        var seenPoint = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if seenPoint { throw MoneyError(.notANumber, value: raw) }
                seenPoint = true
            } else if b >= 0x30 && b <= 0x39 {
                if seenPoint { fraction.append(b) } else { whole.append(b) }
            } else {
                throw MoneyError(.notANumber, value: raw)
            }
        }
        guard !whole.isEmpty || !fraction.isEmpty else { throw MoneyError(.notANumber, value: raw) }
        while fraction.count > exponent, fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        guard fraction.count <= exponent else { throw MoneyError(.tooManyDecimals, value: raw, currency: currency) }
        while fraction.count < exponent { fraction.append(UInt8(ascii: "0")) }
        var value: Int64 = 0
        for b in whole + fraction {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - 0x30))
            guard !o1, !o2, s <= 999_999_999_999_999 else { throw MoneyError(.outOfRange, value: raw) }
            value = s
        }
        return negative ? -value : value
    }
}
