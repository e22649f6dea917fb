import Foundation
@testable import Spreadsheet

/// Bytes of a Swift string literal, so fixtures can spell CR, LF and BOM explicitly.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The folder this test run's temporary files go in, removed when the test process exits.
let scratchRoot: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("SpreadsheetTests-\(UUID().uuidString)")
    atexit { try? FileManager.default.removeItem(at: scratchRoot) }
    return root
}()

/// Writes `content` to a fresh temporary file (under `scratchRoot`) and returns its path.
func temporaryFile(_ content: [UInt8], name: String = "ledger.csv") throws -> String {
    let folder = scratchRoot.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try Data(content).write(to: url)
    return url.path
}

/// All rows `CSV.forEachRow` delivers, header first, with their indexes checked to run 0, 1, 2, ….
func streamedRows(path: String) throws -> [[String]] {
    var rows: [[String]] = []
    try CSV.forEachRow(path: path) { index, fields in
        guard index == rows.count else { throw StreamIndexMismatch(expected: rows.count, got: index) }
        rows.append(fields)
    }
    return rows
}

struct StreamIndexMismatch: Error { let expected: Int; let got: Int }

/// The error `body` throws, if it is a `SpreadsheetError`.
func spreadsheetError(_ body: () throws -> Void) -> SpreadsheetError? {
    do { try body() } catch { return error as? SpreadsheetError }
    return nil
}
