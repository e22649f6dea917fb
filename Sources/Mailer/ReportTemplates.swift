import Foundation
import Mustache

/// The subject, plain-text and HTML templates of the report message, loaded from a folder a user may
/// edit (by default `Templates/email/`), rendered with a `ReportContext`.
///
/// ```swift
/// let templates = try ReportTemplates(folder: URL(fileURLWithPath: "Templates/email"))
/// let report = templates.render(context)   // report.subject, report.text, report.html
/// ```
/// Files: `subject.mustache`, `body.txt.mustache` (required), `body.html.mustache` (optional: without
/// it the message is plain text only). Any other `NAME.mustache` in the folder is a partial, `{{> NAME}}`.
/// The subject and text templates are rendered without HTML escaping; the HTML template escapes `{{x}}`.
public struct ReportTemplates: Sendable {
    /// Where the default templates live, relative to the package or install root.
    public static let defaultFolder = "Templates/email"
    public static let subjectFile = "subject.mustache"
    public static let textFile = "body.txt.mustache"
    public static let htmlFile = "body.html.mustache"

    /// Prepended as a line of its own to the subject and text templates so `{{x}}` is not HTML-escaped
    /// there. A standalone tag line renders to nothing; error line numbers are shifted back by one.
    static let textPragma = "{{% CONTENT_TYPE: TEXT }}\n"

    let textLibrary: MustacheLibrary
    let htmlLibrary: MustacheLibrary
    let hasHTML: Bool
    public let folder: URL

    /// Loads and parses every template of `folder`.
    /// - Throws: `MailerError.templateMissing` when the folder, the subject or the text template is
    ///   missing or unreadable; `MailerError.templateSyntax` naming the file, line and column of the
    ///   first template that does not parse.
    public init(folder: URL) throws {
        self.folder = folder
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MailerError(.templateMissing, file: folder.path, "email template folder not found · \(folder.path) · create it with subject.mustache and body.txt.mustache, or copy Templates/email/ from LedgerSync")
        }
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }.sorted()
        } catch {
            throw MailerError(.templateMissing, file: folder.path, "cannot list the email template folder · \(folder.path) · check that it is readable")
        }
        for required in [Self.subjectFile, Self.textFile] where !names.contains(required) {
            throw MailerError(.templateMissing, file: folder.appendingPathComponent(required).path, "email template missing · \(required) in \(folder.path) · restore it from LedgerSync's Templates/email/")
        }
        // Two libraries: partials included from the subject or text body must not HTML-escape either.
        var textLibrary = MustacheLibrary()
        var htmlLibrary = MustacheLibrary()
        for name in names {
            let file = folder.appendingPathComponent(name)
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw MailerError(.templateMissing, file: file.path, "cannot read email template as UTF-8 · \(file.path) · save it as UTF-8 text")
            }
            let key = String(name.dropLast(".mustache".count))
            if name != Self.htmlFile {
                textLibrary.register(try Self.parse(text, file: file, asText: true), named: key)
            }
            if name != Self.subjectFile, name != Self.textFile {
                htmlLibrary.register(try Self.parse(text, file: file, asText: false), named: key)
            }
        }
        self.textLibrary = textLibrary
        self.htmlLibrary = htmlLibrary
        self.hasHTML = names.contains(Self.htmlFile)
    }

    /// The three rendered parts of a report message.
    public struct Rendered: Sendable, Equatable {
        /// One line, white space collapsed.
        public var subject: String
        public var text: String
        /// nil when the folder has no `body.html.mustache`.
        public var html: String?
    }

    /// Renders subject, text and HTML with `context`. Rendering itself cannot fail: a key the context
    /// lacks renders empty.
    public func render(_ context: ReportContext) -> Rendered {
        let subject = textLibrary.render(context, withTemplate: "subject") ?? ""
        let text = textLibrary.render(context, withTemplate: "body.txt") ?? ""
        let html = hasHTML ? htmlLibrary.render(context, withTemplate: "body.html") : nil
        return Rendered(subject: MIMEEncoding.singleLine(subject).trimmingWhitespace(), text: text, html: html)
    }

    /// Parses one template; `asText` prepends the TEXT pragma line (and takes it back out of line numbers).
    static func parse(_ text: String, file: URL, asText: Bool) throws -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: asText ? textPragma + text : text)
        } catch let error as MustacheTemplate.ParserError {
            let lines = MIMEEncoding.lines(text).map { String(decoding: $0, as: UTF8.self) }
            var line = min(max(1, error.context.lineNumber - (asText ? 1 : 0)), lines.count)
            var column = error.context.columnNumber
            // An unclosed tag is noticed where the parser gave up, often lines later or at the end of
            // the file: point at the last "{{" at or before that place instead.
            // (The parser's only other error, running past the end of the text, is the same mistake.)
            let templateError = error.error as? MustacheTemplate.Error
            if templateError == nil || templateError == .unfinishedName {
                let atErrorLine = String(lines[line - 1].prefix(max(0, column - 1)))
                if let open = atErrorLine.range(of: "{{", options: .backwards) {
                    column = atErrorLine.distance(from: atErrorLine.startIndex, to: open.lowerBound) + 1
                } else if let previous = lines[..<(line - 1)].lastIndex(where: { $0.contains("{{") }),
                          let open = lines[previous].range(of: "{{", options: .backwards) {
                    line = previous + 1
                    column = lines[previous].distance(from: lines[previous].startIndex, to: open.lowerBound) + 1
                }
            }
            let source = lines[line - 1]
            let shown = source.count > 80 ? String(source.prefix(77)) + "..." : source
            throw MailerError(
                .templateSyntax, file: file.path, line: line, column: column,
                "email template does not parse · line \(line): \(shown) · \(explain(error.error))"
            )
        } catch {
            throw MailerError(.templateSyntax, file: file.path, "email template does not parse · \(file.lastPathComponent) · \(error)")
        }
    }

    /// What to do about each parser error, in the template author's words.
    static func explain(_ error: Error) -> String {
        // The parser's other error type (internal to the library) only says it ran past the end of the text.
        guard let error = error as? MustacheTemplate.Error else { return "the file ends inside a tag: end it with }}" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with another name than it was opened with: make {{/name}} match its {{#name}} or {{^name}}"
        case .unfinishedName: return "a tag is not closed: end it with }}"
        case .expectedSectionEnd: return "a section is never closed: add {{/name}} for each {{#name}} or {{^name}}"
        case .invalidSetDelimiter: return "a set-delimiter tag is malformed: write it as {{=<% %>=}}"
        case .transformAppliedToInheritanceSection: return "a transform cannot be applied to an inherited section"
        case .illegalTokenInsideInheritSection, .textInsideInheritSection: return "only block definitions {{$name}}…{{/name}} may appear inside {{<partial}}…{{/partial}}"
        case .invalidConfigVariableSyntax: return "a pragma is malformed: write it as {{% CONTENT_TYPE: TEXT }}"
        case .unrecognisedConfigVariable: return "unknown pragma: only {{% CONTENT_TYPE: TEXT }} or HTML is supported"
        }
    }
}
