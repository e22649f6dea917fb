/// One input record StripeData could not use, with where it is and what to do.
///
/// The message never quotes customer data: it names object ids (`ch_…`), field names and, for a
/// bad currency, the code itself when it looks like one.
///
/// ```swift
/// let input = StripeJSON.decode(bytes, file: "events.jsonl", door: .file, settings: settings)
/// for problem in input.problems { print(problem) }   // events.jsonl line 3: …
/// ```
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The file has no content.
        case emptyFile
        /// The file does not start like JSON (a binary file, a CSV given as JSON…).
        case notJSON
        /// Not valid JSON (bad token, bad number…).
        case malformedJSON
        /// The JSON ends early or its brackets do not balance.
        case truncatedJSON
        /// Bytes that are not UTF-8 text.
        case notUTF8
        /// Text after the end of the JSON value.
        case trailingContent
        /// Nested deeper than any Stripe object, or larger than the parser can hold.
        case tooDeep, tooLarge
        /// A line or array element that is not a JSON object.
        case notAnObject
        /// An object with neither an `object` field nor a known id prefix.
        case notStripeObject
        /// An event without `id` or `data.object`, an object without `id`.
        case missingField
        /// A field LedgerSync reads has the wrong JSON type (an amount as a string…).
        case wrongType
        /// Amounts given in a code that is not an ISO 4217 currency.
        case unknownCurrency
        /// Amounts without a currency.
        case missingCurrency
        /// An API amount the ledger's unit cannot hold (ISK 550: Stripe sends ISK as hundredths ending in 00).
        case amountNotWhole
        /// An object `id` that is not a Stripe id (control characters, spaces, punctuation).
        case badID
        /// An amount larger than any Stripe amount (more than 15 digits).
        case amountOutOfRange
        /// A negative amount where Stripe never sends one (a charge, refund, dispute, payment intent or payout).
        case negativeAmount
        /// A CSV whose header row matches none of the Dashboard exports LedgerSync reads.
        case unknownExport
        /// A CSV export cell that cannot be read (an amount, date, id, currency, status…); the row is skipped.
        case badCell
        /// A CSV export that cannot be read as CSV (not UTF-8, a quote out of place, unreadable).
        case unreadableCSV
    }

    /// The input's name as given to the decoder.
    public var file: String
    /// 1-based line where the problem is.
    public var line: Int
    /// Byte offset in the input where the problem is.
    public var offset: Int
    public var kind: Kind
    /// What failed, on which object, and what to do (no file or line; `description` adds them).
    public var message: String
    /// CSV exports: the header name of the column at fault.
    public var column: String?
    /// CSV exports: the cell's text, only for cells that hold no customer data (amounts, dates, ids, codes).
    public var value: String?

    public init(file: String, line: Int, offset: Int, kind: Kind, message: String,
                column: String? = nil, value: String? = nil) {
        self.file = file
        self.line = line
        self.offset = offset
        self.kind = kind
        self.message = message
        self.column = column
        self.value = value
    }

    public var description: String { "\(file) line \(line): \(message)" }
}
