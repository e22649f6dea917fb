import Foundation
@testable import Mailer

enum Support {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The folder this test run's temporary folders go in, removed when the test process exits.
    static let scratchRoot: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("MailerTests-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: Support.scratchRoot) }
        return root
    }()

    static func temporaryFolder(_ name: String = #function) throws -> URL {
        let folder = scratchRoot.appendingPathComponent("\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `python3 -c script args…` with `input` on stdin; returns stdout, throws on a non-zero exit.
    static func python(_ script: String, _ arguments: [String] = [], input: Data = Data()) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let errorOutput = ErrorCollector(stderr.fileHandleForReading)
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited \(process.terminationStatus): \(String(decoding: errorOutput.wait(), as: UTF8.self))")
        }
        return output
    }

    /// Reads a pipe to its end on another thread.
    final class ErrorCollector: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()

        init(_ handle: FileHandle) {
            Thread {
                self.data = handle.readDataToEndOfFile()
                self.done.signal()
            }.start()
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }
}

/// `Fixtures/smtp_server.py` running on loopback for one test; stopped by closing its stdin.
final class SMTPTestServer {
    let port: Int
    let folder: URL
    private let process: Process
    private let stdin: Pipe

    init(_ options: [String] = [], user: String? = nil, password: String? = nil) throws {
        folder = try Support.temporaryFolder("smtp")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", Support.fixtures.appendingPathComponent("smtp_server.py").path, folder.appendingPathComponent("received").path]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        process.arguments = arguments + options
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw Support.Failure(description: "smtp_server.py did not print a port (is aiosmtpd installed for python3?)")
        }
        self.port = port
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// Messages received so far, in order: (raw bytes, envelope JSON).
    func received() throws -> [(message: Data, info: [String: Any])] {
        let dir = folder.appendingPathComponent("received")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let message = try Data(contentsOf: dir.appendingPathComponent(name))
            let json = try Data(contentsOf: dir.appendingPathComponent(name.replacingOccurrences(of: ".eml", with: ".json")))
            let info = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
            return (message, info)
        }
    }

    /// The server's answers, one per line (`RCPT 250`, `DATA 451`…).
    func log() -> [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("received/log.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }
}

/// Sleeps recorded instead of slept.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var delays: [Double] = []

    var recorded: [Double] { lock.withLock { delays } }

    var sleep: @Sendable (Double) -> Void {
        { delay in self.lock.withLock { self.delays.append(delay) } }
    }
}
