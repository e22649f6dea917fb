import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Delivers a message by piping it to `sendmail -t -i` (the local mail system reads the recipients
/// from the To header, `-i` keeps a line of a single `.` from ending the message early).
///
/// ```swift
/// try SendmailSender().send(message.render(), envelope: message.envelope)
/// ```
/// Exit status 0 is success; 75 (`EX_TEMPFAIL` in sysexits.h) is temporary; any other is permanent.
public struct SendmailSender: MailSender {
    public static let defaultPath = "/usr/sbin/sendmail"
    public let path: String
    /// Arguments before the `-f sender` pair.
    public let arguments: [String]

    public init(path: String = SendmailSender.defaultPath, arguments: [String] = ["-t", "-i"]) {
        self.path = path
        self.arguments = arguments
    }

    @discardableResult
    public func send(_ message: [UInt8], envelope: Envelope) throws -> Delivery {
        let envelope = try envelope.validated()
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MailerError(.sendmailFailed, file: path, "sendmail not found · \(path) is missing or not executable · install a mail transfer agent (e.g. Debian's msmtp-mta or postfix) or use --smtp-url")
        }
        // A sendmail that exits before reading everything would raise SIGPIPE on our write and kill
        // the process; ignored, the write fails with EPIPE and the exit status tells what happened.
        signal(SIGPIPE, SIG_IGN)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments + ["-f", envelope.from]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw MailerError(.sendmailFailed, file: path, "sendmail could not be started · \(path): \(error.localizedDescription) · check that it is executable")
        }
        // stderr is drained on another thread so a chatty sendmail cannot block while we write stdin.
        let collected = ErrorOutput()
        let reader = Thread { collected.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        try? input.fileHandleForWriting.write(contentsOf: Data(message))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        let detail = collected.wait()

        let status = process.terminationStatus
        guard process.terminationReason == .exit, status == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(status)" : "was killed by signal \(status)"
            let said = detail.isEmpty ? "" : ": \(detail)"
            if process.terminationReason == .exit, status == 75 {
                throw MailerError(.temporaryFailure, file: path, "sendmail could not deliver now · \(path) \(how)\(said) · the message stays in the outbox and is retried by the next run")
            }
            throw MailerError(.sendmailFailed, file: path, "sendmail refused the message · \(path) \(how)\(said) · check the mail system's log (journalctl or /var/log/mail.log)")
        }
        return Delivery(attempts: 1)
    }
}

/// The first 500 characters sendmail wrote to stderr, handed from the reader thread.
private final class ErrorOutput: @unchecked Sendable {
    private let condition = NSCondition()
    private var text: String?

    func set(_ data: Data) {
        condition.lock()
        text = String(decoding: data.prefix(500), as: UTF8.self).trimmingWhitespace()
        condition.signal()
        condition.unlock()
    }

    func wait() -> String {
        condition.lock()
        defer { condition.unlock() }
        while text == nil { condition.wait() }
        return MIMEEncoding.singleLine(text ?? "")
    }
}
