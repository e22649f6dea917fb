import Foundation

extension CSV {
    /// Serializes a table: the header, then each row, fields separated by commas, each record
    /// followed by `format.lineEnding` (the last one only when `format.endsWithLineEnding`), the
    /// whole preceded by a UTF-8 byte order mark when `format.hasBOM`.
    ///
    /// A field is quoted only when it must be: when it holds a comma, a double quote, a CR or an LF,
    /// or begins or ends with a space or a tab (many readers trim those), or when it is the only,
    /// empty field of its row (an empty line would read back as a skipped blank line). Quotes
    /// inside a quoted field are doubled. So a file LedgerSync read, written back unchanged, is
    /// byte-identical when its fields were quoted by this same rule.
    ///
    /// With `neutralizeFormulas` (DESIGN.md §9, OWASP "CSV Injection"): every field — header
    /// included — whose first character is `=`, `+`, `-`, `@`, a tab or a carriage return gets an
    /// apostrophe `'` in front, so no spreadsheet program evaluates it as a formula, **unless** the
    /// whole field is a plain number: an optional `+` or `-`, one or more digits, and optionally
    /// a `.` followed by one or more digits (`-12.50`, `+1`, `-3`). Anything else starting with those
    /// characters is text and is neutralised: `=SUM(A1)` → `'=SUM(A1)`, `-2+3` → `'-2+3`,
    /// `+1 555 0100` → `'+1 555 0100`, `-` → `'-`, `-1,250.00` → `'-1,250.00`. A field that already
    /// starts with apostrophes before such a character gets one more (`'=x` → `''=x`), so
    /// ``removingFormulaNeutralizing(_:)`` gives back exactly the field that was written.
    ///
    /// ```swift
    /// let table = Table(header: ["name", "note"], rows: [["Acme, Inc.", "=HYPERLINK(\"x\")"]])
    /// CSV.encode(table, format: .standard, neutralizeFormulas: true)
    /// // name,note\n"Acme, Inc.","'=HYPERLINK(""x"")"\n
    /// ```
    public static func encode(_ table: Table, format: CSVFormat, neutralizeFormulas: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        // Room for every field, separator and line ending, plus a little for quotes and apostrophes:
        // growing by doubling would hold the old and the new buffer at once, up to three times the file.
        var estimate = (table.rows.count + 1) * format.lineEnding.utf8.count
        for field in table.header { estimate += field.utf8.count + 1 }
        for row in table.rows {
            for field in row { estimate += field.utf8.count + 1 }
        }
        out.reserveCapacity(3 + estimate + estimate / 32 + 64)
        append(table, format: format, neutralizeFormulas: neutralizeFormulas, to: &out, pieceSize: .max) { _ in }
        return out
    }

    /// Encodes as ``encode(_:format:neutralizeFormulas:)`` does, handing the bytes over in file order, in
    /// pieces of about `pieceSize` bytes (whole records), so the whole file is never in memory at once.
    public static func encode(_ table: Table, format: CSVFormat, neutralizeFormulas: Bool = false, pieceSize: Int = 1 << 20,
                              emit: ([UInt8]) throws -> Void) rethrows {
        var out: [UInt8] = []
        out.reserveCapacity(pieceSize + 4096)
        try append(table, format: format, neutralizeFormulas: neutralizeFormulas, to: &out, pieceSize: pieceSize, emit: emit)
        if !out.isEmpty { try emit(out) }
    }

    /// Appends the encoded table to `out`; whenever `out` reaches `pieceSize` bytes, hands it to `emit` and
    /// empties it (keeping its room).
    private static func append(_ table: Table, format: CSVFormat, neutralizeFormulas: Bool, to out: inout [UInt8], pieceSize: Int,
                               emit: ([UInt8]) throws -> Void) rethrows {
        if format.hasBOM { out.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        if table.header.isEmpty && table.rows.isEmpty { return }
        let lineEnding = Array(format.lineEnding.utf8)
        let recordCount = table.rows.count + 1
        for index in 0..<recordCount {
            appendRecord(index == 0 ? table.header : table.rows[index - 1], to: &out, neutralizeFormulas: neutralizeFormulas)
            if index < recordCount - 1 || format.endsWithLineEnding { out.append(contentsOf: lineEnding) }
            if out.count >= pieceSize {
                try emit(out)
                out.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Writes the table, encoded as ``encode(_:format:neutralizeFormulas:)`` encodes it, to a new file at
    /// `path` piece by piece.
    /// - Throws: the error of creating or writing the file.
    public static func write(_ table: Table, format: CSVFormat, neutralizeFormulas: Bool = false, toFile path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try encode(table, format: format, neutralizeFormulas: neutralizeFormulas) { try handle.write(contentsOf: $0) }
    }

    /// One record's fields, quoted as `encode` quotes them, without a line ending.
    public static func appendRecord(_ record: [String], to out: inout [UInt8], neutralizeFormulas: Bool = false) {
        if record.count == 1 && record[0].isEmpty {
            out.append(contentsOf: [quote, quote])
            return
        }
        for (position, field) in record.enumerated() {
            if position > 0 { out.append(comma) }
            appendField(field, to: &out, neutralizeFormulas: neutralizeFormulas)
        }
    }

    /// Whether `field` would get a leading apostrophe under `neutralizeFormulas` (see `encode`).
    public static func needsFormulaNeutralizing(_ field: String) -> Bool {
        let afterApostrophes = field.utf8.drop { $0 == apostrophe }
        guard let first = afterApostrophes.first, formulaStarts.contains(first) else { return false }
        return afterApostrophes.count < field.utf8.count || !isPlainNumber(field)
    }

    /// The field as it was before ``encode(_:format:neutralizeFormulas:)`` neutralised it: one
    /// leading apostrophe fewer when what follows would have been neutralised.
    public static func removingFormulaNeutralizing(_ field: String) -> String {
        guard field.utf8.first == apostrophe else { return field }
        let rest = String(field.dropFirst())
        return needsFormulaNeutralizing(rest) ? rest : field
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let apostrophe = UInt8(ascii: "'")
    private static let formulaStarts: [UInt8] = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]

    /// `[+-]?[0-9]+(\.[0-9]+)?`
    static func isPlainNumber(_ field: String) -> Bool {
        var bytes = field.utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let whole = bytes.prefix(while: isDigit)
        guard !whole.isEmpty else { return false }
        let rest = bytes.dropFirst(whole.count)
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: ".") else { return false }
        let fraction = rest.dropFirst()
        return !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }

    private static func appendField(_ field: String, to out: inout [UInt8], neutralizeFormulas: Bool) {
        let neutralize = neutralizeFormulas && needsFormulaNeutralizing(field)
        var text = field
        text.withUTF8 { bytes in
            let needsQuotes = mustQuote(bytes, startsWithApostrophe: neutralize)
            if needsQuotes { out.append(quote) }
            if neutralize { out.append(apostrophe) }
            if needsQuotes {
                var runStart = 0
                for (offset, byte) in bytes.enumerated() where byte == quote {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...offset]))
                    out.append(quote)
                    runStart = offset + 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
                out.append(quote)
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }

    private static func mustQuote(_ bytes: UnsafeBufferPointer<UInt8>, startsWithApostrophe: Bool) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        if (!startsWithApostrophe && isBlank(first)) || isBlank(last) { return true }
        for byte in bytes where byte == comma || byte == quote || byte == 0x0A || byte == 0x0D {
            return true
        }
        return false
    }
}
