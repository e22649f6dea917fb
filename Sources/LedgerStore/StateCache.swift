import Foundation
import LedgerCore

/// A compact cache of the merged records and decisions, and how much of the journal it covers, so
/// a run need not re-read the whole journal. It is derived data: when it is missing or unreadable,
/// the journal is replayed; when both are gone, the payments table seeds it.
///
/// Format: tab-separated lines, escaped (`\\`, `\t`, `\n`, `\r`), fields in `Record`'s order:
///
///     ledgersync-state	2	<journal bytes covered>
///     R	<kind>	<id>	<door>	<16 text fields>	<11 integer fields>	<3 boolean fields>
///     D	<decision as JSON>
public struct StateCache: Sendable {
    public var records: RecordSet
    public var decisions: [Decision]
    /// Bytes of the journal this state includes.
    public var journalOffset: Int64

    public init(records: RecordSet = RecordSet(), decisions: [Decision] = [], journalOffset: Int64 = 0) {
        self.records = records
        self.decisions = decisions
        self.journalOffset = journalOffset
    }

    static let magic = "ledgersync-state"
    static let version = "2"
    static let fieldCount = 4 + 16 + 11 + 3

    public func encoded() -> [UInt8] {
        var all: [UInt8] = []
        encode { all += $0 }
        return all
    }

    /// Writes the encoded state to a file piece by piece, so the whole of it is never in memory.
    public func write(toFile path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var failure: Error?
        encode { piece in
            guard failure == nil else { return }
            do { try handle.write(contentsOf: piece) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Encodes in pieces of about 1 MiB, in file order.
    func encode(_ emit: ([UInt8]) -> Void) {
        var line = LineWriter()
        line.out.reserveCapacity(1 << 20 + 4096)
        line.out += Array("\(Self.magic)\t\(Self.version)\t\(journalOffset)\n".utf8)
        let all = records.all
        for position in IDKey.sortedPositions(all.map(\.id)) {
            // Fields read in place: copying a record costs a retain and a release per string.
            let r = all.address(position)
            line.raw("R")
            line.raw(r.pointee.kind.rawValue)
            line.text(r.pointee.id)
            line.raw(r.pointee.door.rawValue)
            line.text(r.pointee.eventID); line.text(r.pointee.status); line.text(r.pointee.currency)
            line.text(r.pointee.settlementCurrency); line.text(r.pointee.customer); line.text(r.pointee.charge)
            line.text(r.pointee.paymentIntent); line.text(r.pointee.invoice); line.text(r.pointee.balanceTransaction)
            line.text(r.pointee.source); line.text(r.pointee.payout); line.text(r.pointee.email)
            line.text(r.pointee.reference); line.text(r.pointee.number); line.text(r.pointee.type); line.text(r.pointee.reason)
            line.integer(r.pointee.created); line.integer(r.pointee.observedAt); line.integer(r.pointee.amount)
            line.integer(r.pointee.amountCaptured); line.integer(r.pointee.amountRefunded); line.integer(r.pointee.amountPaid)
            line.integer(r.pointee.amountDue); line.integer(r.pointee.total); line.integer(r.pointee.fee)
            line.integer(r.pointee.net); line.integer(r.pointee.dueBy)
            line.boolean(r.pointee.livemode); line.boolean(r.pointee.captured); line.boolean(r.pointee.paidOutOfBand)
            line.endLine()
            if line.out.count >= 1 << 20 {
                emit(line.out)
                line.out.removeAll(keepingCapacity: true)
            }
        }
        for decision in decisions {
            line.raw("D")
            line.text(String(decoding: Journal.json(decision), as: UTF8.self))
            line.endLine()
        }
        emit(line.out)
    }

    /// Decodes a state file; nil when it is not one (then the caller replays the journal).
    /// - Parameter kinds: when given, only records of these kinds are kept (the others are not decoded).
    public static func decode(_ bytes: [UInt8], kinds: Set<Record.Kind>? = nil) -> StateCache? {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)[...]
        guard let first = lines.popFirst() else { return nil }
        let head = first.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard head.count == 3, head[0] == magic, head[1] == version, let offset = Int64(head[2]) else { return nil }
        var records = RecordPages()
        var decisions: [Decision] = []
        let decoder = JSONDecoder()
        for line in lines {
            let f = line.split(separator: 0x09, omittingEmptySubsequences: false)
            guard let tag = f.first, tag.count == 1 else { return nil }
            if tag.first == UInt8(ascii: "D"), f.count == 2 {
                guard let d = try? decoder.decode(Decision.self, from: Data(unescape(f[1]).utf8)) else { return nil }
                decisions.append(d)
                continue
            }
            guard tag.first == UInt8(ascii: "R"), f.count == fieldCount,
                  let kind = Record.Kind(rawValue: String(decoding: f[1], as: UTF8.self)),
                  let door = Record.Door(rawValue: String(decoding: f[3], as: UTF8.self)) else { return nil }
            if let kinds, !kinds.contains(kind) { continue }
            var r = Record(kind: kind, id: unescape(f[2]), door: door)
            func text(_ i: Int) -> String? { f[i].isEmpty ? nil : unescape(f[i]) }
            r.eventID = text(4); r.status = text(5); r.currency = text(6); r.settlementCurrency = text(7)
            r.customer = text(8); r.charge = text(9); r.paymentIntent = text(10); r.invoice = text(11)
            r.balanceTransaction = text(12); r.source = text(13); r.payout = text(14); r.email = text(15)
            r.reference = text(16); r.number = text(17); r.type = text(18); r.reason = text(19)
            var bad = false
            func integer(_ i: Int) -> Int64? {
                guard !f[i].isEmpty else { return nil }
                guard let v = parseInt(f[i]) else { bad = true; return nil }
                return v
            }
            r.created = integer(20); r.observedAt = integer(21); r.amount = integer(22); r.amountCaptured = integer(23)
            r.amountRefunded = integer(24); r.amountPaid = integer(25); r.amountDue = integer(26); r.total = integer(27)
            r.fee = integer(28); r.net = integer(29); r.dueBy = integer(30)
            func boolean(_ i: Int) -> Bool? { f[i].isEmpty ? nil : f[i].first == UInt8(ascii: "1") }
            r.livemode = boolean(31); r.captured = boolean(32); r.paidOutOfBand = boolean(33)
            if bad { return nil }
            records.append(r)
        }
        return StateCache(records: RecordSet(restoring: records), decisions: decisions, journalOffset: offset)
    }

    private static func parseInt(_ digits: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var negative = false
        var any = false
        for (n, b) in digits.enumerated() {
            if n == 0 && b == UInt8(ascii: "-") { negative = true; continue }
            guard b >= 0x30, b <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b - 0x30))
            guard !o1, !o2 else { return nil }
            value = s
            any = true
        }
        return any ? (negative ? -value : value) : nil
    }

    static func unescape(_ field: ArraySlice<UInt8>) -> String {
        guard field.contains(0x5C) else { return String(decoding: field, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        var escaped = false
        for b in field {
            if escaped {
                switch b {
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                default: out.append(b)
                }
                escaped = false
            } else if b == 0x5C {
                escaped = true
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Builds tab-separated, escaped lines of a side file.
struct LineWriter {
    var out: [UInt8] = []
    private var first = true

    private mutating func separate() {
        if !first { out.append(0x09) }
        first = false
    }

    mutating func raw(_ s: String) {
        separate()
        out += s.utf8
    }

    mutating func text(_ s: String?) {
        separate()
        guard let s else { return }
        guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            out.append(contentsOf: s.utf8)
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            default: out.append(b)
            }
        }
    }

    mutating func integer(_ v: Int64?) {
        separate()
        guard let v else { return }
        // Digits written in place (`String(v)` made a string per number).
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // room for 20 digits, written backwards
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }

    mutating func boolean(_ v: Bool?) {
        separate()
        if let v { out.append(v ? UInt8(ascii: "1") : UInt8(ascii: "0")) }
    }

    mutating func endLine() {
        out.append(0x0A)
        first = true
    }
}

/// The event ids already applied, and what the ledger looked like after the last write — small and
/// read on every run, so an import of events seen before touches nothing else (`seen.txt`):
///
///     ledgersync-seen	1	<journal bytes covered>	<ledger stamp>	<payments stamp>	<settings digest>
///     evt_…
public struct SeenIndex: Sendable, Equatable {
    public var events: Set<String> = []
    public var journalOffset: Int64 = 0
    /// `size:mtime:inode` of the ledger and payments files right after LedgerSync last wrote them.
    public var ledgerStamp = ""
    public var paymentsStamp = ""
    public var settingsDigest = ""

    public init() {}

    static let magic = "ledgersync-seen"

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 32 + 128)
        out += "\(Self.magic)\t1\t\(journalOffset)\t\(ledgerStamp)\t\(paymentsStamp)\t\(settingsDigest)\n".utf8
        for id in events {
            out += id.utf8
            out.append(0x0A)
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> SeenIndex? {
        guard let headEnd = bytes.firstIndex(of: 0x0A) else { return nil }
        let head = bytes[..<headEnd].split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard head.count == 6, head[0] == magic, head[1] == "1", let offset = Int64(head[2]) else { return nil }
        var index = SeenIndex()
        index.journalOffset = offset
        index.ledgerStamp = head[3]
        index.paymentsStamp = head[4]
        index.settingsDigest = head[5]
        let ids = bytes[(headEnd + 1)...].split(separator: 0x0A, omittingEmptySubsequences: true)
        index.events.reserveCapacity(ids.count)
        for id in ids { index.events.insert(String(decoding: id, as: UTF8.self)) }
        return index
    }
}

extension FileStamp {
    /// `size:mtime:inode`, or empty when the file does not exist.
    static func text(_ path: String) -> String {
        guard let s = FileStamp.of(path) else { return "" }
        return "\(s.size):\(s.modified):\(s.inode)"
    }
}
