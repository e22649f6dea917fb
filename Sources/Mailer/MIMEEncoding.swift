import Foundation

/// The wire encodings a message needs: header folding and RFC 2047 encoded-words, RFC 2231 parameters,
/// quoted-printable and wrapped base64 (RFC 2045), the RFC 5322 date. Pure functions over text; all
/// output is ASCII with CRLF line ends.
enum MIMEEncoding {
    static let crlf = "\r\n"
    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (excluding CRLF).
    static let headerLineLimit = 78
    /// UTF-8 bytes per encoded-word: 39 bytes → 52 base64 characters → a 64-character word, so
    /// `Subject: ` plus one word, or a folded line of one word, stays under 78 columns.
    static let encodedWordBytes = 39

    // MARK: Header values

    /// Replaces every control character (CR, LF, tab, NEL, U+2028/2029…) by a space and collapses runs
    /// of white space: what makes header injection impossible for unstructured values.
    static func singleLine(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let isBreak = scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
            let isSpace = isBreak || scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace { result.append(" ") }
                lastWasSpace = true
            } else {
                result.append(scalar)
                lastWasSpace = false
            }
        }
        return String(result)
    }

    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// A complete unstructured header (`Subject: …`), folded, without the final CRLF. Non-ASCII text,
    /// text that looks like an encoded-word, or a word too long to fold is sent as encoded-words.
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let value = singleLine(value).trimmingWhitespace()
        let needsEncoding = !isPrintableASCII(value) || value.contains("=?")
            || value.split(separator: " ").contains { $0.utf8.count > headerLineLimit - name.utf8.count - 2 }
        let body = needsEncoding ? encodedWords(value).joined(separator: " ") : value
        return fold("\(name): \(body)")
    }

    /// A display name as an RFC 5322 phrase: a bare atom list when it can be, a quoted-string when it
    /// holds specials, encoded-words when it is not ASCII.
    static func phrase(_ name: String) -> String {
        if !isPrintableASCII(name) || name.contains("=?") {
            return encodedWords(name).joined(separator: " ")
        }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".utf8)
        if name.utf8.allSatisfy({ atext.contains($0) }) { return name }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// RFC 2047 B-encoded words (charset UTF-8), split on character boundaries so each word decodes alone.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk.removeAll()
        }
        for character in text {
            // A grapheme cluster longer than a word (rare: long emoji sequences) is split by scalar.
            let pieces: [[UInt8]] = character.utf8.count <= encodedWordBytes
                ? [Array(character.utf8)]
                : character.unicodeScalars.map { Array(String($0).utf8) }
            for piece in pieces {
                if chunk.count + piece.count > encodedWordBytes { flush() }
                chunk.append(contentsOf: piece)
            }
        }
        flush()
        return words
    }

    /// Folds an unfolded ASCII header line at white space so physical lines stay within 78 columns
    /// where a space allows it (RFC 5322 §2.2.3). Never produces a line of only white space.
    static func fold(_ line: String) -> String {
        var tokens: [Substring] = []
        var start = line.startIndex
        var index = line.startIndex
        while index < line.endIndex {
            if line[index] == " ", index != start {
                tokens.append(line[start..<index])
                start = index
            }
            index = line.index(after: index)
        }
        tokens.append(line[start..<line.endIndex])

        var lines: [String] = []
        var current = ""
        for token in tokens {
            let hasContent = current.contains { $0 != " " }
            if !current.isEmpty, hasContent, current.utf8.count + token.utf8.count > headerLineLimit, token.first == " " {
                lines.append(current)
                current = String(token)
            } else {
                current += token
            }
        }
        lines.append(current)
        return lines.joined(separator: crlf)
    }

    /// A MIME parameter (`name="value"`), or its RFC 2231 form (`name*=UTF-8''…`) when the value
    /// is not plain ASCII or holds quotes.
    static func parameter(_ name: String, _ value: String) -> String {
        if isPrintableASCII(value), !value.contains("\""), !value.contains("\\") {
            return "\(name)=\"\(value)\""
        }
        let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        var encoded = ""
        for byte in value.utf8 {
            if unreserved.contains(byte) {
                encoded.append(Character(UnicodeScalar(byte)))
            } else {
                encoded += "%" + hex(byte)
            }
        }
        return "\(name)*=UTF-8''\(encoded)"
    }

    // MARK: Bodies

    /// Splits text into lines on CRLF, CR or LF, as UTF-8 bytes without their line ends.
    static func lines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0A {
                if !previousWasCR { lines.append(current); current = [] }
                previousWasCR = false
            } else if byte == 0x0D {
                lines.append(current); current = []
                previousWasCR = true
            } else {
                current.append(byte)
                previousWasCR = false
            }
        }
        lines.append(current)
        return lines
    }

    /// Quoted-printable (RFC 2045 §6.7) with CRLF hard breaks and soft breaks keeping every line at
    /// most 76 characters. A leading `.` and a leading `From ` are encoded too, so neither SMTP
    /// dot-stuffing nor mbox quoting can alter the text.
    static func quotedPrintable(_ text: String) -> String {
        var output: [String] = []
        for line in lines(text) {
            var tokens: [String] = []
            for (offset, byte) in line.enumerated() {
                let isLast = offset == line.count - 1
                let literal: Bool
                switch byte {
                case 0x3D: literal = false                                  // "="
                case 0x20, 0x09: literal = !isLast                          // trailing white space
                case 0x2E: literal = offset != 0                            // leading "."
                case 0x46: literal = !(offset == 0 && line.starts(with: Array("From ".utf8)))
                case 0x21...0x7E: literal = true
                default: literal = false
                }
                tokens.append(literal ? String(UnicodeScalar(byte)) : "=" + hex(byte))
            }
            var physical = ""
            for token in tokens {
                if physical.utf8.count + token.utf8.count > 75 {
                    output.append(physical + "=")
                    physical = ""
                }
                physical += token
            }
            output.append(physical)
        }
        return output.joined(separator: crlf)
    }

    /// Base64 (RFC 2045 §6.8) in lines of 76 characters joined by CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: crlf)
    }

    // MARK: Dates and identifiers

    /// `Tue, 01 Dec 2026 09:30:00 +0100` (RFC 5322 §3.3), English names whatever the locale.
    static func date(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in hex(UInt8.random(in: 0...255, using: &generator)) }.joined().lowercased()
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
