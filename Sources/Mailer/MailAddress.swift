import Foundation

/// One mailbox: an optional display name (any Unicode) and an ASCII address (`local@domain`).
///
/// ```swift
/// let to = try MailAddress(parsing: "Zoë Müller <zoe@example.edu>")
/// to.address   // "zoe@example.edu"
/// ```
/// Creating one is the only way a value gets into the From/To headers and the SMTP envelope, so every
/// check against header and command injection (CR, LF, other controls, `<`, `>`, spaces, commas in
/// the address) happens here.
public struct MailAddress: Sendable, Equatable, Codable, CustomStringConvertible {
    public let name: String
    public let address: String

    /// - Parameters:
    ///   - address: `local@domain`, ASCII, no spaces, controls, `<`, `>`, `,`, `;` or quotes.
    ///   - name: display name; controls (CR, LF, tab…) are replaced by spaces.
    /// - Throws: `MailerError.invalidAddress`.
    public init(_ address: String, name: String = "") throws {
        let trimmed = address.trimmingWhitespace()
        guard Self.isValidAddress(trimmed) else {
            throw MailerError(.invalidAddress, file: "", "invalid email address · \"\(Self.printable(address))\" · write it as local@domain, without spaces, line breaks or angle brackets")
        }
        self.address = trimmed
        self.name = MIMEEncoding.singleLine(name).trimmingWhitespace()
    }

    /// Parses `Name <local@domain>`, `"Name" <local@domain>` or a bare `local@domain`.
    /// - Throws: `MailerError.invalidAddress`.
    public init(parsing text: String) throws {
        let text = text.trimmingWhitespace()
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let inner = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var name = String(text[..<open]).trimmingWhitespace()
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            try self.init(inner, name: name)
        } else {
            try self.init(text)
        }
    }

    /// Parses a comma-separated list (`a@x.edu, "Doe, Jane" <j@y.edu>`); commas inside quotes or
    /// angle brackets do not separate; empty items are skipped.
    public static func list(parsing text: String) throws -> [MailAddress] {
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var inAngle = false
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\", inQuotes {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == "<", !inQuotes {
                inAngle = true
            } else if character == ">", !inQuotes {
                inAngle = false
            } else if character == ",", !inQuotes, !inAngle {
                items.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        items.append(current)
        return try items.filter { !$0.trimmingWhitespace().isEmpty }.map { try MailAddress(parsing: $0) }
    }

    /// The mailbox as it appears in a header, display name encoded (RFC 2047) when not ASCII.
    /// Not folded: `MIMEEncoding.foldAddressList` does that.
    var headerText: String {
        guard !name.isEmpty else { return address }
        return "\(MIMEEncoding.phrase(name)) <\(address)>"
    }

    public var description: String { name.isEmpty ? address : "\(name) <\(address)>" }

    static func isValidAddress(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, text.utf8.count <= 254 else { return false }
        let forbidden: Set<UInt8> = Set(" <>(),;:\"[]\\".utf8)
        for byte in text.utf8 where byte < 0x21 || byte > 0x7E || forbidden.contains(byte) {
            return false
        }
        return !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("@")
    }

    static func printable(_ text: String) -> String {
        text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring.UnicodeScalarView(unicodeScalars)
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
