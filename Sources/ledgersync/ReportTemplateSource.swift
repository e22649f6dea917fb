import Foundation
import Mailer

/// Which email templates a report uses: `--templates DIR`, else `$LEDGERSYNC_TEMPLATES`, else
/// `Templates/email` in the current folder, else the ones compiled into the binary.
struct ReportTemplateSource {
    static let environmentVariable = "LEDGERSYNC_TEMPLATES"
    static let builtIn = "built-in"

    var templates: ReportTemplates
    /// The folder used, or `built-in`.
    var origin: String

    /// - Throws: `CommandFailure` (exit 2) naming the template file, line and column when one does not
    ///   parse, or the folder when it is missing.
    static func load(option: String?, environment: [String: String]) throws -> ReportTemplateSource {
        if let option {
            return try load(folder: option)
        }
        if let folder = environment[environmentVariable], !folder.isEmpty {
            return try load(folder: folder)
        }
        let local = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(ReportTemplates.defaultFolder)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory), isDirectory.boolValue {
            return try load(folder: ReportTemplates.defaultFolder)
        }
        return try compiledIn()
    }

    static func load(folder: String) throws -> ReportTemplateSource {
        do {
            return ReportTemplateSource(templates: try ReportTemplates(folder: URL(fileURLWithPath: folder)), origin: folder)
        } catch {
            throw CommandFailure(message: "error: \(error)", status: ExitStatus.failure)
        }
    }

    /// The built-in templates, parsed from a private temporary copy (the template library reads folders).
    static func compiledIn() throws -> ReportTemplateSource {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledgersync-templates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for file in ReportDefaultTemplates.files {
                try Data(file.text.utf8).write(to: folder.appendingPathComponent(file.name))
            }
            return ReportTemplateSource(templates: try ReportTemplates(folder: folder), origin: builtIn)
        } catch {
            throw CommandFailure(message: "error: the built-in email templates cannot be used (\(error)); give a template folder with --templates DIR", status: ExitStatus.failure)
        }
    }
}
