#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in 1 MiB chunks with POSIX `open`/`read`, so a 100 MB ledger never sits in memory
/// as bytes. OS errors become `SpreadsheetError.unreadable` here.
enum CSVFileChunks {
    static let chunkSize = 1 << 20

    /// Calls `body` with each chunk (every chunk but the last is full) until the end of the file
    /// or until `shouldStop` returns true.
    static func read(
        path: String, shouldStop: () -> Bool,
        _ body: (UnsafeRawBufferPointer) throws(SpreadsheetError) -> Void
    ) throws(SpreadsheetError) {
        // open(path, flags): a descriptor, or -1 with errno set.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { _ = close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        guard let base = buffer.baseAddress else { return }

        while !shouldStop() {
            var filled = 0
            while filled < chunkSize {
                // read(fd, buf, n): bytes read (0 at end of file), or -1 with errno set.
                let count = systemRead(descriptor, base + filled, chunkSize - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw unreadable(path)
                }
                if count == 0 { break }
                filled += count
            }
            if filled > 0 { try body(UnsafeRawBufferPointer(start: base, count: filled)) }
            if filled < chunkSize { return }
        }
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(descriptor, buffer, count)
        #else
        return Darwin.read(descriptor, buffer, count)
        #endif
    }

    private static func unreadable(_ path: String) -> SpreadsheetError {
        let code = errno
        // strerror(errnum): a static description of the error number.
        let words = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return SpreadsheetError(.unreadable, file: path, reason: words)
    }
}
