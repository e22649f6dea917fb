import Foundation
import LedgerCore
import Spreadsheet
import StripeData

/// One run against one ledger: lock it, load what is known, take in records and decisions, reconcile,
/// and write everything back durably. Every door (import, watch, serve, pull, resolve) goes through here.
public final class LedgerSession {
    public let paths: LedgerPaths
    public private(set) var settings: LedgerSettings
    public private(set) var state: StateCache
    public private(set) var tables: LedgerTables
    public private(set) var invoices: [Invoice]
    public let backend: any LedgerBackend
    private let lock: FileLock?
    private let journal: Journal
    private var pending: [Journal.Entry] = []
    private var settingsChanged = false
    private var loadedStamp: FileStamp?
    /// Clock for journal timestamps and decisions (seconds); replaceable in tests.
    public var now: () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    /// Opens a ledger. With `forWriting`, takes the lock first (bounded wait) and creates the side folder.
    public init(ledger: String, forWriting: Bool, lockTimeout: Double? = nil) throws(LedgerError) {
        paths = try LedgerPaths(ledger: ledger)
        guard FileManager.default.fileExists(atPath: paths.ledger) else {
            throw LedgerError(.unreadable, file: paths.ledger, "does not exist; create it with `ledgersync init \(paths.directory)` or check the path")
        }
        var loadedSettings = try LedgerSettings.load(paths.settings)
        if forWriting {
            do {
                try FileManager.default.createDirectory(atPath: paths.sideDirectory, withIntermediateDirectories: true)
            } catch {
                throw LedgerError(.writeFailed, file: paths.sideDirectory, "cannot create LedgerSync's folder: \(error.localizedDescription)")
            }
            lock = try FileLock(path: paths.lock, ledger: paths.ledger, timeout: lockTimeout ?? loadedSettings.lockTimeoutSeconds)
            // Settings may have changed while we waited.
            loadedSettings = try LedgerSettings.load(paths.settings)
        } else {
            lock = nil
        }
        settings = loadedSettings
        switch paths.format {
        case .csv: backend = CSVLedger(paths: paths)
        case .xlsx: backend = XLSXLedger(paths: paths)
        }
        journal = Journal(path: paths.journal)
        loadedStamp = backend.stamp()
        tables = try backend.load()
        invoices = try tables.parseInvoices(file: paths.ledger)
        state = StateCache()
        state = try loadState()
    }

    public func close() {
        lock?.unlock()
    }

    // MARK: Known records

    /// The state cache plus whatever the journal holds beyond it; or a replay of the whole journal;
    /// or, when both side files are gone, the payments table (so nothing is ever counted twice).
    private func loadState() throws(LedgerError) -> StateCache {
        var cache = (try? AtomicFile.read(paths.state)).flatMap { $0 }.flatMap(StateCache.decode) ?? StateCache()
        let journalSize = journal.size
        if cache.journalOffset > journalSize {
            cache = StateCache() // the journal was replaced or truncated: rebuild from what it holds
        }
        if journalSize == 0 && cache.records.count == 0 {
            cache = seedFromPaymentsTable()
        }
        if cache.journalOffset < journalSize {
            try replay(into: &cache, from: cache.journalOffset)
            cache.journalOffset = journalSize
        }
        return cache
    }

    private func replay(into cache: inout StateCache, from offset: Int64) throws(LedgerError) {
        let reconcileSettings = try settings.reconcileSettings(file: paths.settings)
        let decoder = JSONDecoder()
        for (_, line) in try journal.lines(from: offset) {
            if let item = JournalLine.item(line) {
                let input = StripeJSON.decode(Array(item.raw), file: paths.journal, door: item.door, settings: reconcileSettings)
                for parsed in input.events {
                    if let id = parsed.eventID, !cache.records.markEventSeen(id) { continue }
                    for record in parsed.records { cache.records.insert(record) }
                }
            } else if let body = JournalLine.field(line, "record"), let record = try? decoder.decode(Record.self, from: Data(body)) {
                cache.records.insert(record)
            } else if let body = JournalLine.field(line, "decision"), let decision = try? decoder.decode(Decision.self, from: Data(body)) {
                cache.decisions.append(decision)
            }
        }
    }

    /// Rebuilds records from the payments table alone (the side files were deleted).
    private func seedFromPaymentsTable() -> StateCache {
        var cache = StateCache()
        let header = tables.payments.header.map { $0.trimmingASCIIWhitespace() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let idColumn = column("stripe_id") else { return cache }
        for r in 0..<tables.payments.rows.count {
            let cells = Dictionary(uniqueKeysWithValues: LedgerTables.paymentColumns.map { name in
                (name, column(name).map { tables.payments.cell(r, $0) } ?? "")
            })
            if let record = PaymentTableSeed.record(from: cells, id: tables.payments.cell(r, idColumn)) {
                cache.records.insert(record)
            }
            if cells["match_rule"] == MatchRule.manual.rawValue, !cells["invoice_number", default: ""].isEmpty {
                let numbers = cells["invoice_number", default: ""].split(separator: " ").map(String.init)
                let allocations = numbers.map { Decision.Allocation(invoiceNumber: $0, amount: nil) }
                cache.decisions.append(Decision(action: .match(paymentID: tables.payments.cell(r, idColumn), allocations: allocations),
                                                decidedAt: 0, sequence: cache.decisions.count))
            }
        }
        return cache
    }

    // MARK: Taking in records

    /// What happened to one input's items.
    public struct Intake: Sendable, Equatable {
        public var items = 0
        public var newItems = 0
        public var duplicates = 0
        public var unchanged = 0
        public var recordsChanged = 0
        public var rejected: [String] = []
        public init() {}
    }

    /// Applies decoded Stripe items to what is known. Items of the other Stripe mode are rejected;
    /// an event id seen before is skipped; every accepted item is queued for the journal.
    public func accept(_ input: StripeInput, bytes: [UInt8], door: Record.Door, from file: String) -> Intake {
        var intake = Intake()
        let at = now()
        for item in input.events {
            intake.items += 1
            if let livemode = item.livemode ?? item.records.first?.livemode {
                let mode = StripeMode(livemode: livemode)
                if settings.mode == nil {
                    settings.mode = mode
                    settingsChanged = true
                } else if settings.mode != mode {
                    let what = item.eventID ?? item.records.first?.id ?? "record"
                    intake.rejected.append("\(file):\(item.line): \(what) is a \(mode.rawValue)-mode record but \(paths.ledger) is bound to \(settings.mode!.rawValue) mode; import it into a \(mode.rawValue)-mode ledger (mode_mismatch)")
                    continue
                }
            }
            if let id = item.eventID, !state.records.markEventSeen(id) {
                intake.duplicates += 1
                continue
            }
            var changed = 0
            for record in item.records where state.records.insert(record) != .unchanged { changed += 1 }
            intake.recordsChanged += changed
            if item.eventID != nil || changed > 0 {
                intake.newItems += 1
                let source = file + ":" + String(item.line)
                pending.append(.item(bytes[item.raw], door: door, from: source, at: at))
            } else {
                intake.unchanged += 1
            }
        }
        return intake
    }

    /// Applies normalised records (a Dashboard export row) to what is known.
    public func accept(records: [(record: Record, from: String)]) -> Intake {
        var intake = Intake()
        let at = now()
        for (record, from) in records {
            intake.items += 1
            if let livemode = record.livemode {
                let mode = StripeMode(livemode: livemode)
                if settings.mode == nil {
                    settings.mode = mode
                    settingsChanged = true
                } else if settings.mode != mode {
                    intake.rejected.append("\(from): \(record.id) is a \(mode.rawValue)-mode record but \(paths.ledger) is bound to \(settings.mode!.rawValue) mode; import it into a \(mode.rawValue)-mode ledger (mode_mismatch)")
                    continue
                }
            }
            if state.records.insert(record) != .unchanged {
                intake.newItems += 1
                intake.recordsChanged += 1
                pending.append(.record(record, from: from, at: at))
            } else {
                intake.unchanged += 1
            }
        }
        return intake
    }

    /// Records a person's decision; it takes effect now and no later sync undoes it.
    public func decide(_ action: Decision.Action) {
        let decision = Decision(action: action, decidedAt: now(), sequence: state.decisions.count)
        state.decisions.append(decision)
        pending.append(.decision(decision))
    }

    public var hasPendingChanges: Bool { !pending.isEmpty || settingsChanged }

    // MARK: Reconciling and writing

    public func reconcile() throws(LedgerError) -> Reconciliation {
        Reconciler.reconcile(invoices: invoices, records: state.records, decisions: state.decisions,
                             settings: try settings.reconcileSettings(file: paths.settings))
    }

    /// Makes everything durable: journal first (fsynced), then the ledger tables (atomic renames), then
    /// the state cache. If a person saved the ledger since it was read, it is re-read and reconciled again
    /// so their edit is kept.
    @discardableResult
    public func commit() throws(LedgerError) -> Reconciliation {
        if !pending.isEmpty {
            state.journalOffset = try journal.append(pending)
            pending.removeAll()
        }
        if settingsChanged {
            try settings.save(paths.settings)
            settingsChanged = false
        }
        var attempt = 0
        while true {
            let result = try reconcile()
            let newInvoices = tables.renderedInvoices(invoices, result)
            let newPayments = tables.renderedPayments(result)
            if backend.stamp() != loadedStamp, attempt < 5 {
                attempt += 1
                try reload()
                continue
            }
            if newInvoices != tables.invoices || newPayments != tables.payments || (paths.format == .csv && FileStamp.of(paths.paymentsCSV) == nil) {
                try backend.save(invoices: newInvoices, payments: newPayments, like: tables,
                                 context: SaveContext(invoices: invoices, result: result, records: state.records, mode: settings.mode, now: now()))
                tables.invoices = newInvoices
                tables.payments = newPayments
                loadedStamp = backend.stamp()
            }
            try AtomicFile.write(state.encoded(), to: paths.state)
            return result
        }
    }

    /// Re-reads the ledger tables (a person edited them) and re-parses the rows.
    public func reload() throws(LedgerError) {
        loadedStamp = backend.stamp()
        tables = try backend.load()
        invoices = try tables.parseInvoices(file: paths.ledger)
    }
}

/// Reading the journal's own line shapes without a full JSON parse.
enum JournalLine {
    /// `{"at":…,"door":"…","from":"…","item":RAW}` → the raw bytes and the door.
    static func item(_ line: ArraySlice<UInt8>) -> (raw: ArraySlice<UInt8>, door: Record.Door)? {
        guard let raw = field(line, "item") else { return nil }
        var door = Record.Door.file
        if let d = line.firstRange(of: Array("\"door\":\"".utf8)) {
            let start = d.upperBound
            if let end = line[start...].firstIndex(of: 0x22),
               let parsed = Record.Door(rawValue: String(decoding: line[start..<end], as: UTF8.self)) {
                door = parsed
            }
        }
        return (raw, door)
    }

    /// The bytes of the last top-level field `name` when it runs to the end of the line.
    static func field(_ line: ArraySlice<UInt8>, _ name: String) -> ArraySlice<UInt8>? {
        guard let r = line.firstRange(of: Array(",\"\(name)\":".utf8)), line.last == UInt8(ascii: "}") else { return nil }
        return line[r.upperBound..<(line.endIndex - 1)]
    }
}
