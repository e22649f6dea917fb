/// A workbook that could not be read or written, with where it happened.
///
/// `description` reads "file, sheet 'S', cell B7: what failed · what to do". Cell values are never
/// part of it, so customer data stays out of logs.
public struct XLSXError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file could not be opened or read at all.
        case unreadableFile
        /// The file is not a zip container, so not an .xlsx workbook (a CSV or another file renamed).
        case notAWorkbook
        /// The file is an OLE compound document: a password-protected .xlsx or a legacy .xls.
        case encryptedOrLegacy
        /// A part every workbook has (xl/workbook.xml, a sheet it names) is missing from the zip.
        case missingPart
        /// A part's XML is broken, or a cell's content contradicts its type.
        case malformedXML
        /// libxlsxwriter could not create the workbook or a sheet (bad sheet name, temp file).
        case cannotCreate
        /// A cell write was refused: outside the sheet, or an earlier row in constant-memory mode.
        case cellOutOfRange
        /// A string or URL longer than Excel allows, or more hyperlinks than a sheet holds.
        case limitExceeded
        /// The final write of the file failed.
        case writeFailed
        /// The workbook was already closed.
        case closed
    }

    public let kind: Kind
    public let file: String
    public let sheet: String?
    /// An A1-style reference such as `B7`.
    public let cell: String?
    public let message: String

    public init(_ kind: Kind, file: String, sheet: String? = nil, cell: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.sheet = sheet
        self.cell = cell
        self.message = message
    }

    public var description: String {
        var place = file
        if let sheet { place += ", sheet '\(sheet)'" }
        if let cell { place += ", cell \(cell)" }
        return place + ": " + message
    }

    /// `B7` for zero-based row 6, column 1.
    public static func reference(row: Int, col: Int) -> String {
        columnName(col) + String(row + 1)
    }

    /// `A`, `Z`, `AA`, … for a zero-based column index.
    public static func columnName(_ col: Int) -> String {
        var n = col + 1
        var letters: [UInt8] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(UInt8(ascii: "A") + UInt8(r))
            n = (n - 1) / 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }
}
