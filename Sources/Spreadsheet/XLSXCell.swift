/// One cell of a sheet as stored in the workbook.
public enum XLSXCell: Equatable, Sendable {
    case empty
    case text(String)
    /// A number as its shortest round-trip decimal text (`19.99`, never `19.989999999999998`;
    /// `5000`, not `5000.0`; no exponent).
    case number(String)
    case bool(Bool)
    /// A number whose style is a date format. `days` counts from 1970-01-01 whatever the workbook's
    /// date system (1900, epoch 1899-12-30, or 1904); `seconds` is the time of day (UTC, whole
    /// seconds) when the format shows a time or the serial has a fraction, else nil.
    case date(days: Int, seconds: Int?)
    /// An error value such as `#N/A` or `#DIV/0!`.
    case error(String)
}

extension XLSX {
    /// A cell as the ledger stores it: text as is, numbers as their shortest decimal, dates as
    /// `YYYY-MM-DD` (or `YYYY-MM-DDTHH:MM:SSZ` with a time), bools as `TRUE`/`FALSE`, errors as
    /// their code, empty as "".
    ///
    /// ```swift
    /// XLSX.text(.date(days: 20_454, seconds: nil)) // "2026-01-01"
    /// ```
    public static func text(_ cell: XLSXCell) -> String {
        switch cell {
        case .empty: return ""
        case .text(let s): return s
        case .number(let s): return s
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .error(let e): return e
        case .date(let days, let seconds):
            let day = XLSXDate.dayString(days)
            guard let seconds else { return day }
            return day + "T" + XLSXDate.pad(seconds / 3600, 2) + ":" + XLSXDate.pad(seconds / 60 % 60, 2)
                + ":" + XLSXDate.pad(seconds % 60, 2) + "Z"
        }
    }
}
