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
            Inputs: Stripe event JSON (one event, a JSON array, a list object, or JSON Lines) and bare API
            objects; Stripe Dashboard CSV exports (Payments, Balance history, Balance change from activity,
            Payouts, Invoices), recognised by their header row; a folder means every .json, .jsonl, .ndjson
            and .csv file in it (but the ledger's own), recursively, in name order; '-' reads standard input.
            Inputs are never moved or changed. An event seen before changes nothing; an object seen through
            several doors is one record, and a poorer door never erases what a richer one said.

            Examples:
              ledgersync import --ledger books/ledger.csv drop/ evt_1.json events.jsonl
              ledgersync import --ledger books/ledger.csv --dry-run --json events.jsonl
              ledgersync import --ledger books/ledger.csv unified_payments.csv balance_history.csv
              stripe events list --limit 100 | ledgersync import --ledger books/ledger.csv -

            Exit codes: 0 all applied; 1 applied, but some records were rejected or some rows are
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
            let session = try LedgerSession.forCommand(options, writing: !dryRun)
            defer { session.close() }
            let before = session.tables
            var report = ImportReport(ledger: options.ledger, dryRun: dryRun)
            let settings: ReconcileSettings
            do { settings = try session.settings.reconcileSettings(file: session.paths.settings) } catch { throw Output.fail(error) }

            for (n, file) in files.enumerated() {
                if file.isLedgerFile(of: session.paths) { continue }
                Output.progress("reading \(file.name) (\(n + 1)/\(files.count))")
                if let path = file.path, !InputFiles.looksLikeJSON(InputFiles.head(of: path)) {
                    // A Dashboard CSV export, streamed: records reach the session in batches.
                    var intake = LedgerSession.Intake()
                    let export = StripeExport.read(path: path, file: file.name, settings: settings) { batch in
                        Output.progress("applying \(file.name) (\(n + 1)/\(files.count), \(intake.items + batch.count) records)")
                        intake.add(session.accept(records: batch.map { ($0.record, from: file.name + ":" + String($0.line)) }))
                    }
                    report.add(file: file.name, export: export, intake: intake)
                    continue
                }
                let bytes: [UInt8]
                do {
                    bytes = try file.read()
                } catch {
                    report.problems.append("\(file.name): cannot be read (\(error.localizedDescription)); check the path and permissions")
                    continue
                }
                guard InputFiles.looksLikeJSON(bytes) else {
                    let export = StripeExport.decode(bytes, file: file.name, settings: settings)
                    let intake = session.accept(records: export.records.map { ($0.record, from: file.name + ":" + String($0.line)) })
                    report.add(file: file.name, export: export, intake: intake)
                    continue
                }
                let door: Record.Door = .file
                Output.progress("decoding \(file.name) (\(n + 1)/\(files.count), \(bytes.count / 1_000_000) MB)")
                let input = StripeJSON.decode(bytes, file: file.name, door: door, settings: settings)
                let intake = session.accept(input, bytes: bytes, door: door, from: file.name)
                report.add(file: file.name, input: input, intake: intake)
            }
            Output.progress("reconciling \(session.invoices.count) rows")
            let result: Reconciliation
            do {
                result = dryRun ? try session.reconcile() : try session.commit()
            } catch {
                Output.endProgress()
                throw Output.fail(error)
            }
            Output.endProgress()
            report.summarise(result, invoices: session.invoices)
            if dryRun {
                report.changes = Changes.between(before: before, invoices: session.invoices, result: result, tables: session.tables)
            }
            let status = report.problems.isEmpty && report.invalidRows == 0 ? ExitStatus.ok : ExitStatus.partial
            report.exitCode = status
            if options.json {
                Output.json(report)
            } else {
                report.printText()
            }
            if status != ExitStatus.ok { throw ExitCode(status) }
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

extension InputFile {
    /// The ledger's own tables, which a folder of inputs may hold: never read as Stripe data.
    func isLedgerFile(of paths: LedgerPaths) -> Bool {
        guard let path else { return false }
        let own = [paths.ledger, paths.paymentsCSV].map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        return own.contains(URL(fileURLWithPath: path).standardizedFileURL.path)
    }
}

extension LedgerSession.Intake {
    mutating func add(_ other: LedgerSession.Intake) {
        items += other.items
        newItems += other.newItems
        duplicates += other.duplicates
        unchanged += other.unchanged
        recordsChanged += other.recordsChanged
        rejected += other.rejected
    }
}

extension ImportReport {
    /// Adds what a Dashboard export gave.
    mutating func add(file: String, export: ExportInput, intake: LedgerSession.Intake) {
        files.append(FileSummary(file: file, items: intake.items, new: intake.newItems, duplicates: intake.duplicates,
                                 unchanged: intake.unchanged, rejected: export.problems.count + intake.rejected.count))
        items += intake.items
        newItems += intake.newItems
        duplicates += intake.duplicates
        problems += export.problems.map(\.description) + intake.rejected
    }
}
