import Foundation
@testable import Mailer

enum Support {
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

/// Sleeps recorded instead of slept.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var delays: [Double] = []

    var recorded: [Double] { lock.withLock { delays } }

    var sleep: @Sendable (Double) -> Void {
        { delay in self.lock.withLock { self.delays.append(delay) } }
    }
}
