/// A spreadsheet table as read: a header row and the data rows, every cell as text.
///
/// Rows are kept exactly as read — a short row stays short and a long row keeps its extra cells —
/// so writing a table back loses nothing. Use `cell(_:_:)` to read past a short row's end.
///
/// ```swift
/// let table = Table(header: ["invoice_number", "amount_due"], rows: [["INV-1", "12.50"], ["INV-2"]])
/// table.columnIndex("amount_due")   // 1
/// table.cell(1, 1)                  // "" (row 1 is short)
/// ```
public struct Table: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// The text at data row `row` (0-based, header excluded) and column `column` (0-based);
    /// `""` for any position past the end of the table or of that row.
    public func cell(_ row: Int, _ column: Int) -> String {
        guard row >= 0, row < rows.count, column >= 0 else { return "" }
        let cells = rows[row]
        return column < cells.count ? cells[column] : ""
    }

    /// The position of the first header cell equal to `name`, both compared after trimming spaces,
    /// tabs and a byte order mark (U+FEFF) at either end; `nil` when no header cell matches.
    public func columnIndex(_ name: String) -> Int? {
        let wanted = Table.trimmedHeaderName(name)
        return header.firstIndex { Table.trimmedHeaderName($0) == wanted }
    }

    static func trimmedHeaderName(_ text: String) -> Substring {
        let padding: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
        guard let first = text.firstIndex(where: { !padding($0) }),
              let last = text.lastIndex(where: { !padding($0) }) else { return "" }
        return text[first...last]
    }
}
