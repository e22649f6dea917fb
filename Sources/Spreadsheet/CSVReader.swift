#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CSV text fed in chunks: strips and remembers a UTF-8 byte order mark, refuses binary and
/// UTF-16 input, runs libcsv, and reports the detected `CSVFormat` at the end.
///
/// The first chunk must hold at least three bytes unless the whole input is shorter (the byte
/// order mark is looked for there).
final class CSVReader {
    let name: String
    private let parser: LibCSVParser
    private let builder: CSVRecordBuilder
    private var atStart = true
    private var hasBOM = false

    /// - Parameters:
    ///   - lenient: take misplaced quotes as text and bytes that are not UTF-8 as U+FFFD, instead of
    ///     failing (for inputs whose every used cell is validated anyway: Dashboard exports).
    ///   - deliver: called with each row's index (0 is the header), the line it starts on, and its
    ///     fields; return false to stop reading.
    init(name: String, lenient: Bool = false, deliver: @escaping (_ index: Int, _ line: Int, _ fields: [String]) -> Bool) throws(SpreadsheetError) {
        self.name = name
        parser = try LibCSVParser(name: name, strict: !lenient)
        builder = CSVRecordBuilder(name: name, replacingInvalidUTF8: lenient, deliver: deliver)
    }

    /// Whether a row handler asked to stop.
    var stopped: Bool { builder.stopped }

    func feed(_ chunk: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        if builder.isDone || chunk.isEmpty { return }
        var bytes = chunk
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                hasBOM = true
                bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
            } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
                throw SpreadsheetError(.notUTF8, file: name, line: 1, reason: "the file is UTF-16 text")
            }
        }
        if let base = bytes.baseAddress, let nul = memchr(base, 0, bytes.count) {
            let before = UnsafeRawBufferPointer(start: base, count: UnsafeRawPointer(nul) - base)
            throw SpreadsheetError(
                .notText, file: name, line: builder.line + CSVRecordBuilder.lineBreaks(in: before))
        }
        try parser.parse(bytes, into: builder)
        if let failure = builder.failure { throw failure }
    }

    /// Ends the input and returns how the file was laid out.
    func finish() throws(SpreadsheetError) -> CSVFormat {
        if !builder.isDone {
            try parser.finish(into: builder)
            if let failure = builder.failure { throw failure }
        }
        return CSVFormat(
            lineEnding: builder.firstTerminator == 0x0D ? "\r\n" : "\n",
            hasBOM: hasBOM,
            endsWithLineEnding: builder.lastRecordHadTerminator)
    }
}
