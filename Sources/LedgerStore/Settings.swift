import Foundation
import LedgerCore

/// The ledger's settings, kept in `NAME.ledgersync/settings.json` and editable by hand.
///
/// ```json
/// { "mode": "test", "tolerance": { "usd": "0.50" }, "referenceKeys": ["invoice_number"], "lockTimeoutSeconds": 10 }
/// ```
public struct LedgerSettings: Codable, Sendable, Equatable {
    /// The Stripe mode the ledger is bound to; nil until `init --mode` or the first record.
    public var mode: StripeMode?
    /// Underpayment tolerance per currency, in major units (`"usd": "0.50"`).
    public var tolerance: [String: String]
    /// Metadata keys that carry an invoice reference, in order of preference.
    public var referenceKeys: [String]
    /// How long a second process waits for the ledger before giving up.
    public var lockTimeoutSeconds: Double

    public init(mode: StripeMode? = nil, tolerance: [String: String] = [:], referenceKeys: [String] = ["invoice_number"],
                lockTimeoutSeconds: Double = 10) {
        self.mode = mode
        self.tolerance = tolerance
        self.referenceKeys = referenceKeys
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(StripeMode.self, forKey: .mode)
        // An amount written as a number (`"usd": 0.5`) is read as the text it spells.
        tolerance = try c.decodeIfPresent([String: AmountText].self, forKey: .tolerance)?.mapValues(\.text) ?? [:]
        referenceKeys = try c.decodeIfPresent([String].self, forKey: .referenceKeys) ?? ["invoice_number"]
        lockTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .lockTimeoutSeconds) ?? 10
    }

    /// Where and what a decoding error found, in words: `tolerance.usd: expected text like "0.50"`.
    private static func describe(_ error: any Error) -> String {
        func at(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        func expected(_ path: String) -> String {
            let what = path.hasPrefix("tolerance") ? "an amount like \"0.50\"" : path == "mode" ? "\"test\" or \"live\""
                : path.hasPrefix("referenceKeys") ? "a list of metadata keys like [\"invoice_number\"]"
                : path == "lockTimeoutSeconds" ? "a number of seconds" : "another kind of value"
            return "\(path): expected \(what)"
        }
        switch error as? DecodingError {
        case .typeMismatch(_, let context)?:
            return expected(at(context.codingPath))
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "not JSON" : expected(at(context.codingPath))
        case .valueNotFound(_, let context)?:
            return "\(at(context.codingPath)): a value is missing"
        default:
            return "\(error)"
        }
    }

    /// A tolerance as written: text (`"0.50"`) or a JSON number (`0.5`, read exactly as a decimal).
    private struct AmountText: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let number = try? c.decode(Decimal.self) {
                text = "\(number)"
            } else {
                text = try c.decode(String.self)
            }
        }
    }

    /// Reconciliation settings with tolerances converted to minor units.
    public func reconcileSettings(file: String) throws(LedgerError) -> ReconcileSettings {
        var minor: [String: Int64] = [:]
        for (code, text) in tolerance {
            do {
                let currency = try Currency(code)
                minor[currency.code] = try Money(parsing: text, currency: currency).minorUnits
            } catch {
                throw LedgerError(.corruptSideFile, file: file, "tolerance for '\(code)': \(error); write it like \"usd\": \"0.50\"")
            }
            if let amount = minor[code.lowercased()], amount < 0 {
                throw LedgerError(.corruptSideFile, file: file, "tolerance for '\(code)' is '\(text)', below zero; write an amount of zero or more, like \"usd\": \"0.50\"")
            }
        }
        return ReconcileSettings(tolerance: minor, referenceKeys: referenceKeys)
    }

    public static func load(_ path: String) throws(LedgerError) -> LedgerSettings {
        guard let bytes = try AtomicFile.read(path) else { return LedgerSettings() }
        do {
            return try JSONDecoder().decode(LedgerSettings.self, from: Data(bytes))
        } catch {
            throw LedgerError(.corruptSideFile, file: path, "is not valid settings JSON (\(describe(error))); fix it by hand or delete it to use the defaults")
        }
    }

    public func save(_ path: String) throws(LedgerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw LedgerError(.writeFailed, file: path, "cannot encode settings: \(error)")
        }
        try AtomicFile.write([UInt8](data) + [0x0A], to: path)
    }
}
