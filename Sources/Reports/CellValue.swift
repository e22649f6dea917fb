import LedgerCore
import Spreadsheet

/// What one cell becomes in the workbook. The Summary's cached figures are computed from these
/// same values, so a formula and its cached result always agree.
enum CellValue {
    case blank
    case text(String)
    case number(Double)
    /// Major units, shown in the row's currency format.
    case money(Double)
    /// Days since 1970-01-01.
    case date(Int)
    /// Unix seconds.
    case timestamp(Int64)
    case bool(Bool)
    case link(url: String, text: String)

    /// Excel's serial value of a date cell, for aging.
    var dateSerial: Double? {
        switch self {
        case .date(let days): Double(days + 25_569)
        case .timestamp(let seconds): Double(seconds) / 86_400 + 25_569
        default: nil
        }
    }

    var numeric: Double? {
        switch self {
        case .number(let v), .money(let v): v
        default: nil
        }
    }

    var isBlank: Bool {
        if case .blank = self { return true }
        return false
    }

    /// What Excel's criteria see as the cell's text ("" for blank).
    var criteriaText: String? {
        switch self {
        case .blank: ""
        case .text(let s): s
        case .link(_, let text): text
        default: nil
        }
    }
}

/// How a column's text is written.
enum ColumnKind {
    case text, money, date, timestamp, link

    static func invoices(_ name: String) -> ColumnKind {
        switch name {
        case "amount_due", "amount_paid", "amount_refunded", "balance_due": .money
        case "issue_date", "due_date": .date
        case "paid_at", "deposited_at", "last_event_at": .timestamp
        case "stripe_customer_id", "stripe_invoice_id", "payment_ids", "payout_ids": .link
        default: .text
        }
    }

    static func payments(_ name: String) -> ColumnKind {
        switch name {
        case "amount", "fee", "net": .money
        case "created": .timestamp
        case "stripe_id", "stripe_customer_id", "stripe_invoice_id", "payout_id": .link
        default: .text
        }
    }
}

/// Turns ledger text and cells-as-read into `CellValue`s.
struct CellTyping {
    let mode: StripeMode?
    private var currencies: [String: Currency?] = [:]

    init(mode: StripeMode?) {
        self.mode = mode
    }

    mutating func currency(_ text: String) -> Currency? {
        if let known = currencies[text] { return known }
        let parsed = try? Currency(text)
        currencies[text] = parsed
        return parsed
    }

    /// A ledger text cell by its column's meaning: amounts as numbers, dates as dates, ids as links.
    /// Anything that does not read cleanly stays text, exactly as written.
    func value(_ text: String, kind: ColumnKind, currency: Currency?) -> CellValue {
        if text.isEmpty { return .blank }
        switch kind {
        case .text:
            return .text(text)
        case .money:
            guard let currency, let units = try? Money.parseMinorUnits(text, exponent: currency.exponent) else { return .text(text) }
            return .money(CurrencyFormat.majorUnits(units, exponent: currency.exponent))
        case .date:
            guard let day = LedgerDate.parseDay(text), LedgerDate.dayString(day) == text else { return .text(text) }
            return .date(day)
        case .timestamp:
            guard let seconds = LedgerDate.parseTimestamp(text), LedgerDate.timestampString(seconds) == text else { return .text(text) }
            return .timestamp(seconds)
        case .link:
            guard let url = StripeLinks.url(for: text, mode: mode) else { return .text(text) }
            return .link(url: url, text: text)
        }
    }

    /// A cell as read from the user's workbook, written back with its own type.
    func value(asRead cell: XLSXCell, kind: ColumnKind, currency: Currency?) -> CellValue {
        switch cell {
        case .empty: return .blank
        case .text(let s): return kind == .link ? value(s, kind: .link, currency: nil) : .text(s)
        case .number(let s):
            guard let v = Double(s) else { return .text(s) }
            return kind == .money && currency != nil ? .money(v) : .number(v)
        case .bool(let b): return .bool(b)
        case .date(let days, nil): return .date(days)
        case .date(let days, let seconds?): return .timestamp(Int64(days) * 86_400 + Int64(seconds))
        case .error(let e): return .text(e)
        }
    }
}
