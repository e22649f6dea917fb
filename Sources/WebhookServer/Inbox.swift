#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// Where a record starts in the inbox journal (a byte offset). Positions only grow.
public struct InboxPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let offset: UInt64
    public init(offset: UInt64) { self.offset = offset }
    public static let start = InboxPosition(offset: 0)
    public static func < (lhs: InboxPosition, rhs: InboxPosition) -> Bool { lhs.offset < rhs.offset }
    public var description: String { "@\(offset)" }
}

/// One accepted event as it was stored: the raw body, byte for byte, plus the id and type the
/// receiver read from it.
public struct InboxRecord: Sendable, Equatable {
    /// Where this record starts.
    public let position: InboxPosition
    /// Where the next record starts; pass it to `Inbox.markApplied(upTo:)` once this one is applied.
    public let next: InboxPosition
    public let eventID: String?
    public let eventType: String?
    public let body: [UInt8]
}

/// An append-only, durable journal of accepted webhook events, in a directory of its own:
///
/// - `inbox.log` — records, each framed as `"LSI1"`, payload length (UInt32 LE), CRC-32 of the
///   payload (UInt32 LE), then the payload: id length (UInt16 LE), id, type length, type, body.
///   A record torn by a crash at the end of the file is detected on open and cut off; a bad
///   record with intact records after it is reported as corruption, never skipped silently.
/// - `applied` — the position up to which events were applied, replaced atomically
///   (temporary file, fsync, rename, fsync of the directory).
/// - `failed.jsonl` — events the sink refused, one JSON line each (position, id, type, reason).
///
/// `append` returns only after its bytes are on disk. Concurrent appends are committed together:
/// one writer thread takes every append waiting, writes them with one `pwrite` and one
/// `fdatasync`, then resumes them all (group commit). A write or sync failure stops the inbox:
/// later appends fail until it is reopened, because after a failed fsync the kernel may have
/// dropped the data while reporting later syncs as successful.
///
/// ```swift
/// let inbox = try Inbox(directory: "/var/lib/ledgersync/inbox")
/// let position = try await inbox.append(body, eventID: "evt_123", eventType: "invoice.paid")
/// let batch = try inbox.records(from: inbox.appliedPosition, limit: 100)
/// try inbox.markApplied(upTo: batch.last!.next)
/// ```
public final class Inbox: @unchecked Sendable {
    public let directory: String
    public let journalPath: String
    public let appliedPath: String
    public let failedPath: String

    static let magic: [UInt8] = Array("LSI1".utf8)
    static let headerSize = 12
    /// Larger payloads are refused on append and read as corruption on open.
    public static let maxPayloadSize = 64 << 20

    private let logger: Logger
    private let writeDescriptor: Int32
    private let readDescriptor: Int32

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [PendingAppend] = []
    private var closing = false
    private var writerFinished = false
    private var writeDescriptorClosed = false
    private var failure: InboxError?
    private var durableEnd: UInt64
    private var recordStarts: [UInt64]
    private var positionsByEventID: [String: InboxPosition]
    private var applied: InboxPosition
    private var committedBatches: Int = 0

    // Touched only by the writer thread after `init`.
    private var writeEnd: UInt64

    private struct PendingAppend {
        var frame: [UInt8]
        var eventID: String?
        var continuation: CheckedContinuation<(position: InboxPosition, isNew: Bool), any Error>
    }

    /// Opens (creating if needed) the inbox in `directory`, cutting off a torn last record.
    ///
    /// An inbox whose every event was applied, that holds no failed event and has grown past
    /// `emptyWhenAppliedAbove` bytes is emptied on open: the ledger's journal holds every applied event,
    /// and a redelivered one is recognised there. `applied` is reset first, then the log cut, so a crash
    /// in between only makes the next start apply the old events again, which changes nothing.
    /// - Throws: `InboxError` — `.locked` if another process has it open, `.corrupt` for damage
    ///   before the end of the journal.
    public init(directory: String, emptyWhenAppliedAbove: UInt64 = 64 << 20,
                logger: Logger = Logger(label: "ledgersync.webhook.inbox")) throws(InboxError) {
        self.directory = directory
        self.journalPath = directory + "/inbox.log"
        self.appliedPath = directory + "/applied"
        self.failedPath = Self.failedPath(directory: directory)
        self.logger = logger

        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw InboxError(.cannotOpen, path: directory, detail: Self.errnoText())
        }
        let existed = access(journalPath, F_OK) == 0
        let writeFD = open(journalPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard writeFD >= 0 else { throw InboxError(.cannotOpen, path: journalPath, detail: Self.errnoText()) }
        if flock(writeFD, LOCK_EX | LOCK_NB) != 0 {
            let locked = errno == EWOULDBLOCK
            let detail = Self.errnoText()
            closeFileDescriptor(writeFD)
            throw InboxError(locked ? .locked : .cannotOpen, path: journalPath, detail: detail)
        }
        let readFD = open(journalPath, O_RDONLY | O_CLOEXEC)
        guard readFD >= 0 else {
            let detail = Self.errnoText()
            closeFileDescriptor(writeFD)
            throw InboxError(.cannotOpen, path: journalPath, detail: detail)
        }
        if !existed { Self.syncDirectory(directory) }

        var scan: ScanResult
        var appliedOffset: UInt64
        do throws(InboxError) {
            scan = try Self.scan(readFD: readFD, writeFD: writeFD, path: journalPath, logger: logger)
            appliedOffset = try Self.loadAppliedOffset(path: appliedPath, starts: scan.starts, end: scan.end)
            let failedEvents = (try? FileManager.default.attributesOfItem(atPath: failedPath)[.size] as? UInt64) ?? 0
            if appliedOffset == scan.end, scan.end > emptyWhenAppliedAbove, failedEvents == 0 {
                try Self.writeAtomically(Array("0\n".utf8), to: appliedPath, directory: directory)
                guard ftruncate(writeFD, 0) == 0, Self.dataSync(writeFD) == 0 else {
                    throw InboxError(.writeFailed, path: journalPath, offset: 0, detail: "truncate: " + Self.errnoText())
                }
                logger.info("inbox emptied: every event in it is in the ledger's journal", metadata: ["bytes": "\(scan.end)"])
                scan = ScanResult()
                appliedOffset = 0
            }
        } catch {
            closeFileDescriptor(readFD)
            closeFileDescriptor(writeFD)
            throw error
        }
        self.writeDescriptor = writeFD
        self.readDescriptor = readFD
        self.durableEnd = scan.end
        self.writeEnd = scan.end
        self.recordStarts = scan.starts
        self.positionsByEventID = scan.positionsByEventID
        self.applied = InboxPosition(offset: appliedOffset)

        let thread = Thread { [self] in self.writerLoop() }
        thread.name = "ledgersync-inbox-writer"
        thread.start()
    }

    deinit {
        // The writer thread holds `self` until it finishes, so reaching here means it has.
        if !writeDescriptorClosed { closeFileDescriptor(writeDescriptor) }
        closeFileDescriptor(readDescriptor)
    }

    // MARK: Appending

    /// Stores `body` and returns once it is on disk.
    /// - Parameters:
    ///   - body: the raw request body, stored byte for byte.
    ///   - eventID: the event's `id`, kept for duplicate detection; `nil` if unknown.
    ///   - eventType: the event's `type`, kept for logs at apply time.
    /// - Returns: the position of the new record.
    /// - Throws: `InboxError` if the inbox is closed or stopped by an earlier write failure, or the
    ///   write or sync of this batch failed.
    public func append(_ body: [UInt8], eventID: String?, eventType: String? = nil) async throws -> InboxPosition {
        try await store(body, eventID: eventID, eventType: eventType).position
    }

    /// Stores `body` unless an event with `eventID` is already stored (or being stored by a request
    /// arriving at the same time): the check and the append are one step, so concurrent deliveries of
    /// one event store it once.
    /// - Returns: where the event is, and whether this call stored it.
    public func store(_ body: [UInt8], eventID: String?, eventType: String? = nil) async throws -> (position: InboxPosition, isNew: Bool) {
        let frame = try Self.frame(body: body, eventID: eventID, eventType: eventType, path: journalPath)
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
                return
            }
            if closing {
                condition.unlock()
                continuation.resume(throwing: InboxError(.closed, path: journalPath))
                return
            }
            pending.append(PendingAppend(frame: frame, eventID: eventID, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
    }

    private func writerLoop() {
        var buffer: [UInt8] = []
        var starts: [UInt64] = []
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty {
                writerFinished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let stopped = failure
            condition.unlock()

            if let stopped {
                for item in batch { item.continuation.resume(throwing: stopped) }
                continue
            }

            // An event already stored, or stored earlier in this batch, is not stored again.
            condition.lock()
            let known = batch.map { item in item.eventID.flatMap { positionsByEventID[$0] } }
            condition.unlock()
            var writing: [PendingAppend] = []
            var sameAs: [(item: PendingAppend, first: Int)] = []
            var already: [(item: PendingAppend, position: InboxPosition)] = []
            var firstOf: [String: Int] = [:]
            for (item, position) in zip(batch, known) {
                if let position {
                    already.append((item, position))
                } else if let id = item.eventID, let first = firstOf[id] {
                    sameAs.append((item, first))
                } else {
                    if let id = item.eventID { firstOf[id] = writing.count }
                    writing.append(item)
                }
            }
            for (item, position) in already { item.continuation.resume(returning: (position, false)) }

            buffer.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            var offset = writeEnd
            for item in writing {
                starts.append(offset)
                buffer.append(contentsOf: item.frame)
                offset += UInt64(item.frame.count)
            }

            if let error = writeAndSync(buffer, at: writeEnd) {
                condition.lock()
                failure = error
                condition.unlock()
                logger.error("inbox write failed; refusing further appends", metadata: ["error": "\(error)"])
                for item in writing + sameAs.map(\.item) { item.continuation.resume(throwing: error) }
                continue
            }
            writeEnd = offset

            condition.lock()
            durableEnd = offset
            recordStarts.append(contentsOf: starts)
            for (item, start) in zip(writing, starts) {
                if let id = item.eventID, positionsByEventID[id] == nil {
                    positionsByEventID[id] = InboxPosition(offset: start)
                }
            }
            committedBatches += 1
            condition.unlock()

            for (item, start) in zip(writing, starts) {
                item.continuation.resume(returning: (InboxPosition(offset: start), true))
            }
            for (item, first) in sameAs {
                item.continuation.resume(returning: (InboxPosition(offset: starts[first]), false))
            }
        }
    }

    private func writeAndSync(_ bytes: [UInt8], at offset: UInt64) -> InboxError? {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                pwrite(writeDescriptor, raw.baseAddress! + written, raw.count - written, off_t(offset) + off_t(written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                return InboxError(.writeFailed, path: journalPath, offset: offset + UInt64(written), detail: Self.errnoText())
            }
            written += result
        }
        if Self.dataSync(writeDescriptor) != 0 {
            return InboxError(.writeFailed, path: journalPath, offset: offset, detail: "fsync: " + Self.errnoText())
        }
        return nil
    }

    /// Finishes the appends already waiting, stops the writer and releases the file lock.
    /// Later appends fail with `.closed`; reading stays possible.
    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !writerFinished { condition.wait() }
        if !writeDescriptorClosed {
            writeDescriptorClosed = true
            closeFileDescriptor(writeDescriptor)
        }
        condition.unlock()
    }

    // MARK: Reading

    /// Up to `limit` durable records starting at `position`, in journal order.
    /// - Throws: `InboxError.readFailed` if `position` is not a record start or a read fails.
    public func records(from position: InboxPosition, limit: Int) throws(InboxError) -> [InboxRecord] {
        condition.lock()
        let end = durableEnd
        let isBoundary = position.offset == end || Self.binarySearch(recordStarts, position.offset).found
        condition.unlock()
        guard isBoundary else {
            throw InboxError(.readFailed, path: journalPath, offset: position.offset, detail: "not a record start")
        }
        var records: [InboxRecord] = []
        var offset = position.offset
        while offset < end && records.count < limit {
            let header = try readExactly(count: Self.headerSize, at: offset)
            guard let length = Self.payloadLength(header: header) else {
                throw InboxError(.corrupt, path: journalPath, offset: offset, detail: "bad record header")
            }
            let payload = try readExactly(count: length, at: offset + UInt64(Self.headerSize))
            guard Self.checksum(header: header) == CRC32.checksum(payload),
                  let decoded = Self.decodePayload(payload) else {
                throw InboxError(.corrupt, path: journalPath, offset: offset, detail: "checksum mismatch")
            }
            let next = offset + UInt64(Self.headerSize + length)
            records.append(InboxRecord(
                position: InboxPosition(offset: offset), next: InboxPosition(offset: next),
                eventID: decoded.eventID, eventType: decoded.eventType, body: decoded.body))
            offset = next
        }
        return records
    }

    private func readExactly(count: Int, at offset: UInt64) throws(InboxError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { raw in
                pread(readDescriptor, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw InboxError(.readFailed, path: journalPath, offset: offset, detail: Self.errnoText())
            }
            if result == 0 {
                throw InboxError(.readFailed, path: journalPath, offset: offset, detail: "unexpected end of file")
            }
            filled += result
        }
        return bytes
    }

    // MARK: State

    /// The position of the first stored record with this event id, if it is durable.
    public func position(ofEventID eventID: String) -> InboxPosition? {
        condition.lock()
        defer { condition.unlock() }
        return positionsByEventID[eventID]
    }

    /// Where the next append will go once everything waiting is committed: the end of durable data.
    public var endPosition: InboxPosition {
        condition.lock()
        defer { condition.unlock() }
        return InboxPosition(offset: durableEnd)
    }

    /// `failed.jsonl` of the inbox in `directory`: the events the sink refused.
    public static func failedPath(directory: String) -> String { directory + "/failed.jsonl" }

    /// Events kept in `failed.jsonl` (one line each) of the inbox in `directory`; 0 without the file.
    public static func failedEventCount(directory: String) -> Int {
        guard let data = FileManager.default.contents(atPath: failedPath(directory: directory)) else { return 0 }
        return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// False once the inbox is closed or stopped by a write failure.
    public var isAcceptingAppends: Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure == nil && !closing
    }

    /// Number of durable records.
    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return recordStarts.count
    }

    /// Number of fsync'ed write batches since open (for tests and metrics of group commit).
    public var committedBatchCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return committedBatches
    }

    /// Position of the first record not yet applied.
    public var appliedPosition: InboxPosition {
        condition.lock()
        defer { condition.unlock() }
        return applied
    }

    /// Durable records at or after `appliedPosition`.
    public var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return recordStarts.count - Self.binarySearch(recordStarts, applied.offset).index
    }

    /// Records that everything before `position` has been applied, atomically and durably.
    /// - Throws: `InboxError.badAppliedOffset` if `position` is not a record boundary at or before
    ///   the durable end; `.writeFailed` if the file could not be replaced.
    public func markApplied(upTo position: InboxPosition) throws(InboxError) {
        condition.lock()
        let valid = position.offset == durableEnd || Self.binarySearch(recordStarts, position.offset).found
        let current = applied
        condition.unlock()
        guard valid, position >= current else {
            throw InboxError(.badAppliedOffset, path: appliedPath, offset: position.offset, detail: "not a record boundary ahead of \(current.offset)")
        }
        try Self.writeAtomically(Array("\(position.offset)\n".utf8), to: appliedPath, directory: directory)
        condition.lock()
        applied = position
        condition.unlock()
    }

    /// Appends one JSON line per refused event to `failed.jsonl` and syncs it.
    public func recordFailures(_ failures: [ApplyFailure]) throws(InboxError) {
        guard !failures.isEmpty else { return }
        var text = ""
        for failure in failures {
            let line = FailedLine(
                position: failure.position.offset, eventID: failure.eventID, eventType: failure.eventType,
                reason: failure.reason, at: Int64(Date().timeIntervalSince1970))
            guard let data = try? JSONEncoder().encode(line) else { continue }
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        let existed = access(failedPath, F_OK) == 0
        let descriptor = open(failedPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw InboxError(.writeFailed, path: failedPath, detail: Self.errnoText()) }
        defer { closeFileDescriptor(descriptor) }
        let bytes = Array(text.utf8)
        try Self.writeAll(descriptor, bytes, path: failedPath)
        if fsync(descriptor) != 0 { throw InboxError(.writeFailed, path: failedPath, detail: "fsync: " + Self.errnoText()) }
        if !existed { Self.syncDirectory(directory) }
    }

    private struct FailedLine: Encodable {
        var position: UInt64
        var eventID: String?
        var eventType: String?
        var reason: String
        var at: Int64
    }
}

/// Calls close(2); a free function because `Inbox.close()` shadows the C name inside the type.
private func closeFileDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

// MARK: - Framing, scanning and file helpers

extension Inbox {
    static func frame(body: [UInt8], eventID: String?, eventType: String?, path: String) throws(InboxError) -> [UInt8] {
        let id = Array((eventID ?? "").utf8)
        let type = Array((eventType ?? "").utf8)
        guard id.count <= Int(UInt16.max), type.count <= Int(UInt16.max) else {
            throw InboxError(.recordTooLarge, path: path, detail: "event id or type longer than 65535 bytes")
        }
        let payloadSize = 4 + id.count + type.count + body.count
        guard payloadSize <= maxPayloadSize else {
            throw InboxError(.recordTooLarge, path: path, detail: "\(body.count) bytes")
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(payloadSize)
        appendLittleEndian(UInt16(id.count), to: &payload)
        payload.append(contentsOf: id)
        appendLittleEndian(UInt16(type.count), to: &payload)
        payload.append(contentsOf: type)
        payload.append(contentsOf: body)

        var frame: [UInt8] = []
        frame.reserveCapacity(headerSize + payload.count)
        frame.append(contentsOf: magic)
        appendLittleEndian(UInt32(payload.count), to: &frame)
        appendLittleEndian(CRC32.checksum(payload), to: &frame)
        frame.append(contentsOf: payload)
        return frame
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func readLittleEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: ArraySlice<UInt8>) -> T {
        var value: T = 0
        for (shift, byte) in bytes.prefix(MemoryLayout<T>.size).enumerated() {
            value |= T(byte) << (8 * shift)
        }
        return value
    }

    /// The payload length a header announces, or nil if the magic is wrong or the length absurd.
    static func payloadLength(header: [UInt8]) -> Int? {
        guard header.count >= headerSize, header[0..<4].elementsEqual(magic) else { return nil }
        let length = Int(readLittleEndian(UInt32.self, header[4..<8]))
        guard length >= 4, length <= maxPayloadSize else { return nil }
        return length
    }

    static func checksum(header: [UInt8]) -> UInt32 {
        readLittleEndian(UInt32.self, header[8..<12])
    }

    static func decodePayload(_ payload: [UInt8]) -> (eventID: String?, eventType: String?, body: [UInt8])? {
        var cursor = 0
        func field() -> String?? {
            guard cursor + 2 <= payload.count else { return .none }
            let length = Int(readLittleEndian(UInt16.self, payload[cursor..<cursor + 2]))
            cursor += 2
            guard cursor + length <= payload.count else { return .none }
            let text = String(decoding: payload[cursor..<cursor + length], as: UTF8.self)
            cursor += length
            return .some(length == 0 ? nil : text)
        }
        guard case .some(let eventID) = field(), case .some(let eventType) = field() else { return nil }
        return (eventID, eventType, Array(payload[cursor...]))
    }

    struct ScanResult {
        var starts: [UInt64] = []
        var positionsByEventID: [String: InboxPosition] = [:]
        var end: UInt64 = 0
    }

    /// Walks the journal, validating every record; cuts off a torn tail.
    static func scan(readFD: Int32, writeFD: Int32, path: String, logger: Logger) throws(InboxError) -> ScanResult {
        var info = stat()
        guard fstat(readFD, &info) == 0 else { throw InboxError(.cannotOpen, path: path, detail: errnoText()) }
        let size = UInt64(info.st_size)
        var result = ScanResult()
        var offset: UInt64 = 0
        var tornReason: String?

        // Reads in large chunks; records rarely straddle more than one chunk.
        let chunkSize = 4 << 20
        var chunk: [UInt8] = []
        var chunkStart: UInt64 = 0
        func bytes(_ count: Int, at position: UInt64) throws(InboxError) -> ArraySlice<UInt8> {
            let chunkEnd = chunkStart + UInt64(chunk.count)
            if position < chunkStart || position + UInt64(count) > chunkEnd {
                let want = max(count, chunkSize)
                chunk = [UInt8](repeating: 0, count: Int(min(UInt64(want), size - position)))
                var filled = 0
                while filled < chunk.count {
                    let got = chunk.withUnsafeMutableBytes { raw in
                        pread(readFD, raw.baseAddress! + filled, raw.count - filled, off_t(position) + off_t(filled))
                    }
                    if got < 0 && errno == EINTR { continue }
                    guard got > 0 else { throw InboxError(.readFailed, path: path, offset: position, detail: errnoText()) }
                    filled += got
                }
                chunkStart = position
            }
            let from = Int(position - chunkStart)
            return chunk[from..<from + count]
        }

        while offset < size {
            let remaining = size - offset
            if remaining < UInt64(headerSize) {
                tornReason = "incomplete record header"
                break
            }
            let header = Array(try bytes(headerSize, at: offset))
            guard let length = payloadLength(header: header) else {
                if try allZero(from: offset, size: size, bytes: bytes) {
                    tornReason = "zero-filled tail"
                    break
                }
                throw InboxError(.corrupt, path: path, offset: offset, detail: "bad record header")
            }
            let frameEnd = offset + UInt64(headerSize + length)
            if frameEnd > size {
                tornReason = "record cut short"
                break
            }
            let payload = try bytes(length, at: offset + UInt64(headerSize))
            guard checksum(header: header) == CRC32.checksum(payload), let decoded = decodePayload(Array(payload)) else {
                if frameEnd == size {
                    tornReason = "last record fails its checksum"
                    break
                }
                throw InboxError(.corrupt, path: path, offset: offset, detail: "checksum mismatch")
            }
            result.starts.append(offset)
            if let id = decoded.eventID, result.positionsByEventID[id] == nil {
                result.positionsByEventID[id] = InboxPosition(offset: offset)
            }
            offset = frameEnd
        }
        result.end = offset
        if let tornReason {
            logger.warning(
                "inbox: cutting off a torn last record",
                metadata: ["offset": "\(offset)", "bytes": "\(size - offset)", "reason": "\(tornReason)"])
            guard ftruncate(writeFD, off_t(offset)) == 0, dataSync(writeFD) == 0 else {
                throw InboxError(.writeFailed, path: path, offset: offset, detail: "truncate: " + errnoText())
            }
        }
        return result
    }

    private static func allZero(
        from offset: UInt64, size: UInt64,
        bytes: (Int, UInt64) throws(InboxError) -> ArraySlice<UInt8>
    ) throws(InboxError) -> Bool {
        var position = offset
        while position < size {
            let count = Int(min(UInt64(1 << 20), size - position))
            if try bytes(count, position).contains(where: { $0 != 0 }) { return false }
            position += UInt64(count)
        }
        return true
    }

    static func loadAppliedOffset(path: String, starts: [UInt64], end: UInt64) throws(InboxError) -> UInt64 {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let offset = UInt64(text) else {
            throw InboxError(.badAppliedOffset, path: path, detail: "not a number")
        }
        guard offset == end || binarySearch(starts, offset).found else {
            throw InboxError(.badAppliedOffset, path: path, offset: offset, detail: "journal ends at \(end)")
        }
        return offset
    }

    /// Index of the first element not less than `value`, and whether it equals `value`.
    static func binarySearch(_ sorted: [UInt64], _ value: UInt64) -> (index: Int, found: Bool) {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return (low, low < sorted.count && sorted[low] == value)
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(InboxError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw InboxError(.writeFailed, path: temporary, detail: errnoText()) }
        do {
            try writeAll(descriptor, bytes, path: temporary)
        } catch {
            closeFileDescriptor(descriptor)
            throw error
        }
        let synced = fsync(descriptor) == 0
        let syncError = errnoText()
        closeFileDescriptor(descriptor)
        guard synced else { throw InboxError(.writeFailed, path: temporary, detail: "fsync: " + syncError) }
        guard rename(temporary, path) == 0 else { throw InboxError(.writeFailed, path: path, detail: "rename: " + errnoText()) }
        syncDirectory(directory)
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(InboxError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in write(descriptor, raw.baseAddress! + written, raw.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw InboxError(.writeFailed, path: path, detail: errnoText())
            }
            written += result
        }
    }

    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        closeFileDescriptor(descriptor)
    }

    static func dataSync(_ descriptor: Int32) -> Int32 {
        #if canImport(Darwin)
        return fcntl(descriptor, F_FULLFSYNC)
        #else
        return fdatasync(descriptor)
        #endif
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
