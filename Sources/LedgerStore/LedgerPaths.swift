import Foundation

/// Where a ledger and its side files live (DESIGN.md §1): `NAME.csv` + `NAME.payments.csv`, or `NAME.xlsx`,
/// and LedgerSync's own folder `NAME.ledgersync/` beside it (journal, state cache, lock, settings).
public struct LedgerPaths: Sendable, Equatable {
    public enum Format: String, Sendable { case csv, xlsx }

    public let ledger: String
    public let format: Format
    public let directory: String
    public let name: String

    public init(ledger given: String) throws(LedgerError) {
        // A ledger reached through a symbolic link is the file it points to: that file is written (not the
        // link replaced by a copy), its side files sit beside it, and both paths share one lock.
        let ledger = AtomicFile.target(of: given)
        let url = URL(fileURLWithPath: ledger)
        let ext = url.pathExtension.lowercased()
        switch ext {
        case "csv": format = .csv
        case "xlsx": format = .xlsx
        case "xls", "xlsm", "ods", "numbers":
            throw LedgerError(.notALedger, file: ledger,
                              "is not a format LedgerSync reads; open it in your spreadsheet program and save it as Excel Workbook (.xlsx), or export the invoices as CSV")
        default:
            throw LedgerError(.notALedger, file: ledger,
                              "is not a ledger file name; a ledger is NAME.csv (with NAME.payments.csv beside it) or NAME.xlsx — create one with `ledgersync init`")
        }
        self.ledger = ledger
        directory = url.deletingLastPathComponent().path
        name = url.deletingPathExtension().lastPathComponent
    }

    private func beside(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    /// The payments companion of a CSV ledger.
    public var paymentsCSV: String { beside(name + ".payments.csv") }
    /// LedgerSync's folder beside the ledger.
    public var sideDirectory: String { beside(name + ".ledgersync") }
    public var journal: String { (sideDirectory as NSString).appendingPathComponent("journal.jsonl") }
    public var state: String { (sideDirectory as NSString).appendingPathComponent("state.tsv") }
    public var seen: String { (sideDirectory as NSString).appendingPathComponent("seen.txt") }
    public var lock: String { (sideDirectory as NSString).appendingPathComponent("lock") }
    public var settings: String { (sideDirectory as NSString).appendingPathComponent("settings.json") }

    /// The lock file a spreadsheet program keeps beside the ledger while it has it open — LibreOffice's
    /// `.~lock.NAME.xlsx#`, Excel's `~$NAME.xlsx` (with the name's first two characters replaced when
    /// it is long) — if there is one.
    public var openInSpreadsheetProgram: String? {
        let file = (ledger as NSString).lastPathComponent
        let candidates = [".~lock.\(file)#", "~$\(file)", "~$\(file.dropFirst(2))"]
        return candidates.map(beside).first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Whether a path is one of the ledger's own files: the ledger, its payments table, or anything in its
    /// side folder (symbolic links and `..` resolved). Never Stripe input, never an export's output.
    public func owns(_ path: String) -> Bool {
        func resolved(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        let target = resolved(path)
        let side = resolved(sideDirectory)
        return [ledger, paymentsCSV].map(resolved).contains(target) || target == side || target.hasPrefix(side + "/")
    }
}
