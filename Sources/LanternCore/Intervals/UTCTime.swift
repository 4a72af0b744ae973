/// Seconds since the Unix epoch, UTC, with ISO 8601 text (`2026-11-24T22:42:00Z`). Pure arithmetic,
/// no time zone database, so the same bytes come out on every platform.
public struct UTCTime: Equatable, Comparable {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public static func < (a: UTCTime, b: UTCTime) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var iso8601: String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86400 : (secondsSinceEpoch - 86399) / 86400
        let secondOfDay = Int(secondsSinceEpoch - days * 86400)
        let (y, m, d) = UTCTime.civil(fromDays: days)
        var s = ""
        s.reserveCapacity(20)
        UTCTime.append(Int(y), digits: 4, to: &s); s.append("-")
        UTCTime.append(m, digits: 2, to: &s); s.append("-")
        UTCTime.append(d, digits: 2, to: &s); s.append("T")
        UTCTime.append(secondOfDay / 3600, digits: 2, to: &s); s.append(":")
        UTCTime.append(secondOfDay / 60 % 60, digits: 2, to: &s); s.append(":")
        UTCTime.append(secondOfDay % 60, digits: 2, to: &s); s.append("Z")
        return s
    }

    static func append(_ value: Int, digits: Int, to s: inout String) {
        var v = value, chars = [UInt8](repeating: 48, count: digits), i = digits - 1
        while i >= 0 { chars[i] = UInt8(48 + v % 10); v /= 10; i -= 1 }
        for c in chars { s.unicodeScalars.append(Unicode.Scalar(c)) }
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civil(fromDays z0: Int64) -> (Int64, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
