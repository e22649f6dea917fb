import Foundation
import TestSupport
import Testing
@testable import Mailer

/// What Python's `email` package (policy.default, the strict modern parser) makes of a message.
struct ParsedMessage: Decodable {
    struct Part: Decodable {
        var contentType: String
        var filename: String?
        var charset: String?
        var transferEncoding: String?
        var payloadBase64: String
    }

    var from: String
    var fromAddresses: [String]
    var fromNames: [String]
    var to: [String]
    var toNames: [String]
    var subject: String
    var date: Double
    var messageID: String
    var mimeVersion: String
    var autoSubmitted: String
    var bcc: String?
    var headerNames: [String]
    var structure: [String]
    var parts: [Part]
    var defects: [String]

    static let script = #"""
import base64, email, email.policy, email.utils, json, sys
raw = sys.stdin.buffer.read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
defects = []
parts = []
for part in msg.walk():
    defects += [type(d).__name__ for d in part.defects]
    if part.is_multipart():
        continue
    parts.append({
        "contentType": part.get_content_type(),
        "filename": part.get_filename(),
        "charset": part.get_content_charset(),
        "transferEncoding": part.get("Content-Transfer-Encoding"),
        "payloadBase64": base64.b64encode(part.get_payload(decode=True)).decode(),
    })
print(json.dumps({
    "from": str(msg["From"]),
    "fromAddresses": [a.addr_spec for a in msg["From"].addresses],
    "fromNames": [a.display_name for a in msg["From"].addresses],
    "to": [a.addr_spec for a in msg["To"].addresses],
    "toNames": [a.display_name for a in msg["To"].addresses],
    "subject": str(msg["Subject"]),
    "date": email.utils.parsedate_to_datetime(msg["Date"]).timestamp(),
    "messageID": str(msg["Message-ID"]),
    "mimeVersion": str(msg["MIME-Version"]),
    "autoSubmitted": str(msg["Auto-Submitted"]),
    "bcc": None if msg["Bcc"] is None else str(msg["Bcc"]),
    "headerNames": list(msg.keys()),
    "structure": [p.get_content_type() for p in msg.walk()],
    "parts": parts,
    "defects": defects,
}))
"""#

    static func parse(_ bytes: [UInt8]) throws -> ParsedMessage {
        let output = try Subprocess.python(code: script, input: Data(bytes))
        return try JSONDecoder().decode(ParsedMessage.self, from: output)
    }
}

@Suite struct MIMEMessageTests {
    /// Every byte value, several times, so base64 and its 76-column wrapping are exercised fully.
    static let workbookBytes: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }

    static let text = """
    Totals by status
      paid: 12, due 1,250.00 USD   
    .a line starting with a dot
    From the start of a line
    Grüße, Zoë — €100 = 100 %
    \(String(repeating: "long line without breaks ", count: 8))
    """
    static let html = "<p>Grüße <b>Zoë</b> — a=b</p>\n<p>\(String(repeating: "x", count: 200))</p>\n"

    func makeMessage(subject: String = "Relevé hebdomadaire — fall-2026.xlsx: 3 nouveaux paiements, 2 signalements ouverts") throws -> MIMEMessage {
        try MIMEMessage(
            from: MailAddress(parsing: "Équipe Finance <ledger@school.edu>"),
            to: [MailAddress("bursar@school.edu", name: "Bursar, Main Office"), MailAddress("zoe@example.org", name: "Zoë Müller"), MailAddress("plain@example.org")],
            subject: subject,
            textBody: Self.text,
            htmlBody: Self.html,
            attachments: [Attachment(fileName: "ledger 2026-11-20.xlsx", contentType: Attachment.xlsxContentType, data: Self.workbookBytes)],
            date: Date(timeIntervalSince1970: 1_795_000_000),
            timeZone: TimeZone(secondsFromGMT: 3600) ?? .current
        )
    }

    @Test func pythonParsesHeadersStructureAndAttachment() throws {
        let message = try makeMessage()
        let parsed = try ParsedMessage.parse(message.render())

        #expect(parsed.defects == [])
        #expect(parsed.fromAddresses == ["ledger@school.edu"])
        #expect(parsed.fromNames == ["Équipe Finance"])
        #expect(parsed.to == ["bursar@school.edu", "zoe@example.org", "plain@example.org"])
        #expect(parsed.toNames == ["Bursar, Main Office", "Zoë Müller", ""])
        #expect(parsed.subject == "Relevé hebdomadaire — fall-2026.xlsx: 3 nouveaux paiements, 2 signalements ouverts")
        #expect(parsed.date == 1_795_000_000)
        #expect(parsed.messageID == message.messageID)
        #expect(parsed.messageID.hasPrefix("<") && parsed.messageID.hasSuffix("@school.edu>"))
        #expect(parsed.mimeVersion == "1.0")
        #expect(parsed.autoSubmitted == "auto-generated")
        #expect(parsed.structure == [
            "multipart/mixed", "multipart/alternative", "text/plain", "text/html", Attachment.xlsxContentType,
        ])

        let text = try #require(parsed.parts.first { $0.contentType == "text/plain" })
        #expect(text.charset == "utf-8")
        #expect(text.transferEncoding == "quoted-printable")
        #expect(Data(base64Encoded: text.payloadBase64) == Data(Self.text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        let html = try #require(parsed.parts.first { $0.contentType == "text/html" })
        #expect(Data(base64Encoded: html.payloadBase64) == Data(Self.html.replacingOccurrences(of: "\n", with: "\r\n").utf8))

        let attachment = try #require(parsed.parts.first { $0.contentType == Attachment.xlsxContentType })
        #expect(attachment.filename == "ledger 2026-11-20.xlsx")
        #expect(attachment.transferEncoding == "base64")
        #expect(Data(base64Encoded: attachment.payloadBase64) == Data(Self.workbookBytes))
    }

    @Test func wireFormatIsCRLFWithShortLinesAndEncodedHeaders() throws {
        let bytes = try makeMessage().render()
        // No bare LF and no bare CR anywhere.
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D) }
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A) }
        }
        #expect(bytes.allSatisfy { $0 < 0x80 })
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let headerEnd = try #require(lines.firstIndex(of: ""))
        for line in lines[..<headerEnd] { #expect(line.utf8.count <= 78, "header line too long: \(line)") }
        for line in lines { #expect(line.utf8.count <= 76 || lines[..<headerEnd].contains(line), "body line too long: \(line)") }
        #expect(lines.contains { $0.hasPrefix("Subject: =?UTF-8?B?") })
        #expect(lines.contains { $0.hasPrefix("From: =?UTF-8?B?") })
        #expect(lines.contains("MIME-Version: 1.0"))

        // The attachment's base64: full lines of exactly 76 columns, the last one shorter.
        let start = try #require(lines.firstIndex { $0.hasPrefix("Content-Disposition: attachment") }) + 3
        let base64 = Array(lines[start...].prefix { !$0.hasPrefix("--") && !$0.isEmpty })
        #expect(base64.count == (Self.workbookBytes.count * 4 / 3 + 3) / 76 + 1)
        #expect(base64.dropLast().allSatisfy { $0.utf8.count == 76 })
        #expect(try #require(base64.last).utf8.count <= 76)
    }

    @Test func headerInjectionIsImpossible() throws {
        let message = try makeMessage(subject: "Report\r\nBcc: attacker@evil.example\r\n\r\nforged body")
        let parsed = try ParsedMessage.parse(message.render())
        #expect(parsed.bcc == nil)
        #expect(!parsed.headerNames.contains("Bcc"))
        #expect(parsed.subject == "Report Bcc: attacker@evil.example forged body")
        #expect(parsed.structure.first == "multipart/mixed")

        for bad in ["a@x.edu\r\nBcc: e@evil.example", "a@x.edu>, <e@evil.example", "no-at-sign", "sp ace@x.edu", "a@x.edu\nb"] {
            #expect(throws: MailerError.self) { try MailAddress(bad) }
        }
        let named = try MailAddress("a@x.edu", name: "Evil\r\nBcc: e@evil.example")
        #expect(named.name == "Evil Bcc: e@evil.example")
        let parsedNamed = try ParsedMessage.parse(MIMEMessage(from: named, to: [named], subject: "s", textBody: "b").render())
        #expect(parsedNamed.bcc == nil)
        #expect(parsedNamed.toNames == ["Evil Bcc: e@evil.example"])
    }

    @Test func textOnlyMessageWithoutAttachment() throws {
        let message = try MIMEMessage(from: MailAddress("a@x.edu"), to: [MailAddress("b@y.edu")], subject: "Plain ASCII subject", textBody: "hello\n")
        let parsed = try ParsedMessage.parse(message.render())
        #expect(parsed.structure == ["text/plain"])
        #expect(parsed.subject == "Plain ASCII subject")
        #expect(String(decoding: message.render(), as: UTF8.self).contains("\r\nSubject: Plain ASCII subject\r\n"))
    }

    @Test func nonASCIIAttachmentNameRoundTrips() throws {
        let message = try MIMEMessage(
            from: MailAddress("a@x.edu"), to: [MailAddress("b@y.edu")], subject: "s", textBody: "t", htmlBody: nil,
            attachments: [Attachment(fileName: "relevé \"final\"/2026.xlsx", contentType: Attachment.xlsxContentType, data: [1, 2, 3])]
        )
        let parsed = try ParsedMessage.parse(message.render())
        #expect(parsed.structure == ["multipart/mixed", "text/plain", Attachment.xlsxContentType])
        #expect(parsed.parts.last?.filename == "relevé \"final\"_2026.xlsx")
    }

    @Test func messageNeedsRecipientsAndContentTypeIsChecked() throws {
        #expect(throws: MailerError.self) { try MIMEMessage(from: MailAddress("a@x.edu"), to: [], subject: "s", textBody: "t") }
        #expect(throws: MailerError.self) { try Attachment(fileName: "x", contentType: "text/plain\r\nX: y", data: []) }
    }

    @Test func recipientListParsing() throws {
        let list = try MailAddress.list(parsing: "a@x.edu, Zoë <z@y.edu>,, \"Doe, Jane\" <j@z.edu>")
        #expect(list.map(\.address) == ["a@x.edu", "z@y.edu", "j@z.edu"])
        #expect(list.map(\.name) == ["", "Zoë", "Doe, Jane"])
    }
}

@Suite struct MIMEEncodingTests {
    @Test(arguments: [
        ("a=b", "a=3Db"),
        ("trailing space ", "trailing space=20"),
        ("tab\t", "tab=09"),
        (".dot", "=2Edot"),
        ("From here", "=46rom here"),
        ("Fromage", "Fromage"),
        ("é", "=C3=A9"),
        ("one\ntwo\r\nthree\rfour", "one\r\ntwo\r\nthree\r\nfour"),
    ])
    func quotedPrintable(input: String, expected: String) {
        #expect(MIMEEncoding.quotedPrintable(input) == expected)
    }

    @Test func quotedPrintableSoftBreaksKeepLinesAt76() {
        let encoded = MIMEEncoding.quotedPrintable(String(repeating: "é", count: 100))
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        // Every line is whole tokens (a literal or "=XX"), plus the soft-break "=" at the end.
        let token = /([^=]|=[0-9A-F]{2})*=?/
        #expect(lines.allSatisfy { $0.wholeMatch(of: token) != nil })
    }

    @Test func encodedWordsNeverSplitACharacter() throws {
        let words = MIMEEncoding.encodedWords(String(repeating: "€", count: 40) + "👩‍👩‍👧‍👦")
        for word in words {
            #expect(word.utf8.count <= 75)
            let inner = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(inner)))
            #expect(String(data: bytes, encoding: .utf8) != nil, "word \(word) is not valid UTF-8 alone")
        }
    }

    @Test func dateIsRFC5322() throws {
        let zone = try #require(TimeZone(secondsFromGMT: -5 * 3600))
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 0), timeZone: zone) == "Wed, 31 Dec 1969 19:00:00 -0500")
    }
}
