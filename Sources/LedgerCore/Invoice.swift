/// One row of the invoices table, as the user wrote it (DESIGN.md §1). Only user-owned columns.
public struct Invoice: Sendable, Hashable {
    public enum StatusOverride: String, Sendable, CaseIterable {
        case void, uncollectible, paidOutOfBand = "paid_out_of_band"
    }

    /// Position among the data rows, 0-based; messages add the header and say "row N" 1-based.
    public var index: Int
    public var invoiceNumber: String
    public var customerName: String
    public var customerEmail: String
    public var stripeCustomerID: String
    public var stripeInvoiceID: String
    /// nil when the `currency` cell could not be read (then `problems` says why).
    public var currency: Currency?
    /// `amount_due` in the row's currency; nil when unreadable.
    public var amountDue: Money?
    /// Days since 1970-01-01.
    public var issueDay: Int?
    public var dueDay: Int?
    public var description: String
    public var statusOverride: StatusOverride?
    /// Cells that could not be read: the row is `invalid_row` and takes no payments until fixed.
    public var problems: [CellProblem]

    public var isValid: Bool { problems.isEmpty }

    public init(index: Int, invoiceNumber: String) {
        self.index = index
        self.invoiceNumber = invoiceNumber
        customerName = ""
        customerEmail = ""
        stripeCustomerID = ""
        stripeInvoiceID = ""
        description = ""
        problems = []
    }
}

/// A cell that could not be read, with the column, the value and what to do.
public struct CellProblem: Sendable, Hashable, CustomStringConvertible {
    public var column: String
    public var value: String
    public var message: String
    public init(column: String, value: String, message: String) {
        self.column = column
        self.value = value
        self.message = message
    }
    public var description: String { "\(column): \(message)" }
}

/// The columns of the invoices table (DESIGN.md §1). Header names are the contract; order is free.
public enum InvoiceColumn {
    public static let invoiceNumber = "invoice_number"
    public static let customerName = "customer_name"
    public static let customerEmail = "customer_email"
    public static let stripeCustomerID = "stripe_customer_id"
    public static let stripeInvoiceID = "stripe_invoice_id"
    public static let currency = "currency"
    public static let amountDue = "amount_due"
    public static let issueDate = "issue_date"
    public static let dueDate = "due_date"
    public static let description = "description"
    public static let statusOverride = "status_override"

    /// Owned by the user; LedgerSync never rewrites them.
    public static let userOwned = [invoiceNumber, customerName, customerEmail, stripeCustomerID, stripeInvoiceID,
                                   currency, amountDue, issueDate, dueDate, description, statusOverride]
    /// A ledger without one of these is structurally broken (exit 2).
    public static let required = [invoiceNumber, currency, amountDue]

    /// Owned by LedgerSync: added when missing, written on every sync, in this order.
    public static let owned = ["status", "amount_paid", "amount_refunded", "balance_due", "paid_at", "payment_ids",
                               "match_rule", "flag", "flag_detail", "payout_ids", "deposited_at", "last_event_at"]
}

extension Invoice {
    /// Reads one row from its cells by column name. Unreadable cells become `problems`, never a throw:
    /// a bad cell flags its row, it does not stop the sync (DESIGN.md §1).
    public static func parse(cells: [String: String], index: Int) -> Invoice {
        parse(index: index) { cells[$0] }
    }

    /// Reads one row through a lookup from column name to raw cell text (nil when the column is absent).
    public static func parse(index: Int, cellNamed raw: (String) -> String?) -> Invoice {
        func cell(_ name: String) -> String { (raw(name) ?? "").trimmingASCIIWhitespace() }
        var invoice = Invoice(index: index, invoiceNumber: cell(InvoiceColumn.invoiceNumber))
        invoice.customerName = cell(InvoiceColumn.customerName)
        invoice.customerEmail = cell(InvoiceColumn.customerEmail)
        invoice.stripeCustomerID = cell(InvoiceColumn.stripeCustomerID)
        invoice.stripeInvoiceID = cell(InvoiceColumn.stripeInvoiceID)
        invoice.description = raw(InvoiceColumn.description) ?? ""

        if invoice.invoiceNumber.isEmpty {
            invoice.problems.append(CellProblem(column: InvoiceColumn.invoiceNumber, value: "",
                                                message: "is empty; give the row its invoice number"))
        }
        let currencyText = cell(InvoiceColumn.currency)
        do {
            invoice.currency = try Currency(currencyText)
        } catch {
            invoice.problems.append(CellProblem(column: InvoiceColumn.currency, value: currencyText, message: error.description))
        }
        let amountText = cell(InvoiceColumn.amountDue)
        if let currency = invoice.currency {
            do {
                let due = try Money(parsing: amountText, currency: currency)
                if due.minorUnits < 0 {
                    invoice.problems.append(CellProblem(column: InvoiceColumn.amountDue, value: amountText,
                                                        message: "'\(amountText)' is negative; an invoice's amount_due is zero or more (record credits in Stripe)"))
                } else {
                    invoice.amountDue = due
                }
            } catch {
                invoice.problems.append(CellProblem(column: InvoiceColumn.amountDue, value: amountText, message: error.description))
            }
        }
        for (column, keyPath) in [(InvoiceColumn.issueDate, \Invoice.issueDay), (InvoiceColumn.dueDate, \Invoice.dueDay)] {
            let text = cell(column)
            guard !text.isEmpty else { continue }
            if let day = LedgerDate.parseDay(text) {
                invoice[keyPath: keyPath] = day
            } else if let seconds = LedgerDate.parseTimestamp(text) {
                // A date with a time of day (a spreadsheet date-time cell): its day.
                invoice[keyPath: keyPath] = LedgerDate.day(ofTimestamp: seconds)
            } else {
                invoice.problems.append(CellProblem(column: column, value: text,
                                                    message: "'\(text)' is not a date; write YYYY-MM-DD, e.g. 2026-09-01"))
            }
        }
        let override = cell(InvoiceColumn.statusOverride)
        if !override.isEmpty {
            if let value = StatusOverride(rawValue: override.lowercased()) {
                invoice.statusOverride = value
            } else {
                invoice.problems.append(CellProblem(column: InvoiceColumn.statusOverride, value: override,
                                                    message: "'\(override)' is not an override; use void, uncollectible or paid_out_of_band, or leave it empty"))
            }
        }
        return invoice
    }
}
