import Foundation
import Testing
@testable import Mailer

@Suite struct ReportTemplatesTests {
    static let context = ReportContext(
        ledgerName: "fall-2026.xlsx", generatedAt: "2026-11-20 09:00 UTC", periodStart: "2026-11-13 09:00 UTC",
        periodLabel: "since the last report (2026-11-13 09:00 UTC)", isFirstReport: false,
        attachmentName: "fall-2026-report.xlsx",
        totals: [
            .init(status: "paid", count: 40, amountDue: "50,000.00 USD", balanceDue: "0.00 USD"),
            .init(status: "open", count: 7, amountDue: "8,750.00 USD · 300,000 JPY", balanceDue: "8,750.00 USD · 300,000 JPY"),
        ],
        invoiceCount: 47,
        newlyPaid: [.init(invoiceNumber: "INV-2026-0042", customerName: "Zoë <Müller> & Co", amountDue: "1,250.00 USD", balanceDue: "0.00 USD", status: "paid", paidAt: "2026-11-18 14:02 UTC")],
        newlyFlagged: [.init(invoiceNumber: "INV-2026-0050", customerName: "Bo Li", amountDue: "900.00 USD", balanceDue: "0.00 USD", status: "overpaid", flag: "overpaid", flagDetail: "Paid 1,000.00 USD on a 900.00 USD invoice.", flaggedSince: "2026-11-19", flaggedDays: 1)],
        stillFlagged: [],
        oldestOpenFlags: [.init(invoiceNumber: "INV-2026-0007", customerName: "Ana Ruiz", amountDue: "500.00 USD", balanceDue: "500.00 USD", status: "open", flag: "currency_mismatch", flagDetail: "Paid in EUR on a USD invoice.", flaggedSince: "2026-10-01", flaggedDays: 50)],
        openFlagCount: 2, autoReconciledRate: "97.5%", autoReconciledCount: 39, paymentCount: 40
    )

    static let defaultFolder = Support.packageRoot.appendingPathComponent(ReportTemplates.defaultFolder)

    @Test func defaultTemplatesRenderEveryFigure() throws {
        let rendered = try ReportTemplates(folder: Self.defaultFolder).render(Self.context)
        #expect(rendered.subject == "fall-2026.xlsx: 1 newly paid, 2 open flags (2026-11-20 09:00 UTC)")

        let text = rendered.text
        for expected in [
            "paid: 40, due 50,000.00 USD", "open: 7, due 8,750.00 USD · 300,000 JPY",
            "Auto-reconciled: 97.5% (39 of 40 rows with a payment", "WHAT CHANGED since the last report (2026-11-13 09:00 UTC)",
            "- INV-2026-0042  Zoë <Müller> & Co  1,250.00 USD  paid 2026-11-18 14:02 UTC",
            "- INV-2026-0050  Bo Li  [overpaid] Paid 1,000.00 USD on a 900.00 USD invoice.",
            "Still flagged (0):\n  none\n",
            "- INV-2026-0007  Ana Ruiz  [currency_mismatch] since 2026-10-01 (50 days): Paid in EUR on a USD invoice.",
            "attached as fall-2026-report.xlsx",
        ] {
            #expect(text.contains(expected), "text body lacks: \(expected)")
        }
        #expect(!text.contains("&lt;"), "the text body must not be HTML-escaped")
        #expect(!text.contains("first report"))
        #expect(!text.hasPrefix("\n"), "the pragma line must leave no blank line")

        let html = try #require(rendered.html)
        #expect(html.contains("Zoë &lt;Müller&gt; &amp; Co"))
        #expect(!html.contains("<Müller>"))
        #expect(html.contains("<strong>97.5%</strong>"))
    }

    @Test func firstReportNoteShowsOnlyOnTheFirstReport() throws {
        var context = Self.context
        context.isFirstReport = true
        let rendered = try ReportTemplates(folder: Self.defaultFolder).render(context)
        #expect(rendered.text.contains("This is the first report for this ledger"))
    }

    func folder(subject: String = "{{ledgerName}}\n", text: String, html: String? = nil) throws -> URL {
        let folder = try Support.temporaryFolder()
        try subject.write(to: folder.appendingPathComponent("subject.mustache"), atomically: true, encoding: .utf8)
        try text.write(to: folder.appendingPathComponent("body.txt.mustache"), atomically: true, encoding: .utf8)
        if let html { try html.write(to: folder.appendingPathComponent("body.html.mustache"), atomically: true, encoding: .utf8) }
        return folder
    }

    @Test func brokenTemplateNamesFileLineAndColumn() throws {
        let folder = try folder(text: "Report\n\nPaid: {{#newlyPaid}}\n  - {{invoiceNumber}\n{{/newlyPaid}}\n")
        let file = folder.appendingPathComponent("body.txt.mustache").path
        let error = try #require(throws: MailerError.self) { try ReportTemplates(folder: folder) }
        #expect(error.kind == .templateSyntax)
        #expect(error.file == file)
        #expect(error.line == 4)
        #expect(error.column == 5)
        #expect(error.description == "\(file):4:5: email template does not parse · line 4:   - {{invoiceNumber} · a tag is not closed: end it with }}")
    }

    @Test func mismatchedSectionInHTMLTemplateNamesItsLine() throws {
        let folder = try folder(text: "ok\n", html: "<p>\n{{#totals}}\n<li>{{status}}</li>\n{{/total}}\n</p>\n")
        let error = try #require(throws: MailerError.self) { try ReportTemplates(folder: folder) }
        #expect(error.file.hasSuffix("body.html.mustache"))
        #expect(error.line == 4)
        #expect(error.message.hasSuffix("a section is closed with another name than it was opened with: make {{/name}} match its {{#name}} or {{^name}}"))
    }

    @Test func brokenSubjectOnItsFirstLine() throws {
        let folder = try folder(subject: "{{ledgerName\n", text: "ok\n")
        let error = try #require(throws: MailerError.self) { try ReportTemplates(folder: folder) }
        #expect(error.file.hasSuffix("subject.mustache"))
        #expect(error.line == 1)
        #expect(error.column == 1)
        #expect(error.message == "email template does not parse · line 1: {{ledgerName · the file ends inside a tag: end it with }}")
    }

    @Test func missingTemplateIsNamed() throws {
        let folder = try Support.temporaryFolder()
        try "x".write(to: folder.appendingPathComponent("subject.mustache"), atomically: true, encoding: .utf8)
        let error = try #require(throws: MailerError.self) { try ReportTemplates(folder: folder) }
        #expect(error.kind == .templateMissing)
        #expect(error.file == folder.appendingPathComponent("body.txt.mustache").path)
    }

    @Test func withoutHTMLTemplateTheMessageIsTextOnly() throws {
        let folder = try folder(subject: "A\n  multi-line\n subject {{ledgerName}}\n", text: "Hi\n{{> footer}}")
        try "-- {{#newlyPaid}}{{customerName}}{{/newlyPaid}}".write(to: folder.appendingPathComponent("footer.mustache"), atomically: true, encoding: .utf8)
        let rendered = try ReportTemplates(folder: folder).render(Self.context)
        #expect(rendered.subject == "A multi-line subject fall-2026.xlsx")
        #expect(rendered.text == "Hi\n-- Zoë <Müller> & Co")
        #expect(rendered.html == nil)
    }
}
