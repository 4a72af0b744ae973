/// Text made safe for HTML and SVG (element content and quoted attributes).
public enum HTMLText {
    public static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A number for an SVG coordinate: at most 2 decimals, no exponent.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return String(format2: r)
    }
}

extension String {
    init(format2 v: Double) {
        let scaled = Int((abs(v) * 100).rounded())
        let frac = scaled % 100
        self = (v < 0 ? "-" : "") + "\(scaled / 100)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
