import Foundation
import Testing
@testable import WebhookServer

struct SignatureVector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var secret: String
    var payload: String
    var header: String
    var now: Int64
    var toleranceSeconds: Int
    var expectValid: Bool
    var note: String

    enum CodingKeys: String, CodingKey {
        case name, secret, payload, header, now, note
        case toleranceSeconds = "tolerance_seconds"
        case expectValid = "expect_valid"
    }

    var testDescription: String { name }

    static func all() throws -> [SignatureVector] {
        struct File: Decodable { var vectors: [SignatureVector] }
        let url = try #require(Bundle.module.url(forResource: "Fixtures/webhook-signature-vectors", withExtension: "json"))
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }
}

@Suite struct StripeSignatureTests {
    @Test func fixtureHoldsEveryVector() throws {
        let vectors = try SignatureVector.all()
        #expect(vectors.count == 11)
        #expect(vectors.contains { $0.expectValid } && vectors.contains { !$0.expectValid })
    }

    @Test(arguments: try SignatureVector.all())
    func vector(_ vector: SignatureVector) {
        let outcome = Result { () throws(SignatureError) in
            try StripeSignature.verify(
                payload: Array(vector.payload.utf8), header: vector.header, secrets: [vector.secret],
                tolerance: vector.toleranceSeconds, now: vector.now)
        }
        switch outcome {
        case .success:
            #expect(vector.expectValid, "\(vector.name) should be refused: \(vector.note)")
        case .failure(let error):
            #expect(!vector.expectValid, "\(vector.name) should pass but failed: \(error.reason)")
        }
    }

    @Test func vectorsFailForTheDocumentedReason() throws {
        let vectors = Dictionary(uniqueKeysWithValues: try SignatureVector.all().map { ($0.name, $0) })
        let expected: [String: SignatureError.Kind] = [
            "reserialized_body_fails": .noMatchingSignature,
            "v0_only": .noV1Signature,
            "wrong_secret": .noMatchingSignature,
            "too_old": .timestampTooOld,
            "tampered_body": .noMatchingSignature,
        ]
        for (name, kind) in expected {
            let vector = try #require(vectors[name])
            #expect(throws: SignatureError.self) {
                try StripeSignature.verify(
                    payload: Array(vector.payload.utf8), header: vector.header, secrets: [vector.secret],
                    tolerance: vector.toleranceSeconds, now: vector.now)
            }
            do {
                try StripeSignature.verify(
                    payload: Array(vector.payload.utf8), header: vector.header, secrets: [vector.secret],
                    tolerance: vector.toleranceSeconds, now: vector.now)
            } catch {
                #expect(error.kind == kind, "\(name)")
            }
        }
    }

    @Test func rotationAcceptsAnyConfiguredSecret() throws {
        let body = Array(#"{"id":"evt_1","type":"invoice.paid"}"#.utf8)
        let header = StripeSignature.header(payload: body, secret: "whsec_new", timestamp: 1_700_000_000)
        try StripeSignature.verify(
            payload: body, header: header, secrets: ["whsec_old", "whsec_new"], tolerance: 300, now: 1_700_000_001)
        #expect(throws: SignatureError(.noMatchingSignature)) {
            try StripeSignature.verify(payload: body, header: header, secrets: ["whsec_old"], tolerance: 300, now: 1_700_000_001)
        }
    }

    @Test func knownVectorFromFormatsDocument() {
        let body = Array(#"{"id":"evt_test_webhook","object":"event"}"#.utf8)
        let header = StripeSignature.header(payload: body, secret: "whsec_test_secret", timestamp: 1_700_000_000)
        #expect(header == "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990")
    }

    @Test func malformedHeaders() {
        let body = Array("{}".utf8)
        for header in ["", "v1=abc", "t=notanumber,v1=abc", "garbage"] {
            #expect(throws: SignatureError(.missingTimestamp)) {
                try StripeSignature.verify(payload: body, header: header, secrets: ["whsec_x"], tolerance: 300, now: 0)
            }
        }
        #expect(throws: SignatureError(.noV1Signature)) {
            try StripeSignature.verify(payload: body, header: "t=5,v2=abc", secrets: ["whsec_x"], tolerance: 300, now: 5)
        }
        #expect(throws: SignatureError(.noSecretConfigured)) {
            try StripeSignature.verify(payload: body, header: "t=5,v1=abc", secrets: [], tolerance: 300, now: 5)
        }
    }

    @Test func valueSplitsOnTheFirstEqualsSign() {
        // "v1=abc=def" is the value "abc=def", which never matches; it must not crash or match.
        let body = Array("{}".utf8)
        #expect(throws: SignatureError(.noMatchingSignature)) {
            try StripeSignature.verify(payload: body, header: "t=5,v1=abc=def", secrets: ["whsec_x"], tolerance: 300, now: 5)
        }
    }

    @Test func constantTimeCompare() {
        #expect(StripeSignature.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!StripeSignature.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!StripeSignature.constantTimeEqual(Array("abc".utf8), Array("ab".utf8)))
    }

    @Test func errorTextCarriesNoSecret() {
        for kind in SignatureError.Kind.allCases {
            let error = SignatureError(kind, age: 400, tolerance: 300)
            #expect(!error.description.contains("whsec_test"))
            #expect(error.description.contains(" · "))
            #expect(!error.reason.isEmpty)
        }
    }
}
