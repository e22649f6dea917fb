import LedgerCore

/// One payout with the money movements it carried to the bank.
public struct PayoutLine: Sendable, Equatable {
    public var payoutID: String
    public var status: String
    public var created: Int64
    /// Unix seconds of the expected or actual arrival, when Stripe said.
    public var arrival: Int64?
    public var currency: Currency
    public var amount: Int64
    /// Payments-table rows whose `payout_id` is this payout.
    public var movements: Int
    /// Sums of those rows' amount, fee and net (same currency only), minor units.
    public var gross: Int64
    public var fees: Int64
    public var net: Int64
}

/// The Payouts sheet's lines (filled properly once payouts are reconciled; until then, what the payments table says).
public enum Payouts {
    public static let columns = ["payout_id", "status", "created", "arrival_date", "currency", "amount", "movements", "gross", "fees", "net"]

    public static func lines(result: Reconciliation, records: RecordSet) -> [PayoutLine] {
        var carried: [String: (count: Int, gross: Int64, fees: Int64, net: Int64, currency: Currency)] = [:]
        for line in result.payments where !line.payoutID.isEmpty && line.kind != .payout {
            var sums = carried[line.payoutID] ?? (0, 0, 0, 0, line.currency)
            guard sums.currency == line.currency else { continue }
            sums.count += 1
            sums.gross += line.amount
            sums.fees += line.fee ?? 0
            sums.net += line.net ?? line.amount
            carried[line.payoutID] = sums
        }
        return result.payments.filter { $0.kind == .payout }.map { payout in
            let sums = carried[payout.stripeID]
            let same = sums?.currency == payout.currency
            return PayoutLine(payoutID: payout.stripeID, status: payout.status, created: payout.created,
                              arrival: records.record(payout.stripeID)?.dueBy, currency: payout.currency, amount: payout.amount,
                              movements: same ? sums?.count ?? 0 : 0, gross: same ? sums?.gross ?? 0 : 0,
                              fees: same ? sums?.fees ?? 0 : 0, net: same ? sums?.net ?? 0 : 0)
        }
    }
}
