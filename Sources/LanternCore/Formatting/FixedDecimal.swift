/// Fixed-point decimal text for doubles, computed with integer arithmetic only from the double's
/// bits, so the same value gives the same bytes on every platform and in Embedded Swift (which has no
/// `String(format:)` and no float description to fall back on).

/// `value` with exactly `places` digits after the point (none, and no point, when `places` is 0).
///
/// The decimal is the exact binary value rounded half away from zero: 0.125 with 2 places is "0.13",
/// -2.5 with 0 places is "-3". (A literal such as 1.005 is stored as 1.00499999999999989..., so it
/// becomes "1.00": the rounding is of the value the double holds, as `printf` does, but never
/// dependent on the C library's rounding mode.) A result that rounds to zero is never negative:
/// -0.0004 with 3 places is "0.000". NaN is "nan", infinities are "inf" and "-inf". Any finite
/// double is written in full, e.g. 1e300 as its 301 integer digits.
public func formatFixed(_ value: Double, places: Int) -> String {
    precondition(places >= 0, "formatFixed: places must be >= 0")
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }

    // |value| = significand × 2^exponent, exactly.
    let bits = value.bitPattern
    let biased = Int((bits >> 52) & 0x7FF)
    let fraction = bits & ((1 << 52) - 1)
    let significand = biased == 0 ? fraction : fraction | (1 << 52)
    let exponent = (biased == 0 ? 1 : biased) - 1075

    // scaled = round(|value| × 10^places), half away from zero.
    var scaled = BigUInt(significand)
    scaled.multiplyByPowerOfTen(places)
    if exponent >= 0 {
        scaled.shiftLeft(exponent)
    } else {
        let halfOrMore = scaled.bit(-exponent - 1)
        scaled.shiftRight(-exponent)
        if halfOrMore { scaled.addOne() }
    }

    let digits = scaled.decimalDigits()
    var text: [UInt8] = []
    text.reserveCapacity(digits.count + places + 3)
    if value.sign == .minus && !scaled.isZero { text.append(UInt8(ascii: "-")) }
    // At least one digit before the point: pad with zeros to places + 1 digits.
    let padded = max(places + 1 - digits.count, 0)
    let integerCount = digits.count + padded - places
    var written = 0
    for k in 0..<(digits.count + padded) {
        if written == integerCount { text.append(UInt8(ascii: ".")) }
        text.append(k < padded ? UInt8(ascii: "0") : digits[k - padded])
        written += 1
    }
    return String(decoding: text, as: UTF8.self)
}

/// Like `formatFixed`, with a '+' before non-negative results: "+0.123", "-0.050", "+0.000", "+inf".
/// NaN stays "nan". For signed quantities such as a bias, where the sign is the point.
public func formatSigned(_ value: Double, places: Int) -> String {
    let text = formatFixed(value, places: places)
    if value.isNaN || text.utf8.first == UInt8(ascii: "-") { return text }
    return "+" + text
}

/// `value` with at most `maximumPlaces` decimals and no trailing zeros: 12.5 → "12.5", -3 → "-3",
/// 0.1 → "0.1". For messages that echo a number back; rounding as in `formatFixed`.
public func formatTrimmed(_ value: Double, maximumPlaces: Int = 6) -> String {
    let text = formatFixed(value, places: maximumPlaces)
    guard maximumPlaces > 0, !value.isNaN, !value.isInfinite else { return text }
    var bytes = Array(text.utf8)
    while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
    if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
}

/// An unsigned integer of any size, little-endian base-2^32 limbs, with only the operations
/// `formatFixed` needs. A double times a power of ten needs at most a few hundred limbs.
private struct BigUInt {
    var limbs: [UInt32]

    init(_ value: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        normalise()
    }

    var isZero: Bool { limbs.isEmpty }

    mutating func normalise() {
        while limbs.last == 0 { limbs.removeLast() }
    }

    mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for k in 0..<limbs.count {
            let product = UInt64(limbs[k]) * UInt64(factor) + carry
            limbs[k] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    mutating func multiplyByPowerOfTen(_ n: Int) {
        var remaining = n
        while remaining >= 9 {
            multiply(by: 1_000_000_000)
            remaining -= 9
        }
        var factor: UInt32 = 1
        for _ in 0..<remaining { factor *= 10 }
        if factor != 1 { multiply(by: factor) }
    }

    /// Bit `n` (0 is the least significant).
    func bit(_ n: Int) -> Bool {
        let limb = n / 32
        guard limb < limbs.count else { return false }
        return (limbs[limb] >> UInt32(n % 32)) & 1 == 1
    }

    mutating func shiftLeft(_ n: Int) {
        guard !isZero, n > 0 else { return }
        let whole = n / 32, part = UInt32(n % 32)
        if part != 0 {
            var carry: UInt32 = 0
            for k in 0..<limbs.count {
                let limb = limbs[k]
                limbs[k] = limb << part | carry
                carry = limb >> (32 - part)
            }
            if carry != 0 { limbs.append(carry) }
        }
        if whole > 0 { limbs.insert(contentsOf: repeatElement(0, count: whole), at: 0) }
    }

    mutating func shiftRight(_ n: Int) {
        let whole = n / 32, part = UInt32(n % 32)
        if whole >= limbs.count {
            limbs = []
            return
        }
        limbs.removeFirst(whole)
        if part != 0 {
            for k in 0..<limbs.count {
                let high: UInt32 = k + 1 < limbs.count ? limbs[k + 1] << (32 - part) : 0
                limbs[k] = limbs[k] >> part | high
            }
        }
        normalise()
    }

    mutating func addOne() {
        for k in 0..<limbs.count {
            limbs[k] &+= 1
            if limbs[k] != 0 { return }
        }
        limbs.append(1)
    }

    /// Divides by `divisor` in place; returns the remainder.
    mutating func divide(by divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        var k = limbs.count - 1
        while k >= 0 {
            let current = remainder << 32 | UInt64(limbs[k])
            limbs[k] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
            k -= 1
        }
        normalise()
        return UInt32(remainder)
    }

    /// The decimal digits, most significant first, as ASCII; "0" for zero.
    func decimalDigits() -> [UInt8] {
        if isZero { return [UInt8(ascii: "0")] }
        var rest = self
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !rest.isZero { chunks.append(rest.divide(by: 1_000_000_000)) }
        var digits: [UInt8] = []
        digits.reserveCapacity(chunks.count * 9)
        for (n, chunk) in chunks.reversed().enumerated() {
            var chunkDigits: [UInt8] = []
            var c = chunk
            repeat {
                chunkDigits.append(UInt8(ascii: "0") + UInt8(c % 10))
                c /= 10
            } while c != 0
            // Every chunk but the leading one has exactly nine digits.
            if n > 0 { for _ in chunkDigits.count..<9 { digits.append(UInt8(ascii: "0")) } }
            digits.append(contentsOf: chunkDigits.reversed())
        }
        return digits
    }
}
