import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import WebhookServer

private let secret = "whsec_router_test_secret"
private let rolledSecret = "whsec_router_test_rolled"
private let signatureName = HTTPFields.Element.Name("Stripe-Signature")!

/// One application over a fresh inbox and a recording sink.
private struct Harness {
    let dir: TemporaryDirectory
    let inbox: Inbox
    let sink = RecordingSink()
    let metrics = WebhookMetrics()
    var configuration: WebhookServerConfiguration

    init(secrets: [String] = [secret], maxBodySize: Int = 1 << 20, applyInterval: Duration = .milliseconds(50),
         name: String = #function) throws {
        dir = try TemporaryDirectory(name)
        inbox = try Inbox(directory: dir.path)
        configuration = WebhookServerConfiguration(
            secrets: secrets, maxBodySize: maxBodySize, applyInterval: applyInterval,
            now: { Int64(Date().timeIntervalSince1970) })
    }

    func run(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "webhook-test")
        logger.logLevel = .warning
        let app = buildApplication(
            configuration: configuration, inbox: inbox, sink: sink, metrics: metrics, logger: logger)
        try await app.test(.router, test)
    }

    func finish() {
        inbox.close()
        dir.remove()
    }
}

private func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

private func signedHeaders(_ body: [UInt8], secret: String = secret, timestamp: Int64 = now(),
                           contentType: String = "application/json; charset=utf-8") -> HTTPFields {
    var headers: HTTPFields = [.contentType: contentType]
    headers[signatureName] = StripeSignature.header(payload: body, secret: secret, timestamp: timestamp)
    return headers
}

private func post(_ client: any TestClientProtocol, _ body: [UInt8], headers: HTTPFields) async throws -> TestResponse {
    try await client.execute(uri: "/stripe/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
}

private func text(_ response: TestResponse) -> String { String(buffer: response.body) }

/// Polls `condition` for up to `seconds`.
private func eventually(_ seconds: Double = 15, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

@Suite struct WebhookRouterTests {
    @Test func signedEventIsStoredAcknowledgedAndApplied() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let body = eventBody(id: "evt_ok1")
            let response = try await post(client, body, headers: signedHeaders(body))
            #expect(response.status == .ok)
            #expect(text(response) == #"{"received":true}"#)
            // Durable before the answer: the record is in the inbox already.
            let stored = try harness.inbox.records(from: .start, limit: 10)
            #expect(stored.map(\.eventID) == ["evt_ok1"])
            #expect(stored.first?.body == body && stored.first?.eventType == "invoice.paid")
            #expect(await eventually { harness.sink.uniqueApplied.contains("evt_ok1") })
            #expect(await eventually { harness.inbox.backlog == 0 })
        }
    }

    @Test func badSignatureIsRefusedBeforeParsing() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let body = eventBody(id: "evt_bad")
            let response = try await post(client, body, headers: signedHeaders(body, secret: "whsec_someone_else"))
            #expect(response.status == .badRequest)
            #expect(text(response) == #"{"error":"no signature matches the payload"}"#)
            #expect(!text(response).contains(secret))

            // Not even JSON, but the signature is checked first.
            let junk = Array("not json".utf8)
            let junkResponse = try await post(client, junk, headers: signedHeaders(junk, secret: "whsec_other"))
            #expect(text(junkResponse).contains("no signature matches"))

            var unsigned: HTTPFields = [.contentType: "application/json"]
            unsigned[.userAgent] = "test"
            let missing = try await post(client, body, headers: unsigned)
            #expect(missing.status == .badRequest && text(missing).contains("missing Stripe-Signature"))
            #expect(harness.inbox.count == 0)
        }
    }

    @Test func staleTimestampIsRefused() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let body = eventBody(id: "evt_old")
            let old = try await post(client, body, headers: signedHeaders(body, timestamp: now() - 301))
            #expect(old.status == .badRequest)
            #expect(text(old).contains("too old"))
            let recent = try await post(client, body, headers: signedHeaders(body, timestamp: now() - 200))
            #expect(recent.status == .ok)
            #expect(harness.inbox.count == 1)
        }
    }

    @Test func oversizedBodyIs413() async throws {
        let harness = try Harness(maxBodySize: 300)
        defer { harness.finish() }
        try await harness.run { client in
            let big = eventBody(id: "evt_big", extra: #","pad":""# + String(repeating: "x", count: 400) + #"""#)
            let response = try await post(client, big, headers: signedHeaders(big))
            #expect(response.status == .contentTooLarge)
            #expect(text(response).contains("larger than 300 bytes"))
            let small = eventBody(id: "evt_small")
            #expect(try await post(client, small, headers: signedHeaders(small)).status == .ok)
            #expect(harness.inbox.count == 1)
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let body = eventBody(id: "evt_form")
            let response = try await post(client, body, headers: signedHeaders(body, contentType: "application/x-www-form-urlencoded"))
            #expect(response.status == .unsupportedMediaType)
            var noType: HTTPFields = [:]
            noType[signatureName] = StripeSignature.header(payload: body, secret: secret, timestamp: now())
            #expect(try await post(client, body, headers: noType).status == .unsupportedMediaType)
            #expect(try await post(client, body, headers: signedHeaders(body, contentType: "Application/JSON")).status == .ok)
        }
    }

    @Test func malformedOrNonEventJSONIs400() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let cases: [(String, String)] = [
                (#"{"id":"evt_1","type":"invoice.paid""#, "not valid JSON"),
                ("[1,2,3]", "not a Stripe event"),
                (#"{"id":"ch_1","type":"charge.succeeded"}"#, "evt_"),
                (#"{"id":"evt_1"}"#, "not a Stripe event"),
                (#"{"id":"evt_1","type":""}"#, "evt_"),
            ]
            for (bodyText, reason) in cases {
                let body = Array(bodyText.utf8)
                let response = try await post(client, body, headers: signedHeaders(body))
                #expect(response.status == .badRequest, "\(bodyText)")
                #expect(text(response).contains(reason), "\(bodyText): \(text(response))")
            }
            #expect(harness.inbox.count == 0)
        }
    }

    @Test func rotatedSecretsBothAccepted() async throws {
        let harness = try Harness(secrets: [secret, rolledSecret])
        defer { harness.finish() }
        try await harness.run { client in
            let one = eventBody(id: "evt_rot1")
            let two = eventBody(id: "evt_rot2")
            let first = try await post(client, one, headers: signedHeaders(one, secret: secret))
            let second = try await post(client, two, headers: signedHeaders(two, secret: rolledSecret))
            #expect(first.status == .ok && second.status == .ok)
            // During a roll Stripe sends one v1 per secret in one header.
            let three = eventBody(id: "evt_rot3")
            let timestamp = now()
            let retired = StripeSignature.header(payload: three, secret: "whsec_retired", timestamp: timestamp)
            let current = StripeSignature.header(payload: three, secret: rolledSecret, timestamp: timestamp)
            let currentV1 = String(current.split(separator: ",")[1])
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[signatureName] = retired + "," + currentV1
            let third = try await post(client, three, headers: headers)
            #expect(third.status == .ok)
            #expect(harness.inbox.count == 3)
        }
    }

    @Test func duplicateEventIsAcknowledgedAndStoredOnce() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let body = eventBody(id: "evt_dup")
            #expect(try await post(client, body, headers: signedHeaders(body)).status == .ok)
            // A retry comes with a fresh timestamp and signature.
            let retry = try await post(client, body, headers: signedHeaders(body, timestamp: now() + 1))
            #expect(retry.status == .ok && text(retry) == #"{"received":true}"#)
            #expect(harness.inbox.count == 1)
            #expect(await eventually { harness.sink.appliedIDs == ["evt_dup"] })
        }
    }

    @Test func readyzReportsBacklogAndWritability() async throws {
        // An applier interval longer than the test keeps the event in the backlog.
        let harness = try Harness(applyInterval: .seconds(30))
        defer { harness.finish() }
        try await harness.run { client in
            // The applier's first pass happens at start; wait until it has run, then add an event.
            try await Task.sleep(for: .milliseconds(100))
            let body = eventBody(id: "evt_ready")
            #expect(try await post(client, body, headers: signedHeaders(body)).status == .ok)

            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(text(ready).contains(#""ready":true"#))
            #expect(text(ready).contains(#""backlog":1"#))

            harness.sink.setWritable(false)
            let notReady = try await client.execute(uri: "/readyz", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            #expect(text(notReady).contains(#""ledgerWritable":false"#))

            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
        // Graceful shutdown drained the backlog into the sink.
        #expect(harness.sink.uniqueApplied == ["evt_ready"])
        #expect(harness.inbox.backlog == 0)
    }

    @Test func metricsCountReceivedRejectedAndApplied() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        try await harness.run { client in
            let good = eventBody(id: "evt_m1")
            _ = try await post(client, good, headers: signedHeaders(good))
            _ = try await post(client, good, headers: signedHeaders(good))
            _ = try await post(client, good, headers: signedHeaders(good, secret: "whsec_wrong"))
            _ = try await post(client, good, headers: signedHeaders(good, timestamp: now() - 1000))
            #expect(await eventually { harness.sink.uniqueApplied.contains("evt_m1") })
            #expect(await eventually { harness.inbox.backlog == 0 })
            try await Task.sleep(for: .milliseconds(100))

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let lines = Set(text(response).split(separator: "\n").map(String.init))
            #expect(lines.contains("webhook_events_received_total 1"))
            #expect(lines.contains("webhook_events_duplicate_total 1"))
            #expect(lines.contains(#"webhook_events_rejected_total{reason="bad_signature"} 1"#))
            #expect(lines.contains(#"webhook_events_rejected_total{reason="stale_timestamp"} 1"#))
            #expect(lines.contains("webhook_events_applied_total 1"))
            #expect(lines.contains("webhook_backlog 0.0"))
            #expect(lines.contains("webhook_apply_latency_seconds_count 1"))
            #expect(lines.contains { $0.hasPrefix("webhook_apply_batch_duration_seconds_bucket") })
        }
    }

    @Test func sinkFailuresAreRetriedAndRefusedEventsKept() async throws {
        let harness = try Harness()
        defer { harness.finish() }
        harness.sink.failNextBatches(2)
        harness.sink.refuseEventIDs = ["evt_refused"]
        try await harness.run { client in
            for id in ["evt_r1", "evt_refused", "evt_r2"] {
                let body = eventBody(id: id)
                #expect(try await post(client, body, headers: signedHeaders(body)).status == .ok)
            }
            #expect(await eventually(30) { harness.inbox.backlog == 0 }, "two failed batches back off, then the rest applies")
            #expect(harness.sink.uniqueApplied == ["evt_r1", "evt_r2"])
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(text(ready).contains(#""failedEvents":1"#))
            let metrics = String(decoding: harness.metrics.render(), as: UTF8.self)
            #expect(metrics.contains("webhook_apply_errors_total 2"))
            #expect(metrics.contains("webhook_events_apply_failed_total 1"))
        }
        let failed = try String(contentsOfFile: harness.dir.path + "/failed.jsonl", encoding: .utf8)
        #expect(failed.contains(#""eventID":"evt_refused""#))
        #expect(!failed.contains("in_1"), "the body is not copied into the failure record")
    }
}
