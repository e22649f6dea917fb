/// Number text and number formats as a reader needs them.
enum XLSXNumber {
    /// The shortest decimal text that reads back as the same Double, without exponent:
    /// `19.99`, `5000`, `-0.5`, `0.00001`, `12345678901234567000`.
    static func shortest(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }
        // Swift's description is the shortest round-trip form, sometimes with an exponent.
        let text = value.description
        var negative = false
        var mantissa = Substring(text)
        if mantissa.hasPrefix("-") {
            negative = true
            mantissa = mantissa.dropFirst()
        }
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(mantissa[mantissa.index(after: e)...]) ?? 0
            mantissa = mantissa[..<e]
        }
        var digits = ""
        var pointAt = mantissa.count
        for (i, ch) in mantissa.enumerated() {
            if ch == "." { pointAt = i } else { digits.append(ch) }
        }
        pointAt += exponent // decimal point position within `digits`
        var integerPart: String
        var fraction: String
        if pointAt <= 0 {
            integerPart = "0"
            fraction = String(repeating: "0", count: -pointAt) + digits
        } else if pointAt >= digits.count {
            integerPart = digits + String(repeating: "0", count: pointAt - digits.count)
            fraction = ""
        } else {
            integerPart = String(digits.prefix(pointAt))
            fraction = String(digits.dropFirst(pointAt))
        }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        while integerPart.count > 1 && integerPart.hasPrefix("0") { integerPart.removeFirst() }
        let body = fraction.isEmpty ? integerPart : integerPart + "." + fraction
        return negative ? "-" + body : body
    }

    /// True when `text` is already the shortest round-trip form: `-?digits[.digits]` with at most
    /// 15 significant digits, no leading zero (but `0.x`), no trailing fraction zero. Any two such
    /// decimals are further apart than a Double's precision, so none is shorter for the same value.
    static func isCanonicalShortDecimal(_ text: String) -> Bool {
        var utf8 = text.utf8[...]
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        guard let first = utf8.first else { return false }
        var significant = 0
        var seenPoint = false
        var last: UInt8 = 0
        var count = 0
        var leadingZero = first == UInt8(ascii: "0")
        for byte in utf8 {
            count += 1
            if byte == UInt8(ascii: ".") {
                guard !seenPoint, count > 1 else { return false }
                seenPoint = true
                leadingZero = false
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if leadingZero && count > 1 { return false } // 007, or -0 followed by digits
                if significant > 0 || byte != UInt8(ascii: "0") { significant += 1 }
            } else {
                return false
            }
            last = byte
        }
        if significant == 0 { return false } // 0, -0, 0.0: let the slow path say "0"
        if seenPoint && (last == UInt8(ascii: "0") || last == UInt8(ascii: ".")) { return false }
        return significant <= 15
    }

    /// Built-in number format ids that Excel shows as dates or times (ECMA-376 §18.8.30).
    static let builtinDateIDs: Set<Int> = [14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]
    static let builtinTimeIDs: Set<Int> = [18, 19, 20, 21, 22, 45, 46, 47]

    /// Whether a custom format code shows a date, and whether it shows a time of day.
    /// Quoted text, `\`-escaped characters and `[…]` sections (colours, locales, elapsed `[h]`) are
    /// ignored, so `0.00 "days"` and `[Red]0` are not dates; `[h]:mm` (elapsed time) is a time.
    static func classify(formatCode: String) -> (isDate: Bool, showsTime: Bool) {
        var inQuote = false
        var inBracket = false
        var escaped = false
        var bracket = ""
        var date = false
        var time = false
        // Only the first section (positive numbers) decides.
        for ch in formatCode.unicodeScalars {
            if escaped { escaped = false; continue }
            if inQuote { if ch == "\"" { inQuote = false }; continue }
            if inBracket {
                if ch == "]" {
                    inBracket = false
                    // [h], [mm], [ss]: elapsed time, still a time to show.
                    if !bracket.isEmpty, bracket.unicodeScalars.allSatisfy({ "hHmMsS".unicodeScalars.contains($0) }) {
                        time = true
                    }
                } else {
                    bracket.unicodeScalars.append(ch)
                }
                continue
            }
            switch ch {
            case "\"": inQuote = true
            case "[": inBracket = true; bracket = ""
            case "\\", "_", "*": escaped = true // _x and *x take the next character literally
            case ";": return (date || time, time)
            case "d", "D", "y", "Y", "m", "M": date = true
            case "h", "H", "s", "S": time = true
            case "e", "E":
                // `e` is a year in some locales but also the exponent of `0.00E+00`.
                continue
            default: continue
            }
        }
        return (date || time, time)
    }
}
