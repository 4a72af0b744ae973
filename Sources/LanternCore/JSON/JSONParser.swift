/// Where and why a JSON text is malformed. `line` and `column` count from 1; columns count Unicode
/// scalars, so they match what an editor shows for a UTF-8 file.
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// One line, e.g. `line 3, column 14: expected ',' or '}'`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 JSON parser: no comments, no trailing commas, no NaN or Infinity, no leading
/// zeros, no unescaped control characters, well-formed UTF-8 only, no duplicate keys, nothing after
/// the value but whitespace. A leading UTF-8 byte order mark is skipped (RFC 8259 section 8.1 allows it).
///
/// Numbers become `Double` without the C library: exact (correctly rounded) when the significand has
/// at most 15 digits and the decimal exponent is within ±22, which covers every number a site file
/// holds; otherwise within a few units in the last place.
public enum JSONParser {
    /// Arrays and objects nest at most this deep; deeper input is rejected, not recursed into.
    public static let maximumDepth = 64

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = Parser(bytes: bytes)
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct Parser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if i < bytes.count { throw error("expected the end of the input after the JSON value") }
        return value
    }

    // MARK: Values

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard i < bytes.count else { throw error("expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("expected a value")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        i += 1  // '{'
        var members: [(key: String, value: JSONValue)] = []
        var seen = KeySet()
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard i < bytes.count && bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyStart = i
            let key = try parseString()
            if !seen.insert(key) { throw error("duplicate key \(JSONWriter.quoted(key))", at: keyStart) }
            skipWhitespace()
            guard i < bytes.count && bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after the key") }
            i += 1
            let value = try parseValue(depth: depth)
            members.append((key: key, value: value))
            skipWhitespace()
            guard i < bytes.count else { throw error("expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
            } else if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        i += 1  // '['
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard i < bytes.count else { throw error("expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
            } else if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(elements)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func parseLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = i
        let count = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { w in
            guard bytes.count - start >= w.count else { return false }
            for k in 0..<w.count where bytes[start + k] != w[k] { return false }
            return true
        }
        // A literal must also end there: "nullx" is not null followed by garbage we could name better.
        guard matches, start + count == bytes.count || !isLetter(bytes[start + count]) else {
            throw error("expected a value")
        }
        i = start + count
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        i += 1  // '"'
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            } else if b == UInt8(ascii: "\\") {
                try parseEscape(into: &out)
            } else if b < 0x20 {
                throw error("control character in a string (write it as an escape such as \\n)")
            } else if b < 0x80 {
                out.append(b)
                i += 1
            } else {
                let length = try utf8SequenceLength()
                out.append(contentsOf: bytes[i..<(i + length)])
                i += length
            }
        }
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        let start = i
        i += 1  // '\'
        guard i < bytes.count else { throw error("unterminated string") }
        let c = bytes[i]
        i += 1
        switch c {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            var scalar = unit
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate (RFC 8259 section 7).
                guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate in a \\u escape", at: start)
                }
                i += 2
                let low = try parseHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else { throw error("unpaired surrogate in a \\u escape", at: start) }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error("unpaired surrogate in a \\u escape", at: start)
            }
            appendUTF8(scalar, to: &out)
        default:
            throw error("invalid escape sequence", at: start)
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count, let digit = hexValue(bytes[i]) else {
                throw error("expected 4 hexadecimal digits after \\u")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `i` (Unicode 15, table 3-7), or an error.
    func utf8SequenceLength() throws(JSONParseError) -> Int {
        let b0 = bytes[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // bounds of the second byte
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F  // no UTF-16 surrogates
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
        default: throw error("invalid UTF-8")
        }
        guard i + length <= bytes.count, bytes[i + 1] >= low, bytes[i + 1] <= high else { throw error("invalid UTF-8") }
        for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { throw error("invalid UTF-8") }
        return length
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        // The significand's first 19 digits, and the power of ten that scales it.
        var significand: UInt64 = 0
        var digits = 0
        var exponent = 0

        guard i < bytes.count, isDigit(bytes[i]) else { throw error("expected a digit", at: i) }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count && isDigit(bytes[i]) { throw error("a number must not have a leading zero", at: start) }
        } else {
            while i < bytes.count && isDigit(bytes[i]) {
                if digits < 19 {
                    significand = significand * 10 + UInt64(bytes[i] - 0x30)
                    digits += 1
                } else {
                    exponent += 1
                }
                i += 1
            }
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("expected a digit after '.'") }
            while i < bytes.count && isDigit(bytes[i]) {
                if digits < 19 {
                    if significand != 0 || bytes[i] != UInt8(ascii: "0") {
                        significand = significand * 10 + UInt64(bytes[i] - 0x30)
                        digits += 1
                    }
                    exponent -= 1
                }
                i += 1
            }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("expected a digit in the exponent") }
            var written = 0
            while i < bytes.count && isDigit(bytes[i]) {
                if written < 100_000 { written = written * 10 + Int(bytes[i] - 0x30) }  // saturates far beyond any double
                i += 1
            }
            exponent += exponentNegative ? -written : written
        }
        let magnitude = scaledByPowerOfTen(significand, exponent)
        guard magnitude.isFinite else { throw error("number out of range", at: start) }
        return negative ? -magnitude : magnitude
    }

    // MARK: Positions and errors

    mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    func error(_ message: String) -> JSONParseError {
        error(message, at: i)
    }

    /// The error at byte `offset`, with its line and column worked out only now (errors are rare).
    func error(_ message: String, at offset: Int) -> JSONParseError {
        var line = 1, column = 1
        var k = 0
        while k < offset && k < bytes.count {
            if bytes[k] == 0x0A {
                line += 1
                column = 1
            } else if bytes[k] & 0xC0 != 0x80 {
                column += 1
            }
            k += 1
        }
        let ended = offset >= bytes.count
        return JSONParseError(line: line, column: column, message: ended ? message + " but the input ended" : message)
    }
}

/// Keys seen in one object: a linear scan while small (most objects), hashed once large, so a hostile
/// file with many keys costs O(n), not O(n²). Keys compare by UTF-8 bytes.
private struct KeySet {
    var small: [String] = []
    var large: Set<[UInt8]>? = nil

    /// Adds `key`; false if it was already there.
    mutating func insert(_ key: String) -> Bool {
        if large != nil {
            return large!.insert(Array(key.utf8)).inserted
        }
        for seen in small where seen.utf8.elementsEqual(key.utf8) { return false }
        small.append(key)
        if small.count > 16 {
            var set = Set<[UInt8]>()
            for seen in small { set.insert(Array(seen.utf8)) }
            large = set
            small = []
        }
        return true
    }
}

/// `significand` × 10^`exponent` as a double. Exact inputs (significand < 2^53, |exponent| <= 22)
/// give the correctly rounded result (one rounding, Clinger's fast path); others round a few times.
private func scaledByPowerOfTen(_ significand: UInt64, _ exponent: Int) -> Double {
    if significand == 0 { return 0 }
    var value = Double(significand)
    if significand < (1 << 53) && exponent >= -22 && exponent <= 22 {
        let scale = powerOfTen(abs(exponent))
        return exponent >= 0 ? value * scale : value / scale
    }
    var e = exponent
    // Past these the result is certainly infinite or zero; stop early instead of looping for long.
    if e > 400 { return .infinity }
    if e < -400 { return 0 }
    while e > 0 {
        let step = min(e, 22)
        value *= powerOfTen(step)
        e -= step
    }
    while e < 0 {
        let step = min(-e, 22)
        value /= powerOfTen(step)
        e += step
    }
    return value
}

/// 10^n for 0 <= n <= 22, exact in a double.
private func powerOfTen(_ n: Int) -> Double {
    var p = 1.0
    for _ in 0..<n { p *= 10 }
    return p
}

private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | scalar >> 6))
        out.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | scalar >> 12))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    default:
        out.append(UInt8(0xF0 | scalar >> 18))
        out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    }
}

private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

private func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
}
