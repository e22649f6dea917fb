extension CSV {
    /// Reads and parses a CSV file; see `parse(_:name:)`.
    ///
    /// - Throws: `SpreadsheetError` `.unreadable`, `.notUTF8`, `.notText`, `.malformed` or `.tooLarge`.
    public static func read(path: String) throws(SpreadsheetError) -> (table: Table, format: CSVFormat) {
        let collector = TableCollector()
        let reader = try CSVReader(name: path, deliver: collector.add)
        try CSVFileChunks.read(path: path, shouldStop: { false }) { chunk throws(SpreadsheetError) in
            try reader.feed(chunk)
        }
        let format = try reader.finish()
        return (collector.table, format)
    }

    /// Streams a CSV file row by row without building a `Table`, for files of any size.
    ///
    /// ```swift
    /// try CSV.forEachRow(path: "balance_history.csv") { index, fields in
    ///     if index == 0 { header = fields } else { total += fields.count }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - path: the file to read.
    ///   - row: called with index 0 and the header, then 1, 2, … and each data row (blank lines
    ///     are skipped, not counted); an error it throws stops reading and is rethrown as is.
    /// - Throws: a `SpreadsheetError` as `read(path:)` does, or the error `row` threw. Rows before
    ///   an error in the file have already been delivered.
    public static func forEachRow(path: String, _ row: (_ index: Int, _ fields: [String]) throws -> Void) throws {
        try forEachRow(path: path, lenient: false) { index, _, fields in try row(index, fields) }
    }

    /// Streams a CSV file row by row, with the line each row starts on; `lenient` takes misplaced
    /// quotes as text and bytes that are not UTF-8 as U+FFFD (see `CSVReader`).
    public static func forEachRow(path: String, lenient: Bool, _ row: (_ index: Int, _ line: Int, _ fields: [String]) throws -> Void) throws {
        try forEachRow(name: path, lenient: lenient, row) { reader throws(SpreadsheetError) in
            try CSVFileChunks.read(path: path, shouldStop: { reader.stopped }) { chunk throws(SpreadsheetError) in
                try reader.feed(chunk)
            }
        }
    }

    /// Parses CSV bytes row by row, as `forEachRow(path:lenient:_:)` reads a file.
    public static func forEachRow(bytes: [UInt8], name: String, lenient: Bool,
                                  _ row: (_ index: Int, _ line: Int, _ fields: [String]) throws -> Void) throws {
        try forEachRow(name: name, lenient: lenient, row) { reader throws(SpreadsheetError) in
            var failure: SpreadsheetError?
            bytes.withUnsafeBytes { raw in
                do throws(SpreadsheetError) { try reader.feed(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    private static func forEachRow(name: String, lenient: Bool, _ row: (_ index: Int, _ line: Int, _ fields: [String]) throws -> Void,
                                   feed: (CSVReader) throws(SpreadsheetError) -> Void) throws {
        var rowFailure: (any Error)?
        try withoutActuallyEscaping(row) { row throws(SpreadsheetError) in
            let reader = try CSVReader(name: name, lenient: lenient) { index, line, fields in
                do {
                    try row(index, line, fields)
                    return true
                } catch {
                    rowFailure = error
                    return false
                }
            }
            try feed(reader)
            if !reader.stopped { _ = try reader.finish() }
        }
        if let rowFailure { throw rowFailure }
    }
}
