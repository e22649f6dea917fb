import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore

extension LedgerSync {
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every record applied to an invoice row (or a payment), which rule matched it, and why.",
            discussion: """
            Examples:
              ledgersync explain --ledger books/ledger.csv INV-2026-0042
              ledgersync explain --ledger books/ledger.csv ch_3QxYz…
            """
        )

        @OptionGroup var options: LedgerOptions

        @Argument(help: ArgumentHelp("An invoice_number, or a Stripe payment id.", valueName: "invoice-or-payment"))
        var target: String

        struct Explanation: Encodable {
            struct Source: Encodable {
                var id: String
                var kind: String
                var status: String
                var amount: String
                var door: String
                var event: String
                var observedAt: String
            }

            var target: String
            var status: String?
            var columns: [String: String]
            var steps: [String]
            var records: [Source]
        }

        func run() async throws {
            let session = try LedgerSession.forCommand(options, writing: false)
            defer { session.close() }
            let result: Reconciliation
            let known: StateCache
            do {
                result = try session.reconcile()
                known = try session.knownState()
            } catch { throw Output.fail(error) }
            let key = target.trimmingASCIIWhitespace().lowercased()
            var explanation: Explanation
            /// LedgerSync's columns of the row or payment, in its table's order.
            let shown: [String]
            if let r = session.invoices.firstIndex(where: { $0.invoiceNumber.lowercased() == key }) {
                let state = result.invoices[r]
                let rendered = session.tables.renderedInvoices(session.invoices, result)
                var columns: [String: String] = [:]
                for (i, name) in rendered.header.enumerated() { columns[name] = rendered.cell(r, i) }
                var ids = state.paymentIDs
                ids += result.payments.filter { $0.invoiceNumbers.contains(session.invoices[r].invoiceNumber) }.map(\.stripeID)
                explanation = Explanation(target: session.invoices[r].invoiceNumber, status: state.status.rawValue, columns: columns,
                                          steps: state.trail, records: Self.sources(ids, known.records))
                shown = InvoiceColumn.owned
            } else if let payment = result.payments.first(where: { $0.stripeID.lowercased() == key }) {
                var columns: [String: String] = [:]
                let row = LedgerTables(invoices: session.tables.invoices, invoicesFormat: session.tables.invoicesFormat,
                                       payments: session.tables.payments, paymentsFormat: session.tables.paymentsFormat)
                    .renderedPayments(Reconciliation(invoices: [], payments: [payment], notes: []))
                for (i, name) in row.header.enumerated() { columns[name] = row.cell(0, i) }
                let steps = payment.flag.map { ["\($0.rawValue): \(payment.flagDetail)"] } ?? []
                explanation = Explanation(target: payment.stripeID, status: payment.status, columns: columns, steps: steps,
                                          records: Self.sources([payment.stripeID], known.records))
                shown = LedgerTables.paymentColumns
            } else {
                throw CommandFailure(message: "error: \(options.ledger): no invoice_number or payment id '\(target)'; `ledgersync status` lists the rows and payments that need attention", status: ExitStatus.failure)
            }
            if options.json {
                Output.json(explanation)
                return
            }
            Output.line("\(explanation.target): \(explanation.status ?? "")")
            for name in shown where !(explanation.columns[name] ?? "").isEmpty {
                Output.line("  \(name): \(explanation.columns[name] ?? "")")
            }
            if !explanation.steps.isEmpty {
                Output.line("how it got here:")
                for step in explanation.steps { Output.line("  - \(step)") }
            }
            if !explanation.records.isEmpty {
                Output.line("records:")
                for s in explanation.records {
                    Output.line("  \(s.id) \(s.kind) \(s.status) \(s.amount) via \(s.door)\(s.event.isEmpty ? "" : " (\(s.event))") seen \(s.observedAt)")
                }
            }
        }

        /// The merged records behind these ids and everything that points at them (refunds, disputes, links).
        static func sources(_ ids: [String], _ set: RecordSet) -> [Explanation.Source] {
            let wanted = Set(ids)
            var chosen = ids.compactMap { set.record($0) }
            let intents = Set(chosen.compactMap(\.paymentIntent))
            for record in set.all where !wanted.contains(record.id) {
                if let c = record.charge, wanted.contains(c) { chosen.append(record) } else if let p = record.paymentIntent, intents.contains(p), record.kind != .charge { chosen.append(record) }
            }
            var seen = Set<String>()
            return chosen.filter { seen.insert($0.id).inserted }.sorted { ($0.created ?? 0, $0.id) < ($1.created ?? 0, $1.id) }.map { r in
                let amount = r.currency.flatMap { try? Currency($0) }.map { c in
                    Money.decimalString(r.amount ?? 0, exponent: c.exponent) + " " + c.description
                } ?? ""
                return Explanation.Source(id: r.id, kind: r.kind.rawValue, status: r.status ?? "", amount: amount, door: r.door.rawValue,
                                          event: r.eventID ?? "", observedAt: r.observedAt.map(LedgerDate.timestampString) ?? "")
            }
        }
    }
}
