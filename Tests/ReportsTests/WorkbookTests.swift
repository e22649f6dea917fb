import Foundation
import LedgerCore
import Reports
import Spreadsheet
import TestSupport
import Testing

/// Workbooks read back with openpyxl: sheets, headers, values, number formats, fills, formulas with
/// their cached values, hyperlinks, data validation, frozen header and filters.
@Suite struct WorkbookTests {
    typealias Dump = WorkbookDump
    typealias JSONValue = WorkbookDump.Value

    static func dump(_ path: String) throws -> Dump { try WorkbookDump.read(path) }

    static func write(_ report: LedgerReport, options: WorkbookOptions = WorkbookOptions()) throws -> (Dump, WorkbookResult, URL) {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("book.xlsx").path
        let result = try LedgerWorkbook.write(report, to: path, options: options)
        return (try dump(path), result, dir)
    }

    @Test func sampleWorkbookReadsBackWithOpenpyxl() throws {
        let sample = try SampleScenario.load()
        let report = sample.report()
        let (book, written, dir) = try Self.write(report)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(book.sheets == ["Summary", "Invoices", "Review", "Payments", "Payouts"])
        #expect(written.sheets == book.sheets)
        #expect(book.properties["creator"] == "LedgerSync")
        #expect(book.properties["title"] == "LedgerSync — ledger.csv")

        // Invoices: every column in order, frozen header, filters, the override drop-down.
        let invoices = try #require(book.sheet["Invoices"])
        let header = report.invoicesTable.header
        #expect(invoices.rows[0].map(\.text) == header.map { $0 })
        #expect(invoices.rows.count == report.invoicesTable.rows.count + 1)
        #expect(invoices.freeze == "A2")
        #expect(invoices.autofilter == "A1:\(XLSXError.columnName(header.count - 1))\(report.invoicesTable.rows.count + 1)")
        let overrideLetter = XLSXError.columnName(try #require(header.firstIndex(of: "status_override")))
        #expect(invoices.validations.count == 1)
        #expect(invoices.validations.first?.type == "list")
        #expect(invoices.validations.first?.formula1 == "\"void,uncollectible,paid_out_of_band\"")
        #expect(invoices.validations.first?.sqref.hasPrefix("\(overrideLetter)2:\(overrideLetter)") == true)

        let col = { (name: String) in header.firstIndex(of: name)! }
        for (r, invoice) in sample.invoices.enumerated() {
            let cells = invoices.rows[r + 1], formats = invoices.formats[r + 1]
            #expect(cells[col("invoice_number")].text == invoice.invoiceNumber)
            // Money in the row's currency: a number with the currency's decimals and symbol or code.
            if let due = invoice.amountDue {
                #expect(cells[col("amount_due")].number == Double(due.minorUnits) / pow(10, Double(due.currency.exponent)))
                #expect(formats[col("amount_due")] == CurrencyFormat.code(for: due.currency))
                #expect(formats[col("balance_due")] == CurrencyFormat.code(for: due.currency))
            }
            // Dates are real dates.
            if let issued = invoice.issueDay {
                #expect(cells[col("issue_date")].text == LedgerDate.dayString(issued) + "T00:00:00")
                #expect(formats[col("issue_date")] == "yyyy-mm-dd")
            }
            // One fill per severity on flagged rows, none on the others.
            let state = sample.result.invoices[r]
            let fill = invoices.fills[r + 1]
            if let flag = state.flag {
                #expect(fill == String(format: "FF%06X", FlagSeverity(flag).fillColor), "\(invoice.invoiceNumber) \(flag)")
                #expect(cells[col("flag")].text == flag.rawValue)
                #expect(cells[col("flag_detail")].text == state.flagDetail)
            } else {
                #expect(fill == nil, "\(invoice.invoiceNumber)")
            }
            // Stripe ids link to the test-mode Dashboard.
            let ref = XLSXError.reference(row: r + 1, col: col("stripe_customer_id"))
            if !invoice.stripeCustomerID.isEmpty {
                #expect(invoices.links[ref] == "https://dashboard.stripe.com/test/customers/" + invoice.stripeCustomerID)
            }
            if !invoice.stripeInvoiceID.isEmpty {
                #expect(invoices.links[XLSXError.reference(row: r + 1, col: col("stripe_invoice_id"))] == "https://dashboard.stripe.com/test/invoices/" + invoice.stripeInvoiceID)
            }
            if state.paymentIDs.count == 1 {
                #expect(invoices.links[XLSXError.reference(row: r + 1, col: col("payment_ids"))] == StripeLinks.url(for: state.paymentIDs[0], mode: .test))
                #expect(StripeLinks.url(for: state.paymentIDs[0], mode: .test)?.hasPrefix("https://dashboard.stripe.com/test/") == true)
            }
        }
        let currencies = Set(sample.invoices.compactMap(\.currency?.code))
        #expect(currencies.isSuperset(of: ["usd", "jpy", "kwd"]))
        let formatsUsed = Set(invoices.formats.dropFirst().map { $0[col("amount_due")] })
        #expect(formatsUsed.isSuperset(of: ["\"$\"#,##0.00", "\"¥\"#,##0", "#,##0.000 \"KWD\""]))
        let severities = Set(sample.result.invoices.compactMap(\.flag).map(FlagSeverity.init))
        #expect(severities.count >= 2)

        // Summary: live formulas whose cached values are the figures.
        let summary = try #require(book.sheet["Summary"])
        func figure(_ label: String) -> (formula: String?, value: Double?) {
            guard let r = summary.rows.firstIndex(where: { $0.first?.text == label }) else { return (nil, nil) }
            return (summary.rows[r][1].text, summary.cached[r][1].number)
        }
        #expect(figure("Invoice rows").formula == "=ROWS(Invoices!$A$2:$A$\(sample.invoices.count + 1))")
        #expect(figure("Flagged rows").formula?.hasPrefix("=COUNTIFS(Invoices!") == true)
        #expect(figure("Invoice rows").value == Double(sample.invoices.count))
        #expect(figure("Flagged rows").value == Double(sample.result.invoices.filter { $0.flag != nil }.count))
        #expect(figure("Unmatched payments").value == Double(sample.result.payments.filter { $0.flag != nil && $0.invoiceNumbers.isEmpty }.count))
        for status in InvoiceStatus.allCases {
            #expect(figure(status.rawValue).value == Double(sample.result.invoices.filter { $0.status == status }.count), "\(status)")
        }
        let withPayment = sample.result.invoices.filter { !$0.paymentIDs.isEmpty }
        let alone = withPayment.filter { $0.flag == nil && $0.matchRule != .manual && [.paid, .overpaid, .refunded, .partiallyRefunded].contains($0.status) }
        let rate = try #require(figure("Auto-reconciled rate").value)
        #expect(abs(rate - Double(alone.count) / Double(withPayment.count)) < 1e-9)
        let currencyHeader = try #require(summary.rows.firstIndex { $0.first?.text == "Currency" })
        for code in currencies {
            let r = try #require(summary.rows.firstIndex { $0.first?.text == code })
            #expect(r > currencyHeader)
            let rows = zip(sample.invoices, sample.result.invoices).filter { $0.0.currency?.code == code }
            let exponent = Double(try Currency(code).exponent)
            let balance = rows.reduce(Int64(0)) { $0 + $1.1.balanceDue }
            #expect(summary.rows[r][5].text?.hasPrefix("=SUMIFS(") == true)
            #expect(summary.cached[r][1].number == Double(rows.count))
            #expect(abs((summary.cached[r][5].number ?? -1) - Double(balance) / pow(10, exponent)) < 1e-6)
            // Aging buckets add up to the open balance.
            let buckets = (6...10).compactMap { summary.cached[r][$0].number }
            #expect(buckets.count == 5)
            #expect(abs(buckets.reduce(0, +) - Double(balance) / pow(10, exponent)) < 1e-6)
        }

        // Review: one row per item with the same text as the model; fills by severity.
        let review = try #require(book.sheet["Review"])
        let items = Review.items(invoices: sample.invoices, result: sample.result, records: sample.records, asOfDay: Int(SampleScenario.asOf / 86_400))
        #expect(review.rows[0].compactMap(\.text) == Review.columns)
        #expect(review.rows.count == items.count + 1)
        for (k, item) in items.enumerated() {
            #expect(review.rows[k + 1][2].text == item.target)
            #expect(review.rows[k + 1][4].text == item.reason)
            #expect(review.fills[k + 1] == String(format: "FF%06X", FlagSeverity(item.flag).fillColor))
        }

        // Payments: amounts in their currency, created as a timestamp, ids linked.
        let payments = try #require(book.sheet["Payments"])
        #expect(payments.rows.count == sample.result.payments.count + 1)
        #expect(payments.freeze == "A2")
        for (k, line) in sample.result.payments.enumerated() {
            #expect(payments.rows[k + 1][0].text == line.stripeID)
            #expect(payments.formats[k + 1][5] == CurrencyFormat.code(for: line.currency))
            #expect(payments.formats[k + 1][3] == "yyyy-mm-dd hh:mm:ss")
            if let url = StripeLinks.url(for: line.stripeID, mode: .test) { #expect(payments.links["A\(k + 2)"] == url) }
        }
        let payouts = try #require(book.sheet["Payouts"])
        #expect(payouts.rows[0].compactMap(\.text) == Payouts.columns)
        #expect(payouts.rows.count == sample.result.payments.filter { $0.kind == .payout }.count + 1)
    }

    @Test func textThatLooksLikeAFormulaStaysText() throws {
        let sample = try SampleScenario.load()
        var report = sample.report(mode: .live)
        let name = try #require(report.invoicesTable.header.firstIndex(of: "customer_name"))
        report.invoicesTable.rows[0][name] = "=cmd|' /C calc'!A0"
        report.invoicesTable.rows[1][name] = "@SUM(1+1)"
        let (book, _, dir) = try Self.write(report)
        defer { try? FileManager.default.removeItem(at: dir) }
        let invoices = try #require(book.sheet["Invoices"])
        #expect(invoices.rows[1][name].text == "=cmd|' /C calc'!A0")
        #expect(invoices.types[1][name] == "s")
        #expect(invoices.rows[2][name].text == "@SUM(1+1)")
        // Live mode: links without /test/.
        let customer = try #require(report.invoicesTable.header.firstIndex(of: "stripe_customer_id"))
        #expect(invoices.links[XLSXError.reference(row: 1, col: customer)]?.hasPrefix("https://dashboard.stripe.com/customers/cus_") == true)
    }

    @Test func longTablesContinueOnNumberedSheetsAndSummaryCoversThem() throws {
        let sample = try SampleScenario.load()
        let report = sample.report()
        let (book, _, dir) = try Self.write(report, options: WorkbookOptions(rowsPerSheet: 11))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(book.sheets == ["Summary", "Invoices", "Invoices (2)", "Invoices (3)", "Invoices (4)", "Invoices (5)", "Review",
                                "Payments", "Payments (2)", "Payments (3)", "Payments (4)", "Payouts"])
        let invoiceRows = book.sheets.filter { $0.hasPrefix("Invoices") }.flatMap { book.sheet[$0]!.rows.dropFirst() }
        #expect(invoiceRows.map { $0[0].text ?? "" } == sample.invoices.map(\.invoiceNumber))
        let paymentRows = book.sheets.filter { $0.hasPrefix("Payments") }.flatMap { book.sheet[$0]!.rows.dropFirst() }
        #expect(paymentRows.map { $0[0].text ?? "" } == sample.result.payments.map(\.stripeID))
        #expect(book.sheet["Invoices (2)"]?.rows[0].compactMap(\.text) == report.invoicesTable.header)
        let summary = try #require(book.sheet["Summary"])
        let rows = try #require(summary.rows.firstIndex { $0.first?.text == "Flagged rows" })
        #expect(summary.rows[rows][1].text?.contains("'Invoices (5)'!") == true)
        #expect(summary.cached[rows][1].number == Double(sample.result.invoices.filter { $0.flag != nil }.count))
    }

    /// Constant memory writes the sheets on two threads at once; the cells, formats and links are the same,
    /// with one sheet per table and with tables continued over several sheets.
    @Test(arguments: [Workbook.maxRows, 11])
    func constantMemoryWritesTheSameWorkbook(rowsPerSheet: Int) throws {
        let report = try SampleScenario.load().report()
        let (normal, first, dirA) = try Self.write(report, options: WorkbookOptions(rowsPerSheet: rowsPerSheet))
        let (constant, second, dirB) = try Self.write(report, options: WorkbookOptions(constantMemoryAbove: 0, rowsPerSheet: rowsPerSheet))
        defer {
            try? FileManager.default.removeItem(at: dirA)
            try? FileManager.default.removeItem(at: dirB)
        }
        #expect(!first.constantMemory && second.constantMemory)
        #expect(normal.sheets == constant.sheets)
        for name in normal.sheets {
            #expect(normal.sheet[name]?.rows == constant.sheet[name]?.rows, "\(name)")
            #expect(normal.sheet[name]?.cached == constant.sheet[name]?.cached, "\(name)")
            #expect(normal.sheet[name]?.formats == constant.sheet[name]?.formats, "\(name)")
            #expect(normal.sheet[name]?.fills == constant.sheet[name]?.fills, "\(name)")
            #expect(normal.sheet[name]?.links == constant.sheet[name]?.links, "\(name)")
        }
    }

    @Test func anUnwritableFolderIsAClearError() throws {
        let report = try SampleScenario.load().report()
        #expect {
            try LedgerWorkbook.write(report, to: "/nonexistent-folder/x/book.xlsx")
        } throws: { error in
            guard let error = error as? ReportError else { return false }
            return error.kind == .writeFailed && error.description.contains("the folder /nonexistent-folder/x does not exist or is not writable")
        }
    }
}
