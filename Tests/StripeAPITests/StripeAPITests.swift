import Foundation
import LedgerCore
@testable import StripeAPI
import Testing

@Suite struct APIKeyTests {
    @Test(arguments: [("sk_test_abcdefghijkl", StripeMode.test), ("rk_test_abcdefghijkl", .test),
                      ("sk_live_abcdefghijkl", .live), ("rk_live_abcdefghijkl", .live)])
    func prefixGivesTheMode(key: String, mode: StripeMode) throws {
        #expect(try APIKey(key, source: "test").mode == mode)
    }

    @Test func otherKeysAreRejectedAndNeverShown() throws {
        for bad in ["pk_test_abcdefghijkl", "whsec_abcdefghijkl", "sk_test_", "sk_test_abc def ghijkl", ""] {
            #expect(throws: StripeAPIError.self) { try APIKey(bad, source: "STRIPE_API_KEY") }
        }
        do {
            _ = try APIKey("pk_live_secretsecret", source: "STRIPE_API_KEY")
        } catch {
            #expect(error.kind == .malformedKey)
            #expect(error.description == "STRIPE_API_KEY: is not a Stripe secret or restricted key (a publishable key cannot read data); give one that starts with sk_test_, sk_live_, rk_test_ or rk_live_")
        }
        let key = try APIKey("sk_test_supersecretvalue", source: "x")
        #expect(key.description == "sk_test_…")
        #expect(!"\(key)".contains("supersecret"))
    }

    @Test func keysInAnyTextAreCutToTheirPrefix() {
        #expect(APIKey.redacting("Invalid API Key provided: sk_test_SUPERSECRETKEY987654321.") == "Invalid API Key provided: sk_test_….")
        #expect(APIKey.redacting("Unexpected argument 'rk_live_abcdefghijklmnop'") == "Unexpected argument 'rk_live_…'")
        #expect(APIKey.redacting("whsec_abcdefghijklmnopqrstuvwxyz and sk_test_… stay") == "whsec_… and sk_test_… stay")
        #expect(APIKey.redacting("no key here: ch_123, sk_ alone") == "no key here: ch_123, sk_ alone")
    }

    @Test func aFileWinsOverTheEnvironment() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try Data("  sk_live_fromthefile123\nsecond line\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let key = try APIKey.load(environment: ["STRIPE_API_KEY": "sk_test_fromtheenv1234"], file: file.path)
        #expect(key.mode == .live && key.secret == "sk_live_fromthefile123")
        #expect(try APIKey.load(environment: ["STRIPE_API_KEY": "sk_test_fromtheenv1234"], file: nil).mode == .test)
        #expect(throws: StripeAPIError.self) { try APIKey.load(environment: [:], file: nil) }
        #expect(throws: StripeAPIError.self) { try APIKey.load(environment: [:], file: "/nonexistent/key") }
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesUpToTheCapWithFullJitter() {
        let policy = RetryPolicy(maxAttempts: 8, baseDelay: 0.5, maxDelay: 30)
        // The random source returns the top of its range: the ceiling of each wait.
        let top: (ClosedRange<Double>) -> Double = { $0.upperBound }
        #expect((1...8).map { policy.delay(afterAttempt: $0, retryAfter: nil, random: top) } == [0.5, 1, 2, 4, 8, 16, 30, 30])
        let bottom: (ClosedRange<Double>) -> Double = { $0.lowerBound }
        #expect(policy.delay(afterAttempt: 5, retryAfter: nil, random: bottom) == 0)
        for attempt in 1...10 {
            let d = policy.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(d >= 0 && d <= 30)
        }
    }

    @Test func retryAfterIsNeverCutShort() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 10)
        let bottom: (ClosedRange<Double>) -> Double = { $0.lowerBound }
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3, random: bottom) == 3)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3, random: { $0.upperBound }) == 3.25)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 120, random: bottom) == 120)
    }

    @Test func retryAfterIsSecondsOrAnHTTPDate() throws {
        #expect(RetryPolicy.retryAfterSeconds(" 30 ") == 30)
        let now = Date(timeIntervalSince1970: 1_792_567_680)   // Wed, 21 Oct 2026 07:28:00 GMT
        #expect(RetryPolicy.retryAfterSeconds("Wed, 21 Oct 2026 07:28:45 GMT", now: now) == 45)
        #expect(RetryPolicy.retryAfterSeconds("Wed, 21 Oct 2026 07:27:00 GMT", now: now) == 0)
        #expect(RetryPolicy.retryAfterSeconds("soon") == nil)
        #expect(RetryPolicy.retryAfterSeconds("99999999999999999999999") == 99999999999999999999999, "huge, but a number: the client stops on it")
    }

    @Test func whichStatusesAreRetried() {
        #expect([429, 500, 502, 503, 504].allSatisfy(RetryPolicy.isRetryable))
        #expect(![200, 400, 401, 403, 404, 409].contains(where: RetryPolicy.isRetryable))
    }
}

@Suite struct WireTests {
    @Test func queryKeepsBracketsAndEncodesValues() {
        #expect(StripeClient.queryString([("limit", "100"), ("created[gte]", "1700000000"), ("starting_after", "ch_1 &x")])
                == "?limit=100&created[gte]=1700000000&starting_after=ch_1%20%26x")
        #expect(StripeClient.queryString([]) == "")
    }

    @Test func listPages() throws {
        let page = try ListPage.parse(Array(#"{"object":"list","url":"/v1/charges","has_more":true,"data":[{"id":"ch_2"},{"id":"ch_1"}]}"#.utf8), endpoint: "/v1/charges")
        #expect(page == ListPage(hasMore: true, count: 2, lastID: "ch_1"))
        let empty = try ListPage.parse(Array(#"{"object":"list","has_more":false,"data":[]}"#.utf8), endpoint: "/v1/charges")
        #expect(empty == ListPage(hasMore: false, count: 0, lastID: nil))
        #expect(throws: StripeAPIError.self) { try ListPage.parse(Array(#"{"object":"charge","id":"ch_1"}"#.utf8), endpoint: "/v1/charges") }
        #expect(throws: StripeAPIError.self) { try ListPage.parse(Array("<html>".utf8), endpoint: "/v1/charges") }
    }

    @Test func cursorResumesOnlyTheSameQuery() {
        let query = PullCursor.Query(since: 1_700_000_000, until: nil, apiBase: "https://api.stripe.com", version: "2025-03-31.basil")
        var cursor = PullCursor(query: query)
        cursor.endpoints["charges"] = .init(startingAfter: "ch_9", done: false, pages: 3, objects: 300)
        let saved = cursor.encoded()
        #expect(PullCursor.resume(saved, query: query) == cursor)
        var other = query
        other.since = nil
        #expect(PullCursor.resume(saved, query: other).endpoints.isEmpty)
        #expect(PullCursor.resume(Array("{broken".utf8), query: query).endpoints.isEmpty)
        #expect(PullCursor.resume(nil, query: query).endpoints.isEmpty)
    }

    @Test func invoicePaymentsOnlyFromBasil() {
        #expect(Endpoint.standard(version: "2025-03-31.basil").contains { $0.name == "invoice_payments" })
        #expect(Endpoint.standard(version: "2026-07-29.dahlia").contains { $0.name == "invoice_payments" })
        #expect(!Endpoint.standard(version: "2024-06-20").contains { $0.name == "invoice_payments" })
        #expect(Endpoint.standard(version: "2024-06-20").first?.name == "events")
    }

    @Test func baseMustBeHTTP() throws {
        let key = try APIKey("sk_test_abcdefghijkl", source: "x")
        #expect(throws: StripeAPIError.self) { try StripeClient(key: key, base: "ftp://example.com") }
        #expect(throws: StripeAPIError.self, "plain http to another machine") { try StripeClient(key: key, base: "http://example.com") }
        #expect(throws: Never.self) { try StripeClient(key: key, base: "http://localhost:8080") }
        #expect(throws: StripeAPIError.self) { try StripeClient(key: key, base: "not a url") }
        #expect(try StripeClient(key: key, base: "http://127.0.0.1:1/").base.absoluteString == "http://127.0.0.1:1")
    }
}

/// The client against the loopback stand-in serving the official fixtures, paged.
@Suite(.serialized) struct StripeClientServerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ledgersyncTests/Fixtures/stripe_api_server.py")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("samples/stripe-fixtures")
    static let key = "sk_test_clienttests0001"

    final class Server {
        let process = Process()
        let input = Pipe()
        let port: Int
        let log: URL

        init(fail: String) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("stub-\(UUID().uuidString).jsonl")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", StripeClientServerTests.script.path, "--fixtures", StripeClientServerTests.fixtures.path,
                                 "--copies", "23", "--key", StripeClientServerTests.key, "--log", log.path, "--fail", fail, "--exit-on-eof"]
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = input
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            port = Int(text.replacingOccurrences(of: "PORT ", with: "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        func lines() throws -> [[String: Any]] {
            String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        deinit {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
    }

    final class Waits: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Double] = []
        func add(_ v: Double) { lock.lock(); values.append(v); lock.unlock() }
        var all: [Double] { lock.lock(); defer { lock.unlock() }; return values }
    }

    @Test func pagesEveryObjectOnceThroughFailures() async throws {
        let server = try Server(fail: "charges:1:429,charges:3:500,charges:4:drop,payouts:1:500")
        let waits = Waits()
        let client = try StripeClient(key: try APIKey(Self.key, source: "test"), base: "http://127.0.0.1:\(server.port)",
                                      retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 2),
                                      sleep: { waits.add($0) })
        let puller = Puller(client: client, endpoints: [Endpoint(name: "charges", path: "/v1/charges"),
                                                        Endpoint(name: "payouts", path: "/v1/payouts")],
                            pageSize: 10, checkpointPages: 2)
        var cursor = PullCursor(query: .init(since: nil, until: nil, apiBase: client.base.absoluteString, version: client.version))
        var ids: [String] = []
        var checkpoints = 0
        try await puller.run(cursor: &cursor, apply: { _, bytes in
            let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            ids += (object?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }, checkpoint: { _ in checkpoints += 1 })
        #expect(ids.count == 46 && Set(ids).count == 46, "23 charges and 23 payouts, each once")
        #expect(cursor.endpoints["charges"] == .init(startingAfter: "ch_1PgafuB7WZ01zgkWXYmPNZs8_0003", done: true, pages: 3, objects: 23))
        #expect(checkpoints == 4, "every 2 pages, and when each endpoint is done")
        // The dropped connection is retried by us, or first by the HTTP stack on a reused connection.
        #expect((3...4).contains(waits.all.count), "one wait per failure we saw: \(waits.all)")
        #expect(waits.all.first.map { $0 >= 1 } == true, "the 429's Retry-After: 1 is honoured")
        let requests = try server.lines().filter { $0["served"] == nil }
        #expect(requests.count == 6 + 4, "charges: 3 pages + 3 failures; payouts: 3 pages + 1 failure")
        #expect(requests.allSatisfy { $0["authorization"] as? String == "Bearer " + Self.key && $0["stripe_version"] as? String == StripeClient.defaultVersion })
    }

    @Test func aServerRepeatingAPageIsStoppedNotFollowedForever() async throws {
        let server = try Server(fail: "charges:2+:samepage")
        let client = try StripeClient(key: try APIKey(Self.key, source: "test"), base: "http://127.0.0.1:\(server.port)", sleep: { _ in })
        let puller = Puller(client: client, endpoints: [Endpoint(name: "charges", path: "/v1/charges")], pageSize: 10)
        var cursor = PullCursor(query: .init(since: nil, until: nil, apiBase: client.base.absoluteString, version: client.version))
        var pages = 0
        do {
            try await puller.run(cursor: &cursor, apply: { _, _ in pages += 1 }, checkpoint: { _ in })
            Issue.record("a repeated page must stop the pull")
        } catch let error as StripeAPIError {
            #expect(error.kind == .gaveUp && error.description.contains("answered the same page again"), "\(error)")
        }
        #expect(pages == 1, "the repeated page is not applied again")
        #expect(cursor.endpoints["charges"]?.pages == 1)
    }

    @Test func aRetryAfterBeyondTenMinutesStopsTheRequest() async throws {
        let server = try Server(fail: "charges:1+:429forever")
        let client = try StripeClient(key: try APIKey(Self.key, source: "test"), base: "http://127.0.0.1:\(server.port)", sleep: { _ in })
        do {
            _ = try await client.get("/v1/charges", query: [])
            Issue.record("a wait for ever must stop the request")
        } catch {
            #expect(error.kind == .gaveUp && error.description.contains("Stripe asked to wait for ever"), "\(error)")
        }
    }

    @Test func givesUpAfterMaxAttemptsAndStopsAt401() async throws {
        let server = try Server(fail: "charges:1+:503")
        let key = try APIKey(Self.key, source: "test")
        let client = try StripeClient(key: key, base: "http://127.0.0.1:\(server.port)",
                                      retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.01), sleep: { _ in })
        await #expect(throws: StripeAPIError.self) { _ = try await client.get("/v1/charges", query: []) }
        do {
            _ = try await client.get("/v1/charges", query: [])
        } catch {
            #expect(error.kind == .gaveUp && error.description.contains("gave up after 3 attempts, the last: HTTP 503"))
        }
        let wrong = try StripeClient(key: try APIKey("sk_test_wrongkey12345", source: "test"), base: "http://127.0.0.1:\(server.port)", sleep: { _ in })
        do {
            _ = try await wrong.get("/v1/payouts", query: [])
            Issue.record("a wrong key must fail")
        } catch {
            #expect(error.kind == .unauthorized && error.status == 401 && !error.description.contains("wrongkey12345"))
        }
        #expect(try server.lines().filter { $0["path"] as? String == "/v1/payouts" && $0["served"] == nil }.count == 1, "a 401 is not retried")
    }
}
