/// How a CSV file was laid out on disk, so it can be written back the same way.
///
/// `CSV.parse` and `CSV.read` detect it; `CSV.encode` follows it.
public struct CSVFormat: Sendable, Equatable {
    /// `"\n"` or `"\r\n"`, taken from the line ending of the first non-blank row (a file with bare
    /// CR line endings, old Mac style, is read and gets `"\r\n"`).
    public var lineEnding: String
    /// Whether the file starts with a UTF-8 byte order mark (EF BB BF), as Excel's "CSV UTF-8" writes.
    public var hasBOM: Bool
    /// Whether the last row ends with a line ending (Excel and LibreOffice write one; Google Sheets
    /// downloads do not).
    public var endsWithLineEnding: Bool

    public init(lineEnding: String = "\n", hasBOM: Bool = false, endsWithLineEnding: Bool = true) {
        self.lineEnding = lineEnding
        self.hasBOM = hasBOM
        self.endsWithLineEnding = endsWithLineEnding
    }

    /// LF line endings, no byte order mark, a line ending after the last row.
    public static let standard = CSVFormat()
}
