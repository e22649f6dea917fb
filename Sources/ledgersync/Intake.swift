import Foundation
import LedgerCore
import LedgerStore
import StripeData

/// The one way a dropped or named file's bytes reach a ledger: recognise the format, decode,
/// accept into the session, and say what could not be used. `watch` calls it per file (and
/// `import` can call it too), so every file door treats a file the same way.
///
/// ```swift
/// let outcome = try Intake.apply(bytes, name: "drop/evt_1.json", door: .file, to: session, settings: settings)
/// if outcome.verdict == .rejected { … move it to rejected/ with outcome.problems … }
/// ```
enum Intake {
    /// What a file is, from its first bytes (never from its name).
    enum Format: Equatable {
        /// Stripe event JSON: one event, a JSON array, a list object, JSON Lines, bare API objects.
        case stripeJSON
        /// A header row of comma-separated names: a Stripe Dashboard CSV export.
        case dashboardCSV
        /// Neither; nothing in it can be applied.
        case unknown
    }

    /// What one file (or one piece of a large file) gave.
    struct Outcome: Equatable {
        /// Items read: events, objects, export rows.
        var items = 0
        /// Items that added or changed something.
        var newItems = 0
        /// Events whose id was applied before.
        var duplicates = 0
        /// Items identical to what is known.
        var unchanged = 0
        /// Event or object types that carry nothing LedgerSync reads (not a problem).
        var ignored = 0
        /// What could not be used, one sentence each, naming the file and line.
        var problems: [String] = []

        /// Items that were taken in (or were already known) — anything that was not a problem.
        var usable: Int { newItems + duplicates + unchanged + ignored }

        var verdict: Verdict {
            if problems.isEmpty { return .applied }
            return usable > 0 ? .partlyApplied : .rejected
        }

        mutating func add(_ other: Outcome) {
            items += other.items
            newItems += other.newItems
            duplicates += other.duplicates
            unchanged += other.unchanged
            ignored += other.ignored
            problems += other.problems
        }
    }

    enum Verdict: String, Equatable {
        /// Everything in the file was used (or was already known).
        case applied
        /// Some records were used, some rejected.
        case partlyApplied = "partly_applied"
        /// Nothing in the file could be used.
        case rejected
    }

    static func format(of bytes: [UInt8]) -> Format {
        // An empty file goes to the JSON decoder, which names the problem ("the file is empty").
        if InputFiles.looksLikeJSON(bytes) || bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return .stripeJSON }
        let firstLine = bytes.prefix(4096).prefix { $0 != 0x0A && $0 != 0x0D }
        if firstLine.contains(UInt8(ascii: ",")), !firstLine.contains(0) { return .dashboardCSV }
        return .unknown
    }

    /// Decodes `bytes` and accepts what they hold into `session` (in memory and the journal; the
    /// caller commits).
    /// - Parameters:
    ///   - bytes: the whole file, or a piece of a large JSON Lines file cut after a line break.
    ///   - name: the file's name as shown in problems and recorded in the journal.
    ///   - firstLine: the 1-based line `bytes` starts on in the file.
    ///   - door: `.file` for dropped and named files.
    /// - Throws: `LedgerError` when the session cannot take records (journal write failed).
    static func apply(_ bytes: [UInt8], name: String, firstLine: Int = 1, door: Record.Door,
                      to session: LedgerSession, settings: ReconcileSettings) throws(LedgerError) -> Outcome {
        switch firstLine > 1 ? .stripeJSON : format(of: bytes) {
        case .stripeJSON:
            var input = StripeJSON.decode(bytes, file: name, door: door, settings: settings, skipping: session.seenEventIDs)
            input.shiftLines(by: firstLine - 1)
            let intake = try session.accept(input, bytes: bytes, door: door, from: name)
            return Outcome(items: intake.items + input.problems.count, newItems: intake.newItems,
                           duplicates: intake.duplicates, unchanged: intake.unchanged,
                           ignored: input.ignoredTypes.values.reduce(0, +),
                           problems: input.problems.map(\.description) + intake.rejected)
        case .dashboardCSV:
            let export = StripeExport.decode(bytes, file: name, settings: settings)
            let intake = try session.accept(records: export.records.map { ($0.record, from: name + ":" + String($0.line)) })
            return Outcome(items: intake.items + export.problems.count, newItems: intake.newItems,
                           duplicates: intake.duplicates, unchanged: intake.unchanged,
                           problems: export.problems.map(\.description) + intake.rejected)
        case .unknown:
            return Outcome(items: 1, problems: [
                "\(name): is neither Stripe JSON (it does not start with '{' or '[') nor a Dashboard CSV export; drop Stripe event JSON, JSON Lines or a CSV export",
            ])
        }
    }

    /// Reads a file (in pieces when it is large JSON Lines) and applies every piece.
    /// - Throws: `LedgerError` from the session; a file that cannot be read is a problem in the outcome.
    static func applyFile(at path: String, name: String, door: Record.Door,
                          to session: LedgerSession, settings: ReconcileSettings) throws(LedgerError) -> Outcome {
        var total = Outcome()
        do {
            try InputFiles.forEachPiece(of: InputFile(name: name, path: path)) { bytes, firstLine in
                total.add(try apply(bytes, name: name, firstLine: firstLine, door: door, to: session, settings: settings))
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            total.problems.append("\(name): cannot be read (\(error.localizedDescription)); check its permissions")
        }
        return total
    }
}
