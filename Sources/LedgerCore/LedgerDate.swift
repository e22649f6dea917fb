/// Calendar dates and UTC timestamps without Foundation, so the domain stays pure.
public enum LedgerDate {
    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Parses `YYYY-MM-DD` strictly into days since 1970-01-01; nil when it is not a real date.
    public static func parseDay(_ text: String) -> Int? {
        let b = Array(text.trimmingASCIIWhitespace().utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m), d >= 1 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= lengths[m - 1] else { return nil }
        return days(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` of a day count.
    /// The UTC day (days since 1970-01-01) a moment falls on.
    public static func day(ofTimestamp seconds: Int64) -> Int {
        Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    public static func dayString(_ days: Int) -> String {
        let c = civil(days: days)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of unix seconds.
    public static func timestampString(_ seconds: Int64) -> String {
        let s = Int(seconds)
        let day = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let rest = s - day * 86_400
        return dayString(day) + "T" + pad(rest / 3600, 2) + ":" + pad(rest / 60 % 60, 2) + ":" + pad(rest % 60, 2) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`, `YYYY-MM-DD HH:MM[:SS]` (UTC) or `YYYY-MM-DD` into unix seconds.
    public static func parseTimestamp(_ text: String) -> Int64? {
        let t = text.trimmingASCIIWhitespace()
        let b = Array(t.utf8)
        guard b.count >= 10, let day = parseDay(String(decoding: b[0..<10], as: UTF8.self)) else { return nil }
        var seconds = Int64(day) * 86_400
        if b.count == 10 { return seconds }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") else { return nil }
        func two(_ i: Int) -> Int? {
            guard i + 1 < b.count, (0x30...0x39).contains(b[i]), (0x30...0x39).contains(b[i + 1]) else { return nil }
            return Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
        }
        guard let h = two(11), b[13] == UInt8(ascii: ":"), let m = two(14), h < 24, m < 60 else { return nil }
        var end = 16
        var sec = 0
        if b.count > 16, b[16] == UInt8(ascii: ":") {
            guard let s = two(17), s < 61 else { return nil }
            sec = s
            end = 19
        }
        let tail = b.count > end ? String(decoding: b[end...], as: UTF8.self) : ""
        guard tail == "" || tail == "Z" || tail == "+00:00" else { return nil }
        seconds += Int64(h * 3600 + m * 60 + sec)
        return seconds
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        var s = String(v)
        while s.count < width { s = "0" + s }
        return s
    }
}
