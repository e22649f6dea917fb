/// A spreadsheet file (CSV or XLSX) that could not be read or written, with where and what to do.
///
/// `description` follows the house shape — what failed · the input · what to do — and keeps cell
/// contents out: `value` holds the offending text for callers that need it, but it is never printed,
/// because ledgers hold customer names and emails. Column *names* (from the header) are printed.
///
/// ```swift
/// do { _ = try CSV.read(path: "ledger.csv") }
/// catch { print(error) }
/// // text is not valid UTF-8 · ledger.csv line 7, column 3 (customer_name) · save the file as "CSV UTF-8" …
/// ```
public struct SpreadsheetError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file could not be opened or read (`reason` holds the system's words).
        case unreadable
        /// The file could not be written (`reason` holds the system's or the library's words).
        case unwritable
        /// The file holds NUL bytes: a binary file (a workbook, UTF-16 text, an image), not CSV text.
        case notText
        /// A field is not valid UTF-8 (`reason` may name the encoding found, e.g. UTF-16).
        case notUTF8
        /// Quotes out of place: an unclosed quoted field, text after a closing quote, or a quote
        /// inside an unquoted field (`reason` says which).
        case malformed
        /// A field too large for memory (libcsv `CSV_ENOMEM` / `CSV_ETOOBIG`).
        case tooLarge
        /// An XLSX file that is not a readable workbook (`reason` says what is wrong).
        case notAWorkbook
        /// A workbook without a sheet the caller needs (`sheet` names it).
        case missingSheet
    }

    public let kind: Kind
    /// The file path (or the name the caller gave to in-memory bytes).
    public let file: String
    /// 1-based physical line where the offending field starts (for XLSX: the row number).
    public let line: Int?
    /// 1-based field position in its row.
    public let column: Int?
    /// The header name of `column`, when a header row was already read.
    public let columnName: String?
    /// The workbook sheet, for XLSX.
    public let sheet: String?
    /// The offending text, for callers; never part of `description`.
    public let value: String?
    /// The underlying cause in words (OS error, library error, which quoting rule).
    public let reason: String?

    public init(
        _ kind: Kind, file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
        sheet: String? = nil, value: String? = nil, reason: String? = nil
    ) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.sheet = sheet
        self.value = value
        self.reason = reason
    }

    public var description: String {
        "\(whatFailed) · \(location) · \(whatToDo)"
    }

    private var whatFailed: String {
        switch kind {
        case .unreadable: return "cannot read the file" + (reason.map { " (\($0))" } ?? "")
        case .unwritable: return "cannot write the file" + (reason.map { " (\($0))" } ?? "")
        case .notText: return "file is binary, not CSV text (it contains NUL bytes)"
        case .notUTF8: return "text is not valid UTF-8" + (reason.map { " (\($0))" } ?? "")
        case .malformed: return "quotes out of place" + (reason.map { ": \($0)" } ?? "")
        case .tooLarge: return "a field is too large to read" + (reason.map { " (\($0))" } ?? "")
        case .notAWorkbook: return "file is not a readable XLSX workbook" + (reason.map { " (\($0))" } ?? "")
        case .missingSheet: return "workbook has no sheet named '\(sheet ?? "?")'"
        }
    }

    private var location: String {
        var text = file
        if let sheet, kind != .missingSheet { text += " sheet '\(sheet)'" }
        if let line { text += " line \(line)" }
        if let column {
            text += (line == nil ? " column \(column)" : ", column \(column)")
            if let columnName { text += " (\(columnName))" }
        }
        return text
    }

    private var whatToDo: String {
        switch kind {
        case .unreadable:
            return "check the path and that the file exists and is readable"
        case .unwritable:
            return "check that the folder exists, is writable and has free space"
        case .notText:
            return "give the path of a CSV file; a workbook needs its .xlsx name, and UTF-16 text must be saved as \"CSV UTF-8\""
        case .notUTF8:
            return "save the file as \"CSV UTF-8\" (Excel: Save As › CSV UTF-8; LibreOffice: character set Unicode (UTF-8))"
        case .malformed:
            return "enclose a field holding commas, quotes or line breaks in double quotes and double each quote inside it (\"\"), or re-save the file from a spreadsheet program"
        case .tooLarge:
            return "check that the file is really CSV; a field this large usually means a quote is never closed"
        case .notAWorkbook:
            return "open the file in a spreadsheet program and save it again as .xlsx"
        case .missingSheet:
            return "add a sheet named '\(sheet ?? "?")' or point LedgerSync at the right workbook"
        }
    }
}
