import Hummingbird

/// `GET /healthz` (the process answers; `HEAD` too), `GET /readyz` (the ledger is writable, the last
/// batch was applied, and the inbox accepts appends; reports the backlog), `GET /metrics` (Prometheus text).
struct HealthController: Sendable {
    let inbox: Inbox
    let applier: Applier
    let metrics: WebhookMetrics

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            WebhookController.json(.ok, #"{"status":"ok"}"#)
        }
        router.head("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"])
        }
        router.get("/readyz") { _, _ in
            await self.readiness()
        }
        router.get("/metrics") { _, _ in
            metrics.backlog.set(Int64(inbox.backlog))
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
    }

    func readiness() async -> Response {
        let status = applier.status
        // A ledger whose last batch failed is not being kept current, whatever its permissions say.
        let writable = await applier.sink.isWritable() && status.consecutiveErrors == 0
        let accepting = inbox.isAcceptingAppends
        let backlog = inbox.backlog
        metrics.backlog.set(Int64(backlog))
        let ready = writable && accepting
        let lastError = status.lastError == nil ? "null" : #""batch failed; see logs""#
        let body = """
            {"ready":\(ready),"ledgerWritable":\(writable),"inboxAccepting":\(accepting),\
            "backlog":\(backlog),"failedEvents":\(status.failedEvents),\
            "consecutiveApplyErrors":\(status.consecutiveErrors),"lastApplyError":\(lastError)}
            """
        return WebhookController.json(ready ? .ok : .serviceUnavailable, body)
    }
}
