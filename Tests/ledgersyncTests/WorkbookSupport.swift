import Foundation

/// Runs the Python helpers of the workbook tests (openpyxl) and decodes what they print.
enum PythonTool {
    static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let result = try CLI.capture(process)
        return (result.status, result.stdout, result.stderr)
    }

    static let dumpScript = CLI.packageRoot.appendingPathComponent("Tests/ReportsTests/Fixtures/dump_workbook.py").path
    static let makeScript = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/make_user_workbook.py").path

    /// What openpyxl sees in a workbook (see dump_workbook.py), as plain JSON objects.
    static func dump(_ path: String) throws -> BookDump {
        let run = try run(dumpScript, [path])
        guard run.status == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: run.stderr]) }
        return try JSONDecoder().decode(BookDump.self, from: Data(run.stdout.utf8))
    }
}

struct BookDump: Decodable {
    struct Sheet: Decodable {
        var rows: [[Value]]
        var cached: [[Value]]
        var formats: [[String]]
        var fills: [String?]
        var types: [[String]]
        var links: [String: String]
        var freeze: String?
        var autofilter: String?

        func column(_ name: String) -> Int? { rows.first?.firstIndex(of: .string(name)) }
        func value(_ row: Int, _ name: String) -> Value? {
            guard let c = column(name), row < rows.count, c < rows[row].count else { return nil }
            return rows[row][c]
        }
    }
    var sheets: [String]
    var sheet: [String: Sheet]
}

enum Value: Decodable, Equatable, CustomStringConvertible {
    case null, string(String), number(Double), bool(Bool)
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) { self = .number(n) } else { self = .string(try c.decode(String.self)) }
    }
    var text: String? { if case .string(let s) = self { s } else { nil } }
    var number: Double? { if case .number(let n) = self { n } else { nil } }
    var description: String {
        switch self {
        case .null: "null"
        case .string(let s): "\"\(s)\""
        case .number(let n): "\(n)"
        case .bool(let b): "\(b)"
        }
    }
}
