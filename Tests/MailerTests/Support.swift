import Foundation
@testable import Mailer

enum Support {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

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
