import Foundation
import LedgerCore
import LedgerStore

/// What `report` remembers beside the ledger, in `NAME.ledgersync/reports/state.json`, so "since the
/// last report" is exact: the ledger as the last *sent* report saw it, and the ledger as the last run
/// of any kind saw it (which carries each flag's first-seen time forward).
///
/// ```json
/// {"version": 1,
///  "lastSent": {"at": "2026-11-13T09:00:00Z", "rows": {"INV-1": {"status": "paid", "flag": "", "flaggedSince": null}}, "payments": {}},
///  "lastRun":  {"at": "2026-11-20T09:00:00Z", "rows": {…}, "payments": {"ch_1": {"status": "succeeded", "flag": "unmatched_payment", "flaggedSince": "2026-11-14T10:00:00Z"}}}}
/// ```
/// Written whole and atomically (temporary file, fsync, rename) after each run that is not `--dry-run`.
struct ReportState: Codable, Equatable {
    static let currentVersion = 1

    /// One row or payment as a report saw it.
    struct Entry: Codable, Equatable {
        /// The invoice row's `status` (`""` for an unreadable row), or the payment's Stripe status.
        var status: String
        /// The open flag's reason code, `""` when none.
        var flag: String
        /// When this flag was first seen open (`YYYY-MM-DDTHH:MM:SSZ`); nil when not flagged.
        var flaggedSince: String?
    }

    /// The ledger as one report saw it.
    struct Snapshot: Codable, Equatable {
        /// When the report was made (`YYYY-MM-DDTHH:MM:SSZ`).
        var at: String
        /// By invoice number as the ledger spells it.
        var rows: [String: Entry]
        /// Payments no row took that carry a flag, by Stripe id.
        var payments: [String: Entry]

        var time: Int64? { LedgerDate.parseTimestamp(at) }
    }

    var version = ReportState.currentVersion
    /// The last report that was delivered (by SMTP or sendmail, at once or later from the outbox).
    var lastSent: Snapshot?
    /// The last report made, delivered or not: flags' first-seen times come from here.
    var lastRun: Snapshot?

    /// Where the state, the default `.eml` files and the pending snapshots live.
    static func folder(_ paths: LedgerPaths) -> String {
        (paths.sideDirectory as NSString).appendingPathComponent("reports")
    }

    static func file(_ paths: LedgerPaths) -> String {
        (folder(paths) as NSString).appendingPathComponent("state.json")
    }

    /// The snapshot of a message waiting in the outbox, promoted to `lastSent` once it is delivered.
    static func pendingFile(_ paths: LedgerPaths, outboxMessage: URL) -> String {
        let name = outboxMessage.deletingPathExtension().lastPathComponent
        return ((folder(paths) as NSString).appendingPathComponent("pending") as NSString).appendingPathComponent(name + ".json")
    }

    /// Reads the state; an absent file is a ledger that never had a report.
    /// - Throws: `CommandFailure` (exit 2) when the file exists but is not a state file.
    static func load(_ paths: LedgerPaths) throws -> ReportState {
        let path = file(paths)
        let bytes: [UInt8]?
        do { bytes = try AtomicFile.read(path) } catch { throw Output.fail(error) }
        guard let bytes else { return ReportState() }
        do {
            let state = try JSONDecoder().decode(ReportState.self, from: Data(bytes))
            guard state.version == currentVersion else {
                throw CommandFailure(message: "error: \(path): report state version \(state.version) is not one this LedgerSync reads (\(currentVersion)); use the LedgerSync that wrote it, or delete the file to start afresh (the next report then counts everything as new)", status: ExitStatus.failure)
            }
            return state
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(message: "error: \(path): the report state cannot be read (\(error.localizedDescription)); restore it from a backup, or delete it to start afresh (the next report then counts everything as new)", status: ExitStatus.failure)
        }
    }

    func save(_ paths: LedgerPaths) throws {
        try Self.write(self, to: Self.file(paths))
    }

    static func write<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Array(data) + [0x0A], to: path)
        } catch let error as LedgerError {
            throw Output.fail(error)
        } catch {
            throw CommandFailure(message: "error: \(path): cannot write the report state: \(error.localizedDescription); check free space and permissions", status: ExitStatus.failure)
        }
    }

    /// Makes `snapshot` the last sent report unless a later one is already recorded.
    mutating func recordSent(_ snapshot: Snapshot) {
        if let sent = lastSent?.time, let candidate = snapshot.time, candidate < sent { return }
        lastSent = snapshot
    }

    /// Promotes the snapshots of outbox messages just delivered, and removes their pending files.
    mutating func promoteDelivered(_ messages: [URL], paths: LedgerPaths) {
        for message in messages {
            let pending = Self.pendingFile(paths, outboxMessage: message)
            guard let data = FileManager.default.contents(atPath: pending) else { continue }
            if let snapshot = try? JSONDecoder().decode(Snapshot.self, from: data) {
                recordSent(snapshot)
            }
            try? FileManager.default.removeItem(atPath: pending)
        }
    }
}
