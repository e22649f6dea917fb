import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import Spreadsheet

extension LedgerSync {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a new ledger in a folder.",
            discussion: """
            Creates FOLDER/NAME.csv with the contract's columns (Templates/ledger.csv), an empty \
            FOLDER/NAME.payments.csv, and LedgerSync's folder FOLDER/NAME.ledgersync/ with settings.json. \
            With --xlsx, creates FOLDER/NAME.xlsx instead: a workbook whose Invoices and Payments sheets \
            are the tables. An existing ledger is never overwritten.

            Examples:
              ledgersync init books/
              ledgersync init books/ --name tuition-2026 --mode live --tolerance usd=0.50
              ledgersync init books/ --xlsx
              ledgersync init books/ --name tuition-2026 --dry-run
            """
        )

        @Argument(help: ArgumentHelp("Folder for the ledger (created if missing).", valueName: "folder"))
        var folder: String

        @Option(help: "File name of the ledger, without extension.")
        var name = "ledger"

        @Option(help: "Bind the ledger to a Stripe mode: test or live (otherwise the first record decides).")
        var mode: String?

        @Option(name: .long, parsing: .singleValue,
                help: ArgumentHelp("Accept underpayments up to this much, per currency (repeatable).", valueName: "currency=amount"))
        var tolerance: [String] = []

        @ArgumentParser.Flag(name: .long, help: "Start a workbook ledger (NAME.xlsx) instead of a CSV pair.")
        var xlsx = false

        @ArgumentParser.Flag(name: .long, help: "Print what was created as JSON.")
        var json = false

        @ArgumentParser.Flag(name: .long, help: "Say what would be created; create nothing.")
        var dryRun = false

        /// The invoices header of a new ledger; `Templates/ledger.csv` holds the same line (a test keeps them equal).
        static let templateHeader = InvoiceColumn.userOwned + InvoiceColumn.owned

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("."), !name.contains("/"), !name.contains("\\"),
                  !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw ValidationError("--name '\(name)' must be a plain file name (no '/', not starting with '.'); the folder is the argument.")
            }
            let lower = name.lowercased()
            if [".csv", ".xlsx", ".payments", ".ledgersync"].contains(where: { lower.hasSuffix($0) }) {
                throw ValidationError("--name '\(name)' is the name without extension (ledger, not ledger.csv); --xlsx chooses a workbook.")
            }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
                throw ValidationError("'\(folder)' is a file; give the folder the ledger goes in.")
            }
        }

        func run() throws {
            var settings = LedgerSettings()
            if let mode {
                guard let parsed = StripeMode(rawValue: mode.lowercased()) else {
                    throw ValidationError("--mode must be test or live, not '\(mode)'.")
                }
                settings.mode = parsed
            }
            for entry in tolerance {
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let currency = try? Currency(parts[0]),
                      let amount = try? Money(parsing: parts[1], currency: currency), amount.minorUnits >= 0 else {
                    throw ValidationError("--tolerance '\(entry)' must look like usd=0.50 (a currency code, '=', an amount of zero or more).")
                }
                guard settings.tolerance[currency.code] == nil else {
                    throw ValidationError("--tolerance for \(currency.code) is given twice; give each currency once.")
                }
                settings.tolerance[currency.code] = parts[1]
            }
            let ledger = (folder as NSString).appendingPathComponent(name + (xlsx ? ".xlsx" : ".csv"))
            do {
                let paths = try LedgerPaths(ledger: ledger)
                // Any of the ledger's files: a payments table or side folder left by a ledger renamed away
                // holds its history (and its mode), which a new ledger must not take over or erase.
                // A ledger of the same name in the other format would share this one's side folder.
                let other = (paths.directory as NSString).appendingPathComponent(paths.name + (xlsx ? ".csv" : ".xlsx"))
                for existing in [paths.ledger, other, paths.sideDirectory] + (xlsx ? [] : [paths.paymentsCSV]) where FileManager.default.fileExists(atPath: existing) {
                    throw LedgerError(.exists, file: existing, "already exists; LedgerSync never overwrites a ledger or its files — choose another --name or folder")
                }
                if dryRun {
                    let files = [paths.ledger] + (xlsx ? [] : [paths.paymentsCSV]) + [paths.settings]
                    if json {
                        Output.json(["dryRun": AnyEncodable(true), "wouldCreate": AnyEncodable(files)])
                    } else {
                        Output.line("Would create " + files.joined(separator: ", ") + "; nothing was written.")
                    }
                    return
                }
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try FileManager.default.createDirectory(atPath: paths.sideDirectory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                try settings.save(paths.settings)
                if xlsx {
                    try XLSXLedger.create(paths: paths, invoiceHeader: Self.templateHeader, now: Int64(Date().timeIntervalSince1970))
                    if json {
                        Output.json(["ledger": paths.ledger, "settings": paths.settings])
                    } else {
                        Output.line("Created \(paths.ledger) (sheets Invoices and Payments, with Summary, Review and Payouts) and \(paths.sideDirectory)/.")
                        Output.line("Add your invoices as rows of the Invoices sheet, then: ledgersync import --ledger \(paths.ledger) EVENTS…")
                    }
                    return
                }
                try AtomicFile.write(CSV.encode(Table(header: LedgerTables.paymentColumns, rows: []), format: .standard), to: paths.paymentsCSV)
                try AtomicFile.write(CSV.encode(Table(header: Self.templateHeader, rows: []), format: .standard), to: paths.ledger)
                if json {
                    Output.json(["ledger": paths.ledger, "payments": paths.paymentsCSV, "settings": paths.settings])
                } else {
                    Output.line("Created \(paths.ledger) (invoices), \(paths.paymentsCSV) (payments) and \(paths.sideDirectory)/.")
                    Output.line("Add your invoices as rows, then: ledgersync import --ledger \(paths.ledger) EVENTS…")
                }
            } catch let error as LedgerError {
                throw Output.fail(error)
            } catch {
                throw CommandFailure(message: "error: \(ledger): \(error.localizedDescription)", status: ExitStatus.failure)
            }
        }
    }
}
