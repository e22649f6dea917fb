import ArgumentParser
import CSupport
import Foundation
import StripeAPI

/// Exit codes (docs/errors.md): 0 all applied; 1 applied, with rejected records or `invalid_row` rows;
/// 2 usage, a structural ledger problem, or an unreadable/locked ledger — nothing written.
enum ExitStatus {
    static let ok: Int32 = 0
    static let partial: Int32 = 1
    static let failure: Int32 = 2
}

@main
struct LedgerSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgersync",
        abstract: "Keep a spreadsheet ledger of invoices true to what happened in Stripe.",
        discussion: """
        The ledger (NAME.csv with NAME.payments.csv beside it, or NAME.xlsx) is the source of truth. \
        LedgerSync applies Stripe records to its rows, writes status columns and flags, and never touches \
        your own columns.

        Exit codes: 0 all applied; 1 applied, with rejected records or invalid rows; 2 usage error, \
        structural ledger problem, or unreadable/locked ledger (nothing written).
        """,
        version: "0.1.0",
        subcommands: [Init.self, Import.self, Pull.self, Watch.self, Serve.self, Status.self, Explain.self, Resolve.self,
                      Export.self, Report.self]
    )

    /// Like ArgumentParser's own `main`, but usage errors exit 2 (not 64) so exit codes mean one thing.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // One malloc arena suits the batch commands (less memory, fewer page faults); the webhook
            // server's threads would queue on its lock and acknowledgements would wait.
            if !(command is Serve) { ledgersync_tune_malloc() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            fail(failure.message, status: failure.status)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            fail(fullMessage(for: error), status: code == .validationFailure || code.rawValue == 64 ? ExitStatus.failure : code.rawValue)
        }
    }

    /// Says why on standard error and exits; with `--json`, a failure that printed no summary also
    /// gets `{"error": …, "exitCode": 2}` on standard output, so a script always has JSON to read (one
    /// line, so it also ends `serve --json`'s JSON Lines log cleanly).
    static func fail(_ message: String, status: Int32) -> Never {
        // A key given where it does not belong (a stray argument) is never repeated back.
        let message = APIKey.redacting(message)
        if !message.isEmpty {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            if status == ExitStatus.failure, CommandLine.arguments.dropFirst().contains("--json") {
                // The first line says it; a usage error's help text follows on stderr.
                var reason = String(message.prefix { $0 != "\n" })
                for prefix in ["error: ", "Error: "] where reason.hasPrefix(prefix) { reason.removeFirst(prefix.count) }
                Output.json(["error": AnyEncodable(reason), "exitCode": AnyEncodable(status)], oneLine: true)
            }
        }
        Foundation.exit(status)
    }
}

/// A failure already explained to the user, with the exit status it means.
struct CommandFailure: Error {
    var message: String
    var status: Int32
}

/// Options every ledger command takes.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger: NAME.csv (with NAME.payments.csv beside it) or NAME.xlsx.", valueName: "file"))
    var ledger: String

    @ArgumentParser.Flag(name: .long, help: "Print a machine-readable JSON summary on standard output.")
    var json = false

    @Option(name: .customLong("lock-timeout"),
            help: ArgumentHelp("Seconds to wait for another LedgerSync process using the ledger (default: settings.json, else 10).", valueName: "seconds"))
    var lockTimeout: Double?
}
