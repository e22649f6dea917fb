import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One writer at a time (DESIGN.md §7): an exclusive `flock` on the side folder's lock file. The kernel
/// drops the lock when the process dies, so a killed run never leaves a stale lock.
public final class FileLock {
    private var fd: Int32

    /// Waits up to `timeout` seconds for the lock, then fails with a message naming the holder.
    public init(path: String, ledger: String, timeout: Double) throws(LedgerError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LedgerError(.locked, file: ledger, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(fd)
                fd = -1
                throw LedgerError(.locked, file: ledger,
                                  "is in use by another LedgerSync process\(holder.isEmpty ? "" : " (\(holder))"); waited \(Int(timeout)) s. Let it finish, or wait longer with --lock-timeout SECONDS")
            }
            usleep(50_000)
        }
        let note = Array("pid \(getpid())\n".utf8)
        ftruncate(fd, 0)
        _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, note.count, 0) }
    }

    public func unlock() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
