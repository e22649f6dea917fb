import Foundation
import LedgerCore
import Mailer

/// The figures of one report: totals by status, what changed in the period, the oldest open flags and
/// the auto-reconciled rate, as the email templates see them (`ReportContext`), plus the snapshot that
/// the next report compares against. Pure: no clock, no files.
///
/// ```swift
/// let period = ReportPeriod(since: nil, state: state, now: now)
/// let figures = ReportFigures.make(invoices: session.invoices, result: result, state: state, period: period,
///                                  now: now, ledgerName: "ledger.csv", attachmentName: "ledger-2026-11-20.xlsx")
/// figures.context.newlyPaid   // rows that became paid since the last sent report
/// ```
enum ReportFigures {
    /// Statuses that mean "the customer has paid in full".
    static let paidStatuses: Set<String> = [InvoiceStatus.paid.rawValue, InvoiceStatus.overpaid.rawValue]
    /// How many open flags the "oldest" list shows.
    static let oldestShown = 5

    struct Made {
        var context: ReportContext
        var snapshot: ReportState.Snapshot
    }

    /// One flagged row or payment while the lists are built.
    private struct FlagItem {
        var line: ReportContext.InvoiceLine
        var since: Int64
        var severity: Int
        var key: String
        var isNew: Bool
    }

    static func make(invoices: [Invoice], result: Reconciliation, state: ReportState, period: ReportPeriod,
                     now: Int64, ledgerName: String, attachmentName: String) -> Made {
        let previous = state.lastRun ?? state.lastSent
        let hasHistory = previous != nil
        var snapshot = ReportState.Snapshot(at: LedgerDate.timestampString(now), rows: [:], payments: [:])

        /// When a flag was first seen: carried from the last run while it stays the same flag; on a
        /// ledger's very first report, estimated from its newest Stripe record (never later than now).
        func firstSeen(_ old: ReportState.Entry?, flag: String, estimate: Int64?) -> Int64 {
            if let old, old.flag == flag, let since = old.flaggedSince.flatMap(LedgerDate.parseTimestamp) { return min(since, now) }
            if !hasHistory, let estimate { return min(estimate, now) }
            return now
        }
        /// Since the last report: a flag the last sent report did not show on this row or payment (an
        /// exact comparison of the two snapshots). With --since: first seen inside the period.
        func isNewFlag(since: Int64, flag: String, then: ReportState.Entry?) -> Bool {
            switch period.kind {
            case .firstReport: true
            case .sinceLastReport: then?.flag != flag
            case .since(let start, _): since >= start
            }
        }

        var totals: [String: (count: Int, due: [Currency: Int64], balance: [Currency: Int64])] = [:]
        var newlyPaid: [(line: ReportContext.InvoiceLine, paidAt: Int64, index: Int)] = []
        var flagged: [FlagItem] = []

        for (index, invoice) in invoices.enumerated() where index < result.invoices.count {
            let row = result.invoices[index]
            let key = invoice.invoiceNumber.trimmingCharacters(in: .whitespaces)
            let status = invoice.isValid ? row.status.rawValue : ""
            let flag = row.flag?.rawValue ?? ""
            let currency = invoice.isValid ? invoice.currency : nil

            var total = totals[invoice.isValid ? status : Flag.invalidRow.rawValue] ?? (0, [:], [:])
            total.count += 1
            if let currency {
                if let due = invoice.amountDue { total.due[currency, default: 0] += due.minorUnits }
                total.balance[currency, default: 0] += row.balanceDue
            }
            totals[invoice.isValid ? status : Flag.invalidRow.rawValue] = total

            var entry = ReportState.Entry(status: status, flag: flag, flaggedSince: nil)
            let since = flag.isEmpty ? nil : firstSeen(previous?.rows[key], flag: flag, estimate: row.lastEventAt)
            entry.flaggedSince = since.map(LedgerDate.timestampString)
            snapshot.rows[key] = entry

            let line = ReportContext.InvoiceLine(
                invoiceNumber: key, customerName: invoice.customerName,
                amountDue: invoice.amountDue.map(ReportFormat.money) ?? "",
                balanceDue: currency.map { ReportFormat.money(Money(minorUnits: row.balanceDue, currency: $0)) } ?? "",
                status: invoice.isValid ? status : Flag.invalidRow.rawValue,
                paidAt: row.paidAt.map(ReportFormat.time) ?? "",
                flag: flag, flagDetail: row.flagDetail,
                flaggedSince: since.map(ReportFormat.time) ?? "",
                flaggedDays: since.map { Int((now - $0) / 86_400) } ?? 0
            )
            if paidStatuses.contains(status) {
                let isNew: Bool = switch period.kind {
                case .firstReport: true
                case .sinceLastReport: !paidStatuses.contains(state.lastSent?.rows[key]?.status ?? "")
                case .since(let start, _): (row.paidAt ?? Int64.min) >= start
                }
                if isNew { newlyPaid.append((line, row.paidAt ?? now, index)) }
            }
            if let since, let code = row.flag {
                flagged.append(FlagItem(line: line, since: since, severity: code.severity, key: key,
                                        isNew: isNewFlag(since: since, flag: flag, then: state.lastSent?.rows[key])))
            }
        }

        // Payments no row took that carry a flag, not already named by a row's: a person must act on them too.
        for (payment, code) in result.flaggedPaymentsNoRowTook {
            let since = firstSeen(previous?.payments[payment.stripeID], flag: code.rawValue, estimate: payment.created)
            snapshot.payments[payment.stripeID] = ReportState.Entry(status: payment.status, flag: code.rawValue,
                                                                     flaggedSince: LedgerDate.timestampString(since))
            let who = [payment.email, payment.customer].first { !$0.isEmpty } ?? "unknown customer"
            let line = ReportContext.InvoiceLine(
                invoiceNumber: payment.stripeID, customerName: who,
                amountDue: ReportFormat.money(Money(minorUnits: payment.amount, currency: payment.currency)), balanceDue: "",
                status: payment.kind.rawValue, flag: code.rawValue, flagDetail: payment.flagDetail,
                flaggedSince: ReportFormat.time(since), flaggedDays: Int((now - since) / 86_400)
            )
            flagged.append(FlagItem(line: line, since: since, severity: code.severity, key: payment.stripeID,
                                    isNew: isNewFlag(since: since, flag: code.rawValue, then: state.lastSent?.payments[payment.stripeID])))
        }

        var order = InvoiceStatus.allCases.map(\.rawValue)
        order.append(Flag.invalidRow.rawValue)
        let statusTotals = order.compactMap { status -> ReportContext.StatusTotal? in
            guard let total = totals[status] else { return nil }
            return ReportContext.StatusTotal(status: status, count: total.count,
                                             amountDue: ReportFormat.sums(total.due), balanceDue: ReportFormat.sums(total.balance))
        }
        let byAge: (FlagItem, FlagItem) -> Bool = { ($0.since, $0.severity, $0.key) < ($1.since, $1.severity, $1.key) }
        let newlyFlagged = flagged.filter(\.isNew).sorted { ($0.severity, $0.key) < ($1.severity, $1.key) }
        let stillFlagged = flagged.filter { !$0.isNew }.sorted(by: byAge)
        let oldest = flagged.sorted(by: byAge).prefix(oldestShown)

        let rate = result.autoReconciled
        let context = ReportContext(
            ledgerName: ledgerName, generatedAt: ReportFormat.time(now),
            periodStart: period.start.map(ReportFormat.time) ?? "", periodLabel: period.label,
            isFirstReport: period.isFirstReport, attachmentName: attachmentName,
            totals: statusTotals, invoiceCount: invoices.count,
            newlyPaid: newlyPaid.sorted { ($0.paidAt, $0.index) < ($1.paidAt, $1.index) }.map(\.line),
            newlyFlagged: newlyFlagged.map(\.line), stillFlagged: stillFlagged.map(\.line),
            oldestOpenFlags: oldest.map(\.line), openFlagCount: flagged.count,
            autoReconciledRate: ReportFormat.rate(rate.settled, of: rate.withPayment),
            autoReconciledCount: rate.settled, paymentCount: rate.withPayment
        )
        return Made(context: context, snapshot: snapshot)
    }
}

/// The period a report's "what changed" lists cover.
struct ReportPeriod: Equatable {
    enum Kind: Equatable {
        /// No report was ever sent and no `--since`: everything paid or flagged counts as new.
        case firstReport
        /// Since the last report actually delivered (its snapshot decides what is new).
        case sinceLastReport(Int64)
        /// `--since`: paid_at and first-seen times inside the period decide.
        case since(Int64, label: String)
    }

    var kind: Kind

    init(since: ReportSince?, state: ReportState, now: Int64) {
        if let since {
            kind = .since(since.start(now: now), label: since.label)
        } else if let sent = state.lastSent?.time {
            kind = .sinceLastReport(sent)
        } else {
            kind = .firstReport
        }
    }

    var start: Int64? {
        switch kind {
        case .firstReport: nil
        case .sinceLastReport(let start), .since(let start, _): start
        }
    }

    var isFirstReport: Bool { kind == .firstReport }

    var label: String {
        switch kind {
        case .firstReport: "so far"
        case .sinceLastReport(let start): "since the last report (\(ReportFormat.time(start)))"
        case .since(let start, let label): label.isEmpty ? "since \(ReportFormat.time(start))" : "\(label) (since \(ReportFormat.time(start)))"
        }
    }
}

/// `--since`: a duration back from now (`7d`, `12h`, `2w`) or a moment (`2026-11-01`, `2026-11-01T09:00:00Z`, UTC).
struct ReportSince: Equatable {
    enum Value: Equatable {
        case seconds(Int64, label: String)
        case moment(Int64)
    }

    var value: Value

    /// - Returns: nil when `text` is neither a duration nor a date.
    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let unit = trimmed.last, let count = Int64(trimmed.dropLast()), count > 0, count < 100_000 {
            let (seconds, word): (Int64, String)
            switch unit {
            case "h": (seconds, word) = (3600, "hour")
            case "d": (seconds, word) = (86_400, "day")
            case "w": (seconds, word) = (7 * 86_400, "week")
            default: return nil
            }
            value = .seconds(count * seconds, label: count == 1 ? "in the last \(word)" : "in the last \(count) \(word)s")
        } else if let moment = LedgerDate.parseTimestamp(text) {
            value = .moment(moment)
        } else {
            return nil
        }
    }

    func start(now: Int64) -> Int64 {
        switch value {
        case .seconds(let seconds, _): now - seconds
        case .moment(let moment): moment
        }
    }

    var label: String {
        switch value {
        case .seconds(_, let label): label
        case .moment: ""
        }
    }
}

/// How figures read in a message: `1,250.00 USD`, `2026-11-20 09:00 UTC`, `98.7%`.
enum ReportFormat {
    static func money(_ money: Money) -> String {
        let plain = money.decimalString
        let negative = plain.hasPrefix("-")
        let digits = negative ? String(plain.dropFirst()) : plain
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        grouped = whole + grouped
        let fraction = parts.count > 1 ? "." + parts[1] : ""
        return (negative ? "-" : "") + grouped + fraction + " " + money.currency.description
    }

    /// One amount per currency, in code order, joined with ` · `; `0` when there is none.
    static func sums(_ amounts: [Currency: Int64]) -> String {
        guard !amounts.isEmpty else { return "0" }
        return amounts.sorted { $0.key < $1.key }.map { money(Money(minorUnits: $0.value, currency: $0.key)) }.joined(separator: " · ")
    }

    static func time(_ seconds: Int64) -> String {
        let stamp = LedgerDate.timestampString(seconds) // YYYY-MM-DDTHH:MM:SSZ
        return String(stamp.prefix(10)) + " " + String(stamp.dropFirst(11).prefix(5)) + " UTC"
    }

    /// One decimal, rounded half up, from integers (`98.7%`); `n/a` without payments.
    static func rate(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "n/a" }
        let tenths = (part * 1000 * 2 + whole) / (whole * 2)
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
