/// Reading .xlsx workbooks. Writing goes through ``Workbook`` (libxlsxwriter).
///
/// ```swift
/// let book = try XLSX.read(path: "books.xlsx")
/// for row in book.sheets[0].rows { print(row.map(XLSX.text).joined(separator: ",")) }
/// ```
public enum XLSX {
    /// Reads every worksheet of a workbook: values only (formulas give their cached value).
    ///
    /// - Parameter path: an .xlsx file (Office Open XML spreadsheet, as Excel, LibreOffice,
    ///   Google Sheets, openpyxl and libxlsxwriter write it).
    /// - Returns: the worksheets in workbook order (chart sheets are skipped) and the date system.
    /// - Throws: ``XLSXError`` — `.notAWorkbook` (not a zip), `.encryptedOrLegacy` (password-protected
    ///   or .xls), `.missingPart`, `.malformedXML`, `.unreadableFile`.
    /// - Parameter skipping: sheets (by name) whose cells are not wanted: they are neither inflated nor
    ///   parsed, and are absent from the result.
    public static func read(path: String, skipping: @escaping @Sendable (String) -> Bool = { _ in false }) throws(XLSXError) -> XLSXWorkbookContents {
        try XLSXReader(path: path, skipSheet: skipping).read()
    }
}

/// What ``XLSX/read(path:)`` found in a workbook.
public struct XLSXWorkbookContents: Equatable, Sendable {
    /// Worksheets in the order the workbook lists them (its tab order).
    public var sheets: [XLSXSheet]
    /// True when the workbook counts dates from 1904-01-01 (old Mac Excel). Dates in ``XLSXCell``
    /// are already converted; this is for writing the workbook back the same way.
    public var date1904: Bool

    public init(sheets: [XLSXSheet], date1904: Bool) {
        self.sheets = sheets
        self.date1904 = date1904
    }

    /// The first sheet with this name, compared exactly (Excel names are case-insensitive unique).
    public func sheet(named name: String) -> XLSXSheet? {
        sheets.first { $0.name == name } ?? sheets.first { $0.name.lowercased() == name.lowercased() }
    }
}

/// One worksheet's values.
public struct XLSXSheet: Equatable, Sendable {
    public var name: String
    /// `rows[0]` is row 1. A row holds cells from column A up to its last non-empty cell; cells the
    /// file leaves out are `.empty`, and so are rows it leaves out. Trailing empty rows are dropped.
    public var rows: [[XLSXCell]]
    /// Hidden from the tab bar (`state="hidden"` or `"veryHidden"`).
    public var hidden: Bool
    /// 0-based column ranges the sheet hides (`<col hidden="1" min max>`), as the file lists them.
    public var hiddenColumns: [ClosedRange<Int>]

    public init(name: String, rows: [[XLSXCell]], hidden: Bool = false, hiddenColumns: [ClosedRange<Int>] = []) {
        self.name = name
        self.rows = rows
        self.hidden = hidden
        self.hiddenColumns = hiddenColumns
    }
}
