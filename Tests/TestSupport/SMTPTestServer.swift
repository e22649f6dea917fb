import Foundation

/// A real SMTP server (`smtp_server.py`, Python's aiosmtpd) on loopback for one test, shared by the
/// Mailer and CLI tests. Each message it accepts is kept as an `.eml` file beside a JSON envelope;
/// it stops when its stdin closes (``stop()``, or when the server object goes away).
public final class SMTPTestServer {
    public let port: Int
    public var url: String { "smtp://127.0.0.1:\(port)" }
    private let folder: URL
    private let process: Process
    private let input: Pipe

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_server.py")

    /// - Parameters:
    ///   - options: `smtp_server.py` flags, e.g. `["--fail-data", "1"]` (see the script).
    ///   - user, password: require AUTH with these.
    public init(_ options: [String] = [], user: String? = nil, password: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", Self.script.path, folder.appendingPathComponent("received").path]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        process.arguments = arguments + options
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints its port once it listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "smtp_server.py printed no port (is aiosmtpd installed for python3?)"])
        }
        self.port = port
    }

    /// Messages received so far, in order: the `.eml` file's path, its bytes, and its envelope
    /// (`mail_from`, `rcpt_tos`, `login`).
    public func received() throws -> [(eml: String, message: Data, info: [String: Any])] {
        let dir = folder.appendingPathComponent("received")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let eml = dir.appendingPathComponent(name)
            let json = try Data(contentsOf: dir.appendingPathComponent(name.replacingOccurrences(of: ".eml", with: ".json")))
            let info = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
            return (eml.path, try Data(contentsOf: eml), info)
        }
    }

    /// The server's answers, one per line (`RCPT 250`, `DATA 451`…).
    public func log() -> [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("received/log.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { stop() }
        try? FileManager.default.removeItem(at: folder)
    }
}
