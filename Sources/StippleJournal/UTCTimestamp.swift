import Foundation

/// A UTC instant as stored in the journal: nanoseconds since the Unix epoch, written as fixed-width
/// ISO 8601 text with microseconds (`2026-11-20T09:41:07.123456Z`).
///
/// Fixed width so text order is time order and the canonical encoding of a row never depends on
/// a locale or a formatter's defaults; microseconds because records come from a 1 ms loop.
public struct UTCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    public init(_ date: Date) {
        nanosecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1e9).rounded())
    }

    /// Now, from the system's wall clock.
    public static func now() -> UTCTimestamp { UTCTimestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(nanosecondsSinceEpoch) / 1e9) }

    public static func < (a: UTCTimestamp, b: UTCTimestamp) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (truncated to the microsecond).
    public var iso8601: String {
        let micros = nanosecondsSinceEpoch >= 0 ? nanosecondsSinceEpoch / 1000 : (nanosecondsSinceEpoch - 999) / 1000
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secOfDay = seconds % 86_400
        if secOfDay < 0 { secOfDay += 86_400; days -= 1 }
        let (y, m, d) = UTCTimestamp.civil(fromDays: days)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ",
                      y, m, d, secOfDay / 3600, (secOfDay / 60) % 60, secOfDay % 60, fraction)
    }

    /// The calendar day (UTC) as `YYYY-MM-DD`: what pigment and calibration expiry compare against.
    public var day: String { String(iso8601.prefix(10)) }

    public var description: String { iso8601 }

    /// Parses the journal's own format (and the same without a fraction).
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, b.last == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        func number(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
              let mi = number(14..<16), let s = number(17..<19), (1...12).contains(mo), (1...31).contains(d),
              h < 24, mi < 60, s < 61 else { return nil }
        var nanos: Int64 = 0
        if b.count > 20 {
            guard b[19] == UInt8(ascii: "."), b.count - 21 >= 1, b.count - 21 <= 9, let f = number(20..<(b.count - 1)) else { return nil }
            nanos = f
            for _ in 0..<(9 - (b.count - 21)) { nanos *= 10 }
        } else if b.count != 20 {
            return nil
        }
        let days = UTCTimestamp.days(fromCivil: y, mo, d)
        // Int64 nanoseconds end in 2262: a later date is text this type cannot hold, not a trap.
        let (ns, overflow) = (days * 86_400 + h * 3600 + mi * 60 + s).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        nanosecondsSinceEpoch = ns + nanos
    }

    // Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar, no
    // Foundation calendar (whose time zone and locale defaults vary by host).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
