import Foundation
import LedgerCore
import Reports
import Spreadsheet
import StripeData

/// The demo sample (samples/) as a reconciliation, built from its expected outcome files and the
/// records of its events — independent of the engine, so the report's content can be pinned.
struct SampleScenario {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = packageRoot.appendingPathComponent("samples")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// 2026-09-30T12:00:00Z.
    static let asOf: Int64 = Int64(LedgerDate.days(year: 2026, month: 9, day: 30)) * 86_400 + 43_200

    var ledger: Table
    var invoices: [Invoice]
    var result: Reconciliation
    var records: RecordSet

    static func load() throws -> SampleScenario {
        let ledger = try CSV.read(path: samples.appendingPathComponent("ledger.csv").path).table
        let expected = try CSV.read(path: samples.appendingPathComponent("expected.csv").path).table
        let expectedPayments = try CSV.read(path: samples.appendingPathComponent("expected_payments.csv").path).table

        var records = RecordSet()
        let events = samples.appendingPathComponent("events")
        for name in try FileManager.default.contentsOfDirectory(atPath: events.path).sorted() {
            let bytes = [UInt8](try Data(contentsOf: events.appendingPathComponent(name)))
            for item in StripeJSON.decode(bytes, file: name, door: .file, settings: ReconcileSettings()).events {
                for record in item.records { records.insert(record) }
            }
        }

        let invoices = ledger.rows.indices.map { r in
            Invoice.parse(cells: Dictionary(uniqueKeysWithValues: ledger.header.enumerated().map { ($0.element, ledger.cell(r, $0.offset)) }), index: r)
        }
        func column(_ table: Table, _ name: String) -> Int { table.columnIndex(name) ?? -1 }
        var payments: [PaymentLine] = []
        var paymentsByInvoice: [String: [String]] = [:]
        for r in expectedPayments.rows.indices {
            let id = expectedPayments.cell(r, column(expectedPayments, "stripe_id"))
            let record = records.records[id]
            guard let kind = PaymentKind(rawValue: expectedPayments.cell(r, column(expectedPayments, "kind"))),
                  let currency = try? Currency(record?.currency ?? "usd") else { continue }
            var line = PaymentLine(stripeID: id, kind: kind, status: expectedPayments.cell(r, column(expectedPayments, "status")),
                                   created: record?.created ?? 0, currency: currency,
                                   amount: record?.amount ?? record?.amountPaid ?? 0, door: .file)
            line.customer = record?.customer ?? ""
            line.email = record?.email ?? ""
            line.fee = record?.fee
            line.net = record?.net
            line.payoutID = record?.payout ?? ""
            line.invoiceNumbers = expectedPayments.cell(r, column(expectedPayments, "invoice_number")).split(separator: " ").map(String.init)
            line.flag = Flag(rawValue: expectedPayments.cell(r, column(expectedPayments, "flag")))
            line.flagDetail = line.flag.map { "\($0.rawValue) on \(id)" } ?? ""
            if kind == .charge || kind == .manual {
                for number in line.invoiceNumbers { paymentsByInvoice[number, default: []].append(id) }
            }
            payments.append(line)
        }
        payments.sort { ($0.created, $0.stripeID) < ($1.created, $1.stripeID) }

        var states: [InvoiceState] = []
        for invoice in invoices {
            guard let r = expected.rows.firstIndex(where: { $0.first == invoice.invoiceNumber }),
                  let status = InvoiceStatus(rawValue: expected.cell(r, column(expected, "status"))) else {
                states.append(InvoiceState(status: .open))
                continue
            }
            var state = InvoiceState(status: status)
            let exponent = invoice.currency?.exponent ?? 2
            func money(_ name: String) -> Int64 { (try? Money.parseMinorUnits(expected.cell(r, column(expected, name)), exponent: exponent)) ?? 0 }
            state.amountPaid = money("amount_paid")
            state.amountRefunded = money("amount_refunded")
            state.balanceDue = money("balance_due")
            state.flag = Flag(rawValue: expected.cell(r, column(expected, "flag")))
            state.flagDetail = state.flag.map { "\($0.rawValue) on \(invoice.invoiceNumber)" } ?? ""
            state.paymentIDs = paymentsByInvoice[invoice.invoiceNumber] ?? []
            if !state.paymentIDs.isEmpty { state.matchRule = invoice.stripeInvoiceID.isEmpty ? .customerAmount : .stripeInvoice }
            states.append(state)
        }
        return SampleScenario(ledger: ledger, invoices: invoices,
                              result: Reconciliation(invoices: states, payments: payments, notes: []), records: records)
    }

    /// The tables as LedgerSync writes them (the same columns `LedgerTables` renders).
    func report(mode: StripeMode? = .test) -> LedgerReport {
        let owned = InvoiceColumn.owned
        let header = ledger.header + owned
        var rows: [[String]] = []
        for (r, state) in result.invoices.enumerated() {
            let currency = invoices[r].currency
            func money(_ v: Int64) -> String { currency.map { Money.decimalString(v, exponent: $0.exponent) } ?? "" }
            rows.append(ledger.rows[r] + [state.status.rawValue, money(state.amountPaid), money(state.amountRefunded), money(state.balanceDue),
                                          state.paidAt.map(LedgerDate.timestampString) ?? "", state.paymentIDs.joined(separator: " "),
                                          state.matchRule?.rawValue ?? "", state.flag?.rawValue ?? "", state.flagDetail, "", "", ""])
        }
        let paymentHeader = ["stripe_id", "kind", "status", "created", "currency", "amount", "fee", "net", "settlement_currency",
                             "stripe_customer_id", "customer_email", "stripe_invoice_id", "reference", "invoice_number", "match_rule",
                             "payout_id", "flag", "flag_detail", "source"]
        let paymentRows = result.payments.map { p -> [String] in
            let e = p.currency.exponent
            return [p.stripeID, p.kind.rawValue, p.status, LedgerDate.timestampString(p.created), p.currency.code,
                    Money.decimalString(p.amount, exponent: e), p.fee.map { Money.decimalString($0, exponent: e) } ?? "",
                    p.net.map { Money.decimalString($0, exponent: e) } ?? "", p.settlementCurrency, p.customer, p.email,
                    p.stripeInvoiceID, p.reference, p.invoiceNumbers.joined(separator: " "), p.matchRule?.rawValue ?? "",
                    p.payoutID, p.flag?.rawValue ?? "", p.flagDetail, p.door.rawValue]
        }
        return LedgerReport(ledgerName: "ledger.csv", invoicesTable: Table(header: header, rows: rows),
                            paymentsTable: Table(header: paymentHeader, rows: paymentRows), invoices: invoices, result: result,
                            records: records, mode: mode, asOf: Self.asOf)
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("reports-test-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
