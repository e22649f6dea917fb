/// Indexes of the invoice rows for matching (DESIGN.md §4), kept current as the sweep changes rows.
///
/// Rule 1 and 2 lookups are dictionary hits; rule 3 looks up the customer's open rows with exactly
/// the payment's balance in O(1), and only when none fits walks that customer's open rows for the
/// 2–5 row subset.
struct RowIndex {
    /// `stripe_invoice_id` → rows in ledger order.
    private(set) var byStripeInvoice: [String: [Int]] = [:]
    /// `invoice_number`, trimmed and lowercased → rows in ledger order.
    private(set) var byNumber: [String: [Int]] = [:]

    struct BalanceKey: Hashable {
        var currency: String
        var balance: Int64
    }

    /// Customer key (`cus:<id>` or `email:<address>`) → open rows, and open rows by balance.
    private var openRows: [String: Set<Int>] = [:]
    private var openByBalance: [String: [BalanceKey: Set<Int>]] = [:]
    /// Where each row is indexed now, to take it out when it changes.
    private var indexed: [Int: BalanceKey] = [:]
    private var customerKey: [Int: String] = [:]

    init(rows: [RowState]) {
        for (i, row) in rows.enumerated() {
            let inv = row.invoice
            if !inv.stripeInvoiceID.isEmpty { byStripeInvoice[inv.stripeInvoiceID, default: []].append(i) }
            let number = RowIndex.normalize(inv.invoiceNumber)
            if !number.isEmpty { byNumber[number, default: []].append(i) }
            if !inv.stripeCustomerID.isEmpty {
                customerKey[i] = "cus:" + inv.stripeCustomerID
            } else {
                let email = RowIndex.normalize(inv.customerEmail)
                if !email.isEmpty { customerKey[i] = "email:" + email }
            }
        }
    }

    /// References and emails compare trimmed and case-insensitively.
    static func normalize(_ s: String) -> String { s.trimmingASCIIWhitespace().lowercased() }

    /// Puts a row in (or takes it out of) the open-row indexes after its state changed.
    mutating func update(row i: Int, state: RowState) {
        guard let key = customerKey[i] else { return }
        if let old = indexed[i] {
            openByBalance[key]?[old]?.remove(i)
            openRows[key]?.remove(i)
            indexed[i] = nil
        }
        guard state.isOpenForMatching, let currency = state.currency else { return }
        let bk = BalanceKey(currency: currency.code, balance: state.balance)
        openByBalance[key, default: [:]][bk, default: []].insert(i)
        openRows[key, default: []].insert(i)
        indexed[i] = bk
    }

    /// The payment's customer keys: its customer id and its email.
    static func customerKeys(customer: String, email: String) -> [String] {
        var keys: [String] = []
        if !customer.isEmpty { keys.append("cus:" + customer) }
        let e = normalize(email)
        if !e.isEmpty { keys.append("email:" + e) }
        return keys
    }

    /// Open rows of these customers whose balance is exactly `amount` in `currency`.
    func exactOpenRows(keys: [String], currency: String, amount: Int64) -> Set<Int> {
        var out = Set<Int>()
        for k in keys {
            if let rows = openByBalance[k]?[BalanceKey(currency: currency, balance: amount)] { out.formUnion(rows) }
        }
        return out
    }

    /// All open rows of these customers.
    func openRows(keys: [String]) -> Set<Int> {
        var out = Set<Int>()
        for k in keys { if let rows = openRows[k] { out.formUnion(rows) } }
        return out
    }
}

/// The outcome of looking for 2–5 open rows whose balances sum to a payment (DESIGN.md §4 rule 3).
enum SubsetResult: Equatable {
    /// Exactly one smallest set: these rows, oldest first.
    case unique([Int])
    /// Several sets of the smallest size (or too many to tell): the rows of the sets found.
    case ambiguous([Int])
    case none
}

enum SubsetSearch {
    /// Work limit per payment; beyond it the answer is "ambiguous", never a guess.
    static let budget = 200_000

    /// Finds the smallest k in 2...5 for which some k of `candidates` sum to `amount`, and whether
    /// that set is the only one of its size.
    ///
    /// - Parameters:
    ///   - candidates: (row, balance) pairs with 0 < balance < amount.
    ///   - age: the order rows are reported in.
    static func find(amount: Int64, candidates: [(row: Int, balance: Int64)], age: (Int) -> AgeKey) -> SubsetResult {
        let items = candidates.sorted { ($0.balance, age($0.row)) < ($1.balance, age($1.row)) }
        guard items.count >= 2 else { return .none }
        var steps = 0
        for k in 2...min(5, items.count) {
            var found: [[Int]] = []
            var chosen: [Int] = []
            var exhausted = false
            func dfs(_ start: Int, _ remaining: Int64, _ slots: Int) {
                if found.count >= 2 || exhausted { return }
                steps += 1
                if steps > budget { exhausted = true; return }
                if slots == 0 {
                    if remaining == 0 { found.append(chosen) }
                    return
                }
                var i = start
                while i <= items.count - slots {
                    let b = items[i].balance
                    // Ascending balances: if the next `slots` smallest already overshoot, stop.
                    if b.multipliedReportingOverflow(by: Int64(slots)).partialValue > remaining { break }
                    chosen.append(i)
                    dfs(i + 1, remaining - b, slots - 1)
                    chosen.removeLast()
                    if found.count >= 2 || exhausted { return }
                    i += 1
                }
            }
            dfs(0, amount, k)
            if exhausted {
                let rows = Set(found.flatMap { $0 }.map { items[$0].row })
                return .ambiguous(rows.sorted { age($0) < age($1) })
            }
            if found.count == 1 {
                return .unique(found[0].map { items[$0].row }.sorted { age($0) < age($1) })
            }
            if found.count >= 2 {
                let rows = Set(found.flatMap { $0 }.map { items[$0].row })
                return .ambiguous(rows.sorted { age($0) < age($1) })
            }
        }
        return .none
    }
}
