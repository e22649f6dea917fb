import Foundation
import TestSupport

/// Runs the Python helpers of the workbook tests (openpyxl) and decodes what they print.
enum PythonTool {
    static func run(_ script: String, _ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.python(script, arguments)
    }

    static let makeScript = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/make_user_workbook.py").path

    /// What openpyxl sees in a workbook (``WorkbookDump``).
    static func dump(_ path: String) throws -> BookDump { try WorkbookDump.read(path) }
}

typealias BookDump = WorkbookDump
typealias Value = WorkbookDump.Value
