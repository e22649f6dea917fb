import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore
import StripeAPI
import StripeData

extension LedgerSync {
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read events and objects from the Stripe API and apply them to a ledger.",
            discussion: """
            Reads, newest first with limit=100 and starting_after: events (the API keeps 30 days of them), \
            then the list endpoints of customers, payment intents, checkout sessions, charges, refunds, \
            disputes, invoices, invoice payments (API 2025-03-31 and later), payouts and balance \
            transactions, within --since/--until; then, for each automatic payout, the balance transactions \
            it carried (which fill payout_ids and deposited_at). Every page is applied as `import` applies a file; an \
            object already known from a webhook, a file or a CSV export is the same record.

            The key comes from STRIPE_API_KEY or --api-key-file, never from the command line. Its prefix \
            (sk_test_/rk_test_ or sk_live_/rk_live_) must match the ledger's mode.

            429, 5xx and dropped connections are retried with backoff and jitter, honouring Retry-After. \
            Progress is committed every 20 pages and kept in NAME.ledgersync/pull-cursor.json: run the same \
            pull again after an interruption and it continues where it stopped.

            Examples:
              STRIPE_API_KEY=sk_test_… ledgersync pull --ledger books/ledger.csv \\
                --since 2026-01-01
              ledgersync pull --ledger books/ledger.csv \\
                --api-key-file ~/.config/stripe-key --json
              ledgersync pull --ledger books/ledger.csv --since 2026-11-01 --dry-run

            Exit codes: 0 all applied; 1 applied, but some records were rejected or some rows are \
            invalid_row; 2 usage, key, ledger or API failure (what was fetched before it is kept).
            """
        )

        @OptionGroup var options: LedgerOptions

        @Option(name: .long, help: ArgumentHelp("Only objects created on or after this day (YYYY-MM-DD, UTC) or time.", valueName: "date"))
        var since: String?

        @Option(name: .long, help: ArgumentHelp("Only objects created before this day (YYYY-MM-DD, UTC) or time.", valueName: "date"))
        var until: String?

        @Option(name: .customLong("api-key-file"), help: ArgumentHelp("A file whose first line is the Stripe key (default: $STRIPE_API_KEY).", valueName: "file"))
        var apiKeyFile: String?

        @Option(name: .customLong("api-key"), help: .hidden)
        var apiKeyOnCommandLine: String?

        @Option(name: .customLong("api-base"), help: ArgumentHelp("The API's address.", valueName: "url"))
        var apiBase = "https://api.stripe.com"

        @Option(name: .customLong("stripe-version"), help: ArgumentHelp("The Stripe-Version header sent (default: the version the decoders were tested with).", valueName: "version"))
        var stripeVersion = StripeClient.defaultVersion

        @Option(name: .customLong("max-attempts"), help: ArgumentHelp("Attempts per request before giving up.", valueName: "n"))
        var maxAttempts = 8

        @ArgumentParser.Flag(name: .long, help: "Fetch and show the changes the pull would make; write nothing (no progress is kept).")
        var dryRun = false

        /// Objects per page (Stripe's maximum is 100); smaller only to exercise paging in tests.
        @Option(name: .customLong("page-size"), help: .hidden)
        var pageSize = 100

        func validate() throws {
            if apiKeyOnCommandLine != nil {
                throw ValidationError("A Stripe key is never taken from the command line (shell history and process lists keep it); set STRIPE_API_KEY or pass --api-key-file FILE.")
            }
            if let since, Self.time(since) == nil { throw ValidationError("--since '\(since)' is not a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM:SSZ).") }
            if let until, Self.time(until) == nil { throw ValidationError("--until '\(until)' is not a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM:SSZ).") }
            if let since, let until, let from = Self.time(since), let to = Self.time(until), from >= to {
                throw ValidationError("--since \(since) is not before --until \(until): nothing could be pulled; swap them or widen the range.")
            }
            if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1.") }
        }

        static func time(_ text: String) -> Int64? { LedgerDate.parseTimestamp(text) }

        /// A payout, created in the window, that moved money: the balance transactions it carried are
        /// what fills `payout_ids` and `deposited_at` (events and the other listings never say).
        static func carriesTransactions(_ record: Record, since: Int64?, until: Int64?) -> Bool {
            guard record.kind == .payout, ["paid", "in_transit"].contains((record.status ?? "").lowercased()) else { return false }
            let created = record.created ?? 0
            return created >= (since ?? .min) && created < (until ?? .max)
        }

        /// A list page with `"payout": payout` set on each of its objects.
        static func page(_ bytes: [UInt8], carriedBy payout: String) -> [UInt8] {
            guard var list = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
                  let data = list["data"] as? [[String: Any]] else { return bytes }
            list["data"] = data.map { object in
                var object = object
                object["payout"] = payout
                return object
            }
            return (try? JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])).map { [UInt8]($0) } ?? bytes
        }

        func run() async throws {
            let key: APIKey
            let client: StripeClient
            do {
                key = try APIKey.load(environment: ProcessInfo.processInfo.environment, file: apiKeyFile)
                client = try StripeClient(key: key, base: apiBase, version: stripeVersion, retry: RetryPolicy(maxAttempts: maxAttempts))
            } catch {
                throw CommandFailure(message: "error: \(error)", status: ExitStatus.failure)
            }
            let session = try LedgerSession.forCommand(options, writing: !dryRun)
            let before = session.tables
            defer { session.close() }
            if let mode = session.settings.mode, mode != key.mode {
                throw CommandFailure(message: "error: the key \(key) is a \(key.mode.rawValue)-mode key but \(options.ledger) is bound to \(mode.rawValue) mode; use a \(mode.rawValue)-mode key (mode_mismatch)", status: ExitStatus.failure)
            }
            let settings: ReconcileSettings
            do { settings = try session.settings.reconcileSettings(file: session.paths.settings) } catch { throw Output.fail(error) }

            let cursorPath = (session.paths.sideDirectory as NSString).appendingPathComponent("pull-cursor.json")
            let query = PullCursor.Query(since: since.flatMap(Self.time), until: until.flatMap(Self.time),
                                         apiBase: client.base.absoluteString, version: stripeVersion)
            var cursor = PullCursor.resume(try? AtomicFile.read(cursorPath), query: query)
            let resumed = !cursor.endpoints.isEmpty
            if resumed { Output.warn("continuing the pull interrupted earlier (\(cursorPath))") }

            var report = ImportReport(ledger: options.ledger, dryRun: dryRun)
            let puller = Puller(client: client, endpoints: Endpoint.standard(version: stripeVersion), pageSize: pageSize)
            var failure: StripeAPIError?
            do {
                try await puller.run(cursor: &cursor, apply: { endpoint, bytes in
                    let name = "api " + endpoint.path
                    // A payout's transactions carry it: the page says so before it is applied (and journaled).
                    let page = endpoint.payout.map { Self.page(bytes, carriedBy: $0) } ?? bytes
                    report.add(file: name, outcome: try Intake.apply(page, name: name, door: .api, to: session, settings: settings))
                }, checkpoint: { cursor in
                    guard !dryRun else { return }
                    Output.progress("saving progress")
                    try session.commit()
                    try AtomicFile.write(cursor.encoded(), to: cursorPath)
                }, followUp: {
                    try session.knownState().records.all.compactMap { record -> Endpoint? in
                        Self.carriesTransactions(record, since: query.since, until: query.until)
                            ? Endpoint.transactions(ofPayout: record.id) : nil
                    }
                }, progress: { Output.progress($0) })
            } catch let error as StripeAPIError {
                failure = error
            } catch let error as LedgerError {
                Output.endProgress()
                throw Output.fail(error)
            }

            if let failure, report.files.isEmpty {
                // Nothing was fetched: the ledger and the cursor stay exactly as they were.
                Output.endProgress()
                throw CommandFailure(message: "error: \(failure)", status: ExitStatus.failure)
            }
            Output.progress("reconciling \(session.invoices.count) rows")
            do {
                try report.conclude(session: session, before: before)
                if !dryRun, failure == nil {
                    try? FileManager.default.removeItem(atPath: cursorPath)
                } else if !dryRun {
                    try AtomicFile.write(cursor.encoded(), to: cursorPath)
                }
            } catch {
                Output.endProgress()
                throw Output.fail(error)
            }
            Output.endProgress()
            report.error = failure?.description
            try report.finish(status: failure != nil ? ExitStatus.failure
                                : report.problems.isEmpty && report.invalidRows == 0 ? ExitStatus.ok : ExitStatus.partial,
                              json: options.json)
        }
    }
}
