import Foundation

/// How far a pull got, kept beside the ledger (`NAME.ledgersync/pull-cursor.json`) so an interrupted
/// pull continues where it stopped. A cursor belongs to one query (window, server, version): another
/// query starts afresh.
public struct PullCursor: Codable, Sendable, Equatable {
    public struct Query: Codable, Sendable, Equatable {
        public var since: Int64?
        public var until: Int64?
        public var apiBase: String
        public var version: String

        public init(since: Int64?, until: Int64?, apiBase: String, version: String) {
            self.since = since
            self.until = until
            self.apiBase = apiBase
            self.version = version
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        /// The last id of the last page applied: the next page starts after it.
        public var startingAfter: String?
        public var done: Bool
        public var pages: Int
        public var objects: Int

        public init(startingAfter: String? = nil, done: Bool = false, pages: Int = 0, objects: Int = 0) {
            self.startingAfter = startingAfter
            self.done = done
            self.pages = pages
            self.objects = objects
        }
    }

    public var query: Query
    /// Endpoint name → progress.
    public var endpoints: [String: Progress]

    public init(query: Query, endpoints: [String: Progress] = [:]) {
        self.query = query
        self.endpoints = endpoints
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return ((try? encoder.encode(self)).map { [UInt8]($0) } ?? []) + [0x0A]
    }

    /// The saved cursor when it belongs to `query`, else a fresh one.
    public static func resume(_ bytes: [UInt8]?, query: Query) -> PullCursor {
        guard let bytes, let saved = try? JSONDecoder().decode(PullCursor.self, from: Data(bytes)), saved.query == query else {
            return PullCursor(query: query)
        }
        return saved
    }
}
