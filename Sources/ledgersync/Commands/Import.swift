import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import Spreadsheet
import StripeData

extension LedgerSync {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply Stripe events and objects from files, folders or standard input to a ledger.",
            discussion: """
            Inputs: Stripe event JSON (one event, a JSON array, a list object, or JSON Lines) and bare API \
            objects; Stripe Dashboard CSV exports (Payments, Balance history, Balance change from activity, \
            Payouts, Invoices), recognised by their header row; a folder means every .json, .jsonl, .ndjson \
            and .csv file in it (but the ledger's own), recursively, in name order; '-' reads standard input.

            Inputs are never moved or changed. An event seen before changes nothing; an object seen through \
            several doors is one record, and a poorer door never erases what a richer one said.

            Examples:
              ledgersync import --ledger books/ledger.csv drop/ evt_1.json events.jsonl
              ledgersync import --ledger books/ledger.csv --dry-run --json events.jsonl
              ledgersync import --ledger books/ledger.csv \\
                unified_payments.csv balance_history.csv
              stripe events list --limit 100 | \\
                ledgersync import --ledger books/ledger.csv -

            Exit codes: 0 all applied; 1 applied, but some records were rejected or some rows are \
            invalid_row; 2 usage error or a ledger problem (nothing written).
            """
        )

        @OptionGroup var options: LedgerOptions

        @ArgumentParser.Flag(name: .long, help: "Show the changes the import would make; write nothing.")
        var dryRun = false

        @Argument(help: ArgumentHelp("Files, folders, or '-' for standard input.", valueName: "input"))
        var inputs: [String]

        func validate() throws {
            if inputs.isEmpty { throw ValidationError("Name at least one input file, folder, or '-'.") }
        }

        func run() async throws {
            let files = try InputFiles.expand(inputs)
            let timing = Timing()
            let session = try LedgerSession.forCommand(options, writing: !dryRun)
            defer { session.close() }
            timing.mark("open ledger + state")
            let before = session.tables
            var report = ImportReport(ledger: options.ledger, dryRun: dryRun)
            let settings: ReconcileSettings
            do { settings = try session.settings.reconcileSettings(file: session.paths.settings) } catch { throw Output.fail(error) }

            for (n, file) in files.enumerated() {
                // A folder of inputs may hold the ledger's own files: never read as Stripe data.
                if let path = file.path, session.paths.owns(path) { continue }
                let place = "\(file.name) (\(n + 1)/\(files.count))"
                Output.progress("reading \(place)")
                do {
                    let outcome = try Intake.applyFile(file, door: .file, to: session, settings: settings) { Output.progress("applying \(place), \($0)") }
                    report.add(file: file.name, outcome: outcome)
                } catch {
                    Output.endProgress()
                    throw Output.fail(error)
                }
                timing.mark("read + accept \(file.name)")
            }
            Output.progress("reconciling \(session.invoices.count) rows")
            do {
                try report.conclude(session: session, before: before)
            } catch {
                Output.endProgress()
                throw Output.fail(error)
            }
            Output.endProgress()
            timing.mark("reconcile + commit")
            let status = report.problems.isEmpty && report.invalidRows == 0 ? ExitStatus.ok : ExitStatus.partial
            do { try report.finish(status: status, json: options.json) } catch {}
            // Everything is on disk and said. The process ends here rather than by unwinding: the system
            // takes back a large ledger's records and tables at once, where freeing them one by one took
            // about a second for 500,000 rows.
            session.close()
            Foundation.exit(status)
        }
    }
}

/// An input named on the command line.
struct InputFile {
    var name: String
    var path: String?

    func read() throws -> [UInt8] {
        guard let path else { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return [UInt8](data)
    }
}

enum InputFiles {
    static let extensions: Set<String> = ["json", "jsonl", "ndjson", "csv"]
    /// Files larger than this are read in pieces when they are JSON Lines, so memory stays bounded.
    static let pieceSize = 8 << 20

    /// Calls `body` with the file's bytes — whole, or for large JSON Lines in pieces cut after a line
    /// break — and the 1-based line each piece starts on.
    /// The largest JSON document (or JSON Lines line) read whole: 1 GiB.
    static let maxWholeDocument = 1 << 30

    /// An input too large to read as it is written.
    struct TooLarge: Error, CustomStringConvertible {
        var size: Int
        var what: String
        var description: String {
            "\(what) of \(size >> 20) MiB is more than LedgerSync reads at once (1 GiB); give the events as JSON Lines, one per line, which is read in pieces"
        }
    }

    static func forEachPiece(of file: InputFile, _ body: ([UInt8], Int) throws -> Void) throws {
        guard let path = file.path else {
            try body(try file.read(), 1)
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        let size = Int(st.st_size)
        if size <= pieceSize * 2 {
            try body(try readFully(fd, count: size, path: path), 1)
            return
        }
        var pending = try readFully(fd, count: pieceSize, path: path)
        guard StripeJSON.isJSONLines(Array(pending.prefix(4 << 20))) else {
            // One document is read whole: beyond this, memory would run out before it is decoded.
            guard size <= maxWholeDocument else { throw TooLarge(size: size, what: "one JSON document") }
            pending += try readFully(fd, count: size - pending.count, path: path)
            try body(pending, 1)
            return
        }
        var line = 1
        while !pending.isEmpty {
            let more = try readFully(fd, count: pieceSize, path: path)
            var piece: [UInt8]
            if more.isEmpty {
                piece = pending
                pending = []
            } else if let cut = pending.lastIndex(of: 0x0A) {
                piece = Array(pending[...cut])
                pending = Array(pending[(cut + 1)...]) + more
            } else {
                pending += more
                guard pending.count <= maxWholeDocument else { throw TooLarge(size: pending.count, what: "one line of JSON Lines") }
                continue
            }
            try body(piece, line)
            line += countLines(piece)
            piece = []
        }
    }

    /// Line breaks in a buffer, found with `memchr` (far faster than a byte loop).
    static func countLines(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return 0 }
            let end = p + raw.count
            var n = 0
            while p < end, let hit = memchr(p, 0x0A, end - p) {
                n += 1
                p = UnsafeRawPointer(hit) + 1
            }
            return n
        }
    }

    /// Reads up to `count` bytes (fewer only at the end of the file).
    private static func readFully(_ fd: Int32, count: Int, path: String) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var filled = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while filled < count {
                let n = read(fd, buffer.baseAddress! + filled, count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
                }
                if n == 0 { break }
                filled += n
            }
            initialized = filled
        }
        return bytes
    }

    /// Files as given; folders expanded to their event files, recursively, in name order.
    static func expand(_ arguments: [String]) throws -> [InputFile] {
        var files: [InputFile] = []
        for argument in arguments {
            if argument == "-" {
                files.append(InputFile(name: "<stdin>", path: nil))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw CommandFailure(message: "error: input \(argument) does not exist; check the path", status: ExitStatus.failure)
            }
            guard isDirectory.boolValue else {
                files.append(InputFile(name: argument, path: argument))
                continue
            }
            let base = URL(fileURLWithPath: argument)
            var found: [String] = []
            if let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey],
                                                           options: [.skipsHiddenFiles]) {
                for case let url as URL in walker where extensions.contains(url.pathExtension.lowercased()) {
                    found.append(url.path)
                }
            }
            for path in found.sorted() {
                files.append(InputFile(name: path, path: path))
            }
        }
        return files
    }

    /// The first bytes of a file (enough to tell JSON from CSV); empty when it cannot be read.
    static func head(of path: String) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: 4096)) ?? Data())
    }

    static func looksLikeJSON(_ bytes: ArraySlice<UInt8>) -> Bool { looksLikeJSON(Array(bytes)) }

    static func looksLikeJSON(_ bytes: [UInt8]) -> Bool {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i < bytes.count && (bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "["))
    }
}
