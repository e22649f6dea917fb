import CXLSXWriter

/// A sheet of a ``Workbook``. Rows and columns are zero-based (row 0 is Excel's row 1).
///
/// Every write checks the position against the sheet's limits and that the workbook is still
/// open, so a stray index is an error, never a crash or a silently dropped cell.
public final class Worksheet {
    public let name: String
    private let workbook: Workbook
    private let handle: LXW.WorksheetHandle

    init(workbook: Workbook, handle: LXW.WorksheetHandle, name: String) {
        self.workbook = workbook
        self.handle = handle
        self.name = name
    }

    /// Text, always stored as text: `=1+2` or `@SUM(A1)` is never a formula.
    public func write(row: Int, col: Int, string: String, format: Format? = nil) throws(XLSXError) {
        let f = try prepare(row, col, format)
        try check(LXW.writeString(handle, row, col, string, f), row, col, what: "text")
    }

    /// A number (not money in minor units: pass the major-unit value and a number format).
    public func write(row: Int, col: Int, number: Double, format: Format? = nil) throws(XLSXError) {
        let f = try prepare(row, col, format)
        guard number.isFinite else {
            throw XLSXError(.limitExceeded, file: workbook.path, sheet: name, cell: XLSXError.reference(row: row, col: col),
                            message: "cannot store an infinite or NaN number; write it as text")
        }
        try check(LXW.writeNumber(handle, row, col, number, f), row, col, what: "number")
    }

    /// TRUE or FALSE.
    public func write(row: Int, col: Int, bool: Bool, format: Format? = nil) throws(XLSXError) {
        let f = try prepare(row, col, format)
        try check(LXW.writeBool(handle, row, col, bool, f), row, col, what: "boolean")
    }

    /// A formula (`=SUM(B2:B9)`, the leading `=` optional) with the value it computes now, which
    /// readers that do not recalculate (LibreOffice by default, openpyxl, ``XLSX/read(path:)``) show.
    public func write(row: Int, col: Int, formula: String, cachedNumber: Double, format: Format? = nil) throws(XLSXError) {
        let f = try prepare(row, col, format)
        try check(LXW.writeFormula(handle, row, col, formula, cachedNumber.isFinite ? cachedNumber : 0, f), row, col, what: "formula")
    }

    /// A hyperlink showing `text` (the URL when nil). Without a format the cell is blue and
    /// underlined; with one, add `underline`/`fontColor` to keep it looking like a link.
    /// - Throws: `.limitExceeded` past 2,079 URL characters or 65,530 links on the sheet (write the
    ///   rest as text).
    public func write(row: Int, col: Int, url: String, text: String? = nil, format: Format? = nil) throws(XLSXError) {
        let f = try prepare(row, col, format)
        try check(LXW.writeURL(handle, row, col, url, text, f), row, col, what: "hyperlink")
    }

    /// A date (days since 1970-01-01) as an Excel serial number, shown with `format` or as
    /// `yyyy-mm-dd`.
    public func writeDate(row: Int, col: Int, days: Int, format: Format? = nil) throws(XLSXError) {
        let f = format ?? workbook.addFormat(.date)
        try write(row: row, col: col, number: XLSXDate.serial(days: days), format: f)
    }

    /// A UTC time (seconds since 1970-01-01) as an Excel serial number, shown with `format` or as
    /// `yyyy-mm-dd hh:mm:ss`.
    public func writeTimestamp(row: Int, col: Int, unixSeconds: Int64, format: Format? = nil) throws(XLSXError) {
        let f = format ?? workbook.addFormat(.timestamp)
        let serial = Double(unixSeconds) / 86_400 + Double(XLSXDate.epoch1900Offset)
        try write(row: row, col: col, number: serial, format: f)
    }

    /// Width (in characters) of columns `first...last`.
    public func setColumn(first: Int, last: Int, width: Double, format: Format? = nil) throws(XLSXError) {
        let f = try prepare(0, max(first, last), format)
        guard first >= 0, first <= last else { throw outside(0, first) }
        try check(LXW.setColumn(handle, first, last, width, f), 0, first, what: "column width")
    }

    /// Hides `columns` (a person hid them); `width` applies when they are shown again.
    public func hideColumns(_ columns: ClosedRange<Int>, width: Double = 8.43) throws(XLSXError) {
        _ = try prepare(0, columns.lowerBound, nil)
        _ = try prepare(0, columns.upperBound, nil)
        try check(LXW.hideColumns(handle, columns.lowerBound, columns.upperBound, width), 0, columns.lowerBound, what: "hidden column")
    }

    /// Hides the sheet from the tab bar.
    public func hide() {
        LXW.hide(handle)
    }

    /// Keeps rows above `row` and columns left of `col` in view: `freezePanes(row: 1, col: 0)`
    /// freezes a header row.
    public func freezePanes(row: Int, col: Int) throws(XLSXError) {
        _ = try prepare(row, col, nil)
        LXW.freezePanes(handle, row, col)
    }

    /// Filter buttons on `firstRow` (the header) over the given range.
    public func autofilter(firstRow: Int, firstCol: Int, lastRow: Int, lastCol: Int) throws(XLSXError) {
        _ = try prepare(firstRow, firstCol, nil)
        _ = try prepare(lastRow, lastCol, nil)
        try check(LXW.autofilter(handle, firstRow, firstCol, lastRow, lastCol), firstRow, firstCol, what: "autofilter")
    }

    /// A drop-down of `values` on column `col`, rows `firstRow...lastRow`; other entries are refused
    /// by Excel. The values together may hold at most 255 characters.
    public func dataValidationList(firstRow: Int, lastRow: Int, col: Int, values: [String]) throws(XLSXError) {
        _ = try prepare(firstRow, col, nil)
        _ = try prepare(lastRow, col, nil)
        let total = values.reduce(0) { $0 + $1.count + 1 }
        guard !values.isEmpty, total <= 256 else {
            throw XLSXError(.limitExceeded, file: workbook.path, sheet: name, cell: XLSXError.reference(row: firstRow, col: col),
                            message: "a drop-down list needs 1 to 255 characters of values in all; shorten the list")
        }
        try check(LXW.dataValidationList(handle, firstRow, lastRow, col, values), firstRow, col, what: "data validation")
    }

    // MARK: Checks

    private func prepare(_ row: Int, _ col: Int, _ format: Format?) throws(XLSXError) -> LXW.FormatHandle? {
        _ = try workbook.openHandle()
        guard row >= 0, row < Workbook.maxRows, col >= 0, col < Workbook.maxColumns else { throw outside(row, col) }
        guard let format else { return nil }
        precondition(format.owner == ObjectIdentifier(workbook), "a Format is used with a sheet of another Workbook")
        return format.pointer
    }

    private func outside(_ row: Int, _ col: Int) -> XLSXError {
        XLSXError(.cellOutOfRange, file: workbook.path, sheet: name, cell: nil,
                  message: "row \(row + 1), column \(col + 1) is outside a sheet (1,048,576 rows × 16,384 columns); continue a longer table on another sheet")
    }

    private func check(_ result: lxw_error, _ row: Int, _ col: Int, what: String) throws(XLSXError) {
        guard result != LXW.ok else { return }
        let cell = XLSXError.reference(row: row, col: col)
        let kind: XLSXError.Kind
        let message: String
        switch result {
        case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
            kind = .cellOutOfRange
            message = workbook.constantMemory
                ? "cannot write \(what) to a row above one already written in constant-memory mode; write each sheet's rows top to bottom"
                : "cannot write \(what) outside the sheet; continue a longer table on another sheet"
        case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
            kind = .limitExceeded
            message = "text is longer than the 32,767 characters a cell holds; shorten it"
        case LXW_ERROR_WORKSHEET_MAX_URL_LENGTH_EXCEEDED:
            kind = .limitExceeded
            message = "the link is longer than the 2,079 characters Excel allows; write it as text"
        case LXW_ERROR_WORKSHEET_MAX_NUMBER_URLS_EXCEEDED:
            kind = .limitExceeded
            message = "the sheet already has the 65,530 links Excel allows; write the rest as text"
        default:
            kind = .writeFailed
            message = "cannot write \(what) (\(LXW.describe(result)))"
        }
        throw XLSXError(kind, file: workbook.path, sheet: name, cell: cell, message: message)
    }
}
