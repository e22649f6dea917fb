import Foundation
import LedgerCore

/// A Stripe secret (`sk_…`) or restricted (`rk_…`) key, and the mode its prefix says.
///
/// The key comes from the environment or a file, never from the command line (DESIGN.md §8): a
/// flag value lands in shell history and in every process listing. `description` never shows it.
///
/// ```swift
/// let key = try APIKey.load(environment: ProcessInfo.processInfo.environment, file: nil)
/// key.mode   // .test for sk_test_…
/// ```
public struct APIKey: Sendable, CustomStringConvertible {
    public let mode: StripeMode
    let secret: String

    /// - Throws: `.malformedKey` unless the text is `sk_test_…`, `sk_live_…`, `rk_test_…` or `rk_live_…`.
    public init(_ text: String, source: String) throws(StripeAPIError) {
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let mode: StripeMode
        if key.hasPrefix("sk_test_") || key.hasPrefix("rk_test_") {
            mode = .test
        } else if key.hasPrefix("sk_live_") || key.hasPrefix("rk_live_") {
            mode = .live
        } else {
            let hint = key.hasPrefix("pk_") ? " (a publishable key cannot read data)" : ""
            throw StripeAPIError(.malformedKey, context: source,
                                 "is not a Stripe secret or restricted key\(hint); give one that starts with sk_test_, sk_live_, rk_test_ or rk_live_")
        }
        guard key.count > 12, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw StripeAPIError(.malformedKey, context: source, "is not a whole Stripe key (too short, or holds spaces); copy it again from the Dashboard")
        }
        self.mode = mode
        secret = key
    }

    /// The key from `file` (its first line) when given, else from `STRIPE_API_KEY`.
    public static func load(environment: [String: String], file: String?) throws(StripeAPIError) -> APIKey {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw StripeAPIError(.keyFileUnreadable, context: file, "cannot be read; check the path and its permissions")
            }
            let first = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return try APIKey(first, source: file)
        }
        guard let value = environment["STRIPE_API_KEY"], !value.isEmpty else {
            throw StripeAPIError(.missingKey, context: "STRIPE_API_KEY",
                                 "is not set; export STRIPE_API_KEY=sk_test_… or pass --api-key-file FILE (never the key itself on the command line)")
        }
        return try APIKey(value, source: "STRIPE_API_KEY")
    }

    /// `sk_test_…` with the secret part hidden.
    public var description: String {
        String(secret.prefix(secret.hasPrefix("sk_") || secret.hasPrefix("rk_") ? 8 : 3)) + "…"
    }

    /// `text` with every Stripe key in it (`sk_…`, `rk_…`, `pk_…`, `whsec_…`) cut to its prefix
    /// (`sk_test_…`): for any text that may quote one (a server's message, a stray argument).
    public static func redacting(_ text: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            let prefixes = ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_"]
            if let prefix = prefixes.first(where: { word.hasPrefix($0) }), word.count > prefix.count + 3 {
                out += prefix + "…"
            } else {
                out += word
            }
            word = ""
        }
        for ch in text {
            if ch.isLetter || ch.isNumber || ch == "_" { word.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }
}
