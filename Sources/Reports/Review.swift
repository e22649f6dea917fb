import LedgerCore

/// One thing a person must decide: a flagged invoice row or a flagged payment no row took.
public struct ReviewItem: Sendable, Equatable {
    public enum Subject: String, Sendable { case invoice, payment }

    public var subject: Subject
    /// The invoice number (`row N` when it has none) or the Stripe id.
    public var target: String
    public var flag: Flag
    /// What to decide, in words (`FlagSeverity.reason`).
    public var reason: String
    /// The flag's own sentence (`flag_detail`).
    public var detail: String
    public var customer: String
    public var currency: Currency?
    /// `amount_due` of a row; the amount of a payment. Minor units of `currency`.
    public var amount: Int64?
    /// What the row still owes; nil for a payment.
    public var balanceDue: Int64?
    /// The row's due date (else its issue date) or the payment's day, as days since 1970-01-01.
    public var day: Int?
    /// Days from `day` to the report's day; the list is sorted oldest first.
    public var ageDays: Int?
    /// Unix seconds: when evidence for an open dispute on the row is due.
    public var disputeEvidenceDueBy: Int64?
    /// The dispute's fee (balance transaction), minor units of `currency`, when known.
    public var disputeFee: Int64?
    /// Up to three invoice rows that may be the answer: same customer or same amount.
    public var candidates: [String]
}

/// Builds the Review sheet's list (DESIGN.md §9): pure, so its content is testable on its own.
public enum Review {
    public static let columns = ["age_days", "kind", "target", "flag", "reason", "detail", "customer", "currency",
                                 "amount", "balance_due", "date", "dispute_evidence_due", "dispute_fee",
                                 "candidate_1", "candidate_2", "candidate_3"]

    /// Flagged rows and flagged payments that no row took, oldest first.
    ///
    /// - Parameters:
    ///   - asOfDay: days since 1970-01-01 of the report.
    public static func items(invoices: [Invoice], result: Reconciliation, records: RecordSet, asOfDay: Int) -> [ReviewItem] {
        let index = CandidateIndex(invoices: invoices, states: result.invoices)
        var items: [ReviewItem] = []
        var disputesByInvoice: [String: [PaymentLine]] = [:]
        for line in result.payments where line.kind == .dispute {
            for number in line.invoiceNumbers { disputesByInvoice[number.lowercased(), default: []].append(line) }
        }
        for (i, invoice) in invoices.enumerated() where i < result.invoices.count {
            let state = result.invoices[i]
            guard let flag = state.flag else { continue }
            let day = invoice.dueDay ?? invoice.issueDay
            var item = ReviewItem(subject: .invoice, target: invoice.invoiceNumber.isEmpty ? "row \(invoice.index + 2)" : invoice.invoiceNumber,
                                  flag: flag, reason: FlagSeverity.reason(flag), detail: state.flagDetail,
                                  customer: invoice.customerName.isEmpty ? invoice.customerEmail : invoice.customerName,
                                  currency: invoice.currency, amount: invoice.amountDue?.minorUnits, balanceDue: state.balanceDue,
                                  day: day, ageDays: day.map { asOfDay - $0 }, disputeEvidenceDueBy: nil, disputeFee: nil,
                                  candidates: [])
            let disputes = disputesByInvoice[invoice.invoiceNumber.lowercased(), default: []]
            if let dispute = disputes.first(where: { isOpenDispute($0.status) }) ?? disputes.last {
                item.disputeEvidenceDueBy = records.record(dispute.stripeID)?.dueBy
                item.disputeFee = dispute.fee.map { abs($0) }
            }
            if let currency = invoice.currency {
                let amount = state.balanceDue > 0 ? state.balanceDue : invoice.amountDue?.minorUnits
                item.candidates = index.candidates(customerIDs: [invoice.stripeCustomerID], emails: [invoice.customerEmail],
                                                   currency: currency, amount: amount, excluding: i)
            }
            items.append(item)
        }
        for line in result.payments where line.flag != nil && line.invoiceNumbers.isEmpty {
            guard let flag = line.flag else { continue }
            let day = Int(floorDiv(line.created, 86_400))
            var item = ReviewItem(subject: .payment, target: line.stripeID, flag: flag, reason: FlagSeverity.reason(flag),
                                  detail: line.flagDetail, customer: line.email.isEmpty ? line.customer : line.email,
                                  currency: line.currency, amount: line.amount, balanceDue: nil, day: day,
                                  ageDays: asOfDay - day, disputeEvidenceDueBy: nil, disputeFee: nil, candidates: [])
            if line.kind == .dispute {
                item.disputeEvidenceDueBy = records.record(line.stripeID)?.dueBy
                item.disputeFee = line.fee.map { abs($0) }
            }
            item.candidates = index.candidates(customerIDs: [line.customer], emails: [line.email],
                                               currency: line.currency, amount: line.amount, excluding: nil)
            items.append(item)
        }
        items.sort { a, b in
            switch (a.ageDays, b.ageDays) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default:
                if a.subject != b.subject { return a.subject == .invoice }
                return a.target < b.target
            }
        }
        return items
    }

    /// The items as text cells in `columns` order (the golden-file form of the sheet).
    public static func textRows(_ items: [ReviewItem]) -> [[String]] {
        items.map { item in
            func money(_ v: Int64?) -> String {
                guard let v, let currency = item.currency else { return "" }
                return Money.decimalString(v, exponent: currency.exponent)
            }
            var row = [
                item.ageDays.map(String.init) ?? "", item.subject.rawValue, item.target, item.flag.rawValue, item.reason,
                item.detail, item.customer, item.currency?.code ?? "", money(item.amount), money(item.balanceDue),
                item.day.map(LedgerDate.dayString) ?? "", item.disputeEvidenceDueBy.map(LedgerDate.timestampString) ?? "",
                money(item.disputeFee),
            ]
            for k in 0..<3 { row.append(k < item.candidates.count ? item.candidates[k] : "") }
            return row
        }
    }

    static func isOpenDispute(_ status: String) -> Bool {
        status == "needs_response" || status == "under_review" || status.hasPrefix("warning_")
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
}

/// Open invoice rows by customer and by amount, to suggest where a payment or a flag may belong.
struct CandidateIndex {
    let invoices: [Invoice]
    let states: [InvoiceState]
    private var byCustomer: [String: [Int]] = [:]
    private var byAmount: [String: [Int]] = [:]
    /// Rows looked at per customer or amount, earliest due first: enough for any real customer, and
    /// it keeps a ledger where thousands of rows share one amount from going quadratic.
    static let bucketLimit = 64

    init(invoices: [Invoice], states: [InvoiceState]) {
        self.invoices = invoices
        self.states = states
        for (i, invoice) in invoices.enumerated() where i < states.count && states[i].balanceDue > 0 {
            for key in Self.customerKeys(ids: [invoice.stripeCustomerID], emails: [invoice.customerEmail]) {
                byCustomer[key, default: []].append(i)
            }
            if let currency = invoice.currency {
                byAmount[Self.amountKey(currency, states[i].balanceDue), default: []].append(i)
                if let due = invoice.amountDue?.minorUnits, due != states[i].balanceDue {
                    byAmount[Self.amountKey(currency, due), default: []].append(i)
                }
            }
        }
        let order: (Int, Int) -> Bool = { a, b in
            let da = invoices[a].dueDay ?? Int.max, db = invoices[b].dueDay ?? Int.max
            if da != db { return da < db }
            return invoices[a].invoiceNumber < invoices[b].invoiceNumber
        }
        for key in byCustomer.keys where byCustomer[key, default: []].count > 1 { byCustomer[key]?.sort(by: order) }
        for key in byAmount.keys where byAmount[key, default: []].count > 1 { byAmount[key]?.sort(by: order) }
    }

    static func customerKeys(ids: [String], emails: [String]) -> [String] {
        ids.map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }.map { "id:" + $0 }
            + emails.map { $0.trimmingASCIIWhitespace().lowercased() }.filter { !$0.isEmpty }.map { "email:" + $0 }
    }

    static func amountKey(_ currency: Currency, _ amount: Int64) -> String { currency.code + ":" + String(amount) }

    /// Up to three rows: same customer and amount first, then same customer, then same amount; each
    /// group by due date, then invoice number.
    func candidates(customerIDs: [String], emails: [String], currency: Currency, amount: Int64?, excluding: Int?) -> [String] {
        var sameCustomer = Set<Int>()
        for key in Self.customerKeys(ids: customerIDs, emails: emails) { sameCustomer.formUnion((byCustomer[key] ?? []).prefix(Self.bucketLimit)) }
        var sameAmount = Set<Int>()
        if let amount, amount > 0 { sameAmount.formUnion((byAmount[Self.amountKey(currency, amount)] ?? []).prefix(Self.bucketLimit)) }
        var ranked: [(rank: Int, row: Int)] = []
        for row in sameCustomer.union(sameAmount) where row != excluding {
            let customer = sameCustomer.contains(row), money = sameAmount.contains(row)
            ranked.append((customer && money ? 0 : customer ? 1 : 2, row))
        }
        ranked.sort { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            let da = invoices[a.row].dueDay ?? Int.max, db = invoices[b.row].dueDay ?? Int.max
            if da != db { return da < db }
            return invoices[a.row].invoiceNumber < invoices[b.row].invoiceNumber
        }
        return ranked.prefix(3).map { describe($0.row, rank: $0.rank) }
    }

    private func describe(_ row: Int, rank: Int) -> String {
        let invoice = invoices[row]
        var text = invoice.invoiceNumber.isEmpty ? "row \(invoice.index + 2)" : invoice.invoiceNumber
        var parts: [String] = []
        if let currency = invoice.currency {
            parts.append("balance " + Money(minorUnits: states[row].balanceDue, currency: currency).displayString)
        }
        if let due = invoice.dueDay { parts.append("due " + LedgerDate.dayString(due)) }
        parts.append(rank == 0 ? "same customer and amount" : rank == 1 ? "same customer" : "same amount")
        if !invoice.customerName.isEmpty { parts.append(invoice.customerName) }
        text += " (" + parts.joined(separator: ", ") + ")"
        return text
    }
}
