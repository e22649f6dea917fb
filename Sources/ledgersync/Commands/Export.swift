import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import Reports
import Spreadsheet

extension LedgerSync {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the ledger as a workbook for people, or its invoices as a CSV for other tools.",
            discussion: """
            --xlsx writes a workbook: Summary (live formulas), Invoices (flagged rows highlighted, money in \
            each row's currency, Stripe ids linked to the Dashboard, a status_override drop-down), Review \
            (everything a person must decide, oldest first, with candidate rows), Payments and Payouts.

            --csv writes the invoices table with formula injection neutralised (a text cell starting with \
            = + - @, a tab or a carriage return gets a leading '). Reads the ledger and everything imported so far; changes nothing.

            Examples:
              ledgersync export --ledger books/ledger.csv --xlsx out/ledger.xlsx
              ledgersync export --ledger books/ledger.xlsx --csv out/invoices.csv --json
            """
        )

        @OptionGroup var options: LedgerOptions

        @Option(name: .long, help: ArgumentHelp("Write the workbook here (replaced if it exists).", valueName: "file.xlsx"))
        var xlsx: String?

        @Option(name: .long, help: ArgumentHelp("Write the invoices table here as CSV (replaced if it exists).", valueName: "file.csv"))
        var csv: String?

        func validate() throws {
            guard xlsx != nil || csv != nil else {
                throw ValidationError("Say what to write: --xlsx OUT.xlsx, --csv OUT.csv, or both.")
            }
            if let xlsx, !xlsx.lowercased().hasSuffix(".xlsx") {
                throw ValidationError("--xlsx '\(xlsx)' must name an .xlsx file (spreadsheet programs go by the extension).")
            }
            for out in [xlsx, csv].compactMap({ $0 }) where Self.isLedgersOwn(out, ledger: options.ledger) {
                throw ValidationError("--xlsx/--csv '\(out)' is one of the ledger's own files; export to another file (the ledger is written by import and resolve).")
            }
        }

        /// Writes what was asked; a failure leaves any existing output file as it was.
        func write(session: LedgerSession, result: Reconciliation) throws(LedgerError) -> Written {
            var written = Written(ledger: options.ledger, invoices: session.invoices.count, payments: result.payments.count)
            if let xlsx {
                let report = try LedgerReport(session: session, name: (options.ledger as NSString).lastPathComponent,
                                              result: result, asOf: session.now())
                var outcome: WorkbookResult?
                try AtomicFile.write(to: xlsx) { temp in
                    do {
                        outcome = try LedgerWorkbook.write(report, to: temp)
                    } catch {
                        throw LedgerError(.writeFailed, file: xlsx, (error as? ReportError)?.message ?? "\(error)")
                    }
                }
                written.xlsx = xlsx
                written.sheets = outcome?.sheets
                written.review = outcome?.reviewItems
                written.constantMemory = outcome?.constantMemory
            }
            if let csv {
                let invoicesTable = session.tables.renderedInvoices(session.invoices, result)
                try AtomicFile.write(CSV.encode(invoicesTable, format: session.tables.invoicesFormat, neutralizeFormulas: true), to: csv)
                written.csv = csv
            }
            return written
        }

        /// Whether an output path would overwrite the ledger, its payments table or a side file.
        static func isLedgersOwn(_ out: String, ledger: String) -> Bool {
            guard let paths = try? LedgerPaths(ledger: ledger) else {
                return URL(fileURLWithPath: out).standardizedFileURL.resolvingSymlinksInPath().path
                    == URL(fileURLWithPath: ledger).standardizedFileURL.resolvingSymlinksInPath().path
            }
            return paths.owns(out)
        }

        struct Written: Encodable {
            var ledger: String
            var xlsx: String?
            var csv: String?
            var sheets: [String]?
            var invoices: Int
            var payments: Int
            var review: Int?
            var constantMemory: Bool?

            private enum CodingKeys: String, CodingKey { case ledger, xlsx, csv, sheets, invoices, payments, review, constantMemory }

            /// Every key in every run, null where it does not apply (no --xlsx: no sheets, review, constantMemory).
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(ledger, forKey: .ledger)
                try c.encode(xlsx, forKey: .xlsx)
                try c.encode(csv, forKey: .csv)
                try c.encode(sheets, forKey: .sheets)
                try c.encode(invoices, forKey: .invoices)
                try c.encode(payments, forKey: .payments)
                try c.encode(review, forKey: .review)
                try c.encode(constantMemory, forKey: .constantMemory)
            }
        }

        func run() async throws {
            let timing = Timing()
            let session = try LedgerSession.forCommand(options, writing: false)
            defer { session.close() }
            timing.mark("opened")
            let written: Written
            do {
                let result = try session.currentReconciliation()
                timing.mark("reconciled (or read back)")
                written = try write(session: session, result: result)
            } catch {
                throw Output.fail(error)
            }
            timing.mark("written")
            if options.json {
                Output.json(written)
                return
            }
            if let xlsx {
                Output.line("Wrote \(xlsx): \(written.invoices) invoices, \(written.payments) payments, \(written.review ?? 0) to review (sheets: \((written.sheets ?? []).joined(separator: ", "))).")
            }
            if let csv {
                Output.line("Wrote \(csv): \(written.invoices) invoices (formula-like text neutralised).")
            }
        }
    }
}
