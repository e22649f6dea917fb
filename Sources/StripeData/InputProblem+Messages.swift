/// The pinned texts of JSON-door problems (each is asserted in `StripeJSONProblemTests`).
enum Messages {
    static let emptyFile = "the file is empty; export the events again, or remove the file"
    static let notJSON = "not JSON: the file starts with neither '{' nor '['; give a Stripe event file, a JSON array or list of events, or JSON Lines"
    static let malformed = "not valid JSON; fix this part of the file or fetch these events from Stripe again"
    static let truncated = "the JSON ends early or its brackets do not balance (a cut-off download or copy?); fetch these events from Stripe again"
    static let notUTF8 = "not UTF-8 text (a binary file?); give a Stripe event file in JSON or JSON Lines"
    static let trailing = "extra text after the JSON value; put one event per line (JSON Lines) or wrap the events in a JSON array"
    static let tooDeep = "JSON nested too deeply to be a Stripe object; check the file"
    static let tooLarge = "JSON value too large to read (over 4 GB); split the file"
    static let notAnObject = "this value is not a JSON object; each item must be a Stripe event or API object"
    static let notStripeObject = "this object has neither an `object` field nor a known Stripe id; give Stripe events or API objects as Stripe sends them"

    static func missingField(_ field: String, in object: String) -> String {
        "\(object) has no `\(field)`; give it as Stripe sends it (this item was skipped)"
    }

    static func wrongType(_ field: String, in object: String, found: String, expected: String) -> String {
        "\(object): `\(field)` is \(found), expected \(expected); give it as Stripe sends it (this item was skipped)"
    }

    static func unknownCurrency(_ code: String, in object: String) -> String {
        "\(object): currency \(shown(code)) is not an ISO 4217 code; this item was skipped — check it in the Stripe Dashboard"
    }

    static func missingCurrency(in object: String) -> String {
        "\(object) has amounts but no currency; this item was skipped — give it as Stripe sends it"
    }

    static func badID(kind: String) -> String {
        "\(kind) object's `id` is not a Stripe id (letters, digits, '_', '-' and '.' only); this item was skipped — give it as Stripe sends it"
    }

    static func amountOutOfRange(_ amount: Int64, in object: String) -> String {
        "\(object): amount \(amount) is larger than any Stripe amount; this item was skipped — check the file against the Stripe Dashboard"
    }

    static func negativeAmount(_ amount: Int64, currency: String, in object: String) -> String {
        "\(object): amount \(amount) \(currency.uppercased()) is below zero, which Stripe never sends for this object; this item was skipped — check the file against the Stripe Dashboard"
    }

    static func amountNotWhole(_ amount: Int64, currency: String, in object: String) -> String {
        let code = currency.uppercased()
        return "\(object): amount \(amount) in \(code) is not a whole number of \(code) (Stripe sends \(code) in hundredths ending in 00); this item was skipped — check it in the Stripe Dashboard"
    }

    /// A currency value is quoted only when it looks like a code, so no free text reaches the message.
    static func shown(_ code: String) -> String {
        let ok = code.utf8.count <= 12 && code.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }
        return ok ? "'\(code)'" : "(a value that is not a code)"
    }

    /// `charge ch_1`, `event evt_1`, `invoice_payment object` when the id is missing.
    static func describe(kind: String?, id: String?) -> String {
        let name = kind ?? "object"
        guard let id, !id.isEmpty else { return "\(name) object" }
        let safe = id.utf8.count <= 80 && id.utf8.allSatisfy { c in c > 0x20 && c < 0x7F }
        return safe ? "\(name) \(id)" : "\(name) object"
    }

    static func jsonType(_ code: Int32) -> String {
        switch code {
        case 1: "an array"
        case 2: "an object"
        case 3: "a number that is not a whole number (or too large)"
        case 4: "a string"
        case 5: "a boolean"
        case 6: "null"
        default: "of another type"
        }
    }

    static func expected(_ code: Int32) -> String {
        switch code {
        case 0: "an integer"
        case 1: "a string"
        case 2: "true or false"
        case 3: "an object"
        case 4: "an array"
        case 5: "an id string or an object with an id"
        default: "another type"
        }
    }
}
