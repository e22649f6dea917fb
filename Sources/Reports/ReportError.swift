import Spreadsheet

/// A report that could not be written. `description` reads "file: what failed · what to do";
/// cell values are never part of it.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The workbook could not be created or written (folder, permissions, disk space).
        case writeFailed
        /// The table does not fit a workbook (more columns than a sheet holds).
        case tooLarge
    }

    public var kind: Kind
    public var file: String
    public var message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    init(_ error: XLSXError) {
        self.init(.writeFailed, file: error.file, String(error.description.dropFirst(error.file.count + 2)))
        if error.kind == .cellOutOfRange || error.kind == .limitExceeded { kind = .tooLarge }
    }

    public var description: String { "\(file): \(message)" }
}
