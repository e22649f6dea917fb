import Foundation
import LedgerCore
import Spreadsheet
#if canImport(Glibc)
import Glibc
#endif

/// The append-only journal of accepted records beside the ledger (DESIGN.md §1, §7), JSON Lines:
///
///     {"at":1760000000,"door":"file","from":"events.jsonl:12","item":{…the Stripe event, verbatim…}}
///     {"at":1760000000,"door":"csv_export","from":"payments.csv","export":"id,Type,…\ntxn_1,charge,…\n…"}
///     {"at":1760000000,"door":"csv_export","from":"payments.csv:3","record":{…}}   (older journals)
///     {"at":1760000000,"decision":{…}}
///
/// `item` keeps the raw event bytes (line breaks, which JSON allows only as white space, become spaces),
/// so `explain` can show the chain behind a row and a run can be replayed from it. `export` keeps the
/// rows of a Dashboard export that added or changed something, as CSV under their header row. Older
/// journals kept each export row as a normalised `record`; those lines are still read.
///
/// Lines are written as records are accepted and flushed to disk by `sync()` before anything that
/// depends on them (the ledger, an acknowledgement) is written. A crash can leave a torn last line;
/// it was never acknowledged, so opening for append cuts it off and reading ignores it.
public final class Journal: @unchecked Sendable {
    public let path: String
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private static let flushAt = 8 << 20
    /// Full buffers are written on this queue, so the disk copy overlaps decoding and reconciling.
    /// `fd` is set before any write is queued and only closed after the queue is drained.
    private let writer = DispatchQueue(label: "ledgersync.journal")
    /// At most two full buffers wait for the disk, so memory stays bounded when the disk is slow.
    private let inFlight = DispatchSemaphore(value: 2)
    private var writeFailure: LedgerError?

    public init(path: String) {
        self.path = path
    }

    deinit {
        writer.sync {}
        if fd >= 0 { close(fd) }
    }

    /// Current size in bytes on disk (0 when there is no journal).
    public var size: Int64 { FileStamp.of(path)?.size ?? 0 }

    // MARK: Writing

    /// A Stripe event or API object, kept verbatim.
    public func appendItem(_ raw: ArraySlice<UInt8>, door: Record.Door, from: String, at: Int64) throws(LedgerError) {
        try ensureOpen()
        buffer += Array("{\"at\":\(at),\"door\":\"\(door.rawValue)\",\"from\":".utf8)
        buffer += Journal.jsonString(from)
        buffer += Array(",\"item\":".utf8)
        let start = buffer.count
        buffer.append(contentsOf: raw)
        buffer.withUnsafeMutableBufferPointer { b in
            for i in start..<b.count where b[i] == 0x0A || b[i] == 0x0D { b[i] = 0x20 }
        }
        buffer += [UInt8(ascii: "}"), 0x0A]
        if buffer.count >= Journal.flushAt { try flush() }
    }

    /// Rows of a Dashboard CSV export, kept as CSV text under their header row (the rows as they
    /// arrived, as `item` keeps an event), so a replay reads them through the export door again.
    /// - Parameter rows: CSV lines, each with its line break (`ExportBatch.rowCSV`).
    public func appendExport(header: [String], rows: some Sequence<ArraySlice<UInt8>>, from: String, at: Int64) throws(LedgerError) {
        try ensureOpen()
        buffer += Array("{\"at\":\(at),\"door\":\"\(Record.Door.csvExport.rawValue)\",\"from\":".utf8)
        buffer += Journal.jsonString(from)
        buffer += Array(",\"export\":\"".utf8)
        var headerLine: [UInt8] = []
        CSV.appendRecord(header, to: &headerLine)
        headerLine.append(0x0A)
        Journal.appendEscaped(headerLine[...], to: &buffer)
        for row in rows { Journal.appendEscaped(row, to: &buffer) }
        buffer += Array("\"}\n".utf8)
        if buffer.count >= Journal.flushAt { try flush() }
    }

    public func appendDecision(_ decision: Decision) throws(LedgerError) {
        try ensureOpen()
        buffer += Array("{\"at\":\(decision.decidedAt),\"decision\":".utf8) + Journal.json(decision) + [UInt8(ascii: "}"), 0x0A]
    }

    /// Writes what is buffered and flushes it to disk. - Returns: the journal's size afterwards.
    @discardableResult
    public func sync() throws(LedgerError) -> Int64 {
        guard fd >= 0 else { return size }
        try flush()
        writer.sync {}
        if let writeFailure { throw writeFailure }
        guard fsync(fd) == 0 else { throw AtomicFile.failure(path, "cannot flush the journal to disk") }
        return size
    }

    private func ensureOpen() throws(LedgerError) {
        guard fd < 0 else { return }
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.failure(path, "cannot open the journal") }
        try cutTornTail()
    }

    /// A journal not ending in a line break ends in a line a crash cut short: drop it.
    private func cutTornTail() throws(LedgerError) {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return }
        var end = Int64(st.st_size)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var last: UInt8 = 0
        _ = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 1, off_t(end - 1)) }
        last = chunk[0]
        guard last != 0x0A else { return }
        while end > 0 {
            let from = max(0, end - Int64(chunk.count))
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(end - from), off_t(from)) }
            guard n > 0 else { break }
            if let i = chunk[0..<n].lastIndex(of: 0x0A) {
                end = from + Int64(i) + 1
                break
            }
            end = from
        }
        guard ftruncate(fd, off_t(end)) == 0 else { throw AtomicFile.failure(path, "cannot cut a torn last line off the journal") }
    }

    /// Hands the buffer to the writer queue; a failure surfaces at the next `sync()`.
    private func flush() throws(LedgerError) {
        if let writeFailure { throw writeFailure }
        guard !buffer.isEmpty else { return }
        let bytes = buffer
        buffer = []
        buffer.reserveCapacity(Journal.flushAt + (1 << 20))
        let fd = self.fd
        inFlight.wait()
        writer.async { [self] in
            defer { inFlight.signal() }
            guard writeFailure == nil else { return }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    writeFailure = AtomicFile.failure(path, "cannot append to the journal")
                    return
                }
                offset += n
            }
        }
    }

    // MARK: Reading

    /// Calls `body` with each complete line from a byte offset on, and the offset where it starts.
    /// A torn last line (a crash mid-append) is ignored: it was never acknowledged.
    public func forEachLine(from offset: Int64, _ body: (Int64, ArraySlice<UInt8>) throws -> Void) throws {
        guard let bytes = try AtomicFile.read(path), offset < Int64(bytes.count) else { return }
        var start = Int(max(0, offset))
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: 0x0A) else { break }
            if end > start { try body(Int64(start), bytes[start..<end]) }
            start = end + 1
        }
    }

    // MARK: Encoding

    static func json<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array("null".utf8)
    }

    /// Bytes of UTF-8 text as they go inside a JSON string: runs that need no escape are copied whole.
    static func appendEscaped(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { text in
            var runStart = 0
            for (offset, b) in text.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<offset]))
                appendEscaped(b, to: &out)
                runStart = offset + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
        }
    }

    /// One byte of UTF-8 as it goes inside a JSON string.
    private static func appendEscaped(_ b: UInt8, to out: inout [UInt8]) {
        switch b {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, 0x6E]
        case 0x0D: out += [0x5C, 0x72]
        case 0x09: out += [0x5C, 0x74]
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
        default: out.append(b)
        }
    }

    static func jsonString(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for b in s.utf8 { appendEscaped(b, to: &out) }
        out.append(0x22)
        return out
    }
}
