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
    /// Sums of those rows' gross, fee and net in the payout's currency, minor units: a row in another
    /// currency that settled in the payout's counts its settled gross (net + fee).
    public var gross: Int64
    public var fees: Int64
    public var net: Int64
}

/// The Payouts sheet's lines (filled properly once payouts are reconciled; until then, what the payments table says).
public enum Payouts {
    public static let columns = ["payout_id", "status", "created", "arrival_date", "currency", "amount", "movements", "gross", "fees", "net"]

    public static func lines(result: Reconciliation, records: RecordSet) -> [PayoutLine] {
        let payouts = result.payments.filter { $0.kind == .payout }
        var currencyOf: [String: Currency] = [:]
        for payout in payouts { currencyOf[payout.stripeID] = payout.currency }
        var carried: [String: (count: Int, gross: Int64, fees: Int64, net: Int64)] = [:]
        for line in result.payments where line.kind != .payout {
            guard let currency = currencyOf[line.payoutID] else { continue }
            let settled: (gross: Int64, fee: Int64, net: Int64)
            if line.settlement == currency, let net = line.net {
                settled = (net + (line.fee ?? 0), line.fee ?? 0, net)
            } else if line.currency == currency {
                settled = (line.amount, line.fee ?? 0, line.net ?? line.amount)
            } else {
                continue   // settled in another currency: not part of this payout's sums
            }
            var sums = carried[line.payoutID] ?? (0, 0, 0, 0)
            sums.count += 1
            sums.gross += settled.gross
            sums.fees += settled.fee
            sums.net += settled.net
            carried[line.payoutID] = sums
        }
        return payouts.map { payout in
            let sums = carried[payout.stripeID] ?? (0, 0, 0, 0)
            return PayoutLine(payoutID: payout.stripeID, status: payout.status, created: payout.created,
                              arrival: records.record(payout.stripeID)?.dueBy, currency: payout.currency, amount: payout.amount,
                              movements: sums.count, gross: sums.gross, fees: sums.fees, net: sums.net)
        }
    }
}
