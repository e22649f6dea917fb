import Foundation
import LedgerCore
#if canImport(Glibc)
import Glibc
#endif

/// The append-only journal of accepted records beside the ledger (DESIGN.md §1, §7), JSON Lines:
///
///     {"at":1760000000,"door":"file","from":"events.jsonl:12","item":{…the Stripe event, verbatim…}}
///     {"at":1760000000,"door":"csv_export","from":"payments.csv:3","record":{…a normalised record…}}
///     {"at":1760000000,"decision":{…}}
///
/// `item` keeps the raw event bytes (line breaks, which JSON allows only as white space, become spaces),
/// so `explain` can show the chain behind a row and a run can be replayed from it.
public final class Journal {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// One line to append.
    public struct Entry {
        public var bytes: [UInt8]

        /// A Stripe event or API object, kept verbatim.
        public static func item(_ raw: ArraySlice<UInt8>, door: Record.Door, from: String, at: Int64) -> Entry {
            var line = Array("{\"at\":\(at),\"door\":\"\(door.rawValue)\",\"from\":".utf8)
            line += jsonString(from)
            line += Array(",\"item\":".utf8)
            line.reserveCapacity(line.count + raw.count + 2)
            for b in raw { line.append(b == 0x0A || b == 0x0D ? 0x20 : b) }
            line += Array("}\n".utf8)
            return Entry(bytes: line)
        }

        /// A normalised record (a Dashboard export row has no Stripe JSON to keep).
        public static func record(_ record: Record, from: String, at: Int64) -> Entry {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(record)).map { [UInt8]($0) } ?? Array("null".utf8)
            var line = Array("{\"at\":\(at),\"door\":\"\(record.door.rawValue)\",\"from\":".utf8)
            line += jsonString(from) + Array(",\"record\":".utf8) + body + Array("}\n".utf8)
            return Entry(bytes: line)
        }

        public static func decision(_ decision: Decision) -> Entry {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(decision)).map { [UInt8]($0) } ?? Array("null".utf8)
            return Entry(bytes: Array("{\"at\":\(decision.decidedAt),\"decision\":".utf8) + body + Array("}\n".utf8))
        }
    }

    /// Current size in bytes (0 when there is no journal).
    public var size: Int64 { FileStamp.of(path)?.size ?? 0 }

    /// Appends entries and fsyncs before returning: what is acknowledged is on disk.
    /// - Returns: the journal size after the append.
    @discardableResult
    public func append(_ entries: [Entry]) throws(LedgerError) -> Int64 {
        guard !entries.isEmpty else { return size }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.failure(path, "cannot open the journal") }
        defer { close(fd) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(min(entries.reduce(0) { $0 + $1.bytes.count }, 64 << 20))
        func flush() throws(LedgerError) {
            var offset = 0
            while offset < buffer.count {
                let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, buffer.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.failure(path, "cannot append to the journal")
                }
                offset += n
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for entry in entries {
            buffer += entry.bytes
            if buffer.count >= 32 << 20 { try flush() }
        }
        try flush()
        guard fsync(fd) == 0 else { throw AtomicFile.failure(path, "cannot flush the journal to disk") }
        return size
    }

    /// The journal's lines from a byte offset on, each with the offset where it starts.
    /// A torn last line (a crash mid-append) is ignored: it was never acknowledged.
    public func lines(from offset: Int64) throws(LedgerError) -> [(offset: Int64, line: ArraySlice<UInt8>)] {
        guard let bytes = try AtomicFile.read(path), offset < Int64(bytes.count) else { return [] }
        var result: [(Int64, ArraySlice<UInt8>)] = []
        var start = Int(max(0, offset))
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: 0x0A) else { break }
            if end > start { result.append((Int64(start), bytes[start..<end])) }
            start = end + 1
        }
        return result
    }

    static func jsonString(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(0x22)
        return out
    }
}
