import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import WebhookServer

/// Hand-run measurements, off by default:
/// `WEBHOOK_BENCH=1 swift test -c release --filter ThroughputBench`
@Suite(.enabled(if: ProcessInfo.processInfo.environment["WEBHOOK_BENCH"] != nil))
struct ThroughputBench {
    static let concurrency = 64

    static func report(_ label: String, count: Int, seconds: Double, latencies: [Duration]) {
        let sorted = latencies.sorted()
        func ms(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        let p50 = ms(sorted[sorted.count / 2])
        let p99 = ms(sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
        print(String(format: "BENCH %@: %d events in %.2f s = %.0f events/s, p50 %.2f ms, p99 %.2f ms",
                     label, count, seconds, Double(count) / seconds, p50, p99))
    }

    /// Runs `count` operations with `concurrency` in flight, returning each one's latency.
    static func load(count: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> (Double, [Duration]) {
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: Duration.self) { group in
            var next = 0
            var latencies: [Duration] = []
            func launch(_ index: Int) {
                group.addTask {
                    let began = clock.now
                    try await operation(index)
                    return clock.now - began
                }
            }
            while next < min(concurrency, count) { launch(next); next += 1 }
            for try await latency in group {
                latencies.append(latency)
                if next < count { launch(next); next += 1 }
            }
            return latencies
        }
        let elapsed = clock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, latencies)
    }

    /// Starts `count` operations at `rate` per second, whatever is still in flight (open loop);
    /// latency counts from each one's scheduled start, so a stall is not hidden.
    static func paced(count: Int, rate: Double, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> (Double, [Duration]) {
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: Duration.self) { group in
            for index in 0..<count {
                let scheduled = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                if scheduled > clock.now { try await clock.sleep(until: scheduled) }
                group.addTask {
                    try await operation(index)
                    return clock.now - scheduled
                }
            }
            var latencies: [Duration] = []
            for try await latency in group { latencies.append(latency) }
            return latencies
        }
        let elapsed = clock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, latencies)
    }

    @Test func inboxAppends() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let body = eventBody(id: "evt_bench", extra: #","pad":""# + String(repeating: "x", count: 1500) + #"""#)
        let count = 50_000
        let (seconds, latencies) = try await Self.load(count: count) { index in
            _ = try await inbox.append(body, eventID: "evt_\(index)", eventType: "invoice.paid")
        }
        Self.report("inbox.append x\(Self.concurrency)", count: count, seconds: seconds, latencies: latencies)
        print("BENCH fsync batches: \(inbox.committedBatchCount) for \(count) appends")
        #expect(inbox.count == count)
        inbox.close()
    }

    @Test func signedRequestsThroughTheRouter() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let sink = RecordingSink()
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let app = buildApplication(
            configuration: WebhookServerConfiguration(secrets: ["whsec_bench"]),
            inbox: inbox, sink: sink, logger: logger)
        let count = 20_000
        let pad = #","pad":""# + String(repeating: "x", count: 1500) + #"""#
        try await app.test(.router) { client in
            let (seconds, latencies) = try await Self.load(count: count) { index in
                let body = eventBody(id: "evt_\(index)", extra: pad)
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[HTTPFields.Element.Name("Stripe-Signature")!] = StripeSignature.header(
                    payload: body, secret: "whsec_bench", timestamp: Int64(Date().timeIntervalSince1970))
                let response = try await client.execute(
                    uri: "/stripe/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                guard response.status == .ok else { throw TestError(status: response.status.code) }
            }
            Self.report("POST /stripe/webhook (router, no socket) x\(Self.concurrency)", count: count, seconds: seconds, latencies: latencies)

            let paced = 10_000
            let (pacedSeconds, pacedLatencies) = try await Self.paced(count: paced, rate: 2000) { index in
                let body = eventBody(id: "evt_paced_\(index)", extra: pad)
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[HTTPFields.Element.Name("Stripe-Signature")!] = StripeSignature.header(
                    payload: body, secret: "whsec_bench", timestamp: Int64(Date().timeIntervalSince1970))
                let response = try await client.execute(
                    uri: "/stripe/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                guard response.status == .ok else { throw TestError(status: response.status.code) }
            }
            Self.report("POST /stripe/webhook (router, no socket) paced 2000/s", count: paced, seconds: pacedSeconds, latencies: pacedLatencies)
        }
        #expect(inbox.count == count + 10_000)
        #expect(sink.uniqueApplied.count == count + 10_000)
        inbox.close()
    }

    struct TestError: Error { var status: Int }
}
