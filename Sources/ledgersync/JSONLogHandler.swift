import Foundation
import LedgerCore
import Logging

/// `serve --json`: each log line is one JSON object on standard output, for log shippers —
/// `{"time":"2026-03-09T10:00:00Z","level":"info","message":"event stored","event_id":"evt_…",…}`.
/// Every value is a JSON string, so no text in it can start a line of its own.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// One line at a time, whichever thread logs.
    private static let output = NSLock()

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata { fields[key] = "\(value)" }
        for (key, value) in metadataProvider?.get() ?? [:] { fields[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
        fields["time"] = LedgerDate.timestampString(Int64(Date().timeIntervalSince1970))
        fields["level"] = event.level.rawValue
        fields["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let line = try? encoder.encode(fields) else { return }
        Self.output.lock()
        FileHandle.standardOutput.write(line + Data("\n".utf8))
        Self.output.unlock()
    }
}
