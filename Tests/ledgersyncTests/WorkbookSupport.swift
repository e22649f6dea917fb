import Foundation
import TestSupport

/// The Python helpers of the workbook tests (openpyxl).
enum PythonTool {
    static let makeScript = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/make_user_workbook.py").path

    /// What openpyxl sees in a workbook (``WorkbookDump``).
    static func dump(_ path: String) throws -> BookDump { try WorkbookDump.read(path) }
}

typealias BookDump = WorkbookDump
typealias Value = WorkbookDump.Value
