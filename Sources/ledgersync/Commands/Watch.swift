import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import StripeData

extension LedgerSync {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply every file dropped into a folder, then move it to processed/ or rejected/.",
            discussion: """
            Each file that appears in DIR (Stripe event JSON, a JSON array or list object, JSON Lines, or a \
            Stripe Dashboard CSV export) is \
            applied to the ledger, then moved to DIR/processed/ — with NAME.error.txt beside it when some of \
            its records were rejected — or to DIR/rejected/ with NAME.error.txt when nothing in it could be \
            used. Nothing is ever deleted. A file is read only once its size and modification time are the \
            same on two looks in a row, so a file still being written is left alone; hidden files and names \
            ending in .tmp, .part, .partial, .crdownload, .swp or ~ are skipped (write there, then rename). A file dropped \
            twice gets a new name in processed/ and changes nothing the second time. The ledger's journal \
            is on disk before a file is moved.

            Examples:
              ledgersync watch --ledger books/ledger.csv drop/
              ledgersync watch --ledger books/ledger.csv drop/ --once     # from cron

            Exit codes (--once): 0 every file applied; 1 some file rejected or partly applied; 2 usage, \
            unreadable or locked ledger or folder (nothing moved). Without --once, runs until SIGTERM or \
            SIGINT, finishing the files in hand.
            """
        )

        @OptionGroup var options: LedgerOptions

        @ArgumentParser.Flag(name: .long, help: "Process the files that are there (ready on two looks a second apart), then exit.")
        var once = false

        @Option(help: ArgumentHelp("Seconds between looks at the folder.", valueName: "seconds"))
        var interval: Double = 2

        @Argument(help: ArgumentHelp("The drop folder.", valueName: "dir"))
        var directory: String

        func validate() throws {
            guard interval > 0, interval <= 86_400 else { throw ValidationError("--interval must be between 0 and 86400 seconds.") }
        }

        func run() async throws {
            // A wrong --ledger is said now, not when the first file arrives.
            try LedgerSession.forCommand(options, writing: false).close()
            let folder = try DropFolder(directory, ledger: try? LedgerPaths(ledger: options.ledger))
            let stop = StopRequest()
            if !once { stop.install() }

            var failedFiles = 0
            var cycle = 0
            while true {
                let ready = folder.look()
                cycle += 1
                if !ready.isEmpty {
                    do {
                        failedFiles += try process(ready, in: folder)
                    } catch let failure as CommandFailure {
                        if once { throw failure }
                        Output.warn(failure.message + " (will try again)")
                    }
                }
                if once && cycle >= 2 { break }
                if stop.requested { break }
                let pause = once ? min(interval, 1) : interval
                await stop.sleep(pause)
                if stop.requested { break }
            }
            if once && failedFiles > 0 { throw ExitCode(ExitStatus.partial) }
        }

        /// Applies `files` in one ledger session, commits, then moves each file.
        /// - Returns: how many files were rejected or partly applied.
        /// - Throws: `CommandFailure` when the ledger cannot be opened, locked or written (nothing moved).
        func process(_ files: [DropFolder.Entry], in folder: DropFolder) throws -> Int {
            let session = try LedgerSession.forCommand(options, writing: true)
            defer { session.close() }
            let settings: ReconcileSettings
            do { settings = try session.settings.reconcileSettings(file: session.paths.settings) } catch { throw Output.fail(error) }

            var outcomes: [(DropFolder.Entry, Intake.Outcome)] = []
            for file in files {
                guard folder.stillSame(file) else { continue } // changed since it was seen: next look
                do {
                    outcomes.append((file, try Intake.applyFile(InputFile(name: file.name, path: folder.path(file.name)),
                                                                door: .file, to: session, settings: settings)))
                } catch {
                    throw Output.fail(error)
                }
            }
            // Journal (fsynced), then ledger, then side files: only then may a file leave the folder.
            do { try session.commit() } catch { throw Output.fail(error) }

            var failed = 0
            for (file, outcome) in outcomes {
                let verdict = outcome.verdict
                if verdict != .applied { failed += 1 }
                let moved: String
                do {
                    moved = try folder.move(file.name, verdict: verdict, problems: outcome.problems, ledger: options.ledger)
                } catch {
                    Output.warn("warning: \(file.name) was applied but could not be moved: \(error); it will be seen again and change nothing")
                    continue
                }
                report(file.name, outcome, movedTo: moved)
            }
            return failed
        }

        func report(_ name: String, _ outcome: Intake.Outcome, movedTo moved: String) {
            if options.json {
                struct Line: Encodable {
                    var file: String, verdict: String, movedTo: String
                    var items: Int, new: Int, duplicates: Int, unchanged: Int, problems: [String]
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let line = Line(file: name, verdict: outcome.verdict.rawValue, movedTo: moved, items: outcome.items,
                                new: outcome.newItems, duplicates: outcome.duplicates, unchanged: outcome.unchanged,
                                problems: outcome.problems)
                if let data = try? encoder.encode(line) { Output.line(String(decoding: data, as: UTF8.self)) }
                return
            }
            let counts = "\(outcome.newItems) new, \(outcome.duplicates) duplicate, \(outcome.unchanged) unchanged"
            switch outcome.verdict {
            case .applied:
                Output.line("processed \(name): \(counts) → \(moved)")
            case .partlyApplied:
                Output.line("processed \(name): \(counts), \(outcome.problems.count) rejected → \(moved) (see \(moved).error.txt)")
            case .rejected:
                Output.line("rejected \(name): \(outcome.problems.first ?? "nothing could be applied") → \(moved) (see \(moved).error.txt)")
            }
        }
    }
}

/// The watched folder: which files are ready, and moving them out.
struct DropFolder {
    /// A file as seen on one look.
    struct Entry: Equatable {
        var name: String
        var size: Int64
        var modified: timespec
        var inode: UInt64

        static func == (a: Entry, b: Entry) -> Bool {
            a.name == b.name && a.size == b.size && a.inode == b.inode
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }
    }

    static let processed = "processed"
    static let rejected = "rejected"
    /// Names a writer uses while a file is incomplete.
    static let partialSuffixes = [".tmp", ".part", ".partial", ".crdownload", ".swp", "~"]

    let directory: String
    /// The ledger's own files, never taken as drops when the ledger lives in the folder watched.
    let ledger: LedgerPaths?
    private let previous = Box<[String: Entry]>([:])
    /// Keeps the folder's lock (one watcher per folder) for the life of the value.
    private let lock: Int32

    /// Checks the folder, creates processed/ and rejected/, and takes the folder's lock.
    /// - Throws: `CommandFailure` (exit 2) when the folder is missing or another watcher holds it.
    init(_ directory: String, ledger: LedgerPaths? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(message: "error: \(directory) is not a folder; create it or check the path", status: ExitStatus.failure)
        }
        self.directory = directory
        self.ledger = ledger
        do {
            for sub in [Self.processed, Self.rejected] {
                try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent(sub),
                                                        withIntermediateDirectories: true)
            }
        } catch {
            throw CommandFailure(message: "error: cannot create processed/ and rejected/ in \(directory): \(error.localizedDescription); check its permissions",
                                 status: ExitStatus.failure)
        }
        let lockPath = (directory as NSString).appendingPathComponent(".ledgersync-watch.lock")
        lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            if lock >= 0 { close(lock) }
            throw CommandFailure(message: "error: \(directory) is watched by another `ledgersync watch` (lock \(lockPath)); stop it first",
                                 status: ExitStatus.failure)
        }
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    static func isCandidate(_ name: String) -> Bool {
        !name.hasPrefix(".") && !partialSuffixes.contains { name.lowercased().hasSuffix($0) }
    }

    func entry(_ name: String) -> Entry? {
        var info = stat()
        // lstat: a symbolic link is not a dropped file (it could point anywhere); it is left alone.
        guard lstat(path(name), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Entry(name: name, size: Int64(info.st_size), modified: info.st_mtim, inode: UInt64(info.st_ino))
    }

    /// Looks at the folder; returns, in name order, the files that look exactly as on the last look.
    func look() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var now: [String: Entry] = [:]
        for name in names where Self.isCandidate(name) && ledger?.owns(path(name)) != true {
            if let entry = entry(name) { now[name] = entry }
        }
        let before = previous.value
        previous.value = now
        return now.values.filter { before[$0.name] == $0 }.sorted { $0.name < $1.name }
    }

    /// Whether the file is still as it was seen.
    func stillSame(_ file: Entry) -> Bool { entry(file.name) == file }

    /// Moves a file to processed/ or rejected/ under a name not taken there, writing
    /// `NAME.error.txt` first when there were problems; syncs both folders.
    /// - Returns: the new path, relative to the folder (`processed/a.json`).
    func move(_ name: String, verdict: Intake.Verdict, problems: [String], ledger: String) throws -> String {
        let sub = verdict == .rejected ? Self.rejected : Self.processed
        let target = freeName(for: name, in: sub)
        let relative = (sub as NSString).appendingPathComponent(target)
        if !problems.isEmpty {
            let text = Self.errorText(name: name, verdict: verdict, problems: problems, ledger: ledger, folder: directory)
            try AtomicFile.write(Array(text.utf8), to: path(relative) + ".error.txt")
        }
        guard rename(path(name), path(relative)) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path(name),
                                                           NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        Self.syncDirectory(path(sub))
        Self.syncDirectory(directory)
        return relative
    }

    /// `a.json`, else `a.2.json`, `a.3.json`… — whichever neither it nor its `.error.txt` takes.
    func freeName(for name: String, in sub: String) -> String {
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        var candidate = name
        var n = 1
        while FileManager.default.fileExists(atPath: path(sub + "/" + candidate))
            || FileManager.default.fileExists(atPath: path(sub + "/" + candidate + ".error.txt")) {
            n += 1
            candidate = ext.isEmpty ? "\(name).\(n)" : "\(stem).\(n).\(ext)"
        }
        return candidate
    }

    static func errorText(name: String, verdict: Intake.Verdict, problems: [String], ledger: String, folder: String) -> String {
        let headline = verdict == .rejected
            ? "\(name) was rejected: nothing in it could be applied to \(ledger)."
            : "\(name) was applied to \(ledger), except for \(problems.count) record(s) that were rejected."
        let stamp = ISO8601DateFormatter().string(from: Date())
        return """
            ledgersync watch — \(stamp)
            \(headline)

            What was wrong:
            \(problems.map { "  - " + $0 }.joined(separator: "\n"))

            What to do: fix the records named above and drop the file into \(folder) again.
            Records already applied are recognised and change nothing.

            """
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A mutable value shared by copies of a struct.
private final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// SIGTERM/SIGINT asking a long-running command to finish what it holds and stop.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    func install() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.flag = true
                self.lock.unlock()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Sleeps `seconds`, waking early when a stop is requested.
    func sleep(_ seconds: Double) async {
        let deadline = Date().addingTimeInterval(seconds)
        while !requested, Date() < deadline {
            try? await Task.sleep(nanoseconds: UInt64(min(0.1, max(0.001, deadline.timeIntervalSinceNow)) * 1e9))
        }
    }
}
