/// Reads every page of every endpoint, newest first, `limit=100` and `starting_after`, within a
/// `created` window, handing each page's bytes to `apply` and keeping `cursor` up to date.
///
/// The cursor moves only past pages `apply` has taken; `checkpoint` is called every
/// `checkpointPages` pages, when an endpoint is done, and at the end, so the caller can make the
/// pages durable and save the cursor (in that order). After a failure the cursor still describes
/// exactly the pages applied: checkpoint it, and the next run continues from there.
///
/// ```swift
/// var cursor = PullCursor.resume(saved, query: query)
/// try await Puller(client: client, endpoints: Endpoint.standard(version: client.version))
///     .run(cursor: &cursor, apply: { endpoint, bytes in … }, checkpoint: { cursor in … })
/// ```
public struct Puller: Sendable {
    public let client: StripeClient
    public let endpoints: [Endpoint]
    public var pageSize: Int
    public var checkpointPages: Int

    public init(client: StripeClient, endpoints: [Endpoint], pageSize: Int = 100, checkpointPages: Int = 20) {
        self.client = client
        self.endpoints = endpoints
        self.pageSize = max(1, min(100, pageSize))
        self.checkpointPages = max(1, checkpointPages)
    }

    /// - Parameter followUp: endpoints to read once the standard ones are done, from what they gave
    ///   (the transactions of each payout); called once.
    public func run(cursor: inout PullCursor,
                    apply: (Endpoint, [UInt8]) throws -> Void,
                    checkpoint: (PullCursor) throws -> Void,
                    followUp: () throws -> [Endpoint] = { [] },
                    progress: @Sendable (String) -> Void = { _ in }) async throws {
        var sinceCheckpoint = 0
        func read(_ endpoint: Endpoint) async throws {
            var state = cursor.endpoints[endpoint.name] ?? PullCursor.Progress()
            while !state.done {
                var query: [(String, String)] = [("limit", String(pageSize))]
                if endpoint.windowed, let since = cursor.query.since { query.append(("created[gte]", String(since))) }
                if endpoint.windowed, let until = cursor.query.until { query.append(("created[lt]", String(until))) }
                if let after = state.startingAfter { query.append(("starting_after", after)) }
                for extra in endpoint.query {
                    let parts = extra.split(separator: "=", maxSplits: 1).map(String.init)
                    query.append((parts[0], parts.count > 1 ? parts[1] : ""))
                }
                progress("pulling \(endpoint.name): page \(state.pages + 1) (\(state.objects) so far)")
                var bytes: [UInt8]?   // nil: the listing does not apply to this object, nothing in it
                do {
                    bytes = try await client.get(endpoint.path, query: query, onRetry: progress)
                } catch {
                    guard endpoint.optional, error.kind == .rejected, error.status == 400 else { throw error }
                }
                var page = ListPage(hasMore: false, count: 0, lastID: nil)
                if let bytes { page = try ListPage.parse(bytes, endpoint: endpoint.path) }
                if page.hasMore, let last = page.lastID, last == state.startingAfter {
                    // The same page again: following it would never end.
                    throw StripeAPIError(.gaveUp, context: endpoint.path,
                                         "the server said more follow after \(last) but answered the same page again, so paging cannot go on; what was fetched so far is kept — check --api-base")
                }
                if let bytes, page.count > 0 { try apply(endpoint, bytes) }
                state.pages += 1
                state.objects += page.count
                if page.hasMore, let last = page.lastID {
                    state.startingAfter = last
                } else {
                    state.done = true
                }
                cursor.endpoints[endpoint.name] = state
                sinceCheckpoint += 1
                if state.done || sinceCheckpoint >= checkpointPages {
                    try checkpoint(cursor)
                    sinceCheckpoint = 0
                }
            }
            cursor.endpoints[endpoint.name] = state
        }
        for endpoint in endpoints { try await read(endpoint) }
        for endpoint in try followUp() { try await read(endpoint) }
    }
}
