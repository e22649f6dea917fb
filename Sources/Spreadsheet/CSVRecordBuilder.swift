#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives libcsv's fields and record ends (see `LibCSVParser`) and turns them into rows of
/// `String`, checking UTF-8 and counting physical lines for error messages.
///
/// Blank lines (records without a field) are skipped. Rows are handed to `deliver` with their
/// index (0 is the header) and the physical line they start on; `deliver` returns false to stop
/// early. Text that is not UTF-8 is an error, or, when `replacingInvalidUTF8`, read with each bad
/// byte sequence as U+FFFD (a reader that validates the cells it uses finds them there). After the first failure every
/// later callback is ignored: libcsv cannot be stopped from inside a callback.
final class CSVRecordBuilder {
    let name: String
    /// 1-based physical line where the next field starts: line ends plus line breaks inside the
    /// quoted fields seen so far.
    private(set) var line = 1
    private(set) var failure: SpreadsheetError? {
        didSet { isDone = true }
    }
    private(set) var stopped = false {
        didSet { isDone = true }
    }
    /// Set once a failure or a stop happened; a plain Bool because it is checked at every field.
    private(set) var isDone = false
    /// The terminator (CR or LF) that ended the first non-blank record, if any.
    private(set) var firstTerminator: Int32?
    /// Whether the last non-blank record ended with a line ending rather than the end of input.
    private(set) var lastRecordHadTerminator = true
    private(set) var recordCount = 0

    private var fields: [String] = []
    /// The record before this one: a field equal to the one above it is that same `String`, not a new one.
    private var above: [String] = []
    private var header: [String] = []
    private var previousTerminatorWasCR = false
    /// The line the record being read starts on.
    private var recordLine = 1
    private let replacingInvalidUTF8: Bool
    private let deliver: (Int, Int, [String]) -> Bool

    init(name: String, replacingInvalidUTF8: Bool = false, deliver: @escaping (_ index: Int, _ line: Int, _ fields: [String]) -> Bool) {
        self.name = name
        self.replacingInvalidUTF8 = replacingInvalidUTF8
        self.deliver = deliver
    }

    /// 1-based position of the field being read in its record.
    var currentColumn: Int { fields.count + 1 }

    func columnName(at column: Int) -> String? {
        guard recordCount > 0, column >= 1, column <= header.count else { return nil }
        return header[column - 1]
    }

    func field(_ bytes: UnsafeRawBufferPointer) {
        if isDone { return }
        if fields.isEmpty { recordLine = line }
        let text: String
        if bytes.isEmpty {
            text = ""
        } else if let same = sameAsAbove(bytes) {
            // Exports repeat many cells down a column (payout ids, dates): sharing them saves a
            // validation and an allocation per cell.
            text = same
            line += CSVRecordBuilder.lineBreaks(in: bytes)
        } else {
            // libcsv ends every field with a NUL (CSV_APPEND_NULL) and CSVReader refused input
            // holding NULs, so the field is a C string of exactly bytes.count bytes. The C-string
            // initializer validates without the generic (unspecialized) path of String(validating:as:).
            let units = bytes.assumingMemoryBound(to: UInt8.self)
            let checked = bytes.baseAddress.flatMap {
                String(validatingCString: $0.assumingMemoryBound(to: CChar.self))
            }
            if let valid = checked, valid.utf8.count == bytes.count {
                text = valid
            } else if replacingInvalidUTF8 {
                text = String(decoding: units, as: UTF8.self)
            } else {
                let column = currentColumn
                failure = SpreadsheetError(
                    .notUTF8, file: name, line: line, column: column, columnName: columnName(at: column),
                    value: String(decoding: units, as: UTF8.self))
                return
            }
            line += CSVRecordBuilder.lineBreaks(in: bytes)
        }
        fields.append(text)
    }

    /// The field above this one, when its bytes are these. Only for fields too long to be stored
    /// inline in a `String` (more than 15 bytes): shorter ones cost no allocation anyway.
    @inline(__always)
    private func sameAsAbove(_ bytes: UnsafeRawBufferPointer) -> String? {
        let column = fields.count
        guard bytes.count > 15, column < above.count else { return nil }
        var candidate = above[column]
        guard candidate.utf8.count == bytes.count else { return nil }
        let equal = candidate.withUTF8 { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
        return equal ? candidate : nil
    }

    func endRecord(terminator: Int32) {
        if isDone { return }
        let isCR = terminator == 0x0D
        let isLF = terminator == 0x0A
        // With CSV_REPALL_NL the LF of a CRLF pair arrives as its own empty record.
        let isSecondHalfOfCRLF = isLF && previousTerminatorWasCR && fields.isEmpty
        if (isCR || isLF) && !isSecondHalfOfCRLF { line += 1 }
        previousTerminatorWasCR = isCR
        if fields.isEmpty { return }   // a blank line

        if firstTerminator == nil, isCR || isLF { firstTerminator = terminator }
        lastRecordHadTerminator = isCR || isLF
        var row: [String] = []
        row.reserveCapacity(fields.count)
        swap(&row, &fields)
        if recordCount == 0 { header = row }
        above = row
        let index = recordCount
        recordCount += 1
        if !deliver(index, recordLine, row) { stopped = true }
    }

    /// Line breaks inside one field (only a quoted field can hold them): LFs, or lone CRs when
    /// the field has no LF (old Mac text).
    static func lineBreaks(in bytes: UnsafeRawBufferPointer) -> Int {
        let lf = count(0x0A, in: bytes)
        return lf > 0 ? lf : count(0x0D, in: bytes)
    }

    private static func count(_ byte: Int32, in bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var found = 0
        var start = base
        var remaining = bytes.count
        // memchr(s, c, n): pointer to the first byte c in the n bytes at s, or NULL.
        while remaining > 0, let hit = memchr(start, byte, remaining) {
            found += 1
            let next = UnsafeRawPointer(hit) + 1
            remaining -= next - start
            start = next
        }
        return found
    }
}
