import Foundation
import Hummingbird
import Logging

/// `POST /stripe/webhook`: checks in the order cheapest-first and trust-first — media type,
/// size, signature (before any parsing), event shape — then stores the raw body durably and
/// only then answers 200.
struct WebhookController: Sendable {
    let configuration: WebhookServerConfiguration
    let inbox: Inbox
    let applier: Applier
    let metrics: WebhookMetrics

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.post(RouterPath(configuration.path)) { request, context in
            try await self.receive(request, context: context)
        }
    }

    /// The two fields the receiver reads; the rest of the body stays opaque until apply time.
    private struct Envelope: Decodable {
        var id: String
        var type: String
    }

    func receive(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var logger = context.logger

        guard let contentType = request.headers[.contentType], Self.isJSON(contentType) else {
            return reject(.unsupportedMediaType, status: .unsupportedMediaType,
                          reason: "content type must be application/json", logger: logger)
        }

        let limit = configuration.maxBodySize
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return reject(.bodyTooLarge, status: .contentTooLarge, reason: "body larger than \(limit) bytes", logger: logger)
        }
        var body: [UInt8] = []
        for try await chunk in request.body {
            guard body.count + chunk.readableBytes <= limit else {
                return reject(.bodyTooLarge, status: .contentTooLarge, reason: "body larger than \(limit) bytes", logger: logger)
            }
            body.append(contentsOf: chunk.readableBytesView)
        }

        guard let header = request.headers.first(where: { $0.name.canonicalName == "stripe-signature" })?.value else {
            return reject(.missingSignature, status: .badRequest, reason: "missing Stripe-Signature header", logger: logger)
        }
        do {
            try StripeSignature.verify(
                payload: body, header: header, secrets: configuration.secrets,
                tolerance: configuration.signatureTolerance, now: configuration.now())
        } catch {
            let label: WebhookMetrics.RejectReason = error.kind == .timestampTooOld ? .staleTimestamp : .badSignature
            return reject(label, status: .badRequest, reason: error.reason, logger: logger)
        }

        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch DecodingError.dataCorrupted {
            return reject(.malformedJSON, status: .badRequest, reason: "body is not valid JSON", logger: logger)
        } catch {
            return reject(.notAnEvent, status: .badRequest, reason: "body is not a Stripe event (needs id and type)", logger: logger)
        }
        guard envelope.id.hasPrefix("evt_"), !envelope.type.isEmpty else {
            return reject(.notAnEvent, status: .badRequest, reason: "body is not a Stripe event (id must start with evt_)", logger: logger)
        }
        // Ids and types are plain words (`evt_1Q…`, `charge.succeeded`): nothing else reaches the logs or the inbox.
        guard Self.isPlainWord(envelope.id), Self.isPlainWord(envelope.type) else {
            return reject(.notAnEvent, status: .badRequest, reason: "body is not a Stripe event (id and type must be letters, digits, '_', '.' or '-')", logger: logger)
        }
        logger[metadataKey: "event_id"] = "\(envelope.id)"
        logger[metadataKey: "event_type"] = "\(envelope.type)"

        if inbox.position(ofEventID: envelope.id) != nil {
            metrics.duplicates.increment()
            logger.info("duplicate event acknowledged; already stored")
            return Self.json(.ok, #"{"received":true}"#)
        }
        do {
            let stored = try await inbox.store(body, eventID: envelope.id, eventType: envelope.type)
            guard stored.isNew else {
                // Delivered twice at once: the other request stored it.
                metrics.duplicates.increment()
                logger.info("duplicate event acknowledged; already stored")
                return Self.json(.ok, #"{"received":true}"#)
            }
            applier.noteAccepted(stored.position)
        } catch {
            metrics.reject(.storageUnavailable)
            logger.error("event not stored; answering 503 so Stripe retries", metadata: ["error": "\(error)"])
            return Self.json(.serviceUnavailable, #"{"error":"event could not be stored; retry later"}"#)
        }
        metrics.received.increment()
        logger.info("event stored")
        return Self.json(.ok, #"{"received":true}"#)
    }

    private func reject(
        _ label: WebhookMetrics.RejectReason, status: HTTPResponse.Status, reason: String, logger: Logger
    ) -> Response {
        metrics.reject(label)
        logger.notice("webhook request refused", metadata: ["reason": "\(label.rawValue)"])
        return Self.json(status, Self.errorBody(reason))
    }

    /// At most 255 ASCII letters, digits, `_`, `.` and `-`.
    static func isPlainWord(_ text: String) -> Bool {
        text.utf8.count <= 255 && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    static func errorBody(_ reason: String) -> String {
        // Reasons are fixed ASCII texts of ours; no escaping beyond quotes is needed.
        #"{"error":""# + reason.replacingOccurrences(of: "\"", with: "'") + #""}"#
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
