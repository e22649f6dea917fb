import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes whole files so a crash at any instant leaves the old file or the new one (DESIGN.md §7):
/// write a temporary file beside the target, fsync it, rename it over the target, fsync the folder.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(LedgerError) {
        try prepare(bytes, for: path).replace()
    }

    /// `bytes` written beside `path` and flushed to disk, not yet in place (``Prepared``).
    public static func prepare(_ bytes: [UInt8], for given: String) throws(LedgerError) -> Prepared {
        let path = target(of: given)
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create \(temp)") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                Glibc.write(fd, buf.baseAddress! + offset, bytes.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = failure(path, "cannot write \(temp)")
                close(fd)
                unlink(temp)
                throw reason
            }
            offset += n
        }
        return try flushed(path, temp: temp, fd: fd)
    }

    /// Lets `produce` write a whole file (e.g. a workbook library that only takes a path) to a temporary
    /// path beside `path`, then flushes it to disk and renames it over `path`, as `write(_:to:)` does.
    public static func write(to path: String, using produce: (String) throws -> Void) throws(LedgerError) {
        try prepare(path, using: produce).replace()
    }

    /// The first half of `write(to:using:)`: the new file written beside `path` and flushed to disk,
    /// but not yet in place — so it can be made at the same time as something that must land first.
    public static func prepare(_ given: String, using produce: (String) throws -> Void) throws(LedgerError) -> Prepared {
        let path = target(of: given)
        let temp = path + ".tmp-\(getpid())"
        do {
            try produce(temp)
        } catch {
            unlink(temp)
            if let error = error as? LedgerError { throw error }
            throw LedgerError(.writeFailed, file: path, "\(error); nothing was changed — check free space and permissions, then run again")
        }
        return try flushed(path, temp: temp, fd: open(temp, O_RDONLY | O_CLOEXEC))
    }

    /// fsyncs the temporary file (and closes `fd`); on failure it is removed and `path` is untouched.
    /// The new file keeps the permissions of the one it replaces (a ledger made readable by its owner
    /// only stays so).
    private static func flushed(_ path: String, temp: String, fd: Int32) throws(LedgerError) -> Prepared {
        var old = stat()
        if fd >= 0, stat(path, &old) == 0 { _ = fchmod(fd, old.st_mode & 0o7777) }
        guard fd >= 0, fsync(fd) == 0 else {
            let reason = failure(path, "cannot flush \(temp) to disk")
            if fd >= 0 { close(fd) }
            unlink(temp)
            throw reason
        }
        close(fd)
        return Prepared(path: path, temp: temp)
    }

    /// A new file on disk beside the one it replaces (``prepare(_:using:)``).
    public struct Prepared: Sendable {
        let path: String
        let temp: String

        /// Renames it over the old file and makes the rename durable.
        public func replace() throws(LedgerError) {
            guard rename(temp, path) == 0 else {
                let reason = failure(path, "cannot replace it with \(temp)")
                unlink(temp)
                throw reason
            }
            syncDirectory(of: path)
        }

        /// Drops it; the old file stays.
        public func discard() {
            unlink(temp)
        }

        /// Replaces the file, unless `stamp` is given and the file no longer has it (someone else wrote
        /// it since): then the new version is discarded and `.changedDuringWrite` thrown.
        public func replace(ifStill stamp: FileStamp?, of file: String) throws(LedgerError) {
            if let stamp, FileStamp.of(file) != stamp {
                discard()
                throw LedgerError(.changedDuringWrite, file: file, "was saved by someone else while LedgerSync was writing it")
            }
            try replace()
        }
    }

    /// The file a write to `path` replaces: `path`, or what it links to (a link is written through, never
    /// replaced by a copy).
    static func target(of path: String) -> String {
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil else { return path }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// Gives `target` the permission bits of `source` (best effort).
    public static func copyPermissions(from source: String, to target: String) {
        var st = stat()
        if stat(source, &st) == 0 { _ = chmod(target, st.st_mode & 0o7777) }
    }

    /// fsync the folder so the rename itself is durable.
    static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    static func failure(_ path: String, _ what: String) -> LedgerError {
        LedgerError(.writeFailed, file: path, "\(what): \(String(cString: strerror(errno))); nothing was changed — check free space and permissions, then run again")
    }

    /// Reads a whole file; nil when it does not exist.
    public static func read(_ path: String) throws(LedgerError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.unreadable, file: path, "cannot be read: \(String(cString: strerror(errno))); check its permissions")
        }
        return [UInt8](data)
    }
}

/// What a file looked like when it was read, to notice a person saving it meanwhile (DESIGN.md §7).
public struct FileStamp: Equatable, Sendable {
    public var size: Int64
    public var modified: Int64
    public var inode: UInt64

    public static func of(_ path: String) -> FileStamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStamp(size: Int64(st.st_size),
                         modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                         inode: UInt64(st.st_ino))
    }
}
