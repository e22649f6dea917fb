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
        var rowFailure: (any Error)?
        try withoutActuallyEscaping(row) { row throws(SpreadsheetError) in
            let reader = try CSVReader(name: path) { index, fields in
                do {
                    try row(index, fields)
                    return true
                } catch {
                    rowFailure = error
                    return false
                }
            }
            try CSVFileChunks.read(path: path, shouldStop: { reader.stopped }) { chunk throws(SpreadsheetError) in
                try reader.feed(chunk)
            }
            if !reader.stopped { _ = try reader.finish() }
        }
        if let rowFailure { throw rowFailure }
    }
}
