// Every raw libcsv call lives in this file. libcsv 3.0.3 (Robert Gamble, Debian libcsv-dev):
// header csv.h, library csv, contract documented in csv.h and libcsv's csv.pdf.
import CCSV

/// Owns one libcsv `struct csv_parser` and turns its C error codes into `SpreadsheetError` once.
///
/// Options in force: `CSV_APPEND_NULL` (each field handed to cb1 is NUL-terminated), `CSV_STRICT`
/// unless `strict` is false (a quote inside an unquoted field, or text after a closing quote, is an
/// error rather than taken as text), `CSV_STRICT_FINI` (an unclosed quoted field at
/// the end of input is an error) and `CSV_REPALL_NL` (every line ending is reported, so
/// `CSVRecordBuilder` can count physical lines and detect CRLF). The space function is replaced so
/// that spaces and tabs around unquoted fields are kept: libcsv trims them by default.
final class LibCSVParser {
    private let parser: UnsafeMutablePointer<csv_parser>
    private var initialized = false
    private let name: String

    init(name: String, strict: Bool = true) throws(SpreadsheetError) {
        self.name = name
        parser = .allocate(capacity: 1)
        parser.initialize(to: csv_parser())
        // csv_init(p, options): sets up *p with default delimiter (comma), quote (") and the given
        // options; returns 0 on success, -1 when p is NULL (cannot happen here).
        let options = UInt8((strict ? CSV_STRICT : 0) | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL)
        guard csv_init(parser, options) == 0 else {
            throw SpreadsheetError(.tooLarge, file: name, reason: "libcsv could not start")
        }
        initialized = true
        // csv_set_space_func(p, f): f(c) != 0 marks c as a space to trim around unquoted fields and
        // to skip after a closing quote. Returning 0 for every byte keeps "  padded  " as written.
        csv_set_space_func(parser, libcsvNoSpaces)
    }

    deinit {
        // csv_free(p): frees the entry buffer csv_parse allocated; *p must have been csv_init'ed.
        if initialized { csv_free(parser) }
        parser.deinitialize(count: 1)
        parser.deallocate()
    }

    /// Parses a chunk; fields and record ends go to `builder` synchronously, in order.
    func parse(_ bytes: UnsafeRawBufferPointer, into builder: CSVRecordBuilder) throws(SpreadsheetError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let context = Unmanaged.passUnretained(builder).toOpaque()
        // csv_parse(p, s, len, cb1, cb2, data): consumes len bytes of s, calling cb1(field, size,
        // data) for each complete field and cb2(terminator, data) at each record end; the field
        // pointer is valid only during cb1. Returns the number of bytes consumed: less than len on
        // error, csv_error(p) then says which. State carries over to the next call.
        let consumed = withExtendedLifetime(builder) {
            csv_parse(parser, base, bytes.count, libcsvField, libcsvRecordEnd, context)
        }
        if consumed != bytes.count { throw translateError(atEnd: false, builder: builder) }
    }

    /// Ends the input: submits a last field and record that had no line ending.
    func finish(into builder: CSVRecordBuilder) throws(SpreadsheetError) {
        let context = Unmanaged.passUnretained(builder).toOpaque()
        // csv_fini(p, cb1, cb2, data): submits any pending field and record (cb2 gets -1 as the
        // terminator) and resets *p for reuse; returns 0, or -1 with csv_error(p) == CSV_EPARSE
        // when CSV_STRICT_FINI is set and the last quoted field was never closed.
        let status = withExtendedLifetime(builder) {
            csv_fini(parser, libcsvField, libcsvRecordEnd, context)
        }
        if status != 0 { throw translateError(atEnd: true, builder: builder) }
    }

    /// The one place libcsv's error codes become `SpreadsheetError`.
    private func translateError(atEnd: Bool, builder: CSVRecordBuilder) -> SpreadsheetError {
        // csv_error(p): the code of the last failure: CSV_EPARSE, CSV_ENOMEM or CSV_ETOOBIG.
        let code = csv_error(parser)
        let column = builder.currentColumn
        let columnName = builder.columnName(at: column)
        switch code {
        case CSV_EPARSE:
            let reason: String
            if atEnd {
                reason = "a quoted field is never closed"
            } else if parser.pointee.quoted != 0 {
                reason = "a quoted field has text after its closing quote, or a quote inside it is not doubled"
            } else {
                reason = "a quote inside a field that does not start with a quote"
            }
            return SpreadsheetError(
                .malformed, file: name, line: builder.line, column: column, columnName: columnName,
                reason: reason)
        default:
            // csv_strerror(code): a static English message for the code.
            let words = csv_strerror(code).map { String(cString: $0) } ?? "libcsv error \(code)"
            return SpreadsheetError(
                .tooLarge, file: name, line: builder.line, column: column, columnName: columnName,
                reason: words)
        }
    }
}

// libcsv callbacks: plain C function pointers, declared at file scope outside any actor, with the
// builder passed through libcsv's `data` pointer (unretained: `parse` keeps it alive, so
// `_withUnsafeGuaranteedRef` skips a retain/release pair per field, ~12M of them per 1M-row file).

/// cb1 — one complete field: `size` bytes at `field` (quotes removed, "" unescaped).
private func libcsvField(_ field: UnsafeMutableRawPointer?, _ size: Int, _ data: UnsafeMutableRawPointer?) {
    guard let data else { return }
    Unmanaged<CSVRecordBuilder>.fromOpaque(data)._withUnsafeGuaranteedRef {
        $0.field(UnsafeRawBufferPointer(start: field, count: size))
    }
}

/// cb2 — end of a record: `terminator` is the CR or LF that ended it, or -1 at `csv_fini`.
private func libcsvRecordEnd(_ terminator: Int32, _ data: UnsafeMutableRawPointer?) {
    guard let data else { return }
    Unmanaged<CSVRecordBuilder>.fromOpaque(data)._withUnsafeGuaranteedRef { $0.endRecord(terminator: terminator) }
}

/// is_space — no byte is a space to trim.
private func libcsvNoSpaces(_ byte: UInt8) -> Int32 { 0 }
