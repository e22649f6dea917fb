import Foundation
import LedgerCore
import LedgerStore
import StripeData
import WebhookServer

/// The webhook receiver's way into the ledger: each batch of stored events is decoded (door
/// `webhook`) and applied through a `LedgerSession`, exactly as `import` applies a file.
///
/// The ledger lock is held only while a batch is applied — open, accept all, commit, close — and
/// never retaken sooner than `lockGap` after it was let go, so a person's `import` or `resolve`
/// (which polls the lock every 50 ms) always gets a turn between batches. When the ledger is
/// locked longer than `lockTimeout` (nil: `settings.json`'s, else 10 s, as for every command), `apply` throws and the applier retries the same events later;
/// they stay in the inbox meanwhile.
///
/// ```swift
/// let sink = LedgerSink(ledger: "books/ledger.csv", lockTimeout: 2)
/// let app = buildApplication(configuration: configuration, inbox: inbox, sink: sink)
/// ```
final class LedgerSink: WebhookEventSink, @unchecked Sendable {
    let ledger: String
    /// Seconds one batch waits for the ledger lock before giving up (and being retried); nil: the ledger's setting.
    let lockTimeout: Double?
    /// Least pause between letting go of the lock and taking it again.
    let lockGap: TimeInterval
    /// Ledger work is synchronous file I/O and CPU: it runs on a thread of its own, one batch at a
    /// time, at a lower scheduling priority so acknowledging requests is never starved by it.
    private let worker = BackgroundWorker(name: "ledgersync-apply", niceness: 19)
    /// Touched only on `worker`.
    private var lastReleased: Date?

    init(ledger: String, lockTimeout: Double? = nil, lockGap: TimeInterval = 0.12) {
        self.ledger = ledger
        self.lockTimeout = lockTimeout
        self.lockGap = lockGap
    }

    func apply(_ events: [InboxRecord]) async throws -> ApplyResult {
        try await withCheckedThrowingContinuation { continuation in
            worker.submit {
                do {
                    continuation.resume(returning: try self.applyNow(events))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Applies one batch on the calling thread.
    /// - Throws: `LedgerError` when the ledger cannot be opened, locked or written; nothing of the
    ///   batch is then known to be applied, and a retry skips whatever was.
    func applyNow(_ events: [InboxRecord]) throws(LedgerError) -> ApplyResult {
        if let lastReleased {
            let wait = lockGap - Date().timeIntervalSince(lastReleased)
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
        }
        let session = try LedgerSession(ledger: ledger, forWriting: true, lockTimeout: lockTimeout)
        defer {
            session.close()
            lastReleased = Date()
        }
        let settings = try session.settings.reconcileSettings(file: session.paths.settings)
        var result = ApplyResult(applied: 0)
        for event in events {
            let name = "webhook " + (event.eventID ?? "event at \(event.position)")
            let input = StripeJSON.decode(event.body, file: name, door: .webhook, settings: settings)
            if !input.problems.isEmpty && input.events.isEmpty {
                result.failures.append(ApplyFailure(event, reason: input.problems.map(\.description).joined(separator: "; ")))
                continue
            }
            let intake = try session.accept(input, bytes: event.body, door: .webhook, from: name)
            if !intake.rejected.isEmpty {
                result.failures.append(ApplyFailure(event, reason: intake.rejected.joined(separator: "; ")))
            } else if intake.newItems > 0 {
                result.applied += 1
            } else if intake.duplicates > 0 {
                result.duplicates += 1
            }
            // Otherwise an event type that carries nothing LedgerSync reads: done, nothing to count.
        }
        try session.commit()
        return result
    }

    /// The ledger and LedgerSync's folder beside it can be written (cheap: no ledger is read).
    func isWritable() async -> Bool {
        guard let paths = try? LedgerPaths(ledger: ledger) else { return false }
        return access(paths.ledger, W_OK) == 0 && access(paths.sideDirectory, W_OK) == 0
    }
}

/// A thread that runs submitted jobs in order, forever, at `niceness` (Linux: a per-thread setting).
final class BackgroundWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init(name: String, niceness: Int32) {
        // The thread keeps its worker alive: both last as long as the process.
        let thread = Thread { [condition = self.condition, self] in
            #if os(Linux)
            // who 0 = the calling thread on Linux; raising niceness needs no privilege.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            #endif
            while true {
                condition.lock()
                while self.jobs.isEmpty { condition.wait() }
                let job = self.jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = name
        thread.start()
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }
}

extension LedgerSink {
    /// `NAME.ledgersync/inbox/` of a ledger: where `serve` keeps stored webhook events.
    static func inboxDirectory(paths: LedgerPaths) -> String {
        (paths.sideDirectory as NSString).appendingPathComponent("inbox")
    }

    /// The file listing webhook events that could not be applied, for messages.
    static func failedEventsFile(ledger: String) -> String {
        guard let paths = try? LedgerPaths(ledger: ledger) else { return "inbox/failed.jsonl" }
        return Inbox.failedPath(directory: inboxDirectory(paths: paths))
    }

    /// How many webhook events `serve` could not apply (lines of `inbox/failed.jsonl`); 0 without one.
    static func failedEventCount(paths: LedgerPaths) -> Int {
        Inbox.failedEventCount(directory: inboxDirectory(paths: paths))
    }
}
