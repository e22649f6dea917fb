/// Reconciles invoice rows against what is known from Stripe (DESIGN.md §3–§6).
///
/// A pure function: the same rows, records, decisions and settings give the same result, whatever
/// order the records arrived in. Cost is O((rows + records) · log) apart from rule 3's subset
/// search, which only walks one customer's open rows and is bounded by ``SubsetSearch/budget``.
///
/// Payments-table keys (`PaymentLine.stripeID`) are Stripe ids, except these synthetic ones, each
/// counting only what no linked object explains (DESIGN.md §6):
/// - `ch_…#refunded` — refund: `charge.amount_refunded` minus the charge's refund objects
///   (pending or succeeded), when positive;
/// - `in_…#credit` — credit: a Stripe invoice's `total − amount_due − Σ pre-payment credit notes`
///   (customer balance applied), when positive;
/// - `in_…` — manual: a Stripe invoice's `amount_paid` (or its `amount_due` when it is `paid` and
///   says no `amount_paid`) minus its counted charges — paid out of band, or by a charge not seen yet;
/// - a payment intent's `latest_charge` id, or the `pi_…` id — charge: a payment intent whose charge
///   was never seen (``RecordGraph``);
/// - a balance transaction's `source` — charge: a `charge`/`payment` balance transaction whose
///   charge was never seen.
///
/// `payment_ids` on a row lists what counts toward P — charges, credits (`cn_…`, `in_…#credit`) and
/// out-of-band lines (`in_…`) — oldest first; refunds and disputes appear in `trail` and in the
/// payments table, not there.
public enum Reconciler {
    /// - Parameters:
    ///   - invoices: the ledger's rows, in ledger order.
    ///   - records: every merged Stripe record.
    ///   - decisions: a person's decisions (`resolve`), in any order; `sequence` orders them.
    ///   - settings: tolerance per currency.
    /// - Returns: one ``InvoiceState`` per row (same order) and the payments table.
    public static func reconcile(invoices: [Invoice], records: RecordSet, decisions: [Decision],
                                 settings: ReconcileSettings) -> Reconciliation {
        let timing = Timing()
        var engine = Engine(invoices: invoices, records: records, decisions: decisions, settings: settings)
        timing.mark("reconcile: links")
        engine.run()
        timing.mark("reconcile: matched")
        let result = engine.result()
        timing.mark("reconcile: result")
        return result
    }
}

/// What the sweep needs to know about one payments-table line (the line itself is `Engine.lines`, at
/// the same position).
struct Entry {
    enum Role: Int { case payment = 0, refund = 1, dispute = 2, other = 3 }
    var role: Role
    /// Payment: counts toward P. Refund: counts toward R (not failed or canceled).
    var counts: Bool
    /// The amount that counts, positive.
    var magnitude: Int64
    /// Refunds and disputes: the charge they follow.
    var chargeID: String?
    var references: [String] = []
    var observedAt: Int64?
    var sweepTime: Int64
    var flagNotes = FlagNotes()
    var allocations: [(row: Int, amount: Int64)] = []
    /// Refunds and lost disputes already taken back from each allocation of this payment.
    var takenBack: [Int64] = []
    /// Informational sentence when there is no flag (pending, not on a row…).
    var info = ""

    mutating func note(_ flag: Flag, _ sentence: String) {
        flagNotes.note(flag, sentence)
    }
}

struct Engine {
    let invoices: [Invoice]
    let graph: RecordGraph
    let settings: ReconcileSettings
    /// Whether to write each row's `trail` (only `explain` reads it; building it costs time and memory).
    var keepTrail: Bool { settings.keepTrail }
    var rows: [RowState]
    var index: RowIndex
    /// The payments table's lines, and beside each (same position) what the sweep needs to know.
    var lines: [PaymentLine] = []
    var entries: [Entry] = []
    var entryOf: [String: Int] = [:]
    var notes: [String] = []
    var paymentDecisions: [String: Decision] = [:]
    var rowAcceptances: [String: [FlagText.Acceptance]] = [:]
    var paymentAcceptances: [String: [FlagText.Acceptance]] = [:]
    var currencyCache: [String: Currency?] = [:]

    init(invoices: [Invoice], records: RecordSet, decisions: [Decision], settings: ReconcileSettings) {
        self.invoices = invoices
        self.settings = settings
        graph = RecordGraph(records: records)
        rows = invoices.map { RowState(invoice: $0, tolerance: settings.tolerance) }
        index = RowIndex(invoices: invoices)

        // Later sequence wins: per payment for match/unmatch, per (target, flag) for acceptances.
        var accepts: [String: [Flag?: (seq: Int, note: String)]] = [:]
        for d in decisions.sorted(by: { ($0.sequence, $0.decidedAt) < ($1.sequence, $1.decidedAt) }) {
            switch d.action {
            case .match(let id, _), .unmatch(let id):
                paymentDecisions[id] = d
            case .accept(let target, let flag, let note):
                accepts[target, default: [:]][flag] = (d.sequence, note)
            }
        }
        for target in accepts.keys.sorted() {
            let list = (accepts[target] ?? [:]).sorted { $0.value.seq < $1.value.seq }
                .map { FlagText.Acceptance(flag: $0.key, note: $0.value.note) }
            rowAcceptances[RowIndex.normalize(target), default: []].append(contentsOf: list)
            paymentAcceptances[target, default: []].append(contentsOf: list)
        }
    }

    // MARK: - Helpers

    mutating func currency(_ code: String?, of id: String) -> Currency? {
        guard let code, !code.isEmpty else {
            notes.append("\(id): no currency given; left out of reconciliation")
            return nil
        }
        if let cached = currencyCache[code] { return cached }
        let c = try? Currency(code)
        currencyCache[code] = c
        if c == nil { notes.append("\(id): unknown currency '\(code)'; left out of reconciliation") }
        return c
    }

    static func time(_ t: Int64?) -> String { t.map { LedgerDate.timestampString($0) } ?? "(time unknown)" }

    func money(_ units: Int64, _ currency: Currency) -> String {
        Money(minorUnits: units, currency: currency).displayString
    }

    /// Refreshes row `ri` in the open-row indexes (passing the few fields they need, not the row).
    mutating func reindex(_ ri: Int) {
        index.update(row: ri, open: rows[ri].isOpenForMatching, currency: rows[ri].currency?.code, balance: rows[ri].balance)
    }

    mutating func add(_ line: consuming PaymentLine, _ entry: consuming Entry) {
        let next = entries.count
        let existing = RecordSet.claim(&entryOf[line.stripeID], next)
        guard existing == next else {
            // Never twice: a synthetic key that collides with a real object gives way to it.
            if lines[existing].kind == .manual || line.kind != .manual { return }
            lines[existing] = line
            entries[existing] = entry
            return
        }
        lines.append(line)
        entries.append(entry)
    }

    /// Fee, net, settlement currency and payout from the object's balance transactions.
    /// - Parameters:
    ///   - record: the object (for a charge standing on its balance transaction, the charge made from it).
    ///   - ri: its position in the store (the balance transaction's, for such a charge).
    func settle(_ line: inout PaymentLine, record: UnsafePointer<Record>, at ri: Int) {
        let store = graph.store
        // A balance transaction is its own; anything else has those listed by it and the one it names.
        var txns: [Int]
        if record.pointee.kind == .balanceTransaction {
            txns = [ri]
        } else {
            txns = graph.transactionsOf[record.pointee.id] ?? []
            if let bt = record.pointee.balanceTransaction, let own = graph.index(bt), !txns.contains(own) { txns.append(own) }
            if txns.count > 1 { txns.sort { store[$0].id < store[$1].id } }
        }
        var fee: Int64? = record.pointee.kind == .balanceTransaction ? nil : record.pointee.fee
        var net: Int64? = record.pointee.kind == .balanceTransaction ? nil : record.pointee.net
        if fee == nil, !txns.isEmpty, txns.allSatisfy({ store[$0].fee != nil }) { fee = txns.reduce(0) { $0 + (store[$1].fee ?? 0) } }
        if net == nil, !txns.isEmpty, txns.allSatisfy({ store[$0].net != nil }) { net = txns.reduce(0) { $0 + (store[$1].net ?? 0) } }
        line.fee = fee
        line.net = net
        let settlement = record.pointee.settlementCurrency ?? txns.first { store[$0].currency != nil }.flatMap { store[$0].currency } ?? line.currency.code
        line.settlementCurrency = RecordGraph.lowercase(settlement)
        var payout = record.pointee.payout ?? txns.first { store[$0].payout != nil }.flatMap { store[$0].payout } ?? ""
        if !payout.isEmpty, let po = graph.index(payout) {
            let status = RecordGraph.lowercase(store[po].status)
            if status == "failed" || status == "canceled" { payout = "" }
        }
        line.payoutID = payout
    }

    // MARK: - Building the payments table

    mutating func buildEntries() {
        let store = graph.store
        lines.reserveCapacity(store.count)
        entries.reserveCapacity(store.count)
        entryOf.reserveCapacity(store.count)
        /// When a charge was made (refunds and disputes are swept no earlier).
        func chargeCreated(_ id: String) -> Int64? {
            guard let ci = graph.charge(id) else { return nil }
            return store[ci].created ?? store[ci].observedAt ?? 0
        }

        for ci in graph.records(.charge) {
            if store[ci].kind == .balanceTransaction {
                // Made here and dropped after its line is built, never kept (``RecordGraph/init(records:)``).
                let charge = RecordGraph.charge(fromTransaction: store.address(ci).pointee)
                withUnsafePointer(to: charge) { addCharge($0, at: ci) }
            } else {
                addCharge(store.address(ci), at: ci)
            }
        }

        for (kind, role) in [(Record.Kind.refund, Entry.Role.refund), (.dispute, .dispute)] {
            for ri in graph.records(kind) {
                let r = store.address(ri)
                let chargeID = graph.chargeID(charge: r.pointee.charge, intent: r.pointee.paymentIntent)
                // A poorer door may omit the currency; the charge's is the refund's or dispute's.
                let code = r.pointee.currency ?? chargeID.flatMap { graph.index($0) }.flatMap { store[$0].currency }
                guard let cur = currency(code, of: r.pointee.id) else { continue }
                let created = r.pointee.created ?? r.pointee.observedAt ?? 0
                let magnitude = abs(r.pointee.amount ?? 0)
                let status = RecordGraph.lowercase(r.pointee.status)
                var line = PaymentLine(stripeID: r.pointee.id, kind: kind == .refund ? .refund : .dispute, status: r.pointee.status ?? "",
                                       created: created, currency: cur, amount: -magnitude, door: r.pointee.door)
                line.chargeID = chargeID ?? ""
                if let cid = chargeID, let ci = entryOf[cid] {
                    let charge = lines[ci]
                    line.customer = charge.customer
                    line.email = charge.email
                    line.stripeInvoiceID = charge.stripeInvoiceID
                    line.reference = charge.reference
                }
                settle(&line, record: r, at: ri)
                let counts = role == .refund ? !["failed", "canceled"].contains(status) : true
                let sweep = max(created, chargeID.flatMap(chargeCreated) ?? created)
                add(line, Entry(role: role, counts: counts, magnitude: magnitude, chargeID: chargeID,
                                observedAt: r.pointee.observedAt, sweepTime: sweep))
            }
        }

        // Credit notes applied to a Stripe invoice before payment count as credit.
        var creditOf: [String: Int64] = [:]
        for ni in graph.records(.creditNote) {
            let n = store[ni]
            let invoice = n.invoice.flatMap { graph.index($0) }
            guard let cur = currency(n.currency ?? invoice.flatMap { store[$0].currency }, of: n.id) else { continue }
            let type = (n.type ?? "pre_payment").lowercased()
            let isVoid = RecordGraph.lowercase(n.status) == "void"
            let counts = type == "pre_payment" && !isVoid
            let magnitude = abs(n.amount ?? n.total ?? 0)
            let created = n.created ?? n.observedAt ?? 0
            var line = PaymentLine(stripeID: n.id, kind: .credit, status: n.status ?? "issued", created: created,
                                   currency: cur, amount: magnitude, door: n.door)
            line.stripeInvoiceID = n.invoice ?? ""
            line.customer = n.customer ?? invoice.flatMap { store[$0].customer } ?? ""
            line.email = invoice.map { graph.email(of: store.address($0), intent: nil, session: nil) } ?? ""
            let refs = invoice.map { graph.references(of: store.address($0), intent: nil, session: nil, invoice: nil) } ?? []
            line.reference = refs.first ?? ""
            settle(&line, record: store.address(ni), at: ni)
            var e = Entry(role: .payment, counts: counts, magnitude: magnitude, references: refs,
                          observedAt: n.observedAt, sweepTime: created)
            if counts, let inv = n.invoice { creditOf[inv, default: 0] += magnitude }
            if !counts {
                e.info = isVoid ? "Credit note \(n.id) is void: it does not count."
                    : "Credit note \(n.id) was issued after payment (\(type)): its refund, if any, is its own line."
            }
            add(line, e)
        }

        // Stripe invoices: customer credit applied and amounts paid that no object explains.
        for ii in graph.records(.invoice) {
            let inv = store[ii]
            let status = RecordGraph.lowercase(inv.status)
            guard inv.currency != nil || inv.amountPaid != nil || inv.total != nil else { continue }
            guard let cur = currency(inv.currency, of: inv.id) else { continue }
            let refs = graph.references(of: store.address(ii), intent: nil, session: nil, invoice: nil)
            let email = graph.email(of: store.address(ii), intent: nil, session: nil)
            let created = inv.created ?? inv.observedAt ?? 0
            if ["open", "paid", "uncollectible"].contains(status), let total = inv.total, let due = inv.amountDue {
                let residual = total - due - (creditOf[inv.id] ?? 0)
                if residual > 0 {
                    var line = PaymentLine(stripeID: inv.id + "#credit", kind: .credit, status: "applied", created: created,
                                           currency: cur, amount: residual, door: inv.door)
                    line.stripeInvoiceID = inv.id
                    line.customer = inv.customer ?? ""
                    line.email = email
                    line.reference = refs.first ?? ""
                    add(line, Entry(role: .payment, counts: true, magnitude: residual, references: refs,
                                    observedAt: inv.observedAt, sweepTime: created))
                }
            }
            var paidTotal = inv.amountPaid
            if paidTotal == nil && (status == "paid" || inv.paidOutOfBand == true) { paidTotal = inv.amountDue ?? inv.total }
            guard let paidTotal, paidTotal > 0 else { continue }
            let explained = (graph.chargesOfInvoice[inv.id] ?? []).reduce(Int64(0)) { $0 + RecordGraph.capturedAmount(store[$1]) }
            let residual = paidTotal - explained
            guard residual > 0 else { continue }
            let when = inv.observedAt ?? created
            let oob = inv.paidOutOfBand == true
            var line = PaymentLine(stripeID: inv.id, kind: .manual, status: inv.status ?? "paid",
                                   created: when, currency: cur, amount: residual, door: inv.door)
            line.stripeInvoiceID = inv.id
            line.customer = inv.customer ?? ""
            line.email = email
            line.reference = refs.first ?? ""
            var e = Entry(role: .payment, counts: true, magnitude: residual, references: refs,
                          observedAt: inv.observedAt, sweepTime: when)
            e.info = oob ? "Stripe invoice \(inv.id) was marked paid out of band (\(money(residual, cur)))."
                : "Stripe invoice \(inv.id) says \(money(residual, cur)) paid that no charge seen explains; counted once, as out of band, until the charge arrives."
            add(line, e)
        }

        for pi in graph.records(.payout) {
            let po = store.address(pi)
            guard let cur = currency(po.pointee.currency, of: po.pointee.id) else { continue }
            let created = po.pointee.created ?? po.pointee.observedAt ?? 0
            var line = PaymentLine(stripeID: po.pointee.id, kind: .payout, status: po.pointee.status ?? "", created: created,
                                   currency: cur, amount: -abs(po.pointee.amount ?? 0), door: po.pointee.door)
            settle(&line, record: po, at: pi)
            line.payoutID = ""
            add(line, Entry(role: .other, counts: false, magnitude: 0, observedAt: po.pointee.observedAt, sweepTime: created))
        }

        for ti in graph.standaloneTransactions {
            let t = store.address(ti)
            guard let cur = currency(t.pointee.currency, of: t.pointee.id) else { continue }
            let created = t.pointee.created ?? t.pointee.observedAt ?? 0
            var line = PaymentLine(stripeID: t.pointee.id, kind: Engine.kind(ofTransactionType: t.pointee.type ?? ""), status: t.pointee.status ?? "",
                                   created: created, currency: cur, amount: t.pointee.amount ?? 0, door: t.pointee.door)
            settle(&line, record: t, at: ti)
            line.fee = t.pointee.fee
            line.net = t.pointee.net
            if line.kind == .payoutFailure { line.payoutID = t.pointee.source ?? "" }
            add(line, Entry(role: .other, counts: false, magnitude: 0, observedAt: t.pointee.observedAt, sweepTime: created))
        }
    }

    /// The line of charge `c` (at `ci` in the store), and of the refunded amount no refund object explains.
    mutating func addCharge(_ c: UnsafePointer<Record>, at ci: Int) {
        let store = graph.store
        guard let cur = currency(c.pointee.currency, of: c.pointee.id) else { return }
        let intent = c.pointee.paymentIntent.flatMap { graph.index($0) }
        let session = graph.sessionOfCharge[c.pointee.id]
        let invoiceID = graph.invoiceOfCharge[c.pointee.id]
        let invoice = invoiceID.flatMap { graph.index($0) }
        let counts = RecordGraph.chargeCounts(c.pointee)
        let magnitude = RecordGraph.capturedAmount(c.pointee)
        let created = c.pointee.created ?? c.pointee.observedAt ?? 0
        // Authorised, not captured: Stripe's API says `succeeded` with `captured: false`, its Dashboard
        // says Uncaptured, and so does the payments table (a row read back must not count).
        let status = c.pointee.captured == false && RecordGraph.lowercase(c.pointee.status) == "succeeded" ? "uncaptured" : c.pointee.status ?? ""
        var line = PaymentLine(stripeID: c.pointee.id, kind: .charge, status: status, created: created,
                               currency: cur, amount: counts ? magnitude : (c.pointee.amount ?? 0), door: c.pointee.door)
        let customer: String? = c.pointee.customer ?? intent.flatMap { store[$0].customer }
        line.customer = customer ?? session.flatMap { store[$0].customer } ?? invoice.flatMap { store[$0].customer } ?? ""
        line.email = graph.email(of: c, intent: intent, session: session)
        line.stripeInvoiceID = invoiceID ?? ""
        let refs = graph.references(of: c, intent: intent, session: session, invoice: invoice)
        line.reference = refs.first ?? ""
        settle(&line, record: c, at: ci)
        var e = Entry(role: .payment, counts: counts, magnitude: magnitude, references: refs,
                      observedAt: c.pointee.observedAt, sweepTime: created)
        if !counts {
            let status = RecordGraph.lowercase(c.pointee.status)
            if c.pointee.captured == false && status == "succeeded" {
                e.info = "\(c.pointee.id) is authorised but not captured: it does not count until it is captured."
            } else if status == "pending" {
                e.info = "\(c.pointee.id) is pending (a bank debit or another payment still processing): it does not count until it succeeds."
            } else if status == "failed" {
                e.info = "\(c.pointee.id) failed: no money moved."
            } else {
                e.info = "\(c.pointee.id) is \(status.isEmpty ? "of unknown status" : status): it does not count until it succeeds."
            }
        }
        add(line, e)

        // Refunded amount no refund object explains. A refund of any status explains its amount:
        // Stripe counts a pending refund in `amount_refunded` and takes a failed one back out, and
        // the largest `amount_refunded` seen is kept — it may hold a refund that later failed.
        if counts, let refunded = c.pointee.amountRefunded, refunded > 0 {
            let explained = (graph.refundsOfCharge[c.pointee.id] ?? []).reduce(Int64(0)) { $0 + abs(store[$1].amount ?? 0) }
            let residual = refunded - explained
            if residual > 0 {
                let when = c.pointee.observedAt ?? created
                var r = PaymentLine(stripeID: c.pointee.id + "#refunded", kind: .refund, status: "succeeded", created: when,
                                    currency: cur, amount: -residual, door: c.pointee.door)
                r.customer = line.customer
                r.email = line.email
                r.stripeInvoiceID = line.stripeInvoiceID
                r.chargeID = c.pointee.id
                r.reference = line.reference
                r.settlementCurrency = line.settlementCurrency
                add(r, Entry(role: .refund, counts: true, magnitude: residual, chargeID: c.pointee.id,
                             observedAt: c.pointee.observedAt, sweepTime: max(when, created)))
            }
        }
    }

    /// The payments-table kind of a balance transaction no other object explains.
    static func kind(ofTransactionType raw: String) -> PaymentKind {
        // Stripe's common types, as Stripe spells them, without lowercasing or searching.
        switch raw {
        case "stripe_fee", "application_fee", "tax_fee": return .fee
        case "payout": return .payout
        case "refund", "payment_refund": return .refund
        case "charge", "payment": return .charge
        default: break
        }
        let type = raw.lowercased()
        if type == "payout_failure" || type == "payout_cancel" { return .payoutFailure }
        if type.contains("fee") && type.contains("refund") { return .feeRefund }
        if type.contains("fee") { return .fee }
        if type == "refund" || type == "payment_refund" { return .refund }
        if type == "payout" { return .payout }
        if type == "charge" || type == "payment" { return .charge }
        return .adjustment
    }

    // MARK: - The sweep

    mutating func run() {
        let timing = Timing()
        buildEntries()
        timing.mark("reconcile: payment lines")
        defer { timing.mark("reconcile: sweep") }
        for id in paymentDecisions.keys.sorted() where entryOf[id] == nil {
            notes.append("resolve decision on \(id): no such payment is known yet; it applies once the payment arrives")
        }

        // Static facts of each row: its Stripe invoice's status and total.
        for i in rows.indices {
            if rows[i].valid, let inv = graph.record(rows[i].invoice.stripeInvoiceID), inv.kind == .invoice,
               let cur = rows[i].currency {
                let status = RecordGraph.lowercase(inv.status)
                if status == "void" {
                    rows[i].isVoid = true
                    if keepTrail { rows[i].trail.append("\(inv.id) Stripe invoice void \(Engine.time(inv.observedAt))") }
                } else if status == "uncollectible" {
                    rows[i].isUncollectible = true
                    if keepTrail { rows[i].trail.append("\(inv.id) Stripe invoice uncollectible \(Engine.time(inv.observedAt))") }
                }
                if let total = inv.total, (inv.currency ?? cur.code).lowercased() == cur.code, total != rows[i].due {
                    rows[i].note(.amountMismatch, "Stripe invoice \(inv.id) totals \(money(total, cur)) but amount_due is \(money(rows[i].due, cur)).")
                }
                rows[i].touch(inv.observedAt)
            }
            if rows[i].invoice.statusOverride == .void, keepTrail { rows[i].trail.append("status_override void (set in the ledger)") }
            if rows[i].invoice.statusOverride == .uncollectible, keepTrail { rows[i].trail.append("status_override uncollectible (set in the ledger)") }
            rows[i].evaluate()
            reindex(i)
        }

        timing.mark("reconcile: rows")
        let order = IDKey.sortedPositions(count: entries.count, first: { entries[$0].sweepTime },
                                          second: { Int64(entries[$0].role.rawValue) }, id: { lines[$0].stripeID })
        timing.mark("reconcile: sweep order")
        for ei in order {
            switch entries[ei].role {
            case .payment:
                if entries[ei].counts { match(ei) }
            case .refund: attachRefund(ei)
            case .dispute: attachDispute(ei)
            case .other: break
            }
        }
    }

    // MARK: Matching (DESIGN.md §4)

    mutating func match(_ ei: Int) {
        // Fields read one by one: copying the whole line and entry costs a retain and a release per string.
        let magnitude = entries[ei].magnitude
        let currency = lines[ei].currency
        let id = lines[ei].stripeID
        if let decision = paymentDecisions[id] {
            // A person decided: `manual` even when no row took it, so the payments table alone tells a
            // later run (side files deleted) to leave it where the person put it.
            switch decision.action {
            case .match(_, let allocations):
                lines[ei].matchRule = .manual
                applyDecision(ei, allocations: allocations, decision: decision)
            case .unmatch:
                lines[ei].matchRule = .manual
                // A decision read back from the payments table has no time.
                let when = decision.decidedAt > 0 ? ", \(Engine.time(decision.decidedAt))" : ""
                entries[ei].note(.unmatchedPayment, "\(id) (\(money(magnitude, currency))) was taken off its rows by a person (resolve --unmatch\(when)); match it by hand to apply it.")
            case .accept:
                break
            }
            return
        }
        if !lines[ei].stripeInvoiceID.isEmpty {
            let inv = lines[ei].stripeInvoiceID
            if let candidates = index.byStripeInvoice[inv] {
                applyToOne(ei, candidates: candidates, rule: .stripeInvoice, evidence: inv)
                return
            }
            if matchByReference(ei) { return }
            entries[ei].note(.unknownInvoice, "\(id) (\(money(magnitude, currency))) belongs to Stripe invoice \(inv), which no row has as stripe_invoice_id; add the invoice to the ledger or set stripe_invoice_id on its row.")
            return
        }
        if matchByReference(ei) { return }
        if matchByCustomerAndAmount(ei) { return }
        if entries[ei].flagNotes.isEmpty {
            let who = [lines[ei].customer, lines[ei].email].filter { !$0.isEmpty }.joined(separator: " / ")
            entries[ei].note(.unmatchedPayment, "No row matches \(id) (\(money(magnitude, currency))\(who.isEmpty ? "" : ", from " + who)): no stripe_invoice_id, reference or single open balance of that customer fits; add the row or resolve it by hand.")
        }
    }

    mutating func matchByReference(_ ei: Int) -> Bool {
        for ref in entries[ei].references {
            if let candidates = index.byNumber[RowIndex.normalize(ref)] {
                applyToOne(ei, candidates: candidates, rule: .reference, evidence: ref)
                return true
            }
        }
        return false
    }

    /// Rules 1–2: the first valid row of `candidates` (ledger order) takes the whole payment.
    mutating func applyToOne(_ ei: Int, candidates: [Int], rule: MatchRule, evidence: String) {
        let e = entries[ei]
        let line = lines[ei]
        guard let ri = candidates.first(where: { rows[$0].valid }) else {
            let numbers = candidates.map { rows[$0].invoice.invoiceNumber }.joined(separator: ", ")
            entries[ei].note(.unmatchedPayment, "\(line.stripeID) (\(money(e.magnitude, line.currency))) points to row \(numbers), which is invalid_row; fix the row to apply it.")
            return
        }
        _ = apply(ei, row: ri, amount: e.magnitude, rule: rule, evidence: evidence)
    }

    mutating func matchByCustomerAndAmount(_ ei: Int) -> Bool {
        guard !lines[ei].customer.isEmpty || !lines[ei].email.isEmpty else { return false }
        let e = entries[ei]
        let line = lines[ei]
        let keys = index.customerKeys(customer: line.customer, email: line.email)
        guard !keys.isEmpty, e.magnitude > 0 else { return false }
        let code = line.currency.code
        let exact = index.exactOpenRows(keys: keys, currency: code, amount: e.magnitude)
        if let ri = exact.min(by: { rows[$0].ageKey < rows[$1].ageKey }) {
            return apply(ei, row: ri, amount: e.magnitude, rule: .customerAmount, evidence: line.customer.isEmpty ? line.email : line.customer)
        }
        let candidates = index.openRows(keys: keys)
            .filter { rows[$0].currency?.code == code && rows[$0].balance > 0 && rows[$0].balance < e.magnitude }
            .map { (row: $0, balance: rows[$0].balance) }
        // The age keys of the candidates, so the search does not hold a copy of `rows` while rows change.
        var ages: [Int: AgeKey] = Dictionary(minimumCapacity: candidates.count)
        for c in candidates { ages[c.row] = rows[c.row].ageKey }
        switch SubsetSearch.find(amount: e.magnitude, candidates: candidates, age: { ages[$0] ?? AgeKey(due: .max, issue: .max, number: "", index: $0) }) {
        case .unique(let set):
            let who = line.customer.isEmpty ? line.email : line.customer
            for ri in set { _ = apply(ei, row: ri, amount: rows[ri].balance, rule: .customerAmount, evidence: who) }
            return true
        case .ambiguous(let set):
            let numbers = set.map { rows[$0].invoice.invoiceNumber }.joined(separator: ", ")
            entries[ei].note(.ambiguousMatch, "\(line.stripeID) (\(money(e.magnitude, line.currency))) fits more than one set of open rows of the same customer (candidates: \(numbers)); resolve it by hand.")
            return true
        case .none:
            return false
        }
    }

    mutating func applyDecision(_ ei: Int, allocations: [Decision.Allocation], decision: Decision) {
        let e = entries[ei]
        let line = lines[ei]
        var remaining = e.magnitude
        var applied = false
        for a in allocations {
            guard let ri = index.byNumber[RowIndex.normalize(a.invoiceNumber)]?.first else {
                notes.append("resolve decision \(decision.sequence): no row \(a.invoiceNumber) for \(line.stripeID)")
                continue
            }
            guard rows[ri].valid else {
                entries[ei].note(.unmatchedPayment, "\(line.stripeID) was matched by hand to \(a.invoiceNumber), which is invalid_row; fix the row.")
                continue
            }
            let amount = min(a.amount ?? remaining, remaining)
            guard amount > 0 else { continue }
            if apply(ei, row: ri, amount: amount, rule: .manual, evidence: "resolve #\(decision.sequence)") {
                remaining -= amount
                applied = true
            }
        }
        if !applied && entries[ei].flagNotes.isEmpty {
            entries[ei].note(.unmatchedPayment, "\(line.stripeID) (\(money(e.magnitude, line.currency))) was matched by hand to rows it cannot be applied to; resolve it again.")
        }
    }

    /// Applies `amount` of payment `ei` to row `ri`; false (and `currency_mismatch`) when the currencies differ.
    mutating func apply(_ ei: Int, row ri: Int, amount: Int64, rule: MatchRule, evidence: String) -> Bool {
        let e = entries[ei]
        let line = lines[ei]
        let id = line.stripeID
        let number = rows[ri].invoice.invoiceNumber
        guard let rowCurrency = rows[ri].currency, rowCurrency == line.currency else {
            let rowCode = rows[ri].currency?.description ?? "?"
            let sentence = "\(id) is in \(line.currency.description) (\(money(e.magnitude, line.currency))) but row \(number) is in \(rowCode); it was not applied."
            rows[ri].note(.currencyMismatch, sentence)
            rows[ri].touch(e.observedAt)
            if keepTrail { rows[ri].trail.append("\(id) \(line.kind.rawValue) \(money(e.magnitude, line.currency)) \(line.status) \(Engine.time(line.created)): not applied, currency differs from the row's \(rowCode)") }
            entries[ei].note(.currencyMismatch, sentence)
            return false
        }
        let before = rows[ri].status
        // Completed by payments before this one (not by a person's paid_out_of_band).
        let settledBefore = (before == .paid || before == .overpaid) && rows[ri].outOfBandAmount == 0
        if settledBefore, let first = rows[ri].appliedAmounts.first(where: { $0.amount == amount }) {
            let sentence = "\(id) (\(money(amount, rowCurrency))) is a second payment of the same amount on \(number), already paid by \(first.id)."
            rows[ri].note(.duplicatePayment, sentence)
            entries[ei].note(.duplicatePayment, sentence)
        }
        if rows[ri].isVoid {
            let sentence = "\(id) (\(money(amount, rowCurrency))) was paid on \(number), which is void."
            rows[ri].note(.paymentOnVoid, sentence)
            entries[ei].note(.paymentOnVoid, sentence)
        }
        rows[ri].paid += amount
        if !rows[ri].paymentIDs.contains(id) { rows[ri].paymentIDs.append(id) }
        rows[ri].appliedAmounts.append((id, amount))
        rows[ri].lastRule = rule
        rows[ri].touch(e.observedAt)
        rows[ri].evaluate()
        let after = rows[ri].status
        if (after == .paid || after == .overpaid) && rows[ri].outOfBandAmount == 0 && !settledBefore {
            rows[ri].paidAt = line.created
        }
        if after == .overpaid && before != .overpaid {
            entries[ei].note(.overpaid, "\(id) (\(money(amount, rowCurrency))) overpaid \(number): paid \(money(rows[ri].netPaid - rows[ri].refunded, rowCurrency)) against \(money(rows[ri].due, rowCurrency)) due.")
        }
        let how: String
        switch rule {
        case .stripeInvoice: how = "matched by Stripe invoice \(evidence)"
        case .reference: how = "matched by reference \(evidence)"
        case .customerAmount: how = "matched by customer \(evidence) and amount"
        case .manual: how = "applied by hand (\(evidence))"
        }
        let part = amount == e.magnitude ? "" : " (\(money(amount, rowCurrency)) of it)"
        if keepTrail { rows[ri].trail.append("\(id) \(line.kind.rawValue) \(money(e.magnitude, line.currency)) \(line.status) \(Engine.time(line.created)): \(how)\(part) → \(rows[ri].statusText), balance \(money(rows[ri].balance, rowCurrency))") }
        reindex(ri)
        entries[ei].allocations.append((ri, amount))
        entries[ei].takenBack.append(0)
        attach(ei, number, moved: amount)
        lines[ei].matchRule = rule
        if rule == .reference { lines[ei].reference = evidence }
        return true
    }

    // MARK: Refunds and disputes follow their charge

    /// Spreads `amount` over the charge's allocations, each up to what it still holds; the last takes the rest.
    mutating func spread(_ amount: Int64, overChargeAt ci: Int) -> [(row: Int, amount: Int64)] {
        var remaining = amount
        var out: [(row: Int, amount: Int64)] = []
        let allocs = entries[ci].allocations
        for (k, a) in allocs.enumerated() where remaining > 0 {
            let room = max(0, a.amount - entries[ci].takenBack[k])
            let part = k == allocs.count - 1 ? remaining : min(room, remaining)
            guard part > 0 else { continue }
            entries[ci].takenBack[k] += part
            remaining -= part
            out.append((a.row, part))
        }
        return out
    }

    mutating func attachRefund(_ ei: Int) {
        let e = entries[ei]
        let line = lines[ei]
        let id = line.stripeID
        guard let cid = e.chargeID, let ci = entryOf[cid], !entries[ci].allocations.isEmpty else {
            entries[ei].info = e.chargeID.map { "Refund of \($0), which is on no row." } ?? "Refund of a charge not seen."
            if !e.counts { entries[ei].note(.refundFailed, "Refund \(id) (\(money(e.magnitude, line.currency))) \(line.status).") }
            return
        }
        let head = "\(id) refund \(money(e.magnitude, line.currency)) \(line.status) \(Engine.time(line.created))"
        if !e.counts {
            for ri in Set(entries[ci].allocations.map(\.row)).sorted() {
                let reason = graph.record(id)?.reason.map { " (\($0))" } ?? ""
                let sentence = "Refund \(id) of \(money(e.magnitude, line.currency)) on \(cid) \(line.status)\(reason); the money was not returned."
                rows[ri].note(.refundFailed, sentence)
                entries[ei].note(.refundFailed, sentence)
                if keepTrail { rows[ri].trail.append("\(head): refund of \(cid) \(line.status), drops out") }
                rows[ri].touch(e.observedAt)
                attach(ei, rows[ri].invoice.invoiceNumber, moved: 0)
            }
            return
        }
        for (ri, part) in spread(e.magnitude, overChargeAt: ci) {
            rows[ri].refunded += part
            rows[ri].touch(e.observedAt)
            rows[ri].evaluate()
            if keepTrail { rows[ri].trail.append("\(head): refund of \(cid)\(part == e.magnitude ? "" : ", \(money(part, line.currency)) of it") → \(rows[ri].statusText), balance \(rows[ri].money(rows[ri].balance))") }
            reindex(ri)
            attach(ei, rows[ri].invoice.invoiceNumber, moved: -part)
        }
        lines[ei].matchRule = lines[ci].matchRule
    }

    /// Names row `number` on line `ei` (once, in the order rows are first named) with what moved on it.
    mutating func attach(_ ei: Int, _ number: String, moved amount: Int64) {
        if let k = lines[ei].invoiceNumbers.firstIndex(of: number) {
            lines[ei].appliedAmounts[k] += amount
        } else {
            lines[ei].invoiceNumbers.append(number)
            lines[ei].appliedAmounts.append(amount)
        }
    }

    /// Dispute statuses: open (`needs_response`, `under_review`, or unknown — a person looks) set the
    /// row `disputed`; open inquiries (`warning_needs_response`, `warning_under_review`) only flag it;
    /// `lost` takes the money back; `won`, `warning_closed` and `prevented` change nothing.
    mutating func attachDispute(_ ei: Int) {
        let e = entries[ei]
        let line = lines[ei]
        let id = line.stripeID
        let status = line.status.lowercased()
        guard let cid = e.chargeID, let ci = entryOf[cid], !entries[ci].allocations.isEmpty else {
            entries[ei].info = e.chargeID.map { "Dispute on \($0), which is on no row." } ?? "Dispute on a charge not seen."
            return
        }
        let amount = money(e.magnitude, line.currency)
        let head = "\(id) dispute \(amount) \(line.status) \(Engine.time(line.created))"
        let due = graph.record(id)?.dueBy.map { "; evidence due \(LedgerDate.timestampString($0))" } ?? ""
        let reason = graph.record(id)?.reason.map { " (\($0))" } ?? ""
        let rowsOfCharge = Set(entries[ci].allocations.map(\.row)).sorted()
        switch status {
        case "won", "warning_closed", "prevented":
            for ri in rowsOfCharge {
                if keepTrail { rows[ri].trail.append("\(head): on \(cid), closed without money moving") }
                rows[ri].touch(e.observedAt)
                attach(ei, rows[ri].invoice.invoiceNumber, moved: 0)
            }
        case "lost":
            let sentence = "Dispute \(id) on \(cid) was lost\(reason): \(amount) taken back from its rows, which count it as unpaid again."
            entries[ei].note(.disputeLost, sentence)
            entries[ci].note(.disputeLost, sentence)
            var taken: [Int: Int64] = [:]
            for (ri, part) in spread(e.magnitude, overChargeAt: ci) {
                rows[ri].lost += part
                rows[ri].lostDisputes.append(id)
                taken[ri, default: 0] += part
            }
            for ri in rowsOfCharge {
                if !rows[ri].lostDisputes.contains(id) { rows[ri].lostDisputes.append(id) }
                rows[ri].note(.disputeLost, sentence)
                rows[ri].touch(e.observedAt)
                rows[ri].evaluate()
                if keepTrail { rows[ri].trail.append("\(head): on \(cid), lost → \(rows[ri].statusText), balance \(rows[ri].money(rows[ri].balance))") }
                reindex(ri)
                attach(ei, rows[ri].invoice.invoiceNumber, moved: -(taken[ri] ?? 0))
            }
        case "warning_needs_response", "warning_under_review":
            let sentence = "Inquiry \(id) on \(cid) is open (\(status))\(reason), \(amount)\(due); no money has moved yet."
            entries[ei].note(.disputed, sentence)
            entries[ci].note(.disputed, sentence)
            for ri in rowsOfCharge {
                rows[ri].openInquiries.append(id)
                rows[ri].note(.disputed, sentence)
                rows[ri].touch(e.observedAt)
                if keepTrail { rows[ri].trail.append("\(head): inquiry on \(cid), open") }
                attach(ei, rows[ri].invoice.invoiceNumber, moved: 0)
            }
        default:
            let sentence = "Dispute \(id) on \(cid) is open (\(status.isEmpty ? "status unknown" : status))\(reason), \(amount)\(due)."
            entries[ei].note(.disputed, sentence)
            entries[ci].note(.disputed, sentence)
            for ri in rowsOfCharge {
                rows[ri].openDisputes.append(id)
                rows[ri].note(.disputed, sentence)
                rows[ri].touch(e.observedAt)
                rows[ri].evaluate()
                if keepTrail { rows[ri].trail.append("\(head): on \(cid), open → disputed") }
                reindex(ri)
                attach(ei, rows[ri].invoice.invoiceNumber, moved: 0)
            }
        }
        lines[ei].matchRule = lines[ci].matchRule
    }

    // MARK: - Result

    mutating func result() -> Reconciliation {
        var states: [InvoiceState] = []
        states.reserveCapacity(rows.count)
        for i in rows.indices {
            var row = rows[i]
            let accepts = rowAcceptances[RowIndex.normalize(row.invoice.invoiceNumber)] ?? []
            guard row.valid else {
                var s = InvoiceState(status: .open)
                var problems = row.invoice.problems.map(\.description)
                if problems.isEmpty { problems = ["currency or amount_due missing"] }
                // Spreadsheet row numbers: the header is row 1, so data row i is row i + 2.
                let sentence = "Row \(row.invoice.index + 2) (\(row.invoice.invoiceNumber.isEmpty ? "no invoice number" : row.invoice.invoiceNumber)) cannot be read: \(problems.joined(separator: "; ")). It takes no payments until fixed."
                var flagNotes = row.flagNotes
                if !flagNotes.has(.invalidRow) { flagNotes.note(.invalidRow, sentence) }
                let (flag, detail) = FlagText.resolve(notes: flagNotes, acceptances: accepts)
                s.flag = flag
                s.flagDetail = detail
                if keepTrail { s.trail = ["invalid row: \(problems.joined(separator: "; "))"] + row.trail }
                s.lastEventAt = row.lastEventAt
                states.append(s)
                continue
            }
            row.evaluate()
            guard let cur = row.currency else { continue }
            // Money paid twice or too much that went back (refunded) leaves nothing to say about it.
            if row.netPaid - row.refunded <= row.due {
                let number = row.invoice.invoiceNumber
                row.flagNotes.remove(.duplicatePayment)
                for pid in row.paymentIDs {
                    guard let ei = entryOf[pid] else { continue }
                    entries[ei].flagNotes.remove(.duplicatePayment) { $0.contains(" on \(number), already paid by ") }
                    entries[ei].flagNotes.remove(.overpaid) { $0.contains(" overpaid \(number): ") }
                }
            }
            if row.status == .overpaid {
                row.note(.overpaid, "Paid \(money(row.netPaid - row.refunded, cur)) against \(money(row.due, cur)) due on \(row.invoice.invoiceNumber): overpaid by \(money(row.netPaid - row.refunded - row.due, cur)) (\(row.paymentIDs.joined(separator: ", "))).")
            }
            if row.toleranceUsed {
                // What the payments came to; a later refund of a settled row is another matter.
                let n = row.status == .partiallyRefunded ? row.netPaid : row.netPaid - row.refunded
                row.note(.underpaidWithinTolerance, "Paid \(money(n, cur)) of \(money(row.due, cur)) on \(row.invoice.invoiceNumber); the \(money(row.due - n, cur)) short is within the tolerance of \(money(row.tolerance, cur)).")
            }
            if row.isVoid && row.paymentIDs.isEmpty == false && !row.flagNotes.has(.paymentOnVoid) {
                row.note(.paymentOnVoid, "Payments \(row.paymentIDs.joined(separator: ", ")) were applied to \(row.invoice.invoiceNumber), which is void.")
            }
            var s = InvoiceState(status: row.status)
            s.amountPaid = row.netPaid
            s.amountRefunded = row.refunded
            s.balanceDue = row.balance
            switch row.status {
            case .paid, .overpaid, .partiallyRefunded, .refunded, .disputed: s.paidAt = row.paidAt
            default: s.paidAt = nil
            }
            s.paymentIDs = row.paymentIDs
            s.matchRule = row.lastRule
            if row.outOfBandAmount > 0 {
                if keepTrail { row.trail.append("status_override paid_out_of_band: \(money(row.outOfBandAmount, cur)) counted as paid outside Stripe") }
                s.matchRule = .manual
            }
            let (flag, detail) = FlagText.resolve(notes: row.flagNotes, acceptances: accepts)
            s.flag = flag
            s.flagDetail = detail
            var payouts: [String] = []
            var deposited: Int64?
            for pid in row.paymentIDs {
                guard let ei = entryOf[pid] else { continue }
                let po = lines[ei].payoutID
                guard !po.isEmpty, !payouts.contains(po) else { continue }
                payouts.append(po)
                if let record = graph.record(po), RecordGraph.lowercase(record.status) == "paid", let arrival = record.dueBy {
                    deposited = max(deposited ?? arrival, arrival)
                }
            }
            s.payoutIDs = payouts
            s.depositedAt = deposited
            s.lastEventAt = row.lastEventAt
            s.trail = row.trail
            states.append(s)
        }

        for ei in lines.indices {
            let (flag, detail) = FlagText.resolve(notes: entries[ei].flagNotes, acceptances: paymentAcceptances[lines[ei].stripeID] ?? [])
            lines[ei].flag = flag
            lines[ei].flagDetail = detail.isEmpty ? entries[ei].info : detail
        }
        // Lines in (created, id) order: positions are sorted, then the lines moved into place (a line
        // is a few hundred bytes; a sorted copy would hold two tables at once).
        var order = IDKey.sortedPositions(count: lines.count, first: { lines[$0].created }, id: { lines[$0].stripeID })
        Engine.permute(&lines, by: &order)
        return Reconciliation(invoices: states, payments: lines, notes: notes)
    }

    /// Reorders `items` in place so that position k holds what was at `order[k]`, by following the
    /// permutation's cycles (each item moves once); `order` is used up.
    static func permute<Item>(_ items: inout [Item], by order: inout [Int]) {
        precondition(items.count == order.count)
        for start in order.indices where order[start] != start {
            var k = start
            while true {
                let source = order[k]
                order[k] = k
                if source == start { break }
                items.swapAt(k, source)
                k = source
            }
        }
    }
}
