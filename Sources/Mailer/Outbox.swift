import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder of messages that could not be sent yet, retried by a later run.
///
/// Each message is two files: `NAME.envelope.json` (sender and recipients) written first, then
/// `NAME.eml` (the message, openable in any mail client), whose presence marks the entry complete.
/// Both are written atomically (temporary file, `fsync`, `rename`, `fsync` of the folder), and removed
/// only after the message was delivered. A message the server refused for good (5xx) is set aside in
/// `refused/`, kept for a person to read, and never retried.
///
/// ```swift
/// let outbox = Outbox(folder: ledgerFolder.appendingPathComponent("fall-2026.outbox"))
/// let report = outbox.retryAll(sender)          // earlier failures first
/// try outbox.deliver(message.render(), envelope: message.envelope, via: sender)
/// ```
public struct Outbox: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// One waiting message.
    public struct Entry: Sendable, Equatable {
        /// The `.eml` file.
        public var message: URL
        public var envelopeFile: URL { message.deletingPathExtension().appendingPathExtension("envelope.json") }
    }

    /// What `retryAll` did.
    public struct RetryReport: Sendable {
        public var sent: [Entry] = []
        public var failed: [(entry: Entry, error: MailerError)] = []
        /// Refused for good and moved to `refused/` (the entry's new place).
        public var refused: [(entry: Entry, error: MailerError)] = []
        /// Another run held the outbox lock, so nothing was tried.
        public var skippedBecauseLocked = false
    }

    /// Sends `message`; if that fails, keeps it in the outbox and rethrows the error with the path added.
    @discardableResult
    public func deliver(_ message: [UInt8], envelope: Envelope, via sender: any MailSender) throws -> Delivery {
        do {
            return try sender.send(message, envelope: envelope)
        } catch let error as MailerError {
            let entry = try store(message, envelope: envelope)
            var kept = error
            kept.message += " · kept in the outbox: \(entry.message.path)"
            throw kept
        }
    }

    /// Where messages refused for good are kept.
    public var refusedFolder: URL { folder.appendingPathComponent("refused") }

    /// Writes a message into the outbox (or, `refused`, straight into `refused/`, never to be retried).
    /// - Throws: `MailerError.outboxFailed` when the folder cannot be created or written.
    @discardableResult
    public func store(_ message: [UInt8], envelope: Envelope, refused: Bool = false) throws -> Entry {
        if refused { return try Outbox(folder: refusedFolder).store(message, envelope: envelope) }
        try createFolder()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let name = "\(formatter.string(from: Date()))-\(MIMEEncoding.randomHex(bytes: 4))"
        let entry = Entry(message: folder.appendingPathComponent(name + ".eml"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json: Data
        do { json = try encoder.encode(envelope) } catch {
            throw MailerError(.outboxFailed, file: entry.envelopeFile.path, "cannot encode the envelope · \(error) · report this as a bug")
        }
        try writeAtomically(Array(json), to: entry.envelopeFile)
        try writeAtomically(message, to: entry.message)
        return entry
    }

    /// The waiting messages, oldest first.
    public func pending() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw MailerError(.outboxFailed, file: folder.path, "cannot list the outbox · \(folder.path) · check that it is readable")
        }
        return names.filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.sorted()
            .map { Entry(message: folder.appendingPathComponent($0)) }
    }

    /// Resends every waiting message, oldest first, removing each one only after it was delivered.
    /// Failures stay in the outbox and are reported. Two runs never retry at once (an `flock` on
    /// `.lock` in the folder); the second one skips.
    public func retryAll(_ sender: any MailSender) -> RetryReport {
        var report = RetryReport()
        guard FileManager.default.fileExists(atPath: folder.path) else { return report }
        let lockPath = folder.appendingPathComponent(".lock").path
        // open(2) with O_CREAT: the lock file; flock(2) LOCK_EX|LOCK_NB: fail with EWOULDBLOCK if held.
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            report.skippedBecauseLocked = true
            return report
        }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            report.skippedBecauseLocked = true
            return report
        }
        defer { flock(lock, LOCK_UN) }

        let entries: [Entry]
        do { entries = try pending() } catch let error as MailerError {
            report.failed.append((Entry(message: folder), error))
            return report
        } catch {
            return report
        }
        for entry in entries {
            do {
                let envelope = try readEnvelope(entry)
                guard let message = FileManager.default.contents(atPath: entry.message.path) else {
                    throw MailerError(.outboxFailed, file: entry.message.path, "cannot read an outbox message · \(entry.message.path) · check its permissions")
                }
                try sender.send(Array(message), envelope: envelope)
                try remove(entry)
                report.sent.append(entry)
            } catch let error as MailerError where error.isRefusal {
                do throws(MailerError) {
                    report.refused.append((try setAside(entry), error))
                } catch {
                    report.failed.append((entry, error))
                }
            } catch let error as MailerError {
                report.failed.append((entry, error))
            } catch {
                report.failed.append((entry, MailerError(.outboxFailed, file: entry.message.path, "retrying an outbox message failed · \(error) · retry later")))
            }
        }
        return report
    }

    /// Moves a refused entry into `refused/` (envelope first, message last, as `store` writes them).
    func setAside(_ entry: Entry) throws(MailerError) -> Entry {
        let aside = Outbox(folder: refusedFolder)
        do { try aside.createFolder() } catch let error as MailerError { throw error } catch {
            throw MailerError(.outboxFailed, file: refusedFolder.path, "\(error)")
        }
        let moved = Entry(message: refusedFolder.appendingPathComponent(entry.message.lastPathComponent))
        do {
            if FileManager.default.fileExists(atPath: entry.envelopeFile.path) {
                try FileManager.default.moveItem(at: entry.envelopeFile, to: moved.envelopeFile)
            }
            try FileManager.default.moveItem(at: entry.message, to: moved.message)
        } catch {
            throw MailerError(.outboxFailed, file: entry.message.path, "cannot move a refused message to \(refusedFolder.path) · \(error) · move or delete it by hand")
        }
        return moved
    }

    /// Deletes a delivered entry: the message first, so a crash in between leaves only a stray
    /// envelope, never a message that would be sent twice.
    public func remove(_ entry: Entry) throws {
        do {
            try FileManager.default.removeItem(at: entry.message)
            if FileManager.default.fileExists(atPath: entry.envelopeFile.path) {
                try FileManager.default.removeItem(at: entry.envelopeFile)
            }
        } catch {
            throw MailerError(.outboxFailed, file: entry.message.path, "cannot remove a sent message from the outbox · \(entry.message.path) · delete it by hand, or it will be sent again")
        }
    }

    private func readEnvelope(_ entry: Entry) throws -> Envelope {
        guard let data = FileManager.default.contents(atPath: entry.envelopeFile.path),
              let envelope = try? JSONDecoder().decode(Envelope.self, from: data)
        else {
            throw MailerError(.outboxFailed, file: entry.envelopeFile.path, "outbox message has no readable envelope · \(entry.envelopeFile.path) · restore it ({\"from\": …, \"recipients\": […]}) or delete the .eml")
        }
        return envelope
    }

    func createFolder() throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailerError(.outboxFailed, file: folder.path, "cannot create the outbox folder · \(folder.path) · check the permissions of its parent")
        }
    }

    /// temp file in the same folder → write → fsync → rename over the target → fsync the folder, so
    /// the target is either absent or complete after a crash.
    private func writeAtomically(_ bytes: [UInt8], to target: URL) throws {
        let temporary = folder.appendingPathComponent(".tmp-\(MIMEEncoding.randomHex(bytes: 6))")
        func fail(_ step: String) -> MailerError {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            return MailerError(.outboxFailed, file: target.path, "cannot write to the outbox · \(step) \(target.path): \(reason) · check free space and permissions")
        }
        // open(2): O_EXCL so a stale temp file is never reused; mode 0600, messages are private.
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw fail("open") }
        var written = 0
        while written < bytes.count {
            // write(2) may write fewer bytes than asked; loop until all are written, retry on EINTR.
            let result = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                close(descriptor)
                throw fail("write")
            }
            written += result
        }
        // fsync(2): the data reaches the disk before the rename makes it visible.
        guard fsync(descriptor) == 0 else { close(descriptor); throw fail("fsync") }
        guard close(descriptor) == 0 else { throw fail("close") }
        // rename(2): atomically replaces the target.
        guard rename(temporary.path, target.path) == 0 else { throw fail("rename") }
        // fsync of the folder makes the rename itself durable.
        let directory = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
