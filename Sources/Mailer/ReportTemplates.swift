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

    let library: MustacheLibrary
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
        var library = MustacheLibrary()
        for name in names {
            let file = folder.appendingPathComponent(name)
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw MailerError(.templateMissing, file: file.path, "cannot read email template as UTF-8 · \(file.path) · save it as UTF-8 text")
            }
            let isText = name == Self.subjectFile || name == Self.textFile
            let template = try Self.parse(isText ? Self.textPragma + text : text, file: file, addedLines: isText ? 1 : 0)
            library.register(template, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
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
        let subject = library.render(context, withTemplate: "subject") ?? ""
        let text = library.render(context, withTemplate: "body.txt") ?? ""
        let html = hasHTML ? library.render(context, withTemplate: "body.html") : nil
        return Rendered(subject: MIMEEncoding.singleLine(subject).trimmingWhitespace(), text: text, html: html)
    }

    static func parse(_ text: String, file: URL, addedLines: Int) throws -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: text)
        } catch let error as MustacheTemplate.ParserError {
            let line = max(1, error.context.lineNumber - addedLines)
            let column = error.context.columnNumber
            let source = error.context.line
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
        guard let error = error as? MustacheTemplate.Error else { return "check the Mustache syntax near this line" }
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
