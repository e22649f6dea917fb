import Foundation
import LedgerCore

/// A compact cache of everything known (merged records, seen event ids, decisions) and how much of the
/// journal it covers, so a run need not re-read the whole journal. It is derived data: when it is missing
/// or unreadable, the journal is replayed; when both are gone, the payments table seeds it.
///
/// Format: tab-separated lines, escaped (`\\`, `\t`, `\n`, `\r`):
///
///     ledgersync-state	1	<journal bytes covered>
///     E	evt_…
///     R	<kind>	<id>	<door>	<string fields…>	<integer fields…>	<boolean fields…>
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
    static let version = "1"

    nonisolated(unsafe) static let strings: [WritableKeyPath<Record, String?>] = [
        \.eventID, \.status, \.currency, \.settlementCurrency, \.customer, \.charge, \.paymentIntent, \.invoice,
        \.balanceTransaction, \.source, \.payout, \.email, \.reference, \.number, \.type, \.reason,
    ]
    nonisolated(unsafe) static let integers: [WritableKeyPath<Record, Int64?>] = [
        \.created, \.observedAt, \.amount, \.amountCaptured, \.amountRefunded, \.amountPaid, \.amountDue, \.total,
        \.fee, \.net, \.dueBy,
    ]
    nonisolated(unsafe) static let booleans: [WritableKeyPath<Record, Bool?>] = [\.livemode, \.captured, \.paidOutOfBand]

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.count * 200 + records.seenEvents.count * 32)
        out += Array("\(Self.magic)\t\(Self.version)\t\(journalOffset)\n".utf8)
        for id in records.seenEvents.sorted() {
            out += [UInt8(ascii: "E"), 0x09]
            Self.escape(id, into: &out)
            out.append(0x0A)
        }
        for id in records.records.keys.sorted() {
            guard let r = records.records[id] else { continue }
            out += [UInt8(ascii: "R"), 0x09]
            out += Array(r.kind.rawValue.utf8)
            out.append(0x09)
            Self.escape(r.id, into: &out)
            out.append(0x09)
            out += Array(r.door.rawValue.utf8)
            for key in Self.strings {
                out.append(0x09)
                if let v = r[keyPath: key] { Self.escape(v, into: &out) }
            }
            for key in Self.integers {
                out.append(0x09)
                if let v = r[keyPath: key] { out += Array(String(v).utf8) }
            }
            for key in Self.booleans {
                out.append(0x09)
                if let v = r[keyPath: key] { out.append(v ? UInt8(ascii: "1") : UInt8(ascii: "0")) }
            }
            out.append(0x0A)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for decision in decisions {
            guard let json = try? encoder.encode(decision) else { continue }
            out += [UInt8(ascii: "D"), 0x09]
            Self.escape(String(decoding: json, as: UTF8.self), into: &out)
            out.append(0x0A)
        }
        return out
    }

    /// Decodes a state file; nil when it is not one (then the caller replays the journal).
    public static func decode(_ bytes: [UInt8]) -> StateCache? {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)[...]
        guard let first = lines.popFirst() else { return nil }
        let head = first.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard head.count == 3, head[0] == magic, head[1] == version, let offset = Int64(head[2]) else { return nil }
        var records: [String: Record] = [:]
        var seen = Set<String>()
        var decisions: [Decision] = []
        let decoder = JSONDecoder()
        let fieldCount = 4 + strings.count + integers.count + booleans.count
        for line in lines {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            switch fields.first.map(Array.init) {
            case [UInt8(ascii: "E")]? where fields.count == 2:
                seen.insert(unescape(fields[1]))
            case [UInt8(ascii: "R")]? where fields.count == fieldCount:
                guard let kind = Record.Kind(rawValue: String(decoding: fields[1], as: UTF8.self)),
                      let door = Record.Door(rawValue: String(decoding: fields[3], as: UTF8.self)) else { return nil }
                var r = Record(kind: kind, id: unescape(fields[2]), door: door)
                var i = 4
                for key in strings {
                    if !fields[i].isEmpty { r[keyPath: key] = unescape(fields[i]) }
                    i += 1
                }
                for key in integers {
                    if !fields[i].isEmpty {
                        guard let v = Int64(String(decoding: fields[i], as: UTF8.self)) else { return nil }
                        r[keyPath: key] = v
                    }
                    i += 1
                }
                for key in booleans {
                    if !fields[i].isEmpty { r[keyPath: key] = fields[i].first == UInt8(ascii: "1") }
                    i += 1
                }
                records[r.id] = r
            case [UInt8(ascii: "D")]? where fields.count == 2:
                guard let d = try? decoder.decode(Decision.self, from: Data(unescape(fields[1]).utf8)) else { return nil }
                decisions.append(d)
            default:
                return nil
            }
        }
        return StateCache(records: RecordSet(restoring: records, seenEvents: seen), decisions: decisions, journalOffset: offset)
    }

    static func escape(_ s: String, into out: inout [UInt8]) {
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
