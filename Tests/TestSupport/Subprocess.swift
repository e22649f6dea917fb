import Foundation

/// Runs a child process to its end and returns its exit status and output.
public enum Subprocess {
    public struct Result: Sendable {
        public let status: Int32
        /// Standard output as bytes (``stdout`` is the same as text).
        public let output: Data
        public let stderr: String
        public var stdout: String { String(decoding: output, as: UTF8.self) }

        public init(status: Int32, output: Data, stderr: String) {
            self.status = status
            self.output = output
            self.stderr = stderr
        }

        public init(status: Int32, stdout: String, stderr: String) {
            self.init(status: status, output: Data(stdout.utf8), stderr: stderr)
        }
    }

    /// A child that exited non-zero: its status and what it printed on standard error.
    public struct Failed: Error, CustomStringConvertible {
        public let status: Int32
        public let stderr: String
        public var description: String { "exited \(status): \(stderr)" }
    }

    /// Runs `process` (executable and arguments already set) with `stdin` as its input.
    ///
    /// Output goes to files, not pipes, so a chatty child never blocks on a full pipe while the test waits.
    public static func capture(_ process: Process, stdin: Data? = nil) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("test-run-" + UUID().uuidString)
        let outURL = scratch.appendingPathExtension("out"), errURL = scratch.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let input = Pipe()
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: try Data(contentsOf: outURL),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs `python3 script arguments…`.
    public static func python(_ script: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        return try capture(process)
    }

    /// Runs `python3 -c code arguments…` with `input` on standard input; returns its standard output,
    /// or throws ``Failed`` when it exits non-zero.
    public static func python(code: String, _ arguments: [String] = [], input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code] + arguments
        let run = try capture(process, stdin: input)
        guard run.status == 0 else { throw Failed(status: run.status, stderr: run.stderr) }
        return run.output
    }
}
