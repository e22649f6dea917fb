#if canImport(Glibc)
import Glibc
#endif

/// With LEDGERSYNC_TIMING set, prints how long each phase took to standard error, with the process's
/// resident and peak memory (for profiling; `make bench` figures come from outside the process).
///
/// ```swift
/// let timing = Timing()
/// … read the ledger …
/// timing.mark("ledger tables read")   // timing: ledger tables read 0.012 s, VmHWM: … VmRSS: …
/// ```
public final class Timing {
    public static let enabled = getenv("LEDGERSYNC_TIMING") != nil
    private var last = Timing.now()

    public init() {}

    public func mark(_ phase: @autoclosure () -> String) {
        guard Timing.enabled else { return }
        let now = Timing.now()
        let seconds = Double(now - last) / 1e9
        let millis = Int((seconds * 1000).rounded())
        let line = "timing: \(phase()) \(millis / 1000).\(String(millis % 1000).leftPadded(to: 3)) s, \(Timing.memory())\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        last = Timing.now()
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Resident and peak resident memory, from /proc/self/status.
    static func memory() -> String {
        guard let file = fopen("/proc/self/status", "r") else { return "" }
        defer { fclose(file) }
        var found: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if line.hasPrefix("VmRSS") || line.hasPrefix("VmHWM") {
                found.append(String(line.filter { $0 != "\t" && $0 != "\n" }.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")))
            }
        }
        return found.joined(separator: " ")
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
