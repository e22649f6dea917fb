/// CSV files as `Table`s: read (whole or streaming) with libcsv, and written back in the layout
/// they were read in.
///
/// Reading accepts UTF-8 with or without a byte order mark, LF or CRLF line endings, quoted
/// fields holding commas, doubled quotes and line breaks, empty trailing fields, a last line with
/// or without a line ending. Blank lines are skipped. Spaces and tabs around unquoted fields are
/// kept. Rows keep the number of fields they were written with.
///
/// Reading refuses, with a `SpreadsheetError` naming the file, line and column: text that is not
/// UTF-8 (`.notUTF8`), binary files holding NUL bytes (`.notText`), and quotes out of place
/// (`.malformed`): a quote inside a field that does not start with one (`5" screen`), text after
/// a closing quote (`"abc"x`), a quoted field never closed.
///
/// ```swift
/// let (table, format) = try CSV.read(path: "ledger.csv")
/// let bytes = CSV.encode(table, format: format)   // byte-identical when minimally quoted
/// ```
public enum CSV {
    /// Parses a whole file's bytes; the first non-blank row is the header.
    ///
    /// An empty input gives an empty header and no rows.
    ///
    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - name: the file path, used in errors.
    /// - Returns: the table and the layout (line ending, byte order mark) to write it back with.
    /// - Throws: `SpreadsheetError` `.notUTF8`, `.notText`, `.malformed` or `.tooLarge`.
    public static func parse(_ bytes: [UInt8], name: String) throws(SpreadsheetError) -> (table: Table, format: CSVFormat) {
        let collector = TableCollector()
        let reader = try CSVReader(name: name, deliver: collector.add)
        var failure: SpreadsheetError?
        bytes.withUnsafeBytes { raw in
            do throws(SpreadsheetError) { try reader.feed(raw) } catch { failure = error }
        }
        if let failure { throw failure }
        let format = try reader.finish()
        return (collector.table, format)
    }
}

/// Gathers delivered rows into a `Table`.
final class TableCollector {
    private(set) var table = Table(header: [], rows: [])

    func add(_ index: Int, _ line: Int, _ fields: [String]) -> Bool {
        if index == 0 { table.header = fields } else { table.rows.append(fields) }
        return true
    }
}
