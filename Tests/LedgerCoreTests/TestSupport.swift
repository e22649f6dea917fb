import Testing
@testable import LedgerCore

/// 2026-05-01T00:00:00Z, the base time of test scenarios.
let t0: Int64 = 1_777_593_600

/// A ledger and a record set, built line by line, reconciled on demand.
struct Scenario {
    var invoices: [Invoice] = []
    var records = RecordSet()
    var decisions: [Decision] = []
    var settings = ReconcileSettings()

    /// Adds a row from cells as a user would write them. `amount` in major units.
    mutating func row(_ number: String, _ amount: String, currency: String = "usd", customer: String = "",
                      email: String = "", stripeInvoice: String = "", due: String = "", issue: String = "",
                      override: String = "") {
        let cells = [
            "invoice_number": number, "amount_due": amount, "currency": currency, "stripe_customer_id": customer,
            "customer_email": email, "stripe_invoice_id": stripeInvoice, "due_date": due, "issue_date": issue,
            "status_override": override,
        ]
        invoices.append(Invoice.parse(cells: cells, index: invoices.count))
    }

    mutating func add(_ rs: Record...) { for r in rs { records.insert(r) } }

    mutating func decide(_ action: Decision.Action) {
        decisions.append(Decision(action: action, decidedAt: t0 + 999_999, sequence: decisions.count + 1))
    }

    func run() -> Reconciliation {
        Reconciler.reconcile(invoices: invoices, records: records, decisions: decisions, settings: settings)
    }

    /// The state of the row with this invoice number.
    func state(_ number: String, in result: Reconciliation) -> InvoiceState? {
        guard let i = invoices.firstIndex(where: { $0.invoiceNumber == number }) else { return nil }
        return result.invoices[i]
    }
}

extension Reconciliation {
    func payment(_ id: String) -> PaymentLine? { payments.first { $0.stripeID == id } }
}

func record(_ kind: Record.Kind, _ id: String, at: Int64 = t0, status: String? = nil, amount: Int64? = nil,
            currency: String? = "usd", door: Record.Door = .webhook, _ configure: (inout Record) -> Void = { _ in }) -> Record {
    var r = Record(kind: kind, id: id, door: door)
    r.created = at
    r.observedAt = at
    r.status = status
    r.amount = amount
    r.currency = currency
    configure(&r)
    return r
}

/// A succeeded, captured charge of `amount` minor units.
func charge(_ id: String, _ amount: Int64, at: Int64 = t0, currency: String = "usd", status: String = "succeeded",
            customer: String? = nil, email: String? = nil, reference: String? = nil, invoice: String? = nil,
            intent: String? = nil, captured: Bool = true, refunded: Int64? = nil, door: Record.Door = .webhook) -> Record {
    record(.charge, id, at: at, status: status, amount: amount, currency: currency, door: door) {
        $0.captured = captured
        $0.amountCaptured = captured ? amount : 0
        $0.customer = customer
        $0.email = email
        $0.reference = reference
        $0.invoice = invoice
        $0.paymentIntent = intent
        $0.amountRefunded = refunded
    }
}

func refund(_ id: String, of chargeID: String, _ amount: Int64, at: Int64, status: String = "succeeded") -> Record {
    record(.refund, id, at: at, status: status, amount: amount) { $0.charge = chargeID }
}

func dispute(_ id: String, of chargeID: String, _ amount: Int64, at: Int64, status: String) -> Record {
    record(.dispute, id, at: at, status: status, amount: amount) {
        $0.charge = chargeID
        $0.dueBy = at + 7 * 86_400
    }
}

func stripeInvoice(_ id: String, status: String, total: Int64, amountDue: Int64? = nil, amountPaid: Int64? = nil,
                   at: Int64 = t0, number: String? = nil, customer: String? = nil) -> Record {
    record(.invoice, id, at: at, status: status) {
        $0.total = total
        $0.amountDue = amountDue ?? total
        $0.amountPaid = amountPaid
        $0.number = number
        $0.customer = customer
    }
}
