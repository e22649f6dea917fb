import Foundation

/// What openpyxl sees in a workbook (`dump_workbook.py` beside this file): sheets in order, and for each
/// sheet its values, cached formula results, number formats, fills, cell types, hyperlinks, data
/// validations, frozen pane and filter; and the document properties.
public struct WorkbookDump: Decodable {
    public struct Sheet: Decodable {
        public var rows: [[Value]]
        public var cached: [[Value]]
        public var formats: [[String]]
        public var fills: [String?]
        public var types: [[String]]
        public var links: [String: String]
        public var validations: [Validation]
        public var freeze: String?
        public var autofilter: String?

        /// Position of a header cell in the first row.
        public func column(_ name: String) -> Int? { rows.first?.firstIndex(of: .string(name)) }
        /// The value under header `name` in row `row` (0 is the header).
        public func value(_ row: Int, _ name: String) -> Value? {
            guard let c = column(name), row < rows.count, c < rows[row].count else { return nil }
            return rows[row][c]
        }
    }

    public struct Validation: Decodable {
        public var sqref: String
        public var type: String?
        public var formula1: String?
    }

    /// A cell as JSON carries it.
    public enum Value: Decodable, Equatable, CustomStringConvertible {
        case null, string(String), number(Double), bool(Bool)
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) { self = .number(n) } else { self = .string(try c.decode(String.self)) }
        }
        public var text: String? { if case .string(let s) = self { s } else { nil } }
        public var number: Double? { if case .number(let n) = self { n } else { nil } }
        public var description: String {
            switch self {
            case .null: "null"
            case .string(let s): "\"\(s)\""
            case .number(let n): "\(n)"
            case .bool(let b): "\(b)"
            }
        }
    }

    public var sheets: [String]
    public var sheet: [String: Sheet]
    public var properties: [String: String?]

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("dump_workbook.py")

    /// Reads the workbook at `path` with openpyxl; throws with Python's error output when it cannot.
    public static func read(_ path: String) throws -> WorkbookDump {
        let run = try Subprocess.python(script.path, [path])
        guard run.status == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: run.stderr]) }
        return try JSONDecoder().decode(WorkbookDump.self, from: Data(run.stdout.utf8))
    }
}
