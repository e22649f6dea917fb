import Foundation
import LedgerCore
import LedgerStore
import StripeData

/// The one way a named or dropped file reaches a ledger: recognise the format, decode, accept into
/// the session, and say what could not be used. `import` and `watch` both call it per file, so every
/// file door treats a file the same way.
///
/// ```swift
/// let outcome = try Intake.applyFile(InputFile(name: "evt_1.json", path: "drop/evt_1.json"), door: .file,
///                                    to: session, settings: settings)
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
        /// Event or object types that carry nothing LedgerSync reads (not a problem), by type.
        var ignoredTypes: [String: Int] = [:]
        /// Items that reached the session (new, duplicate, unchanged or of the other Stripe mode): `items`
        /// without those that could not be decoded.
        var considered = 0
        /// What could not be used, one sentence each, naming the file and line.
        var problems: [String] = []

        var ignored: Int { ignoredTypes.values.reduce(0, +) }
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
            for (type, count) in other.ignoredTypes { ignoredTypes[type, default: 0] += count }
            considered += other.considered
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
            var outcome = Outcome(intake)
            outcome.items += input.problems.count
            outcome.ignoredTypes = input.ignoredTypes
            outcome.problems = input.problems.map(\.description) + outcome.problems
            return outcome
        case .dashboardCSV:
            let (export, batch) = StripeExport.decode(bytes, file: name, settings: settings)
            var outcome = Outcome(try session.accept(export: batch, from: name))
            outcome.items += export.problems.count
            outcome.problems = export.problems.map(\.description) + outcome.problems
            return outcome
        case .unknown:
            return Outcome(items: 1, problems: [
                "\(name): is neither Stripe JSON (it does not start with '{' or '[') nor a Dashboard CSV export; give Stripe event JSON, JSON Lines or a Stripe Dashboard CSV export",
            ])
        }
    }

    /// Reads a file and applies it: a Dashboard CSV export streamed in batches, JSON Lines in pieces when
    /// large, anything else whole. `progress` hears how far a long file has got.
    /// - Throws: `LedgerError` from the session; a file that cannot be read is a problem in the outcome.
    static func applyFile(_ file: InputFile, door: Record.Door, to session: LedgerSession, settings: ReconcileSettings,
                          progress: (String) -> Void = { _ in }) throws(LedgerError) -> Outcome {
        if let path = file.path, format(of: InputFiles.head(of: path)) == .dashboardCSV {
            var total = Outcome()
            var failure: LedgerError?
            // Export rows are 150 to 500 bytes: room for a row per 128 bytes is enough, and is made once.
            if let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int, size > 1 << 20 {
                try session.expect(records: size / 128)
            }
            let export = StripeExport.read(path: path, file: file.name, settings: settings) { batch in
                guard failure == nil else { return }
                progress("\(total.items + batch.records.count) records")
                do throws(LedgerError) {
                    total.add(Outcome(try session.accept(export: batch, from: file.name)))
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            total.items += export.problems.count
            total.problems = export.problems.map { $0.description } + total.problems
            return total
        }
        var total = Outcome()
        do {
            try InputFiles.forEachPiece(of: file) { bytes, firstLine in
                if firstLine > 1 { progress("from line \(firstLine)") }
                total.add(try apply(bytes, name: file.name, firstLine: firstLine, door: door, to: session, settings: settings))
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as InputFiles.TooLarge {
            total.problems.append("\(file.name): \(error)")
        } catch {
            total.problems.append("\(file.name): cannot be read (\(error.localizedDescription)); check the path and permissions")
        }
        return total
    }
}

extension Intake.Outcome {
    /// What the session did with the items it was handed.
    init(_ intake: LedgerSession.Intake) {
        self.init(items: intake.items, newItems: intake.newItems, duplicates: intake.duplicates, unchanged: intake.unchanged,
                  considered: intake.items, problems: intake.rejected)
    }
}
