extension Record {
    /// Merges two snapshots of the same object (DESIGN.md §6).
    ///
    /// The *winner* is the snapshot with the higher ``mergeKey``: state rank for its kind
    /// (``stateRank``), then `observedAt`, then `eventID`. The winner's non-nil fields win and the
    /// loser only fills fields the winner lacks, so a late older snapshot never rolls a record back
    /// and a poorer door never erases a link. `amountCaptured` and `amountRefunded` take the larger
    /// value (they never go down), `captured` is true once either says so (a charge is never
    /// uncaptured: an export's `Captured` can be newer than an authorisation event), and `door` is the
    /// richer of the two.
    ///
    /// `observedAt` and `eventID` are the winner's, never filled from the loser: they are part of
    /// the key, and keeping them makes the merged record rank exactly like its winner.
    ///
    /// When the two snapshots tie on the key (the same event seen through two doors, or two exports
    /// without event ids), the richer door's fields win; between snapshots of the same door every
    /// field takes the larger value (a content tie-break that does not depend on argument order).
    ///
    /// The merge is commutative, idempotent (`a.merged(with: a) == a`) and associative whenever
    /// snapshots that tie on the key agree on the fields they share — which holds for one event seen
    /// through several doors.
    ///
    /// ```swift
    /// let known = pendingRefund.merged(with: succeededRefund)   // status "succeeded", whatever the order
    /// ```
    public func merged(with other: Record) -> Record {
        if self == other { return self }
        let order = Record.compareForMerge(self, other)
        var result: Record
        if order > 0 {
            result = Record.fill(self, from: other)
        } else if order < 0 {
            result = Record.fill(other, from: self)
        } else if door != other.door {
            result = door > other.door ? Record.fill(self, from: other) : Record.fill(other, from: self)
        } else {
            result = Record.fieldwiseMax(self, other)
        }
        result.amountCaptured = Record.maxOptional(amountCaptured, other.amountCaptured)
        result.amountRefunded = Record.maxOptional(amountRefunded, other.amountRefunded)
        if captured == true || other.captured == true { result.captured = true }
        result.door = max(door, other.door)
        return result
    }

    /// Rank of `status` in its kind's life cycle; a later state never gives way to an earlier one.
    ///
    /// - refund: pending, requires_action (1) < succeeded (2) < failed, canceled (3)
    /// - dispute: warning_needs_response (1) < warning_under_review (2) < warning_closed (3)
    ///   < needs_response (4) < under_review (5) < won, lost, prevented (6)
    /// - payout: pending (1) < in_transit (2) < paid (3) < failed, canceled (4)
    /// - invoice: draft (1) < open (2) < uncollectible (3) < paid, void (4)
    /// - charge: pending (1) < failed (2) < succeeded (3) — a charge seen succeeded is never
    ///   un-counted by a stray failed snapshot; Stripe never moves a charge out of succeeded.
    /// - invoice_payment: open (1) < paid, canceled (2)
    /// - payment_intent: requires_* (1) < processing (2) < requires_capture (3) < succeeded, canceled (4)
    /// - checkout_session: open (1) < complete, expired (2); credit_note: issued (1) < void (2);
    ///   balance_transaction: pending (1) < available (2)
    ///
    /// An unknown status ranks 0, a missing one −1.
    public var stateRank: Int {
        guard let raw = status else { return -1 }
        let s = raw.lowercased()
        switch kind {
        case .refund:
            switch s {
            case "pending", "requires_action": return 1
            case "succeeded": return 2
            case "failed", "canceled": return 3
            default: return 0
            }
        case .dispute:
            switch s {
            case "warning_needs_response": return 1
            case "warning_under_review": return 2
            case "warning_closed": return 3
            case "needs_response": return 4
            case "under_review": return 5
            case "won", "lost", "prevented": return 6
            default: return 0
            }
        case .payout:
            switch s {
            case "pending": return 1
            case "in_transit": return 2
            case "paid": return 3
            case "failed", "canceled": return 4
            default: return 0
            }
        case .invoice:
            switch s {
            case "draft": return 1
            case "open": return 2
            case "uncollectible": return 3
            case "paid", "void": return 4
            default: return 0
            }
        case .charge:
            switch s {
            case "pending": return 1
            case "failed": return 2
            case "succeeded": return 3
            default: return 0
            }
        case .invoicePayment:
            switch s {
            case "open": return 1
            case "paid", "canceled": return 2
            default: return 0
            }
        case .paymentIntent:
            switch s {
            case "requires_payment_method", "requires_confirmation", "requires_action": return 1
            case "processing": return 2
            case "requires_capture": return 3
            case "succeeded", "canceled": return 4
            default: return 0
            }
        case .checkoutSession:
            switch s {
            case "open": return 1
            case "complete", "expired": return 2
            default: return 0
            }
        case .creditNote:
            switch s {
            case "issued": return 1
            case "void": return 2
            default: return 0
            }
        case .balanceTransaction:
            switch s {
            case "pending": return 1
            case "available": return 2
            default: return 0
            }
        case .customer:
            return 0
        }
    }

    /// > 0 when `a` wins, < 0 when `b` wins, 0 on a tie of (rank, observedAt, eventID).
    static func compareForMerge(_ a: Record, _ b: Record) -> Int {
        let ra = a.stateRank, rb = b.stateRank
        if ra != rb { return ra > rb ? 1 : -1 }
        let oa = a.observedAt ?? Int64.min, ob = b.observedAt ?? Int64.min
        if oa != ob { return oa > ob ? 1 : -1 }
        let ea = a.eventID ?? "", eb = b.eventID ?? ""
        if ea != eb { return ea > eb ? 1 : -1 }
        return 0
    }

    static func maxOptional<T: Comparable>(_ a: T?, _ b: T?) -> T? {
        switch (a, b) {
        case let (x?, y?): return max(x, y)
        case let (x?, nil): return x
        case let (nil, y?): return y
        case (nil, nil): return nil
        }
    }

    /// `winner` with every nil field (except the key fields `observedAt`, `eventID`) taken from `loser`.
    static func fill(_ winner: Record, from loser: Record) -> Record {
        var r = winner
        r.livemode = r.livemode ?? loser.livemode
        r.created = r.created ?? loser.created
        r.status = r.status ?? loser.status
        r.currency = r.currency ?? loser.currency
        r.amount = r.amount ?? loser.amount
        r.amountCaptured = r.amountCaptured ?? loser.amountCaptured
        r.amountRefunded = r.amountRefunded ?? loser.amountRefunded
        r.amountPaid = r.amountPaid ?? loser.amountPaid
        r.amountDue = r.amountDue ?? loser.amountDue
        r.total = r.total ?? loser.total
        r.fee = r.fee ?? loser.fee
        r.net = r.net ?? loser.net
        r.settlementCurrency = r.settlementCurrency ?? loser.settlementCurrency
        r.captured = r.captured ?? loser.captured
        r.paidOutOfBand = r.paidOutOfBand ?? loser.paidOutOfBand
        r.customer = r.customer ?? loser.customer
        r.charge = r.charge ?? loser.charge
        r.paymentIntent = r.paymentIntent ?? loser.paymentIntent
        r.invoice = r.invoice ?? loser.invoice
        r.balanceTransaction = r.balanceTransaction ?? loser.balanceTransaction
        r.source = r.source ?? loser.source
        r.payout = r.payout ?? loser.payout
        r.email = r.email ?? loser.email
        r.reference = r.reference ?? loser.reference
        r.number = r.number ?? loser.number
        r.type = r.type ?? loser.type
        r.reason = r.reason ?? loser.reason
        r.dueBy = r.dueBy ?? loser.dueBy
        return r
    }

    /// Field by field the larger value (`nil` < any value, `false` < `true`): symmetric in its arguments.
    static func fieldwiseMax(_ a: Record, _ b: Record) -> Record {
        func m<T: Comparable>(_ x: T?, _ y: T?) -> T? { maxOptional(x, y) }
        func mb(_ x: Bool?, _ y: Bool?) -> Bool? {
            switch (x, y) {
            case let (p?, q?): return p || q
            default: return x ?? y
            }
        }
        var r = a
        r.livemode = mb(a.livemode, b.livemode)
        r.created = m(a.created, b.created)
        r.status = m(a.status, b.status)
        r.currency = m(a.currency, b.currency)
        r.amount = m(a.amount, b.amount)
        r.amountPaid = m(a.amountPaid, b.amountPaid)
        r.amountDue = m(a.amountDue, b.amountDue)
        r.total = m(a.total, b.total)
        r.fee = m(a.fee, b.fee)
        r.net = m(a.net, b.net)
        r.settlementCurrency = m(a.settlementCurrency, b.settlementCurrency)
        r.captured = mb(a.captured, b.captured)
        r.paidOutOfBand = mb(a.paidOutOfBand, b.paidOutOfBand)
        r.customer = m(a.customer, b.customer)
        r.charge = m(a.charge, b.charge)
        r.paymentIntent = m(a.paymentIntent, b.paymentIntent)
        r.invoice = m(a.invoice, b.invoice)
        r.balanceTransaction = m(a.balanceTransaction, b.balanceTransaction)
        r.source = m(a.source, b.source)
        r.payout = m(a.payout, b.payout)
        r.email = m(a.email, b.email)
        r.reference = m(a.reference, b.reference)
        r.number = m(a.number, b.number)
        r.type = m(a.type, b.type)
        r.reason = m(a.reason, b.reason)
        r.dueBy = m(a.dueBy, b.dueBy)
        return r
    }
}
