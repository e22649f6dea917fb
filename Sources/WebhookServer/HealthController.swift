import Hummingbird

/// `GET /healthz` (the process answers), `GET /readyz` (the ledger is writable and the inbox
/// accepts appends; reports the backlog), `GET /metrics` (Prometheus text).
struct HealthController: Sendable {
    let inbox: Inbox
    let applier: Applier
    let metrics: WebhookMetrics

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            WebhookController.json(.ok, #"{"status":"ok"}"#)
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
        let writable = await applier.sink.isWritable()
        let accepting = inbox.isAcceptingAppends
        let backlog = inbox.backlog
        let status = applier.status
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
