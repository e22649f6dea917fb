import Foundation
import LedgerCore
import Spreadsheet

/// Everything a workbook of one ledger shows: the two tables as LedgerSync writes them, the
/// reconciliation they came from, and (for an XLSX ledger) the user's cells as they were read.
///
/// ```swift
/// let report = LedgerReport(ledgerName: "ledger.csv", invoicesTable: rendered, paymentsTable: payments,
///                           invoices: session.invoices, result: result, records: session.state.records,
///                           mode: session.settings.mode, asOf: now)
/// try LedgerWorkbook.write(report, to: "out.xlsx")
/// ```
public struct LedgerReport: Sendable {
    /// Shown on the Summary sheet and in the document title.
    public var ledgerName: String
    /// The invoices table with LedgerSync's columns filled in (`LedgerTables.renderedInvoices`).
    public var invoicesTable: Table
    /// The payments table (`LedgerTables.renderedPayments`).
    public var paymentsTable: Table
    /// The parsed rows, parallel to `invoicesTable.rows`.
    public var invoices: [Invoice]
    public var result: Reconciliation
    /// What is known from Stripe: dispute evidence due dates, payout arrival dates.
    public var records: RecordSet
    /// The ledger's Stripe mode; links go to the test-mode Dashboard unless it is `.live`.
    public var mode: StripeMode?
    /// Unix seconds: the moment the figures describe (aging is measured on its UTC day).
    public var asOf: Int64
    /// For an XLSX ledger: the Invoices sheet's data rows as read, parallel to `invoicesTable.rows`,
    /// so the user's cells are written back with their own type (text stays text, numbers numbers).
    public var invoiceCellsAsRead: [[XLSXCell]]
    /// For an XLSX ledger: user-added Payments columns as read, by `stripe_id`, then by header.
    public var paymentCellsAsRead: [String: [String: XLSXCell]]
    /// For an XLSX ledger: the user's own sheets, written back after the ledger's (values only).
    public var otherSheets: [XLSXSheet]
    /// For an XLSX ledger: the Invoices column ranges a person hid (0-based), hidden again when written.
    public var invoiceHiddenColumns: [ClosedRange<Int>]

    public init(ledgerName: String, invoicesTable: Table, paymentsTable: Table, invoices: [Invoice],
                result: Reconciliation, records: RecordSet, mode: StripeMode?, asOf: Int64,
                invoiceCellsAsRead: [[XLSXCell]] = [], paymentCellsAsRead: [String: [String: XLSXCell]] = [:],
                otherSheets: [XLSXSheet] = [], invoiceHiddenColumns: [ClosedRange<Int>] = []) {
        self.ledgerName = ledgerName
        self.invoicesTable = invoicesTable
        self.paymentsTable = paymentsTable
        self.invoices = invoices
        self.result = result
        self.records = records
        self.mode = mode
        self.asOf = asOf
        self.invoiceCellsAsRead = invoiceCellsAsRead
        self.paymentCellsAsRead = paymentCellsAsRead
        self.otherSheets = otherSheets
        self.invoiceHiddenColumns = invoiceHiddenColumns
    }

    /// The sheets LedgerSync owns in a workbook; any other sheet is the user's.
    public static let ledgerSheets = ["Invoices", "Payments"]
    public static let reportSheets = ["Summary", "Review", "Payouts"]

    /// Whether a sheet name is one LedgerSync writes (including continuation sheets such as `Payments (2)`).
    public static func isOwnSheet(_ name: String) -> Bool {
        let base = baseName(name)
        return (ledgerSheets + reportSheets).contains { $0.lowercased() == base }
    }

    /// Whether a sheet is one of the report sheets (Summary, Review, Payouts, or a continuation), which every
    /// write regenerates: reading a workbook ledger need not read them.
    public static func isReportSheet(_ name: String) -> Bool {
        let base = baseName(name)
        return reportSheets.contains { $0.lowercased() == base }
    }

    /// The lowercased name without a continuation suffix (`payments (2)` → `payments`).
    private static func baseName(_ name: String) -> Substring {
        let lower = name.lowercased()
        if lower.hasSuffix(")"), let open = lower.range(of: " (", options: .backwards),
           lower[open.upperBound..<lower.index(before: lower.endIndex)].allSatisfy(\.isNumber) {
            return lower[..<open.lowerBound]
        }
        return Substring(lower)
    }
}
