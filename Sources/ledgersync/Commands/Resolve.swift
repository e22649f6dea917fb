import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore

extension LedgerSync {
    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a person's decision: match a payment, split it, unmatch it, or accept a flag.",
            discussion: """
            Each decision is kept in the journal and applied on every later sync; no automatic rule undoes it.

            Examples:
              ledgersync resolve --ledger books/ledger.csv ch_123 --invoice INV-2026-0042
              ledgersync resolve --ledger books/ledger.csv ch_124 \\
                --invoice INV-1=600 --invoice INV-2=400
              ledgersync resolve --ledger books/ledger.csv --accept INV-2026-0007 \\
                --note "refund agreed by phone"
              ledgersync resolve --ledger books/ledger.csv --unmatch ch_125
            """
        )

        @OptionGroup var options: LedgerOptions

        @Argument(help: ArgumentHelp("The Stripe payment id to match (with --invoice).", valueName: "payment"))
        var payment: String?

        @Option(name: .customLong("invoice"), parsing: .singleValue,
                help: ArgumentHelp("Apply the payment to this invoice_number; INV=AMOUNT applies part of it (repeatable).", valueName: "invoice[=amount]"))
        var allocations: [String] = []

        @Option(help: ArgumentHelp("Accept the open flag on this invoice_number or payment id.", valueName: "target"))
        var accept: String?

        @Option(help: "Why the flag is accepted (required with --accept).")
        var note: String?

        @Option(help: ArgumentHelp("Take this payment off every row.", valueName: "payment"))
        var unmatch: String?

        @ArgumentParser.Flag(name: .long, help: "Show what the decision would change; write nothing.")
        var dryRun = false

        func validate() throws {
            let modes = [payment != nil || !allocations.isEmpty, accept != nil, unmatch != nil].filter { $0 }.count
            guard modes == 1 else {
                throw ValidationError("Give exactly one of: PAYMENT --invoice INV…, --accept TARGET --note TEXT, or --unmatch PAYMENT.")
            }
            if payment != nil && allocations.isEmpty { throw ValidationError("Name the row(s) with --invoice INV-… to match \(payment!) to.") }
            if payment == nil && !allocations.isEmpty { throw ValidationError("Name the payment to match, e.g. `resolve ch_123 --invoice INV-1`.") }
            if accept != nil && (note ?? "").trimmingASCIIWhitespace().isEmpty {
                throw ValidationError("--accept needs --note \"why\" so the next person knows.")
            }
        }

        func run() async throws {
            let session = try LedgerSession.forCommand(options, writing: !dryRun)
            defer { session.close() }
            let before = session.tables
            let current: Reconciliation
            do { current = try session.reconcile() } catch { throw Output.fail(error) }
            let action = try decision(session: session, current: current)
            let result: Reconciliation
            do {
                try session.decide(action)
                if !dryRun, let committed = try session.commit() {
                    result = committed
                } else {
                    result = try session.reconcile()
                }
            } catch { throw Output.fail(error) }
            let invoicesAfter = session.tables.renderedInvoices(session.invoices, result)
            let changes = Changes.rows(before: before.invoices, after: invoicesAfter, invoices: session.invoices)
            let paymentChanges = Changes.payments(before: before.payments, after: session.tables.renderedPayments(result))
            if options.json {
                Output.json(["dryRun": AnyEncodable(dryRun), "changes": AnyEncodable(changes), "paymentChanges": AnyEncodable(paymentChanges)])
            } else {
                Output.line(dryRun ? "would change:" : "recorded; changed:")
                Changes.print(rows: changes, payments: paymentChanges, would: dryRun)
            }
        }

        private func fail(_ message: String) -> CommandFailure {
            CommandFailure(message: "error: \(options.ledger): \(message)", status: ExitStatus.failure)
        }

        private func decision(session: LedgerSession, current: Reconciliation) throws -> Decision.Action {
            func invoice(_ number: String) throws -> Invoice {
                guard let found = session.invoices.first(where: { $0.invoiceNumber.lowercased() == number.trimmingASCIIWhitespace().lowercased() }) else {
                    throw fail("no row has invoice_number '\(number)'; check the number in the ledger")
                }
                return found
            }
            func paymentLine(_ id: String) throws -> PaymentLine {
                guard let line = current.payments.first(where: { $0.stripeID == id }) else {
                    throw fail("no payment '\(id)' is known; import it first (`ledgersync status` lists unmatched payments)")
                }
                return line
            }
            if let unmatch {
                _ = try paymentLine(unmatch)
                return .unmatch(paymentID: unmatch)
            }
            if let accept {
                let target: String
                let flag: LedgerCore.Flag?
                if let r = session.invoices.firstIndex(where: { $0.invoiceNumber.lowercased() == accept.lowercased() }) {
                    target = session.invoices[r].invoiceNumber
                    flag = current.invoices[r].flag
                } else if let line = current.payments.first(where: { $0.stripeID == accept }) {
                    target = line.stripeID
                    flag = line.flag
                } else {
                    throw fail("no invoice_number or payment id '\(accept)'")
                }
                guard let flag else { throw fail("\(target) has no open flag to accept") }
                if flag == .invalidRow {
                    throw fail("\(target) is invalid_row, which cannot be accepted: fix the cells its flag_detail names and run again")
                }
                return .accept(target: target, flag: flag, note: note ?? "")
            }
            let line = try paymentLine(payment ?? "")
            guard [.charge, .credit, .manual].contains(line.kind) else {
                throw fail(line.chargeID.isEmpty
                    ? "\(line.stripeID) is a \(line.kind.rawValue), not a payment: only a charge, a credit or an out-of-band payment goes to rows"
                    : "\(line.stripeID) is a \(line.kind.rawValue) of \(line.chargeID), not a payment: it follows its charge — resolve \(line.chargeID) instead")
            }
            let named = allocations.map { String($0.prefix { $0 != "=" }).trimmingASCIIWhitespace().lowercased() }
            if let twice = named.first(where: { n in named.count { $0 == n } > 1 }) {
                throw fail("--invoice \(twice) is given twice; name each row once")
            }
            var result: [Decision.Allocation] = []
            var total: Int64 = 0
            if allocations.filter({ !$0.contains("=") }).count > 1 {
                throw fail("more than one --invoice without an amount; give an amount to every row but one (INV=AMOUNT), and that one takes what remains")
            }
            for entry in allocations {
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                let row = try invoice(parts[0])
                if result.contains(where: { $0.invoiceNumber == row.invoiceNumber }) {
                    throw fail("--invoice \(row.invoiceNumber) is given twice; name each row once")
                }
                var amount: Int64?
                if parts.count == 2 {
                    do {
                        amount = try Money(parsing: parts[1], currency: line.currency).minorUnits
                    } catch {
                        throw fail("--invoice \(entry): \(error)")
                    }
                    if let amount, amount <= 0 {
                        throw fail("--invoice \(entry): the amount must be more than zero; to take the payment off a row, leave that row out (or use --unmatch)")
                    }
                    total += amount ?? 0
                }
                if let currency = row.currency, currency != line.currency {
                    throw fail("\(line.stripeID) is in \(line.currency) but \(row.invoiceNumber) is in \(currency); different currencies never net against each other")
                }
                result.append(Decision.Allocation(invoiceNumber: row.invoiceNumber, amount: amount))
            }
            let money = { (v: Int64) in Money.decimalString(v, exponent: line.currency.exponent) }
            if total > abs(line.amount) {
                throw fail("the amounts given (\(money(total))) exceed the payment (\(money(abs(line.amount))) \(line.currency))")
            }
            if let rest = result.first(where: { $0.amount == nil }), total >= abs(line.amount) {
                throw fail("the amounts given (\(money(total))) take the whole payment, leaving nothing for \(rest.invoiceNumber); leave \(rest.invoiceNumber) out, or give the others less")
            }
            if result.allSatisfy({ $0.amount != nil }), total < abs(line.amount) {
                throw fail("the amounts given (\(money(total))) leave \(money(abs(line.amount) - total)) \(line.currency) of the payment (\(money(abs(line.amount)))) on no row; give one row no amount to take what remains, or amounts that add up to the payment")
            }
            return .match(paymentID: line.stripeID, allocations: result)
        }
    }
}

/// Lets a dictionary hold values of different encodable types.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
