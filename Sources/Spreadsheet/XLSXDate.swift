/// Excel serial dates and the civil calendar, without Foundation's calendar.
///
/// Serial numbers count days from 1899-12-30 (1900 date system; Excel's phantom 1900-02-29 is
/// serial 60, so serials below 61 are one day late) or from 1904-01-01 (1904 date system).
enum XLSXDate {
    /// Days from 1899-12-30 to 1970-01-01.
    static let epoch1900Offset = 25_569
    /// Days from 1904-01-01 to 1970-01-01.
    static let epoch1904Offset = 24_107
    /// Serial of 9999-12-31 + 1 in the 1900 system: Excel shows larger numbers as ####.
    static let maxSerial = 2_958_466.0

    /// Days since 1970-01-01 and seconds into the day of a serial; nil when it is no date Excel shows.
    static func fromSerial(_ serial: Double, date1904: Bool, showsTime: Bool) -> (days: Int, seconds: Int?)? {
        guard serial.isFinite, serial >= 0, serial < maxSerial else { return nil }
        // Round to the second first, so 0.99999999 of a day becomes the next midnight.
        let totalSeconds = (serial * 86_400).rounded()
        var day = Int(totalSeconds / 86_400)
        let seconds = Int(totalSeconds) - day * 86_400
        if date1904 {
            day -= epoch1904Offset
        } else {
            // Serials 1...59 are Jan 1 – Feb 28 1900 counted from 1899-12-31; 60 is the day that
            // never was, read as 1900-03-01.
            if day < 61 && day > 0 { day += 1 }
            day -= epoch1900Offset
        }
        return (day, (showsTime || seconds != 0) ? seconds : nil)
    }

    /// The 1900-system serial of a day since 1970-01-01 (dates after 1900-02-28).
    static func serial(days: Int) -> Double {
        Double(days + epoch1900Offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (era-based, valid for any year).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12 // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(_ daysSince1970: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func dayString(_ days: Int) -> String {
        let c = civil(days)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fff][Z]` as written in `t="d"` cells.
    static func parseISO(_ text: String) -> (days: Int, seconds: Int?)? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = num(0, 4), let m = num(5, 2), let d = num(8, 2), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let days = days(year: y, month: m, day: d)
        guard b.count >= 19, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2), h < 24, mi < 60, s < 61
        else { return b.count == 10 ? (days, nil) : nil }
        return (days, h * 3600 + mi * 60 + s)
    }
}
