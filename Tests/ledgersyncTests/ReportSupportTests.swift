import Foundation
import TestSupport
import Testing

/// Helpers of the `report` tests: the binary run with a chosen environment and folder, a real SMTP
/// server on loopback (SMTPTestServer in Tests/TestSupport, aiosmtpd), the sample ledger.
enum ReportSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let parseScript = fixtures.appendingPathComponent("report-parse-eml.py").path

    /// Runs `ledgersync` with `environment` added to (or, for nil values, removed from) this process's.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String?] = [:], in directory: URL? = nil) throws -> CLI.Result {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        // The tests decide every setting themselves.
        for name in ["LEDGERSYNC_SMTP_URL", "LEDGERSYNC_SMTP_USER", "LEDGERSYNC_SMTP_PASSWORD", "LEDGERSYNC_TEMPLATES"] {
            merged[name] = nil
        }
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        process.currentDirectoryURL = directory ?? CLI.packageRoot
        return try Subprocess.capture(process)
    }

    /// A temp folder with a copy of the sample ledger and, when asked, the given sample event files imported.
    static func sampleLedger(importing events: [String]? = nil) throws -> TempDir {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: EndToEndTests.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        if let events {
            let paths = events.isEmpty ? [EndToEndTests.samples.appendingPathComponent("events").path]
                : events.map { EndToEndTests.samples.appendingPathComponent("events").appendingPathComponent($0).path }
            let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv")] + paths)
            #expect(result.status <= 1, "\(result.stderr)")
        }
        return dir
    }

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    /// What Python's `email` package and openpyxl see in an .eml (see Fixtures/report-parse-eml.py).
    static func parse(_ eml: String) throws -> [String: Any] {
        let run = try Subprocess.python(parseScript, [eml])
        try #require(run.status == 0, "report-parse-eml.py failed: \(run.stderr)")
        return try json(run.stdout)
    }

    static func invoiceNumbers(_ list: Any?) -> [String] {
        ((list as? [[String: Any]]) ?? []).compactMap { $0["invoiceNumber"] as? String }
    }

    /// The `report-*.eml` files in a ledger's reports folder.
    static func defaultEMLs(_ dir: TempDir) -> [String] {
        let folder = dir.path("ledger.ledgersync/reports")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
    }

    static func state(_ dir: TempDir) throws -> [String: Any] {
        try json(try dir.read("ledger.ledgersync/reports/state.json"))
    }

    static func outbox(_ dir: TempDir) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path("ledger.ledgersync/outbox"))) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
    }
}

@Suite struct ReportSupportTests {
    @Test func smtpServerStartsAndStops() throws {
        let server = try SMTPTestServer()
        #expect(server.port > 0)
        server.stop()
        #expect(try server.received().isEmpty)
    }
}
