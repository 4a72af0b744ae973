/// Input echoed in an error line, made safe for one line: control characters escaped (`\u{d}`), and
/// cut at `limit` characters with `…`. A 100 MB key or a CRLF header then gives a short, readable
/// line instead of a flood or a broken one.
public enum ShownText {
    /// Longest error line either tool writes (`lanternd: …`), characters.
    public static let lineLimit = 200

    public static func shown(_ text: String, limit: Int = 60) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    /// `shown` for bytes that may not be UTF-8 (a clip header token).
    public static func shown(_ bytes: some Collection<UInt8>, limit: Int = 60) -> String {
        shown(String(decoding: bytes.prefix(limit * 4 + 4), as: UTF8.self), limit: limit)
    }

    /// One error line's message: control characters escaped, the whole line (with the tool's name)
    /// at most `lineLimit` characters.
    public static func line(_ text: String) -> String {
        shown(text, limit: lineLimit - 14)  // room for the tool name (`lantern-sim: `) and the `…`
    }
}
