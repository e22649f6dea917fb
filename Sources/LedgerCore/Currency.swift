/// An ISO 4217 currency with the number of decimals LedgerSync uses for it.
///
/// Two exponents are kept apart (DESIGN.md §2): `exponent` is how many decimals the ledger and
/// Dashboard exports use; `apiExponent` is how many the Stripe API's integer amounts imply. They
/// differ only for Stripe's special cases (ISK and UGX are sent by the API as two-decimal values
/// whose last two digits are `00`).
///
/// ```swift
/// let jpy = try Currency("JPY")      // exponent 0
/// let kwd = try Currency("kwd")      // exponent 3
/// ```
public struct Currency: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Lowercase ISO 4217 code, as Stripe writes it (`usd`).
    public let code: String
    /// Decimals in major-unit text (ledger cells, Dashboard CSVs).
    public let exponent: Int
    /// Decimals implied by the Stripe API's integer amounts.
    public let apiExponent: Int

    /// - Throws: `MoneyError` of kind `.unknownCurrency` when the code is not an ISO 4217 code.
    public init(_ code: String) throws(MoneyError) {
        // Stripe writes codes in lowercase: those are looked up as they are, without making a new string.
        let plain = code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
        let lower = plain ? code : code.trimmingASCIIWhitespace().lowercased()
        guard let exponents = Currency.exponents[lower] else {
            throw MoneyError(.unknownCurrency, value: code)
        }
        self.code = lower
        exponent = exponents.exponent
        apiExponent = exponents.api
    }

    /// Every known code with its two exponents: one lookup per currency read (a row of an export has several).
    private static let exponents: [String: (exponent: Int, api: Int)] = {
        var table: [String: (exponent: Int, api: Int)] = [:]
        for code in known {
            let exponent = zeroDecimal.contains(code) ? 0 : threeDecimal.contains(code) ? 3 : 2
            table[code] = (exponent, twoDecimalInAPI.contains(code) ? 2 : exponent)
        }
        return table
    }()

    public var description: String { code.uppercased() }

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }

    /// Stripe's zero-decimal currencies (DESIGN.md §2), plus ISK which Stripe made zero-decimal.
    static let zeroDecimal: Set<String> = [
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
        "xaf", "xof", "xpf", "isk",
    ]
    static let threeDecimal: Set<String> = ["bhd", "jod", "kwd", "omr", "tnd"]
    /// Zero-decimal currencies the API still represents with two decimals ending in `00`.
    static let twoDecimalInAPI: Set<String> = ["isk", "ugx"]

    /// Active ISO 4217 codes.
    static let known: Set<String> = [
        "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt",
        "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "btn", "bwp", "byn", "bzd", "cad",
        "cdf", "chf", "clp", "cny", "cop", "crc", "cuc", "cup", "cve", "czk", "djf", "dkk", "dop",
        "dzd", "egp", "ern", "etb", "eur", "fjd", "fkp", "gbp", "gel", "ghs", "gip", "gmd", "gnf",
        "gtq", "gyd", "hkd", "hnl", "hrk", "htg", "huf", "idr", "ils", "inr", "iqd", "irr", "isk",
        "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf", "kpw", "krw", "kwd", "kyd", "kzt", "lak",
        "lbp", "lkr", "lrd", "lsl", "lyd", "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop", "mru",
        "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "omr",
        "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar",
        "sbd", "scr", "sdg", "sek", "sgd", "shp", "sle", "sll", "sos", "srd", "ssp", "stn", "svc",
        "syp", "szl", "thb", "tjs", "tmt", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx",
        "usd", "uyu", "uzs", "ves", "vnd", "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar",
        "zmw", "zwl",
    ]
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF (no Foundation needed).
    public func trimmingASCIIWhitespace() -> String {
        // Nearly every cell has nothing to trim: its first and last bytes are not white space (a
        // Character in the set below starts and ends with one of these bytes), so it is returned as is.
        let isSpaceByte = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        guard let firstByte = utf8.first, let lastByte = utf8.last else { return "" }
        if !isSpaceByte(firstByte) && !isSpaceByte(lastByte) { return self }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
