import CSimdjson
import LedgerCore

/// The decoded items of one byte range, built from the C decoder's flat structs.
///
/// Every call into CSimdjson (`lsj_*`) is in this file:
/// - `lsj_decode` decodes `buffer[start..<end]` and never fails but for lack of memory (NULL);
/// - `lsj_items`/`lsj_records`/`lsj_arena` stay valid until `lsj_free`;
/// - `lsj_newline_count` counts the range's newlines in JSON Lines mode.
struct JSONChunk {
    var events: [ParsedItem] = []
    var problems: [InputProblem] = []
    var ignoredTypes: [String: Int] = [:]
    var newlines = 0

    mutating func shiftLines(by offset: Int) {
        for i in events.indices { events[i].line += offset }
        for i in problems.indices { problems[i].line += offset }
    }

    static func decode(_ bytes: [UInt8], range: Range<Int>, lines: Bool, file: String, door: Record.Door,
                       referenceKeys: [String], known: KnownEvents? = nil) -> JSONChunk {
        var chunk = JSONChunk()
        // The reference keys as NUL-terminated strings in one buffer, pointed into for the call.
        var keyBytes: [CChar] = []
        var keyStarts: [Int] = []
        for key in referenceKeys {
            keyStarts.append(keyBytes.count)
            keyBytes.append(contentsOf: key.utf8CString)
        }
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let result = keyBytes.withUnsafeBufferPointer { keyBuffer -> OpaquePointer? in
                let pointers: [UnsafePointer<CChar>?] = keyStarts.map { start in keyBuffer.baseAddress.map { $0 + start } }
                return pointers.withUnsafeBufferPointer { pointerBuffer in
                    let mode = Int32(lines ? LSJ_MODE_LINES.rawValue : LSJ_MODE_DOCUMENT.rawValue)
                    guard let known else {
                        return lsj_decode(base, buffer.count, range.lowerBound, range.upperBound, mode,
                                          pointerBuffer.baseAddress, pointerBuffer.count)
                    }
                    return withExtendedLifetime(known) {
                        lsj_decode_skipping(base, buffer.count, range.lowerBound, range.upperBound, mode,
                                            pointerBuffer.baseAddress, pointerBuffer.count, knownEventCallback,
                                            Unmanaged.passUnretained(known).toOpaque())
                    }
                }
            }
            guard let result else {
                chunk.problems.append(InputProblem(file: file, line: 1, offset: range.lowerBound, kind: .tooLarge,
                                                   message: Messages.tooLarge))
                return
            }
            defer { lsj_free(result) }
            var builder = Builder(arena: lsj_arena(result), file: file, door: door)
            let items = UnsafeBufferPointer(start: lsj_items(result), count: lsj_item_count(result))
            let records = UnsafeBufferPointer(start: lsj_records(result), count: lsj_record_count(result))
            chunk.events.reserveCapacity(items.count)
            for item in items {
                builder.add(item, records: records, to: &chunk)
            }
            chunk.newlines = Int(lsj_newline_count(result))
        }
        return chunk
    }
}

/// Event ids the caller has applied, read from the decoding threads (never written while decoding).
final class KnownEvents: @unchecked Sendable {
    let ids: Set<String>
    init(_ ids: Set<String>) { self.ids = ids }
}

/// `lsj_seen_fn`: whether the decoder may skip an event (C callback; context is a `KnownEvents`).
private func knownEventCallback(_ context: UnsafeMutableRawPointer?, _ id: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
    guard let context, let id else { return 0 }
    let known = Unmanaged<KnownEvents>.fromOpaque(context).takeUnretainedValue()
    let text = id.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    return known.ids.contains(text) ? 1 : 0
}

/// Turns C items and records into `ParsedItem`s and `Record`s (amounts into ledger units).
private struct Builder {
    let arena: UnsafePointer<UInt8>?
    let file: String
    let door: Record.Door
    /// Currency codes seen in this chunk (most inputs use one or two).
    var currencies: [String: Currency] = [:]

    init(arena: UnsafePointer<UInt8>?, file: String, door: Record.Door) {
        self.arena = arena
        self.file = file
        self.door = door
    }

    @inline(__always)
    func string(_ s: lsj_str) -> String? {
        guard s.pos >= 0 else { return nil }
        let start = arena.map { $0 + Int(s.pos) }
        return String(decoding: UnsafeBufferPointer(start: start, count: Int(s.len)), as: UTF8.self)
    }

    private func problem(_ item: lsj_item, _ kind: InputProblem.Kind, _ message: String) -> InputProblem {
        InputProblem(file: file, line: Int(item.line), offset: Int(item.problem_offset), kind: kind, message: message)
    }

    mutating func add(_ item: lsj_item, records: UnsafeBufferPointer<lsj_record>, to chunk: inout JSONChunk) {
        if item.already_seen != 0 {
            // Applied before: nothing was read but the id, and nothing is needed.
            chunk.events.append(ParsedItem(eventID: string(item.event_id), eventType: nil, created: 0, livemode: nil, apiVersion: nil,
                                           records: [], raw: Int(item.raw_start)..<Int(item.raw_end), line: Int(item.line)))
            return
        }
        let objectName = string(item.object_type)
        switch Int(item.problem) {
        case Int(LSJ_PROBLEM_SYNTAX.rawValue):
            chunk.problems.append(syntaxProblem(item))
            return
        case Int(LSJ_PROBLEM_NOT_AN_OBJECT.rawValue):
            chunk.problems.append(problem(item, .notAnObject, Messages.notAnObject))
            return
        case Int(LSJ_PROBLEM_MISSING_FIELD.rawValue):
            let what = item.is_event != 0 && item.record_count == 0 && string(item.field) == "data.object"
                ? Messages.describe(kind: "event", id: string(item.event_id))
                : Messages.describe(kind: objectName, id: string(item.object_id))
            chunk.problems.append(problem(item, .missingField, Messages.missingField(string(item.field) ?? "id", in: what)))
            return
        case Int(LSJ_PROBLEM_WRONG_TYPE.rawValue):
            let expected = item.detail & 0xFF
            let found = item.detail >> 8
            let foundText = found == 3 && expected != 0 ? "a number" : Messages.jsonType(found)
            let what = Messages.describe(kind: objectName, id: string(item.object_id))
            chunk.problems.append(problem(item, .wrongType,
                                          Messages.wrongType(string(item.field) ?? "?", in: what,
                                                             found: foundText, expected: Messages.expected(expected))))
            return
        default:
            break
        }
        let eventID = string(item.event_id)
        let eventType = string(item.event_type)
        if item.is_event != 0 && eventID == nil {
            chunk.problems.append(problem(item, .missingField, Messages.missingField("id", in: "event object")))
            return
        }
        if item.record_count == 0 {
            guard let name = eventType ?? objectName else {
                chunk.problems.append(problem(item, .notStripeObject, Messages.notStripeObject))
                return
            }
            chunk.ignoredTypes[name, default: 0] += 1
            return
        }
        let observedAt: Int64? = item.has_created != 0 ? item.created : nil
        var built: [Record] = []
        built.reserveCapacity(Int(item.record_count))
        let first = Int(item.first_record)
        for index in first..<(first + Int(item.record_count)) {
            switch record(records[index], observedAt: observedAt, eventID: eventID) {
            case .success(let r): built.append(r)
            case .failure(let p): chunk.problems.append(problem(item, p.kind, p.message)); return
            }
        }
        chunk.events.append(ParsedItem(
            eventID: eventID, eventType: eventType, created: item.created,
            livemode: item.livemode < 0 ? nil : item.livemode == 1,
            apiVersion: string(item.api_version), records: built,
            raw: Int(item.raw_start)..<Int(item.raw_end), line: Int(item.line)))
    }

    private func syntaxProblem(_ item: lsj_item) -> InputProblem {
        switch item.detail {
        case Int32(LSJ_SYNTAX_TRUNCATED.rawValue): problem(item, .truncatedJSON, Messages.truncated)
        case Int32(LSJ_SYNTAX_NOT_UTF8.rawValue): problem(item, .notUTF8, Messages.notUTF8)
        case Int32(LSJ_SYNTAX_TOO_DEEP.rawValue): problem(item, .tooDeep, Messages.tooDeep)
        case Int32(LSJ_SYNTAX_TRAILING.rawValue): problem(item, .trailingContent, Messages.trailing)
        case Int32(LSJ_SYNTAX_TOO_LARGE.rawValue): problem(item, .tooLarge, Messages.tooLarge)
        default: problem(item, .malformedJSON, Messages.malformed)
        }
    }

    struct Failure: Error {
        var kind: InputProblem.Kind
        var message: String
    }

    private mutating func currency(_ code: String, in object: String) -> Result<Currency, Failure> {
        if let known = currencies[code] { return .success(known) }
        do {
            let c = try Currency(code)
            currencies[code] = c
            return .success(c)
        } catch {
            return .failure(Failure(kind: .unknownCurrency, message: Messages.unknownCurrency(code, in: object)))
        }
    }

    private static let kinds: [Int32: Record.Kind] = [
        Int32(LSJ_KIND_CHARGE.rawValue): .charge,
        Int32(LSJ_KIND_PAYMENT_INTENT.rawValue): .paymentIntent,
        Int32(LSJ_KIND_CHECKOUT_SESSION.rawValue): .checkoutSession,
        Int32(LSJ_KIND_INVOICE.rawValue): .invoice,
        Int32(LSJ_KIND_INVOICE_PAYMENT.rawValue): .invoicePayment,
        Int32(LSJ_KIND_CREDIT_NOTE.rawValue): .creditNote,
        Int32(LSJ_KIND_REFUND.rawValue): .refund,
        Int32(LSJ_KIND_DISPUTE.rawValue): .dispute,
        Int32(LSJ_KIND_PAYOUT.rawValue): .payout,
        Int32(LSJ_KIND_BALANCE_TRANSACTION.rawValue): .balanceTransaction,
        Int32(LSJ_KIND_CUSTOMER.rawValue): .customer,
    ]

    private mutating func record(_ c: lsj_record, observedAt: Int64?, eventID: String?) -> Result<Record, Failure> {
        guard let kind = Builder.kinds[c.kind], let id = string(c.id) else {
            return .failure(Failure(kind: .notStripeObject, message: Messages.notStripeObject))
        }
        // Ids end up in cells and logs: only what Stripe's ids are made of is taken.
        guard id.utf8.count <= 255, id.utf8.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }) else {
            return .failure(Failure(kind: .badID, message: Messages.badID(kind: kind.rawValue)))
        }
        var r = Record(kind: kind, id: id, door: door)
        let object = Messages.describe(kind: kind.rawValue, id: id)
        r.livemode = c.livemode < 0 ? nil : c.livemode == 1
        r.created = c.present & UInt32(LSJ_HAS_CREATED) != 0 ? c.created : nil
        r.observedAt = observedAt ?? r.created
        r.eventID = eventID
        r.status = string(c.status)
        r.dueBy = c.present & UInt32(LSJ_HAS_DUE_BY) != 0 ? c.due_by : nil
        r.captured = c.captured < 0 ? nil : c.captured == 1
        r.paidOutOfBand = c.paid_out_of_band < 0 ? nil : c.paid_out_of_band == 1
        r.customer = string(c.customer)
        r.charge = string(c.charge)
        r.paymentIntent = string(c.payment_intent)
        r.invoice = string(c.invoice)
        r.balanceTransaction = string(c.balance_transaction)
        r.source = string(c.source)
        r.payout = string(c.payout)
        r.email = string(c.email)
        r.reference = string(c.reference)
        r.number = string(c.number)
        r.type = string(c.type)
        r.reason = string(c.reason)

        // Amounts in the object's currency; a dispute's fee in its balance transactions' currency.
        let amountBits = UInt32(LSJ_HAS_AMOUNT | LSJ_HAS_AMOUNT_CAPTURED | LSJ_HAS_AMOUNT_REFUNDED
            | LSJ_HAS_AMOUNT_PAID | LSJ_HAS_AMOUNT_DUE | LSJ_HAS_TOTAL | LSJ_HAS_NET)
        let feeSeparate = c.fee_currency.pos >= 0
        let inObjectCurrency = c.present & (amountBits | (feeSeparate ? 0 : UInt32(LSJ_HAS_FEE)))
        var main: Currency?
        if let code = string(c.currency) {
            switch currency(code, in: object) {
            case .success(let cur): main = cur
            case .failure(let f): if inObjectCurrency != 0 { return .failure(f) }
            }
        }
        r.currency = main?.code
        if inObjectCurrency != 0 && main == nil {
            return .failure(Failure(kind: .missingCurrency, message: Messages.missingCurrency(in: object)))
        }
        if kind == .balanceTransaction { r.settlementCurrency = main?.code }
        func ledger(_ value: Int64, _ bit: Int, _ cur: Currency?) -> Result<Int64?, Failure> {
            guard c.present & UInt32(bit) != 0, let cur else { return .success(nil) }
            do {
                return .success(try Money(apiAmount: value, currency: cur).minorUnits)
            } catch where error.kind == .outOfRange {
                return .failure(Failure(kind: .amountOutOfRange, message: Messages.amountOutOfRange(value, in: object)))
            } catch {
                return .failure(Failure(kind: .amountNotWhole,
                                        message: Messages.amountNotWhole(value, currency: cur.code, in: object)))
            }
        }
        do throws(Failure) {
            r.amount = try ledger(c.amount, LSJ_HAS_AMOUNT, main).get()
            r.amountCaptured = try ledger(c.amount_captured, LSJ_HAS_AMOUNT_CAPTURED, main).get()
            r.amountRefunded = try ledger(c.amount_refunded, LSJ_HAS_AMOUNT_REFUNDED, main).get()
            r.amountPaid = try ledger(c.amount_paid, LSJ_HAS_AMOUNT_PAID, main).get()
            r.amountDue = try ledger(c.amount_due, LSJ_HAS_AMOUNT_DUE, main).get()
            r.total = try ledger(c.total, LSJ_HAS_TOTAL, main).get()
            r.net = try ledger(c.net, LSJ_HAS_NET, main).get()
            if feeSeparate, let code = string(c.fee_currency) {
                let feeCurrency = try currency(code, in: object).get()
                r.fee = try ledger(c.fee, LSJ_HAS_FEE, feeCurrency).get()
                r.settlementCurrency = feeCurrency.code
            } else {
                r.fee = try ledger(c.fee, LSJ_HAS_FEE, main).get()
            }
        } catch {
            return .failure(error)
        }
        // Signed amounts are a balance transaction's; these objects' amounts are never below zero.
        if [.charge, .refund, .dispute, .paymentIntent, .payout].contains(kind), let amount = r.amount, amount < 0 {
            return .failure(Failure(kind: .negativeAmount, message: Messages.negativeAmount(c.amount, currency: main?.code ?? "", in: object)))
        }
        return .success(r)
    }
}
