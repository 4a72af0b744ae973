/// Exact decimal text to fixed-point integers, without `Double(String)` (which Embedded Swift lacks)
/// and without rounding surprises: `12.5` seconds is exactly 12_500_000 microseconds.
public enum DecimalText {
    /// Non-negative decimal seconds (`12`, `0.25`, `3.000001`) as microseconds; nil if malformed or
    /// finer than a microsecond.
    public static func micros<C: Collection>(_ text: C) -> Int64? where C.Element == UInt8 {
        fixed(text, places: 6)
    }

    /// A non-negative decimal with at most `places` fraction digits, scaled by 10^places.
    public static func fixed<C: Collection>(_ text: C, places: Int) -> Int64? where C.Element == UInt8 {
        var whole: Int64 = 0, fraction: Int64 = 0, fractionDigits = 0
        var seenDot = false, digits = 0
        for c in text {
            if c == 0x2E {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let d = Int64(c - 0x30)
            digits += 1
            if seenDot {
                fractionDigits += 1
                if fractionDigits > places { if d != 0 { return nil } else { continue } }
                fraction = fraction * 10 + d
            } else {
                if whole > 1_000_000_000_000 { return nil }
                whole = whole * 10 + d
            }
        }
        guard digits > 0 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        var f = fraction
        for _ in min(fractionDigits, places)..<places { f *= 10 }
        // A whole part of up to 13 digits, scaled, can pass Int64: too large a number is malformed.
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        let (value, carry) = scaled.addingReportingOverflow(f)
        return overflow || carry ? nil : value
    }

    /// A whole non-negative number.
    public static func integer<C: Collection>(_ text: C) -> Int64? where C.Element == UInt8 {
        guard !text.contains(0x2E) else { return nil }
        return fixed(text, places: 0)
    }

    /// `2026-01-01T00:00:00Z` (UTC only; a `Z` or `+00:00` suffix) or whole seconds since the epoch,
    /// as seconds since the epoch.
    public static func epochSeconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        if let n = integer(b) { return n }
        guard b.count == 20 || b.count == 25 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? { integer(b[from..<(from + count)]) }
        guard b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A else { return nil }
        if b.count == 20 { guard b[19] == 0x5A else { return nil } } else {
            guard Array(b[19...]) == Array("+00:00".utf8) else { return nil }
        }
        guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2),
              let hh = number(11, 2), let mm = number(14, 2), let ss = number(17, 2),
              m >= 1 && m <= 12, d >= 1 && d <= 31, hh < 24, mm < 60, ss < 60 else { return nil }
        return daysFromCivil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss
    }

    /// Howard Hinnant's days-from-civil (proleptic Gregorian): days since 1970-01-01.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
