import ArgumentParser
import Foundation
import Hummingbird
import LedgerStore
import Logging
import WebhookServer

extension LedgerSync {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive Stripe webhooks and keep the ledger current.",
            discussion: """
            POST /stripe/webhook checks the Stripe-Signature header against every configured secret, \
            stores the event durably in NAME.ledgersync/inbox/ and only then answers 200. A single \
            background writer applies stored events to the ledger in batches, the same way `import` \
            does; the ledger reflects an event within about a second. GET /healthz, /readyz (ledger \
            writable, backlog) and /metrics (Prometheus) report on the receiver.

            Secrets (whsec_…): STRIPE_WEBHOOK_SECRET (comma-separated, for a secret being rolled) and/or \
            --secret-file (one per line). The server refuses to start without one.

            SIGTERM or SIGINT: stop accepting, apply what is stored, exit. After a crash the next start \
            applies whatever the inbox holds that the ledger lacks. Events that cannot be applied (another \
            Stripe mode, a broken object) are kept in inbox/failed.jsonl and counted by `status`.

            Examples:
              STRIPE_WEBHOOK_SECRET=whsec_… ledgersync serve --ledger books/ledger.csv
              ledgersync serve --ledger books/ledger.csv \\
                --secret-file /etc/ledgersync/whsec --port 8080
              stripe listen --forward-to localhost:8080/stripe/webhook

            Logs go to standard error as text; with --json, to standard output as one JSON object per line. \
            --lock-timeout is how long each batch waits for the ledger while another command holds it; a \
            batch that cannot get it is retried.

            Exit codes: 0 stopped by a signal after draining; 2 usage, no secret, unreadable or locked \
            ledger or inbox, or the address could not be bound.
            """
        )

        @OptionGroup var options: LedgerOptions

        @Option(help: ArgumentHelp("Address to listen on; keep 127.0.0.1 behind a TLS proxy.", valueName: "address"))
        var host = "127.0.0.1"

        @Option(help: ArgumentHelp("Port to listen on.", valueName: "port"))
        var port = 8080

        @Option(name: .customLong("secret-file"),
                help: ArgumentHelp("File holding the endpoint's signing secrets (whsec_…), one per line.", valueName: "file"))
        var secretFile: String?

        @Option(help: ArgumentHelp("Oldest signature timestamp accepted, in seconds.", valueName: "seconds"))
        var tolerance = StripeSignature.defaultTolerance

        @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body accepted, in bytes.", valueName: "bytes"))
        var maxBody = 1 << 20

        @Option(name: .customLong("log-level"),
                help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
        var logLevel = "info"

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is not a port; use 1-65535.") }
            guard tolerance > 0, tolerance <= 3600 else {
                throw ValidationError("--tolerance \(tolerance) must be between 1 and 3600 seconds: a longer window lets a captured request be replayed for longer (Stripe's default is 300).")
            }
            guard maxBody > 0 else { throw ValidationError("--max-body must be a positive number of bytes.") }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level '\(logLevel)' is not a level; use trace, debug, info, notice, warning, error or critical.")
            }
        }

        func run() async throws {
            let secrets = try WebhookSecrets.load(environment: ProcessInfo.processInfo.environment, file: secretFile)

            // Fail early, with the ledger's own message, when it cannot be read.
            let paths: LedgerPaths
            do {
                let session = try LedgerSession(ledger: options.ledger, forWriting: false)
                paths = session.paths
                session.close()
            } catch {
                throw Output.fail(error)
            }

            let level = Logger.Level(rawValue: logLevel) ?? .info
            let json = options.json
            LoggingSystem.bootstrap { label in
                if json { return JSONLogHandler(logLevel: level) }
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "ledgersync.serve")

            let inboxDirectory = LedgerSink.inboxDirectory(paths: paths)
            let inbox: Inbox
            do {
                try FileManager.default.createDirectory(atPath: inboxDirectory, withIntermediateDirectories: true)
                inbox = try Inbox(directory: inboxDirectory, logger: logger)
            } catch {
                throw CommandFailure(
                    message: "error: the webhook inbox \(inboxDirectory) cannot be opened: \(error). Is another `ledgersync serve` running on this ledger?",
                    status: ExitStatus.failure)
            }
            logger.info("starting", metadata: [
                "ledger": "\(paths.ledger)", "address": "\(host):\(port)", "secrets": "\(secrets.count)",
                "backlog": "\(inbox.backlog)",
            ])

            // Each batch rewrites the ledger, so its cost grows with the ledger, not the batch: fewer,
            // larger batches leave the CPU to acknowledging, and still apply within a second.
            let configuration = WebhookServerConfiguration(secrets: secrets, signatureTolerance: tolerance, maxBodySize: maxBody,
                                                           applyInterval: .milliseconds(400), maxBatchSize: 5000)
            let sink = LedgerSink(ledger: paths.ledger, lockTimeout: options.lockTimeout)
            let app = buildApplication(
                configuration: configuration, inbox: inbox, sink: sink,
                server: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
                logger: logger)
            do {
                try await app.runService()
            } catch {
                inbox.close()
                let text = "\(error)"
                if text.contains("Address already in use") || text.contains("errno: 98") {
                    throw CommandFailure(message: "error: cannot listen on \(host):\(port): the address is in use (another server?); stop it or choose another --port",
                                         status: ExitStatus.failure)
                }
                throw CommandFailure(message: "error: the webhook server on \(host):\(port) stopped: \(text); check that the address is free and the host is this machine's",
                                     status: ExitStatus.failure)
            }
            inbox.close()
            logger.info("stopped", metadata: ["backlog": "\(inbox.backlog)"])
        }
    }
}

/// Signing secrets of the webhook endpoint, from the environment and/or a file.
enum WebhookSecrets {
    static let environmentVariable = "STRIPE_WEBHOOK_SECRET"

    /// Secrets from `STRIPE_WEBHOOK_SECRET` (comma-separated) and `file` (one per line or
    /// comma-separated; blank lines and `#` comments skipped), without duplicates, in that order.
    /// - Throws: `CommandFailure` (exit 2) when the file cannot be read or no secret is configured.
    static func load(environment: [String: String], file: String?) throws -> [String] {
        var secrets: [String] = []
        func add(_ text: Substring) {
            for piece in text.split(separator: ",") {
                let secret = piece.trimmingCharacters(in: .whitespacesAndNewlines)
                if !secret.isEmpty && !secrets.contains(secret) { secrets.append(secret) }
            }
        }
        if let value = environment[environmentVariable] { add(Substring(value)) }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(message: "error: --secret-file \(file) cannot be read; check the path and its permissions",
                                     status: ExitStatus.failure)
            }
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                add(line)
            }
        }
        guard !secrets.isEmpty else {
            throw CommandFailure(
                message: """
                error: no webhook signing secret; refusing to accept unsigned requests. Set \(environmentVariable)=whsec_… \
                (comma-separated while rolling a secret) or pass --secret-file FILE. The secret is shown on the endpoint's \
                page in the Stripe Dashboard, or printed by `stripe listen`.
                """,
                status: ExitStatus.failure)
        }
        for secret in secrets where !secret.hasPrefix("whsec_") {
            // Say which one without printing it.
            Output.warn("warning: a configured webhook secret (\(secret.count) characters) does not start with whsec_; Stripe's signing secrets do")
        }
        return secrets
    }
}
