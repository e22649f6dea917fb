import CXLSXWriter
import Foundation

/// Every call into libxlsxwriter (1.1.4) sits here, each with the contract it relies on. The
/// classes `Workbook` and `Worksheet` own the handles and translate `lxw_error` into `XLSXError`.
///
/// Strings passed to these functions are copied by libxlsxwriter before it returns, so Swift's
/// temporary C strings (`withCString`) are enough.
enum LXW {
    typealias WorkbookHandle = UnsafeMutablePointer<lxw_workbook>
    typealias WorksheetHandle = UnsafeMutablePointer<lxw_worksheet>
    typealias FormatHandle = UnsafeMutablePointer<lxw_format>

    static let ok = LXW_NO_ERROR
    static let maxRows = Int(LXW_ROW_MAX)
    static let maxColumns = Int(LXW_COL_MAX)

    // MARK: Workbook

    /// `workbook_new_opt(filename, options)`: allocates a workbook that will be written to
    /// `filename` by `workbook_close`; NULL on allocation or temp-file failure. The file itself is
    /// only created at close. `constant_memory` flushes each row when the next starts (rows must be
    /// written in order, strings are stored inline).
    static func newWorkbook(path: String, constantMemory: Bool) -> WorkbookHandle? {
        var options = lxw_workbook_options(constant_memory: constantMemory ? 1 : 0, tmpdir: nil, use_zip64: 1)
        return path.withCString { workbook_new_opt($0, &options) }
    }

    /// `workbook_validate_sheet_name(workbook, name)`: LXW_NO_ERROR when `name` is a legal, unused
    /// sheet name (≤ 31 characters, none of `[]:*?/\`, not starting or ending with `'`).
    static func validateSheetName(_ workbook: WorkbookHandle, _ name: String) -> lxw_error {
        name.withCString { workbook_validate_sheet_name(workbook, $0) }
    }

    /// `workbook_add_worksheet(workbook, name)`: a worksheet owned by the workbook (freed with it);
    /// NULL when the name is invalid.
    static func addWorksheet(_ workbook: WorkbookHandle, _ name: String) -> WorksheetHandle? {
        name.withCString { workbook_add_worksheet(workbook, $0) }
    }

    /// `workbook_add_format(workbook)`: a new format owned by the workbook (freed with it).
    static func addFormat(_ workbook: WorkbookHandle) -> FormatHandle? {
        workbook_add_format(workbook)
    }

    /// `workbook_set_properties(workbook, properties)`: copies the given document properties
    /// (docProps/core.xml); `created` 0 means "now".
    static func setProperties(_ workbook: WorkbookHandle, title: String, author: String, created: time_t) -> lxw_error {
        title.withCString { titlePointer in
            author.withCString { authorPointer in
                var properties = lxw_doc_properties()
                properties.title = UnsafeMutablePointer(mutating: titlePointer)
                properties.author = UnsafeMutablePointer(mutating: authorPointer)
                properties.created = created
                return workbook_set_properties(workbook, &properties)
            }
        }
    }

    /// `workbook_close(workbook)`: writes the .xlsx file and frees the workbook, its worksheets and
    /// formats, whatever the result. The handle must not be used again.
    static func close(_ workbook: WorkbookHandle) -> lxw_error {
        workbook_close(workbook)
    }

    /// `lxw_workbook_free(workbook)`: frees a workbook without writing it (used when `close` was
    /// never called).
    static func freeWorkbook(_ workbook: WorkbookHandle) {
        lxw_workbook_free(workbook)
    }

    /// `lxw_strerror(error)`: a static English description of an error code.
    static func describe(_ error: lxw_error) -> String {
        guard let text = lxw_strerror(error) else { return "error \(error.rawValue)" }
        return String(cString: text)
    }

    // MARK: Formats

    /// `format_set_bold(format)`.
    static func setBold(_ format: FormatHandle) { format_set_bold(format) }

    /// `format_set_underline(format, LXW_UNDERLINE_SINGLE)`.
    static func setUnderline(_ format: FormatHandle) { format_set_underline(format, UInt8(LXW_UNDERLINE_SINGLE.rawValue)) }

    /// `format_set_pattern(format, LXW_PATTERN_SOLID)` + `format_set_bg_color(format, 0xRRGGBB)`:
    /// a solid cell fill.
    static func setFill(_ format: FormatHandle, rgb: UInt32) {
        format_set_pattern(format, UInt8(LXW_PATTERN_SOLID.rawValue))
        format_set_bg_color(format, rgb)
    }

    /// `format_set_font_color(format, 0xRRGGBB)`.
    static func setFontColor(_ format: FormatHandle, rgb: UInt32) { format_set_font_color(format, rgb) }

    /// `format_set_num_format(format, code)`: copies an Excel number format code (≤ 127 bytes are
    /// kept) such as `#,##0.00` or `yyyy-mm-dd`.
    static func setNumberFormat(_ format: FormatHandle, _ code: String) {
        code.withCString { format_set_num_format(format, $0) }
    }

    /// `format_set_text_wrap(format)`.
    static func setWrap(_ format: FormatHandle) { format_set_text_wrap(format) }

    /// `format_set_border(format, LXW_BORDER_THIN)`: a thin border on all four sides.
    static func setThinBorder(_ format: FormatHandle) { format_set_border(format, UInt8(LXW_BORDER_THIN.rawValue)) }

    /// `lxw_format_get_xf_index(format)`: gives a fully set-up format its style index now. Without
    /// this, libxlsxwriter assigns it when a cell using the format is first written, inserting into
    /// the workbook's table of used formats; once assigned, the call only reads the format. Set no
    /// property after it.
    static func assignIndex(_ format: FormatHandle) { _ = lxw_format_get_xf_index(format) }

    // MARK: Cells (row and col are zero-based and already checked against the sheet's limits)

    /// `worksheet_write_string(worksheet, row, col, string, format)`: a text cell. The string is
    /// never parsed as a formula, even when it starts with `=`. Fails with
    /// LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED beyond 32,767 characters, and with
    /// LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE for an earlier row in constant-memory mode.
    static func writeString(_ sheet: WorksheetHandle, _ row: Int, _ col: Int, _ string: String, _ format: FormatHandle?) -> lxw_error {
        string.withCString { worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(col), $0, format) }
    }

    /// `worksheet_write_number(worksheet, row, col, number, format)`: a numeric cell.
    static func writeNumber(_ sheet: WorksheetHandle, _ row: Int, _ col: Int, _ number: Double, _ format: FormatHandle?) -> lxw_error {
        worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(col), number, format)
    }

    /// `worksheet_write_boolean(worksheet, row, col, value, format)`: a TRUE/FALSE cell.
    static func writeBool(_ sheet: WorksheetHandle, _ row: Int, _ col: Int, _ value: Bool, _ format: FormatHandle?) -> lxw_error {
        worksheet_write_boolean(sheet, lxw_row_t(row), lxw_col_t(col), value ? 1 : 0, format)
    }

    /// `worksheet_write_formula_num(worksheet, row, col, formula, format, result)`: a formula with
    /// its cached result. (`worksheet_write_formula` caches 0, which LibreOffice and every
    /// non-recalculating reader then shows.)
    static func writeFormula(_ sheet: WorksheetHandle, _ row: Int, _ col: Int, _ formula: String, _ result: Double, _ format: FormatHandle?) -> lxw_error {
        formula.withCString { worksheet_write_formula_num(sheet, lxw_row_t(row), lxw_col_t(col), $0, format, result) }
    }

    /// `worksheet_write_url_opt(worksheet, row, col, url, format, string, tooltip)`: a hyperlink
    /// cell showing `string` (the URL itself when NULL); a NULL format takes the workbook's
    /// default blue-underlined hyperlink format. Fails beyond 2,079 URL characters
    /// (LXW_ERROR_WORKSHEET_MAX_URL_LENGTH_EXCEEDED) or 65,530 links per sheet
    /// (LXW_ERROR_WORKSHEET_MAX_NUMBER_URLS_EXCEEDED).
    static func writeURL(_ sheet: WorksheetHandle, _ row: Int, _ col: Int, _ url: String, _ text: String?, _ format: FormatHandle?) -> lxw_error {
        url.withCString { urlPointer in
            guard let text else {
                return worksheet_write_url_opt(sheet, lxw_row_t(row), lxw_col_t(col), urlPointer, format, nil, nil)
            }
            return text.withCString {
                worksheet_write_url_opt(sheet, lxw_row_t(row), lxw_col_t(col), urlPointer, format, $0, nil)
            }
        }
    }

    // MARK: Sheet layout

    /// `worksheet_set_column(worksheet, first_col, last_col, width, format)`: width in characters
    /// of the default font for columns first...last.
    static func setColumn(_ sheet: WorksheetHandle, _ first: Int, _ last: Int, _ width: Double, _ format: FormatHandle?) -> lxw_error {
        worksheet_set_column(sheet, lxw_col_t(first), lxw_col_t(last), width, format)
    }

    /// `worksheet_set_column_opt(worksheet, first_col, last_col, width, format, options)` with
    /// `options.hidden = 1`: the columns are hidden (width as given once shown again).
    static func hideColumns(_ sheet: WorksheetHandle, _ first: Int, _ last: Int, _ width: Double) -> lxw_error {
        var options = lxw_row_col_options()
        options.hidden = 1
        return worksheet_set_column_opt(sheet, lxw_col_t(first), lxw_col_t(last), width, nil, &options)
    }

    /// `worksheet_hide(worksheet)`: the sheet is hidden from the tab bar (never the first or active one).
    static func hide(_ sheet: WorksheetHandle) {
        worksheet_hide(sheet)
    }

    /// `worksheet_freeze_panes(worksheet, row, col)`: rows above `row` and columns left of `col`
    /// stay visible while scrolling.
    static func freezePanes(_ sheet: WorksheetHandle, _ row: Int, _ col: Int) {
        worksheet_freeze_panes(sheet, lxw_row_t(row), lxw_col_t(col))
    }

    /// `worksheet_autofilter(worksheet, first_row, first_col, last_row, last_col)`: filter buttons
    /// on the first row of the range.
    static func autofilter(_ sheet: WorksheetHandle, _ firstRow: Int, _ firstCol: Int, _ lastRow: Int, _ lastCol: Int) -> lxw_error {
        worksheet_autofilter(sheet, lxw_row_t(firstRow), lxw_col_t(firstCol), lxw_row_t(lastRow), lxw_col_t(lastCol))
    }

    /// `worksheet_data_validation_range(worksheet, first_row, first_col, last_row, last_col,
    /// validation)` with `validate = LXW_VALIDATION_TYPE_LIST` and a NULL-terminated `value_list`:
    /// a drop-down of fixed values. libxlsxwriter copies the list; Excel allows 255 characters in
    /// all (LXW_ERROR_DATA_VALIDATION… is reported as a parameter-validation error).
    static func dataValidationList(_ sheet: WorksheetHandle, _ firstRow: Int, _ lastRow: Int, _ col: Int, _ values: [String]) -> lxw_error {
        var pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { list in
            var validation = lxw_data_validation()
            validation.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
            validation.value_list = list.baseAddress
            return worksheet_data_validation_range(sheet, lxw_row_t(firstRow), lxw_col_t(col), lxw_row_t(lastRow), lxw_col_t(col), &validation)
        }
    }
}
