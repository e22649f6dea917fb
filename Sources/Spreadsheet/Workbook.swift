import CXLSXWriter
import Foundation

/// An .xlsx workbook being written with libxlsxwriter. Nothing reaches the disk until ``close()``.
///
/// ```swift
/// let book = try Workbook(path: "out.xlsx")
/// let sheet = try book.addWorksheet(name: "Invoices")
/// try sheet.write(row: 0, col: 0, string: "invoice_number", format: book.addFormat(CellFormat(bold: true)))
/// try book.close()
/// ```
///
/// Threads: ``addFormat(_:)`` may be called from any thread. In constant-memory mode each sheet
/// is its own temporary file, and different sheets may be written from different threads at once
/// (one sheet from one thread at a time). Everything else (adding sheets, properties, closing, and
/// any writing when not in constant-memory mode, where text goes to one shared-strings table) must
/// happen on one thread, with no sheet being written meanwhile.
public final class Workbook {
    /// Rows in a sheet (1,048,576): a longer table must continue on another sheet.
    public static let maxRows = LXW.maxRows
    /// Columns in a sheet (16,384, A to XFD).
    public static let maxColumns = LXW.maxColumns

    public let path: String
    /// Rows are flushed as soon as a later row is written: memory stays flat, but every sheet must
    /// be written top to bottom (an earlier row is refused with `.cellOutOfRange`).
    public let constantMemory: Bool

    /// Nil once closed; `Worksheet` checks it before every call.
    private(set) var handle: LXW.WorkbookHandle?
    private var formats: [CellFormat: Format] = [:]
    private let formatsLock = NSLock()

    /// - Parameters:
    ///   - path: the .xlsx file to write at ``close()`` (replaced if it exists).
    ///   - constantMemory: flush rows as they are written, for very large sheets.
    /// - Throws: `.cannotCreate` when libxlsxwriter cannot allocate or create its temporary files.
    public init(path: String, constantMemory: Bool = false) throws(XLSXError) {
        self.path = path
        self.constantMemory = constantMemory
        // Said now, before any sheet is written (libxlsxwriter would only find out at close, and print its own line).
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue,
              FileManager.default.isWritableFile(atPath: folder) else {
            throw XLSXError(.cannotCreate, file: path, message: "the folder \(folder) does not exist or is not writable; create it or write elsewhere")
        }
        guard let handle = LXW.newWorkbook(path: path, constantMemory: constantMemory) else {
            throw XLSXError(.cannotCreate, file: path, message: "cannot start a workbook (out of memory, or no writable temporary folder); check TMPDIR and free space")
        }
        self.handle = handle
    }

    deinit {
        if let handle { LXW.freeWorkbook(handle) }
    }

    /// Adds a sheet after the existing ones.
    /// - Throws: `.cannotCreate` for a name Excel refuses (empty, over 31 characters, one of
    ///   `[]:*?/\`, a leading or trailing `'`, or already used), `.closed` after ``close()``.
    public func addWorksheet(name: String) throws(XLSXError) -> Worksheet {
        let workbook = try openHandle()
        let validity = LXW.validateSheetName(workbook, name)
        guard validity == LXW.ok, let sheet = LXW.addWorksheet(workbook, name) else {
            throw XLSXError(.cannotCreate, file: path, sheet: name, message: "cannot add a sheet with this name (\(LXW.describe(validity))); use at most 31 characters, none of [ ] : * ? / \\, and a name not used yet")
        }
        return Worksheet(workbook: self, handle: sheet, name: name)
    }

    /// The format for a spec; the same spec gives the same format, so call it freely per cell.
    /// Each format gets its style index when it is made, so writing a cell only reads it.
    public func addFormat(_ spec: CellFormat) -> Format {
        formatsLock.lock()
        defer { formatsLock.unlock() }
        if let format = formats[spec] { return format }
        // A closed workbook or a failed allocation gives the default format.
        guard let workbook = handle, let pointer = LXW.addFormat(workbook) else {
            return Format(pointer: nil, owner: ObjectIdentifier(self))
        }
        if spec.bold { LXW.setBold(pointer) }
        if spec.underline { LXW.setUnderline(pointer) }
        if let fill = spec.fillColor { LXW.setFill(pointer, rgb: fill) }
        if let font = spec.fontColor { LXW.setFontColor(pointer, rgb: font) }
        if let code = spec.numberFormat { LXW.setNumberFormat(pointer, code) }
        if spec.wrap { LXW.setWrap(pointer) }
        if spec.border { LXW.setThinBorder(pointer) }
        LXW.assignIndex(pointer)
        let format = Format(pointer: pointer, owner: ObjectIdentifier(self))
        formats[spec] = format
        return format
    }

    /// Document properties shown by File › Info (docProps/core.xml).
    public func setProperties(title: String, author: String, created: Date) throws(XLSXError) {
        let workbook = try openHandle()
        let result = LXW.setProperties(workbook, title: title, author: author, created: time_t(created.timeIntervalSince1970))
        guard result == LXW.ok else {
            throw XLSXError(.writeFailed, file: path, message: "cannot set the document properties (\(LXW.describe(result)))")
        }
    }

    /// Writes the file and releases the workbook. Call it once; the workbook and its sheets are
    /// unusable afterwards, whatever the outcome.
    /// - Throws: `.writeFailed` when the file cannot be written (missing folder, no permission,
    ///   disk full), `.closed` when already closed.
    public func close() throws(XLSXError) {
        let workbook = try openHandle()
        handle = nil
        let result = LXW.close(workbook)
        guard result == LXW.ok else {
            let hint = result == LXW_ERROR_CREATING_XLSX_FILE
                ? "check that the folder exists and is writable"
                : "check free disk space and the temporary folder"
            throw XLSXError(.writeFailed, file: path, message: "cannot write the workbook (\(LXW.describe(result))); \(hint)")
        }
    }

    func openHandle() throws(XLSXError) -> LXW.WorkbookHandle {
        guard let handle else {
            throw XLSXError(.closed, file: path, message: "the workbook was already closed; start a new Workbook to write again")
        }
        return handle
    }
}
