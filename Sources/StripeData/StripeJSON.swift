import LedgerCore

/// The JSON door: Stripe event files and bare API objects → `Record`s.
///
/// ```swift
/// let bytes = Array(try Data(contentsOf: url))
/// let input = StripeJSON.decode(bytes, file: url.lastPathComponent, door: .file, settings: settings)
/// ```
public enum StripeJSON {
    /// Detects the shape — one event object; a JSON array of events or objects; a list object
    /// `{"object":"list","data":[…]}`; JSON Lines; a bare API object (charge, payment intent,
    /// checkout session, invoice, invoice payment, credit note, refund, dispute, payout, balance
    /// transaction, customer) — and decodes it.
    ///
    /// JSON Lines inputs larger than 1 MB are split at a newline and decoded on two threads.
    /// - Parameters:
    ///   - bytes: the file's bytes (a UTF-8 byte order mark is skipped).
    ///   - file: the name used in problems.
    ///   - door: set on every record.
    ///   - settings: `referenceKeys` choose the metadata key that holds an invoice reference.
    /// - Returns: items in input order; problems for what could not be used. Never throws: a
    ///   broken line or object is a problem, and the rest still applies.
    ///   - skipping: event ids already applied; in JSON Lines and single-event files such an event is
    ///     returned with no records and only its id read (a re-import of known events costs a fraction
    ///     of a full decode). Events inside an array or list are decoded in full.
    public static func decode(_ bytes: [UInt8], file: String, door: Record.Door,
                              settings: ReconcileSettings, skipping: Set<String> = []) -> StripeInput {
        let known = skipping.isEmpty ? nil : KnownEvents(skipping)
        let shape = Shape.detect(bytes)
        switch shape {
        case .empty:
            return StripeInput(problems: [InputProblem(file: file, line: 1, offset: 0, kind: .emptyFile,
                                                       message: Messages.emptyFile)])
        case .notJSON(let offset):
            return StripeInput(problems: [InputProblem(file: file, line: 1, offset: offset, kind: .notJSON,
                                                       message: Messages.notJSON)])
        case .document(let start):
            let chunk = JSONChunk.decode(bytes, range: start..<bytes.count, lines: false,
                                         file: file, door: door, referenceKeys: settings.referenceKeys, known: known)
            return StripeInput(events: chunk.events, problems: chunk.problems, ignoredTypes: chunk.ignoredTypes)
        case .lines(let start):
            return decodeLines(bytes, start: start, file: file, door: door, settings: settings, known: known)
        }
    }

    /// Smallest JSON Lines input worth a second thread.
    static let parallelThreshold = 1 << 20

    private static func decodeLines(_ bytes: [UInt8], start: Int, file: String, door: Record.Door,
                                    settings: ReconcileSettings, known: KnownEvents?) -> StripeInput {
        let chunks = concurrentMap(split(bytes, from: start)) { range in
            JSONChunk.decode(bytes, range: range, lines: true, file: file, door: door,
                             referenceKeys: settings.referenceKeys, known: known)
        }
        var result = StripeInput()
        var lineOffset = 0
        for var chunk in chunks {
            if lineOffset > 0 { chunk.shiftLines(by: lineOffset) }
            result.events.append(contentsOf: chunk.events)
            result.problems.append(contentsOf: chunk.problems)
            result.ignoredTypes.merge(chunk.ignoredTypes, uniquingKeysWith: +)
            lineOffset += chunk.newlines
        }
        return result
    }
}

/// The input in one range, or in two split after a newline when it is large enough.
private func split(_ bytes: [UInt8], from start: Int) -> [Range<Int>] {
    guard bytes.count - start >= StripeJSON.parallelThreshold else { return [start..<bytes.count] }
    var mid = start + (bytes.count - start) / 2
    while mid < bytes.count && bytes[mid] != UInt8(ascii: "\n") { mid += 1 }
    guard mid < bytes.count - 1 else { return [start..<bytes.count] }
    return [start..<(mid + 1), (mid + 1)..<bytes.count]
}

/// How an input is laid out, from its first bytes.
enum Shape: Equatable {
    case empty
    case notJSON(offset: Int)
    /// One JSON value (object or array) starting at `start`.
    case document(start: Int)
    /// JSON Lines starting at `start`.
    case lines(start: Int)

    static func detect(_ bytes: [UInt8]) -> Shape {
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        var i = start
        while i < bytes.count && isSpace(bytes[i]) { i += 1 }
        guard i < bytes.count else { return .empty }
        switch bytes[i] {
        case UInt8(ascii: "["):
            return .document(start: start)
        case UInt8(ascii: "{"):
            // JSON Lines when the first line holds a whole value, or (a broken first line) when the
            // next non-blank line starts another object. A pretty-printed object has neither.
            let firstLineEnd = bytes[i...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if closesOnItsLine(bytes, from: i, to: firstLineEnd) { return .lines(start: start) }
            var j = firstLineEnd
            while j < bytes.count && isSpace(bytes[j]) { j += 1 }
            if j < bytes.count && bytes[j] == UInt8(ascii: "{") { return .lines(start: start) }
            return .document(start: start)
        default:
            return .notJSON(offset: i)
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
    }

    /// Whether the value opening at `from` closes before `to` (strings and escapes respected).
    private static func closesOnItsLine(_ bytes: [UInt8], from: Int, to: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        var k = from
        while k < to {
            let c = bytes[k]
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return true }
            }
            k += 1
        }
        return false
    }
}
