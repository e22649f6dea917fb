import LedgerCore

/// What one Stripe JSON input file yields: its events and objects as records, what could not be
/// read, and which event types were skipped as irrelevant.
public struct StripeInput: Sendable {
    /// Decoded events and bare objects that yield records, in input order. Items that failed
    /// (see `problems`) and ignored types (see `ignoredTypes`) are not in this list.
    public var events: [ParsedItem]
    /// Malformed records: each names the file, line and byte offset; every other item still applies.
    public var problems: [InputProblem]
    /// Event types (or, for bare objects, object types) that carry nothing LedgerSync reads → count.
    /// Never fatal.
    public var ignoredTypes: [String: Int]

    public init(events: [ParsedItem] = [], problems: [InputProblem] = [], ignoredTypes: [String: Int] = [:]) {
        self.events = events
        self.problems = problems
        self.ignoredTypes = ignoredTypes
    }
}

/// One Stripe event, or one bare API object, with the records it yields.
public struct ParsedItem: Sendable, Hashable {
    /// `evt_…`; nil for a bare API object.
    public var eventID: String?
    /// `charge.succeeded`…; nil for a bare API object.
    public var eventType: String?
    /// The event's `created`, else the object's `created` (0 when neither says).
    public var created: Int64
    /// The event's `livemode`, else the object's.
    public var livemode: Bool?
    /// The event's `api_version` (nil for bare objects and when Stripe sent null).
    public var apiVersion: String?
    /// The object first, then what it embeds (a charge's refunds, an invoice's invoice payments).
    public var records: [Record]
    /// Byte range of this event or object in the input bytes, to keep it verbatim in the journal.
    public var raw: Range<Int>
    /// 1-based line where it starts.
    public var line: Int

    public init(eventID: String?, eventType: String?, created: Int64, livemode: Bool?, apiVersion: String?,
                records: [Record], raw: Range<Int>, line: Int) {
        self.eventID = eventID
        self.eventType = eventType
        self.created = created
        self.livemode = livemode
        self.apiVersion = apiVersion
        self.records = records
        self.raw = raw
        self.line = line
    }
}

extension StripeInput {
    /// Moves every line number by `lines`, for an input decoded in pieces (a large file read in chunks).
    public mutating func shiftLines(by lines: Int) {
        guard lines != 0 else { return }
        for i in events.indices { events[i].line += lines }
        for i in problems.indices { problems[i].line += lines }
    }
}

extension StripeJSON {
    /// Whether bytes starting a file are JSON Lines (one JSON value per line), which can be decoded
    /// in pieces cut after any line break.
    public static func isJSONLines(_ prefix: [UInt8]) -> Bool {
        if case .lines = Shape.detect(prefix) { return true }
        return false
    }
}
