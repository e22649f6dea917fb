import Foundation
import LedgerCore
import Spreadsheet
import StripeData
import CSupport

/// One run against one ledger: lock it, load what is known, take in records and decisions, reconcile,
/// and write everything back durably. Every door (import, watch, serve, pull, resolve) goes through here.
public final class LedgerSession {
    public let paths: LedgerPaths
    public private(set) var settings: LedgerSettings
    public private(set) var tables: LedgerTables
    public private(set) var invoices: [Invoice]
    public let backend: any LedgerBackend
    private let lock: FileLock?
    private let journal: Journal
    private let writing: Bool
    /// Event ids already applied; small, read on every run.
    private var seen: SeenIndex
    /// Merged records and decisions; loaded only when something new arrives or a result is needed.
    private var cache: StateCache?
    private var recordsChanged = false
    private var decisionsChanged = false
    private var seenChanged = false
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
        let sideFolderExisted = FileManager.default.fileExists(atPath: paths.sideDirectory)
        var taken: FileLock?
        if forWriting {
            do {
                // The journal holds every event as it came (names, emails): the folder is its owner's only.
                try FileManager.default.createDirectory(atPath: paths.sideDirectory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw LedgerError(.writeFailed, file: paths.sideDirectory, "cannot create LedgerSync's folder: \(error.localizedDescription)")
            }
            taken = try FileLock(path: paths.lock, ledger: paths.ledger, timeout: lockTimeout ?? loadedSettings.lockTimeoutSeconds)
            // Settings may have changed while we waited.
            loadedSettings = try LedgerSettings.load(paths.settings)
        }
        lock = taken
        writing = forWriting
        settings = loadedSettings
        switch paths.format {
        case .csv: backend = CSVLedger(paths: paths)
        case .xlsx: backend = XLSXLedger(paths: paths)
        }
        journal = Journal(path: paths.journal)
        loadedStamp = backend.stamp()
        let timing = Timing()
        do {
            tables = try backend.load()
            timing.mark("ledger tables read")
            invoices = try tables.parseInvoices(file: paths.ledger)
            timing.mark("invoice rows parsed")
        } catch {
            // A ledger that cannot be read leaves nothing behind: not even the side folder this run made.
            // (Any other process opening this ledger meets the same unreadable table and stops too.)
            if let taken, !sideFolderExisted {
                unlink(paths.lock)
                taken.unlock()
                rmdir(paths.sideDirectory)   // only if nothing else is in it
            }
            throw error
        }
        seen = (try? AtomicFile.read(paths.seen)).flatMap { $0 }.flatMap(SeenIndex.decode) ?? SeenIndex()
        if seen.journalOffset != journal.size || FileStamp.of(paths.seen) == nil {
            // A run stopped between the journal and the side files, or they were deleted: catch up now.
            try loadState()
        }
    }

    public func close() {
        lock?.unlock()
    }

    // MARK: Known records

    /// Event ids already applied: an importer may skip decoding them (`StripeJSON.decode(skipping:)`).
    public var seenEventIDs: Set<String> { seen.events }

    /// Everything known: the merged records and the decisions (loaded on first use).
    public func knownState() throws(LedgerError) -> StateCache {
        try loadState()
        return cache ?? StateCache()
    }

    /// The known records of some kinds only. When the tables are current and the state file covers the
    /// whole journal, only those records are decoded from it (a report needs the disputes and payouts of
    /// a large ledger, not its every charge); otherwise everything is loaded and filtered.
    public func records(ofKinds kinds: Set<Record.Kind>) throws(LedgerError) -> RecordSet {
        if cache == nil, tablesAreCurrent,
           let state = (try? AtomicFile.read(paths.state)).flatMap({ $0 }).flatMap({ StateCache.decode($0, kinds: kinds) }),
           state.journalOffset == journal.size {
            return state.records
        }
        return RecordSet(restoring: try knownState().records.all.filter { kinds.contains($0.kind) })
    }

    /// The state cache plus whatever the journal holds beyond it; or a replay of the whole journal;
    /// or, when both side files are gone, the payments table (so nothing is ever counted twice).
    private func loadState() throws(LedgerError) {
        guard cache == nil else { return }
        var state = (try? AtomicFile.read(paths.state)).flatMap { $0 }.flatMap { StateCache.decode($0) } ?? StateCache()
        let journalSize = journal.size
        // Settings edited by hand since the last run: records were decoded with the old ones (a payment's
        // reference comes from the `referenceKeys` of its day), so everything is decoded again.
        let settingsEdited = FileStamp.of(paths.seen) != nil && !seen.settingsDigest.isEmpty && seen.settingsDigest != settingsDigest
        if state.journalOffset > journalSize || (settingsEdited && journalSize > 0) {
            state = StateCache() // the journal was replaced or truncated, or read otherwise now: rebuild from it
        }
        let seenValid = FileStamp.of(paths.seen) != nil && seen.journalOffset <= journalSize && !settingsEdited
        if !seenValid { seen = SeenIndex() }
        if journalSize == 0 && state.records.count == 0 {
            let timing = Timing()
            state = seedFromPaymentsTable()
            timing.mark("records seeded from the payments table")
        }
        let from = seenValid ? min(state.journalOffset, seen.journalOffset) : 0
        if from < journalSize {
            try replay(into: &state, from: from)
            seenChanged = true
        }
        if state.journalOffset != journalSize {
            state.journalOffset = journalSize
            recordsChanged = true
        }
        seen.journalOffset = journalSize
        cache = state
    }

    private func replay(into state: inout StateCache, from offset: Int64) throws(LedgerError) {
        var decisions = Set(state.decisions)
        try forEachJournalItem(from: offset, event: { seen.events.insert($0) }, record: { state.records.insert($0) }, decision: {
            if decisions.insert($0).inserted { state.decisions.append($0) }
        })
    }

    /// Every event id, record snapshot and decision the journal holds from `offset`, in the order written.
    private func forEachJournalItem(from offset: Int64, event: (String) -> Void, record: (Record) -> Void,
                                    decision: (Decision) -> Void) throws(LedgerError) {
        let reconcileSettings = try settings.reconcileSettings(file: paths.settings)
        let decoder = JSONDecoder()
        do {
            try journal.forEachLine(from: offset) { _, line in
                if let item = JournalLine.item(line) {
                    let input = StripeJSON.decode(Array(item.raw), file: paths.journal, door: item.door, settings: reconcileSettings)
                    for parsed in input.events {
                        if let id = parsed.eventID { event(id) }
                        for r in parsed.records { record(r) }
                    }
                } else if let body = JournalLine.field(line, "export"), let text = try? decoder.decode(String.self, from: Data(body)) {
                    for item in StripeExport.decode(Array(text.utf8), file: paths.journal, settings: reconcileSettings).input.records {
                        record(item.record)
                    }
                } else if let body = JournalLine.field(line, "record"), let r = try? decoder.decode(Record.self, from: Data(body)) {
                    record(r)
                } else if let body = JournalLine.field(line, "decision"), let d = try? decoder.decode(Decision.self, from: Data(body)) {
                    decision(d)
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.corruptSideFile, file: paths.journal, "cannot be replayed: \(error)")
        }
    }

    /// What was known by `cutoff` (unix seconds): each record merged from the snapshots the journal
    /// holds that were observed before it — an event's time, an export's or API object's `created` —
    /// and the decisions made before it. A record or decision the journal does not hold (read back from
    /// the payments table after the side files were deleted) counts from its `created` (its `decidedAt`).
    public func knownState(before cutoff: Int64) throws(LedgerError) -> StateCache {
        let current = try knownState()
        var past = StateCache()
        var inJournal = Set<String>()
        var decisions = Set<Decision>()
        try forEachJournalItem(from: 0, event: { _ in }, record: { r in
            inJournal.insert(r.id)
            if (r.observedAt ?? r.created ?? 0) < cutoff { past.records.insert(r) }
        }, decision: { d in
            if d.decidedAt < cutoff, decisions.insert(d).inserted { past.decisions.append(d) }
        })
        for r in current.records.all where !inJournal.contains(r.id) && (r.created ?? r.observedAt ?? 0) < cutoff {
            past.records.insert(r)
        }
        // Decisions read back from the payments table (side files deleted) are not in the journal either.
        for d in current.decisions where d.decidedAt < cutoff && decisions.insert(d).inserted {
            past.decisions.append(d)
        }
        return past
    }

    /// Rebuilds records and decisions from the tables alone (the side files were deleted).
    private func seedFromPaymentsTable() -> StateCache {
        PaymentTableSeed.state(payments: tables.payments, invoiceRows: tables.invoices, invoices: invoices)
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

        public mutating func add(_ other: Intake) {
            items += other.items
            newItems += other.newItems
            duplicates += other.duplicates
            unchanged += other.unchanged
            recordsChanged += other.recordsChanged
            rejected += other.rejected
        }
    }

    /// Checks a record's Stripe mode against the ledger's, binding the ledger on its first record.
    /// - Returns: a rejection message for a record of the other mode.
    private func modeProblem(_ livemode: Bool?, what: @autoclosure () -> String, at place: @autoclosure () -> String) -> String? {
        guard let livemode else { return nil }
        let mode = StripeMode(livemode: livemode)
        guard let bound = settings.mode else {
            settings.mode = mode
            settingsChanged = true
            return nil
        }
        guard bound != mode else { return nil }
        return "\(place()): \(what()) is a \(mode.rawValue)-mode record but \(paths.ledger) is bound to \(bound.rawValue) mode; import it into a \(mode.rawValue)-mode ledger (mode_mismatch)"
    }

    /// Applies decoded Stripe items to what is known. Items of the other Stripe mode are rejected;
    /// an event id seen before is skipped; every accepted item goes to the journal.
    public func accept(_ input: StripeInput, bytes: [UInt8], door: Record.Door, from file: String) throws(LedgerError) -> Intake {
        var intake = Intake()
        let at = now()
        for item in input.events {
            intake.items += 1
            // An event and its object never disagree about the mode in what Stripe sends.
            if let envelope = item.livemode, let object = item.records.first(where: { $0.livemode != nil && $0.livemode != envelope }) {
                intake.rejected.append("\(file) line \(item.line): \(item.eventID ?? object.id) is a \(envelope ? "live" : "test")-mode event whose object \(object.id) is \(envelope ? "test" : "live")-mode; it is not as Stripe sends it — check where it came from (mode_mismatch)")
                continue
            }
            if let problem = modeProblem(item.livemode ?? item.records.first?.livemode,
                                         what: item.eventID ?? item.records.first?.id ?? "record", at: "\(file) line \(item.line)") {
                intake.rejected.append(problem)
                continue
            }
            if let id = item.eventID, seen.events.contains(id) {
                intake.duplicates += 1
                continue
            }
            try loadState()
            var changed = 0
            for record in item.records where cache!.records.insert(record) != .unchanged { changed += 1 }
            intake.recordsChanged += changed
            if changed > 0 { recordsChanged = true }
            if let id = item.eventID {
                seen.events.insert(id)
                seenChanged = true
            }
            if item.eventID != nil || changed > 0 {
                intake.newItems += 1
                if writing { try journal.appendItem(bytes[item.raw], door: door, from: file + ":" + String(item.line), at: at) }
            } else {
                intake.unchanged += 1
            }
        }
        return intake
    }

    /// Makes room for about `count` more records at once (a large export is coming), so the index is
    /// not grown and rehashed again and again.
    public func expect(records count: Int) throws(LedgerError) {
        try loadState()
        cache!.records.reserveCapacity(cache!.records.count + count)
    }

    /// Applies the records of Dashboard export rows to what is known; the rows that added or changed
    /// something go to the journal as they arrived.
    public func accept(export batch: ExportBatch, from file: String) throws(LedgerError) -> Intake {
        var intake = Intake()
        let at = now()
        try loadState()
        var changedRows: [Int] = []
        // Records read in place from the batch (a copy of each would cost a retain per string).
        batch.records.withUnsafeBufferPointer { items in
            for k in items.indices {
                intake.items += 1
                if let problem = modeProblem(items[k].record.livemode, what: items[k].record.id, at: "\(file) line \(items[k].line)") {
                    intake.rejected.append(problem)
                    continue
                }
                if cache!.records.insert(items[k].record) != .unchanged {
                    intake.newItems += 1
                    intake.recordsChanged += 1
                    recordsChanged = true
                    if changedRows.last != batch.rowOf[k] { changedRows.append(batch.rowOf[k]) }
                } else {
                    intake.unchanged += 1
                }
            }
        }
        if writing, !changedRows.isEmpty {
            // Usually every row is new: then the batch's lines go as one piece.
            let rows = changedRows.count == batch.rowEnds.count ? [batch.rowsCSV[...]] : changedRows.map { batch.rowCSV($0) }
            try journal.appendExport(header: batch.header, rows: rows, from: file, at: at)
        }
        return intake
    }

    /// Records a person's decision; it takes effect now and no later sync undoes it.
    public func decide(_ action: Decision.Action) throws(LedgerError) {
        try loadState()
        let decision = Decision(action: action, decidedAt: now(), sequence: cache!.decisions.count)
        cache!.decisions.append(decision)
        decisionsChanged = true
        if writing { try journal.appendDecision(decision) }
    }

    // MARK: Reconciling and writing

    /// - Parameter trails: whether rows carry their `trail` (what `explain` shows).
    public func reconcile(trails: Bool = true) throws(LedgerError) -> Reconciliation {
        let state = try knownState()
        var reconcileSettings = try settings.reconcileSettings(file: paths.settings)
        reconcileSettings.keepTrail = trails
        return Reconciler.reconcile(invoices: invoices, records: state.records, decisions: state.decisions,
                                    settings: reconcileSettings)
    }

    /// Whether the tables are exactly what LedgerSync last wrote from everything known: nothing has
    /// arrived since (journal), no one has saved either file since, and the settings are the same.
    public var tablesAreCurrent: Bool {
        !recordsChanged && !decisionsChanged && !settingsChanged && FileStamp.of(paths.seen) != nil
            && seen.journalOffset == journal.size && backend.stamp() == loadedStamp
            && FileStamp.text(paths.ledger) == seen.ledgerStamp && FileStamp.text(paths.paymentsCSV) == seen.paymentsStamp
            && settingsDigest == seen.settingsDigest
    }

    /// The ledger's reconciliation as it stands, for readers (`status`, `export`, `report`): read back from
    /// the tables' own columns when they are current (``tablesAreCurrent``), which skips loading the state
    /// and reconciling; computed otherwise. Rows carry no `trail` either way (`explain` reconciles itself).
    public func currentReconciliation() throws(LedgerError) -> Reconciliation {
        if tablesAreCurrent, let written = tables.reconciliationAsWritten(invoices) { return written }
        return try reconcile(trails: false)
    }

    private var settingsDigest: String {
        String(decoding: Journal.json(settings), as: UTF8.self)
            .utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }.description
    }

    /// Makes everything durable: journal first (fsynced), then the ledger tables (atomic renames), then
    /// the side files. If a person saved the ledger since it was read, it is re-read and reconciled again
    /// so their edit is kept. When nothing new arrived and the ledger is as LedgerSync last wrote it,
    /// nothing is recomputed or rewritten.
    /// - Returns: the reconciliation, or nil when nothing needed recomputing.
    @discardableResult
    public func commit() throws(LedgerError) -> Reconciliation? {
        let timing = Timing()
        let journalSize = try journal.sync()
        // Decoding's buffers are gone; start reconciling from what is really in use.
        ledgersync_release_free_memory()
        timing.mark("commit: journal synced")
        if settingsChanged {
            try settings.save(paths.settings)
            settingsChanged = false
        }
        let digest = settingsDigest
        let untouched = FileStamp.text(paths.ledger) == seen.ledgerStamp && FileStamp.text(paths.paymentsCSV) == seen.paymentsStamp
            && digest == seen.settingsDigest
        let reconciling = recordsChanged || decisionsChanged || !untouched
        // Reconciling loads the records anyway: load them now, so the state file written below holds
        // them (rebuilt from the journal if the settings were edited, so the next run reads them so).
        if reconciling { try loadState() }
        // The state file is encoded on a second thread while reconciling and writing the tables, and put
        // in place only after them: a run stopped in between leaves the older state, which the journal
        // brings up to date on the next run (the tables are then reconciled again).
        var state = cache
        state?.journalOffset = journalSize
        var stateWrite: BackgroundTask<AtomicFile.Prepared, LedgerError>?
        if let state, reconciling || cache?.journalOffset != journalSize {
            let path = paths.state
            stateWrite = BackgroundTask { () throws(LedgerError) in
                try AtomicFile.prepare(path) { temp in try state.write(toFile: temp) }
            }
        }
        var result: Reconciliation?
        do {
            if reconciling { result = try reconcileAndSave(timing: timing) }
        } catch {
            // The tables were not written: the new state file must not land either.
            if let prepared = try? stateWrite?.wait() { prepared.discard() }
            throw error
        }
        if let stateWrite {
            try stateWrite.wait().replace()
            cache = state
            recordsChanged = false
            decisionsChanged = false
            timing.mark("commit: state saved")
        }
        if result != nil || seenChanged || seen.journalOffset != journalSize {
            seen.journalOffset = journalSize
            seen.ledgerStamp = FileStamp.text(paths.ledger)
            seen.paymentsStamp = FileStamp.text(paths.paymentsCSV)
            seen.settingsDigest = digest
            try AtomicFile.write(seen.encoded(), to: paths.seen)
            seenChanged = false
        }
        return result
    }

    /// Reconciles and writes the tables; if a person saved the ledger meanwhile, re-reads it and does it
    /// again (up to five times) so their edit is kept.
    private func reconcileAndSave(timing: Timing) throws(LedgerError) -> Reconciliation {
        var attempt = 0
        while true {
            let reconciled = try reconcile(trails: false)
            timing.mark("commit: reconciled")

            let newInvoices = tables.renderedInvoices(invoices, reconciled)
            let newPayments = tables.renderedPayments(reconciled)
            timing.mark("commit: tables rendered")
            if backend.stamp() != loadedStamp, attempt < 5 {
                attempt += 1
                try reload()
                continue
            }
            if newInvoices != tables.invoices || newPayments != tables.payments
                || (paths.format == .csv && FileStamp.of(paths.paymentsCSV) == nil) {
                do {
                    // Checked again just before the ledger file is replaced: a save made while it was being
                    // written is re-read and re-applied too, never overwritten.
                    try backend.save(invoices: newInvoices, payments: newPayments, like: tables,
                                     context: SaveContext(invoices: invoices, result: reconciled, records: cache?.records ?? RecordSet(),
                                                          mode: settings.mode, now: now(), unchangedSince: attempt < 5 ? loadedStamp : nil))
                } catch where error.kind == .changedDuringWrite {
                    attempt += 1
                    try reload()
                    continue
                }
                tables.invoices = newInvoices
                tables.payments = newPayments
                loadedStamp = backend.stamp()
            }
            timing.mark("commit: tables saved")
            return reconciled
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
