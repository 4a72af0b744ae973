/// Builds one line of compact JSON into a `String`, with the commas placed for you:
///
///     var json = JSONWriter()
///     json.object { o in
///         o.key("zone"); o.string("north-path")
///         o.key("count"); o.integer(12)
///         o.key("bias"); o.fixed(-0.05, places: 3)
///     }
///     // json.text == #"{"zone":"north-path","count":12,"bias":-0.050}"#
///
/// Numbers are written with integer arithmetic (`formatFixed`), so the bytes are the same on every
/// platform. Non-finite doubles have no JSON form and are written as `null`. The writer does not check
/// that keys and values alternate; a test of the caller's output does.
public struct JSONWriter {
    public private(set) var text: String
    /// Whether the next key or value follows a sibling and needs a ',' first.
    private var needsComma = false

    public init(reservingCapacity capacity: Int = 256) {
        text = ""
        text.reserveCapacity(capacity)
    }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        text.append("{")
        needsComma = false
    }

    public mutating func endObject() {
        text.append("}")
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        text.append("[")
        needsComma = false
    }

    public mutating func endArray() {
        text.append("]")
        needsComma = true
    }

    /// `{`, whatever `body` writes, `}`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    /// `[`, whatever `body` writes, `]`.
    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        beginArray()
        body(&self)
        endArray()
    }

    /// A member name; write its value next.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        text.append(":")
        needsComma = false
    }

    // MARK: Values

    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    public mutating func integer(_ value: Int) {
        separate()
        text.append(String(value))
        needsComma = true
    }

    /// `value` with exactly `places` decimals (see `formatFixed`); `null` if it is NaN or infinite.
    public mutating func fixed(_ value: Double, places: Int) {
        separate()
        text.append(value.isFinite ? formatFixed(value, places: places) : "null")
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        text.append(value ? "true" : "false")
        needsComma = true
    }

    public mutating func null() {
        separate()
        text.append("null")
        needsComma = true
    }

    /// A value already encoded as JSON (a number formatted elsewhere, an entity encoded before),
    /// appended as it is.
    public mutating func raw(_ json: String) {
        separate()
        text.append(json)
        needsComma = true
    }

    // MARK: Members (a key and its value)

    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        integer(value)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func field(_ name: String, _ value: Double, places: Int) {
        key(name)
        fixed(value, places: places)
    }

    /// `value` as a JSON string literal: quoted and escaped, so it is one line whatever it holds.
    /// For echoing names and keys in messages.
    public static func quoted(_ value: String) -> String {
        var json = JSONWriter(reservingCapacity: value.utf8.count + 2)
        json.string(value)
        return json.text
    }

    // MARK: Internals

    private mutating func separate() {
        if needsComma { text.append(",") }
    }

    /// `value` in quotes, escaped per RFC 8259 section 7: '"', '\' and control characters; everything
    /// else (including non-ASCII) as is, in UTF-8.
    private mutating func appendQuoted(_ value: String) {
        text.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x22: text.append("\\\"")
            case 0x5C: text.append("\\\\")
            case 0x0A: text.append("\\n")
            case 0x0D: text.append("\\r")
            case 0x09: text.append("\\t")
            case 0x08: text.append("\\b")
            case 0x0C: text.append("\\f")
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                text.append("\\u00")
                hex.withUTF8Buffer { digits in
                    text.unicodeScalars.append(Unicode.Scalar(digits[Int(scalar.value >> 4)]))
                    text.unicodeScalars.append(Unicode.Scalar(digits[Int(scalar.value & 0xF)]))
                }
            default: text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }
}
