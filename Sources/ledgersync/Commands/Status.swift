import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore

extension LedgerSync {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts, totals, aging of open balances, and flags of a ledger.",
            discussion: """
            Reads the ledger and everything imported so far; writes nothing. With --as-of, each Stripe \
            object counts as it stood at the end of that day (UTC), rows issued and decisions made after \
            it are left out, and aging is measured on that day — a month-end view.

            Examples:
              ledgersync status --ledger books/ledger.csv
              ledgersync status --ledger books/ledger.csv --as-of 2026-06-30 --json
            """
        )

        @OptionGroup var options: LedgerOptions

        @Option(name: .customLong("as-of"), help: ArgumentHelp("Report as of the end of this day (YYYY-MM-DD, UTC).", valueName: "date"))
        var asOf: String?

        func run() async throws {
            var day = Int(Date().timeIntervalSince1970 / 86_400)
            if let asOf {
                guard let parsed = LedgerDate.parseDay(asOf) else {
                    throw ValidationError("--as-of '\(asOf)' is not a date; write YYYY-MM-DD.")
                }
                day = parsed
            }
            let session = try LedgerSession.forCommand(options, writing: false)
            defer { session.close() }
            let result: Reconciliation
            // As of a past day, the rows issued after it do not exist yet: not even as candidates for a payment.
            let rows = asOf == nil ? session.invoices : session.invoices.filter { ($0.issueDay ?? .min) <= day }
            let timing = Timing()
            defer { timing.mark("reconciled (or read back)") }
            do {
                if asOf == nil {
                    result = try session.currentReconciliation()
                } else {
                    // As of a past day: only what was known by its end.
                    let state = try session.knownState(before: Int64(day + 1) * 86_400)
                    let records = state.records
                    var settings = try session.settings.reconcileSettings(file: session.paths.settings)
                    settings.keepTrail = false
                    result = Reconciler.reconcile(invoices: rows, records: records, decisions: state.decisions, settings: settings)
                }
            } catch {
                throw Output.fail(error)
            }
            var summary = StatusSummary(ledger: options.ledger, asOfDay: day, invoices: rows, result: result)
            summary.webhookEventsNotApplied = LedgerSink.failedEventCount(paths: session.paths)
            if options.json { Output.json(summary) } else { summary.printText() }
        }
    }
}

/// The figures `status` shows.
struct StatusSummary: Encodable {
    struct CurrencyTotals: Encodable {
        var currency: String
        var rows = 0
        var amountDue = "0"
        var amountPaid = "0"
        var amountRefunded = "0"
        var balanceDue = "0"
        /// current, 1-30, 31-60, 61-90, 90+ days past due.
        var aging: [String: String] = [:]
    }

    struct Attention: Encodable {
        var target: String
        var flag: String
        var detail: String
    }

    var ledger: String
    var asOf: String
    var rows: Int
    var statuses: [String: Int] = [:]
    var flags: [String: Int] = [:]
    var currencies: [CurrencyTotals] = []
    var autoReconciledRate: Double?
    var needsAttention: [Attention] = []
    /// Webhook events `serve` stored but could not apply (lines of inbox/failed.jsonl).
    var webhookEventsNotApplied = 0

    static let buckets = ["current", "1-30", "31-60", "61-90", "90+"]

    init(ledger: String, asOfDay: Int, invoices: [Invoice], result: Reconciliation) {
        self.ledger = ledger
        asOf = LedgerDate.dayString(asOfDay)
        var totals: [Currency: (rows: Int, due: Int64, paid: Int64, refunded: Int64, balance: Int64, aging: [Int64])] = [:]
        for (invoice, state) in zip(invoices, result.invoices) {
            // A row that cannot be read has no status (its cell is empty), only its invalid_row flag.
            if invoice.isValid { statuses[state.status.rawValue, default: 0] += 1 }
            if let flag = state.flag {
                flags[flag.rawValue, default: 0] += 1
                needsAttention.append(Attention(target: invoice.invoiceNumber.isEmpty ? "row \(invoice.index + 2)" : invoice.invoiceNumber,
                                                flag: flag.rawValue, detail: state.flagDetail))
            }
            guard invoice.isValid, let currency = invoice.currency, let due = invoice.amountDue else { continue }
            var t = totals[currency] ?? (0, 0, 0, 0, 0, Array(repeating: 0, count: 5))
            t.rows += 1
            t.due += due.minorUnits
            t.paid += state.amountPaid
            t.refunded += state.amountRefunded
            t.balance += state.balanceDue
            if state.balanceDue > 0 {
                let late = invoice.dueDay.map { asOfDay - $0 } ?? 0
                let bucket = late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : 4
                t.aging[bucket] += state.balanceDue
            }
            totals[currency] = t
        }
        rows = result.invoices.count
        for (currency, t) in totals.sorted(by: { $0.key < $1.key }) {
            func money(_ v: Int64) -> String { Money.decimalString(v, exponent: currency.exponent) }
            var c = CurrencyTotals(currency: currency.code)
            c.rows = t.rows
            c.amountDue = money(t.due)
            c.amountPaid = money(t.paid)
            c.amountRefunded = money(t.refunded)
            c.balanceDue = money(t.balance)
            for (i, name) in Self.buckets.enumerated() { c.aging[name] = money(t.aging[i]) }
            currencies.append(c)
        }
        // A payment no row took needs a person too — as the report counts them.
        for (payment, flag) in result.flaggedPaymentsNoRowTook {
            needsAttention.append(Attention(target: payment.stripeID, flag: flag.rawValue, detail: payment.flagDetail))
        }
        let rate = result.autoReconciled
        autoReconciledRate = rate.withPayment == 0 ? nil : Double(rate.settled) / Double(rate.withPayment)
    }

    func printText() {
        Output.line("\(ledger) as of \(asOf): \(rows) invoices")
        Output.line("  " + statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
        for c in currencies {
            Output.line("\(c.currency.uppercased()): \(c.rows) rows, due \(c.amountDue), paid \(c.amountPaid), refunded \(c.amountRefunded), open balance \(c.balanceDue)")
            Output.line("  aging: " + Self.buckets.map { "\($0) \(c.aging[$0] ?? "0")" }.joined(separator: " · "))
        }
        if let rate = autoReconciledRate {
            Output.line("auto-reconciled: \(String(format: "%.1f", rate * 100))% of rows with a payment settled without a person")
        }
        if webhookEventsNotApplied > 0 {
            Output.line("webhook events not applied: \(webhookEventsNotApplied) (reasons in \(LedgerSink.failedEventsFile(ledger: ledger)))")
        }
        if needsAttention.isEmpty {
            Output.line("nothing needs attention.")
        } else {
            Output.line("needs attention (\(needsAttention.count)):")
            for a in needsAttention { Output.line("  \(a.target) [\(a.flag)] \(a.detail)") }
        }
    }
}
