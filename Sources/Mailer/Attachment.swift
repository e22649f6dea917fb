/// A file attached to a message: its bytes, the name the recipient sees, and its MIME type.
///
/// ```swift
/// let workbook = try Attachment(fileName: "ledger-2026-11-20.xlsx", contentType: Attachment.xlsxContentType, data: bytes)
/// ```
public struct Attachment: Sendable, Equatable {
    /// The registered type of an Office Open XML workbook (`.xlsx`).
    public static let xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    public let fileName: String
    public let contentType: String
    public let data: [UInt8]

    /// - Parameters:
    ///   - fileName: shown to the recipient; path separators and control characters become `_`.
    ///   - contentType: `type/subtype`, ASCII token characters only.
    ///   - data: the file's bytes, sent base64-encoded.
    /// - Throws: `MailerError.invalidHeader` when `contentType` is not `type/subtype`.
    public init(fileName: String, contentType: String, data: [UInt8]) throws {
        let tokenBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&-^_.+".utf8)
        let parts = contentType.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { tokenBytes.contains($0) } }) else {
            throw MailerError(.invalidHeader, "invalid attachment content type · \"\(MailAddress.printable(contentType))\" · give it as type/subtype, e.g. \(Self.xlsxContentType)")
        }
        var name = String(String.UnicodeScalarView(fileName.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar == "/" || scalar == "\\" ? "_" : scalar
        })).trimmingWhitespace()
        if name.isEmpty { name = "attachment" }
        self.fileName = name
        self.contentType = contentType.lowercased()
        self.data = data
    }
}
