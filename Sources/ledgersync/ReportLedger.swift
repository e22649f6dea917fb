import Foundation
import LedgerCore
import LedgerStore
import Reports

/// The ledger as a report needs it: its rows, their reconciliation and the workbook's bytes. Read with
/// the same steps as `export --xlsx`, without the ledger lock (a report writes nothing to the ledger),
/// and finished before any mail is sent so a slow mail server never holds up an import.
struct ReportLedger {
    var paths: LedgerPaths
    var invoices: [Invoice]
    var result: Reconciliation
    /// The `.xlsx` file's bytes.
    var workbook: [UInt8]
    var lockTimeout: Double

    /// - Throws: `CommandFailure` with exit status 2 when the ledger cannot be read or the workbook written.
    static func read(_ options: LedgerOptions, now: Int64) throws -> ReportLedger {
        let session = try LedgerSession.forCommand(options, writing: false)
        defer { session.close() }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("ledgersync-report-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do throws(LedgerError) {
            let result = try session.currentReconciliation()
            let report = try LedgerReport(session: session, name: (options.ledger as NSString).lastPathComponent, result: result, asOf: now)
            do {
                _ = try LedgerWorkbook.write(report, to: temporary)
            } catch {
                throw LedgerError(.writeFailed, file: temporary, "cannot write the report's workbook: \(error.message); check free space in the temporary folder")
            }
            guard let bytes = try AtomicFile.read(temporary) else {
                throw LedgerError(.writeFailed, file: temporary, "the report's workbook vanished before it could be attached; run again")
            }
            return ReportLedger(paths: session.paths, invoices: session.invoices, result: result, workbook: bytes,
                                lockTimeout: session.settings.lockTimeoutSeconds)
        } catch {
            throw Output.fail(error)
        }
    }
}

extension LedgerReport {
    /// The report of an open ledger, as `export --xlsx` and `report` write it. Of the Stripe records, only
    /// disputes and payouts are read (evidence due dates, arrival dates), and only when there are such lines.
    init(session: LedgerSession, name: String, result: Reconciliation, asOf: Int64) throws(LedgerError) {
        let needsRecords = result.payments.contains { $0.kind == .dispute || $0.kind == .payout }
        // Current tables are what rendering `result` would give again: used as they are, not copied.
        let current = session.tablesAreCurrent
        self.init(ledgerName: name, invoicesTable: current ? session.tables.invoices : session.tables.renderedInvoices(session.invoices, result),
                  paymentsTable: current ? session.tables.payments : session.tables.renderedPayments(result),
                  invoices: session.invoices, result: result,
                  records: needsRecords ? try session.records(ofKinds: [.dispute, .payout]) : RecordSet(), mode: session.settings.mode, asOf: asOf)
    }
}
