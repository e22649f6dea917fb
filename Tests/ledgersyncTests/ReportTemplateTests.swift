import Foundation
import Testing
@testable import ledgersync

/// Where `report` finds its templates, the built-in copy, and a broken template's message.
@Suite(.serialized)
struct ReportTemplateTests {
    static let folder = CLI.packageRoot.appendingPathComponent("Templates/email")

    @Test func builtInTemplatesAreTemplatesEmailByteForByte() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".mustache") }.sorted()
        #expect(ReportDefaultTemplates.files.map(\.name).sorted() == onDisk)
        for file in ReportDefaultTemplates.files {
            let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(file.name))
            #expect(Data(file.text.utf8) == bytes, "\(file.name) differs from Templates/email/\(file.name): copy it into ReportDefaultTemplates.swift")
        }
    }

    @Test func lookupOrderIsOptionThenEnvironmentThenCurrentFolderThenBuiltIn() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let custom = try TempDir()
        try custom.write("subject.mustache", "Custom {{ledgerName}} {{openFlagCount}}\n")
        try custom.write("body.txt.mustache", "{{#newlyPaid}}{{invoiceNumber}} {{/newlyPaid}}\n")
        let other = try TempDir()
        try other.write("subject.mustache", "From the environment\n")
        try other.write("body.txt.mustache", "text only\n")
        let arguments = ["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--out", dir.path("r.eml"), "--dry-run", "--json"]

        func run(_ extra: [String], _ environment: [String: String?], in folder: URL) throws -> [String: Any] {
            let result = try ReportSupport.run(arguments + extra, environment: environment, in: folder)
            try #require(result.status == 0, "\(result.stderr)")
            return try ReportSupport.json(result.stdout)
        }
        let option = try run(["--templates", custom.url.path], ["LEDGERSYNC_TEMPLATES": other.url.path], in: CLI.packageRoot)
        #expect(option["templates"] as? String == custom.url.path)
        // Every documented key, null when it does not apply (no --send here).
        let documented = ["ledger", "to", "from", "templates", "subject", "messageID", "eml", "period", "figures", "via", "sent",
                          "attempts", "keptInOutbox", "outboxDelivered", "outboxWaiting", "lastSent", "dryRun"]
        #expect(Set(option.keys) == Set(documented), "\(option.keys.sorted())")
        #expect(Set((option["period"] as? [String: Any] ?? [:]).keys) == ["start", "label", "firstReport"])
        #expect((option["subject"] as? String)?.hasPrefix("Custom ledger.csv ") == true)
        let eml = try ReportSupport.parse(dir.path("r.eml"))
        #expect(eml["structure"] as? [String] == ["multipart/mixed", "text/plain", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
                "no body.html.mustache: a text-only message")
        let text = try #require(eml["text"] as? String)
        #expect(text.hasPrefix("INV-2026-") && text.contains("INV-2026-0001 ") && !text.contains("INV-2026-0002"), "\(text)")

        let environment = try run([], ["LEDGERSYNC_TEMPLATES": other.url.path], in: CLI.packageRoot)
        #expect(environment["subject"] as? String == "From the environment")
        let current = try run([], [:], in: CLI.packageRoot)
        #expect(current["templates"] as? String == "Templates/email")
        let builtIn = try run([], [:], in: custom.url)
        #expect(builtIn["templates"] as? String == "built-in")
        // The same templates, so the same message.
        #expect(builtIn["subject"] as? String == current["subject"] as? String)
        #expect(builtIn["subject"] as? String != nil)
    }

    @Test func brokenTemplateNamesTheFileAndLine() throws {
        let dir = try ReportSupport.sampleLedger(importing: [])
        let broken = try TempDir()
        for name in ["subject.mustache", "body.html.mustache"] {
            try FileManager.default.copyItem(at: Self.folder.appendingPathComponent(name), to: broken.url.appendingPathComponent(name))
        }
        var text = try String(contentsOf: Self.folder.appendingPathComponent("body.txt.mustache"), encoding: .utf8)
        text = text.replacingOccurrences(of: "{{/newlyPaid}}\n{{^newlyPaid}}", with: "{{/newlyPaid}\n{{^newlyPaid}}")
        try broken.write("body.txt.mustache", text)
        let line = text.components(separatedBy: "\n").firstIndex(of: "{{/newlyPaid}").map { $0 + 1 } ?? -1
        let result = try ReportSupport.run(["report", "--ledger", dir.path("ledger.csv"), "--to", "a@x.edu", "--templates", broken.url.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(broken.path("body.txt.mustache")):\(line):"), "\(result.stderr)")
        #expect(result.stderr.contains("email template does not parse · line \(line): {{/newlyPaid}"))
        #expect(ReportSupport.defaultEMLs(dir).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.ledgersync/reports")))
    }
}
