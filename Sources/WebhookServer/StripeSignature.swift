import Crypto

/// Verification of Stripe's `Stripe-Signature` header, as stripe-python and stripe-node do it.
///
/// The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`. The signed message is
/// `"<t>." + raw body`, the key the UTF-8 bytes of the whole secret (`whsec_…` included).
/// Any `v1` matching any configured secret passes (secret rotation); other schemes such as the
/// test-mode `v0` are ignored so a request cannot downgrade to them.
///
/// ```swift
/// try StripeSignature.verify(payload: body, header: header, secrets: ["whsec_…"],
///                            tolerance: 300, now: nowSeconds)
/// ```
public enum StripeSignature {
    /// Stripe's default and documented tolerance for the signing timestamp, in seconds.
    public static let defaultTolerance = 300

    /// Checks `header` against `payload` for any of `secrets`, then the timestamp's age.
    ///
    /// - Parameters:
    ///   - payload: the request body exactly as received.
    ///   - header: the value of the `Stripe-Signature` header.
    ///   - secrets: endpoint signing secrets; more than one while a secret is being rolled.
    ///   - tolerance: the largest accepted age in seconds (an age equal to it passes). A value of 0
    ///     or less skips the age check, as the official libraries do; do not configure that.
    ///   - now: the current time in Unix seconds.
    /// - Throws: `SignatureError` saying why the request is refused. Timestamps in the future are
    ///   accepted, like stripe-python and stripe-node accept them.
    public static func verify(
        payload: [UInt8], header: String, secrets: [String], tolerance: Int, now: Int64
    ) throws(SignatureError) {
        let parsed = try parse(header)
        guard !parsed.signatures.isEmpty else { throw SignatureError(.noV1Signature) }
        guard !secrets.isEmpty else { throw SignatureError(.noSecretConfigured) }

        var message = Array(String(parsed.timestamp).utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: payload)

        var matched = false
        for secret in secrets {
            let expected = hexSignature(message: message, secret: Array(secret.utf8))
            for candidate in parsed.signatures where constantTimeEqual(expected, candidate) {
                matched = true
            }
        }
        guard matched else { throw SignatureError(.noMatchingSignature) }

        if tolerance > 0 {
            let age = now - parsed.timestamp
            if age > Int64(tolerance) {
                throw SignatureError(.timestampTooOld, age: age, tolerance: tolerance)
            }
        }
    }

    /// A header value for `payload` signed with `secret` at `timestamp`, as Stripe would send it.
    /// For tests, load generators and `stripe listen`-less local trials.
    public static func header(payload: [UInt8], secret: String, timestamp: Int64) -> String {
        var message = Array(String(timestamp).utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: payload)
        let signature = hexSignature(message: message, secret: Array(secret.utf8))
        return "t=\(timestamp),v1=" + String(decoding: signature, as: UTF8.self)
    }

    struct ParsedHeader {
        var timestamp: Int64
        var signatures: [[UInt8]]
    }

    /// Splits items on `,` and each item on its first `=`; keeps the last `t` and every `v1`.
    static func parse(_ header: String) throws(SignatureError) -> ParsedHeader {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = item[item.startIndex..<equals]
            let value = item[item.index(after: equals)...]
            if key.elementsEqual("t".utf8) {
                timestamp = Int64(String(decoding: value, as: UTF8.self))
            } else if key.elementsEqual("v1".utf8) {
                signatures.append(Array(value))
            }
        }
        guard let timestamp else { throw SignatureError(.missingTimestamp) }
        return ParsedHeader(timestamp: timestamp, signatures: signatures)
    }

    static func hexSignature(message: [UInt8], secret: [UInt8]) -> [UInt8] {
        // SymmetricKey is not Sendable in swift-crypto 3.12; build it per use from the bytes.
        let key = SymmetricKey(data: secret)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in mac {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return hex
    }

    /// Compares without an early exit on the first differing byte, so timing does not tell an
    /// attacker how much of a forged signature is right. A length mismatch returns at once, as in
    /// stripe-node; lengths are not secret.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
