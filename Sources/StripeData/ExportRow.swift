import LedgerCore

/// One data row of a recognised export, read cell by cell with the export's lenient rules.
///
/// Every reader returns nil for an absent column or an empty cell, and throws `ExportCellError`
/// for a cell it cannot read; the caller skips the row and reports the problem.
struct ExportRow {
    let header: ExportHeader
    let cells: [String]

    func text(_ field: ExportField) -> String? {
        guard let i = header.index[field], i < cells.count else { return nil }
        let t = cells[i].trimmingASCIIWhitespace()
        return t.isEmpty ? nil : t
    }

    func fail(_ field: ExportField, _ reason: String, showValue: Bool = true) -> ExportCellError {
        ExportCellError(column: header.names[field] ?? "\(field)", value: showValue ? text(field).map(ExportCellError.shown) : nil,
                        reason: reason)
    }

    /// A Stripe id with one of `prefixes` (`ch_`, `py_`…); with no prefixes, any `xx_…` id.
    func id(_ field: ExportField, _ prefixes: [String], what: String) throws(ExportCellError) -> String? {
        guard let t = text(field) else { return nil }
        let prefixOK = prefixes.isEmpty ? t.utf8.contains(0x5F) : prefixes.contains(where: { t.utf8.starts(with: $0.utf8) })
        guard prefixOK, t.utf8.count <= 255, t.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2C }) else {
            let like = prefixes.isEmpty ? "like txn_…" : prefixes.map { $0 + "…" }.joined(separator: " or ")
            throw fail(field, "is not \(what) (\(like))")
        }
        return t
    }

    /// A currency code (`usd`, `EUR`).
    func currency(_ field: ExportField) throws(ExportCellError) -> Currency? {
        guard let t = text(field) else { return nil }
        do { return try Currency(t) } catch { throw fail(field, "is not an ISO 4217 currency code") }
    }

    /// A decimal in major units (`1250.00`, `-3.20`, `0,00`, `1.250,00`) → ledger minor units of `currency`.
    func amount(_ field: ExportField, _ currency: Currency) throws(ExportCellError) -> Int64? {
        guard let t = text(field) else { return nil }
        do {
            return try Money.parseMinorUnits(ExportRow.decimalPoint(t), exponent: currency.exponent, currency: currency.code)
        } catch {
            switch error.kind {
            case .tooManyDecimals:
                throw fail(field, "has more decimals than \(currency) allows (\(currency.exponent))")
            case .outOfRange:
                throw fail(field, "is too large to be an amount")
            default:
                throw fail(field, "is not an amount in major units (like 1250.00)")
            }
        }
    }

    /// Turns a decimal comma into a point, and drops grouping separators when both are used
    /// (`1.250,00` and `1,250.00` are both 1250.00; a lone comma is a decimal comma).
    static func decimalPoint(_ text: String) -> String {
        // The common case, `-1250.00`, needs no rewriting (checked on bytes: `String.contains(String)` goes through Foundation).
        let bytes = text.utf8
        if bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }) { return text }
        let hasComma = bytes.contains(0x2C), hasPoint = bytes.contains(0x2E)
        var t = text.filter { $0 != " " && $0 != "\u{00A0}" && $0 != "'" }
        if hasComma && hasPoint {
            let lastComma = t.lastIndex(of: ",")!, lastPoint = t.lastIndex(of: ".")!
            if lastComma > lastPoint {
                t = t.filter { $0 != "." }.replacingFirstComma()
            } else {
                t = t.filter { $0 != "," }
            }
        } else if hasComma {
            t = t.filter { $0 == "," }.count == 1 ? t.replacingFirstComma() : t.filter { $0 != "," }
        }
        return t
    }

    /// `2024-06-07 02:38:54`, `2022-04-23 21:56`, `2026-03-09T10:00:00Z`, `2026-03-09` (UTC), or unix seconds.
    func timestamp(_ field: ExportField) throws(ExportCellError) -> Int64? {
        guard let t = text(field) else { return nil }
        if let seconds = LedgerDate.parseTimestamp(t) { return seconds }
        if t.utf8.count <= 12, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Int64(t) { return seconds }
        throw fail(field, "is not a UTC date and time (like 2026-03-09 14:05:00)")
    }

    /// `true`/`false` in any case, `yes`/`no`, `1`/`0`.
    func bool(_ field: ExportField) throws(ExportCellError) -> Bool? {
        guard let t = text(field) else { return nil }
        switch t.lowercased() {
        case "true", "yes", "1", "t", "y": return true
        case "false", "no", "0", "f", "n": return false
        default: throw fail(field, "is not true or false")
        }
    }

    /// The `Mode` (`Live`/`Test`) or `Livemode` (`true`/`false`) column → livemode.
    func livemode() throws(ExportCellError) -> Bool? {
        guard let t = text(.livemode) else { return nil }
        switch t.lowercased() {
        case "live", "livemode", "true", "yes", "1": return true
        case "test", "testmode", "false", "no", "0": return false
        default: throw fail(.livemode, "is neither Live nor Test")
        }
    }

    /// The first non-empty metadata reference, in the reference keys' order.
    func reference() -> String? {
        for i in header.referenceColumns where i < cells.count {
            let t = cells[i].trimmingASCIIWhitespace()
            if !t.isEmpty { return t }
        }
        return nil
    }
}

/// A cell an export row cannot use: which column, its text (only for cells that hold no customer
/// data), and why.
struct ExportCellError: Error {
    var column: String
    var value: String?
    var reason: String

    /// Quotes at most 40 characters of a cell.
    static func shown(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }
}

extension String {
    fileprivate func replacingFirstComma() -> String {
        guard let i = firstIndex(of: ",") else { return self }
        var s = self
        s.replaceSubrange(i...i, with: ".")
        return s
    }
}
