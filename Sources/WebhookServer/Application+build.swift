import Hummingbird
import Logging

/// Builds the receiver: `POST <path>`, `GET /healthz`, `GET /readyz`, `GET /metrics`, and the
/// applier as a service, so `app.runService()` serves until SIGTERM/SIGINT, stops accepting,
/// then drains the backlog into `sink`.
///
/// ```swift
/// let inbox = try Inbox(directory: dir)
/// let app = buildApplication(
///     configuration: WebhookServerConfiguration(secrets: secrets),
///     inbox: inbox, sink: LedgerSink(…),
///     server: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 8080)))
/// try await app.runService()
/// inbox.close()
/// ```
/// - Parameters:
///   - configuration: secrets, limits and applier pacing.
///   - inbox: the open journal; the caller closes it after the application returns.
///   - sink: where events are applied.
///   - server: Hummingbird's address and server settings.
///   - metrics: pass one to read metrics from outside; a new registry otherwise.
///   - logger: logs carry event ids and types, never bodies or secrets.
public func buildApplication(
    configuration: WebhookServerConfiguration,
    inbox: Inbox,
    sink: any WebhookEventSink,
    server: ApplicationConfiguration = ApplicationConfiguration(),
    metrics: WebhookMetrics = WebhookMetrics(),
    logger: Logger = Logger(label: "ledgersync.webhook")
) -> some ApplicationProtocol {
    let applier = Applier(
        inbox: inbox, sink: sink, metrics: metrics,
        interval: configuration.applyInterval, maxBatchSize: configuration.maxBatchSize, logger: logger)
    let router = buildRouter(configuration: configuration, inbox: inbox, applier: applier, metrics: metrics)
    let (seconds, attoseconds) = configuration.idleTimeout.components
    let idleNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    return Application(router: router, server: .http1(configuration: .init(idleTimeout: .nanoseconds(idleNanoseconds))),
                       configuration: server, services: [applier], logger: logger)
}

/// The router alone, for embedding the endpoints in another application.
public func buildRouter(
    configuration: WebhookServerConfiguration, inbox: Inbox, applier: Applier, metrics: WebhookMetrics
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    WebhookController(configuration: configuration, inbox: inbox, applier: applier, metrics: metrics)
        .addRoutes(to: router)
    HealthController(inbox: inbox, applier: applier, metrics: metrics).addRoutes(to: router)
    return router
}
