/// A site file to start from: the frame size, a calibration, and one zone covering the whole frame (the
/// ground, wherever it is), as JSON text that `SiteConfig.parse` accepts. Zones, lines and a crop are
/// the developer's to draw.
public enum SiteSkeleton {
    public static func json(name: String, width: Int, height: Int, scale: PersonScale, interval: Int = 60) -> String {
        // One key per line, as the README's example, so it is easy to edit by hand.
        let w = "\(width)", h = "\(height)"
        var text = "{\n"
        text += "  \"name\": " + JSONWriter.quoted(name) + ",\n"
        text += "  \"frame\": { \"width\": \(w), \"height\": \(h) },\n"
        text += "  \"calibration\": { " + personHeightsLine(scale) + " },\n"
        text += "  \"zones\": [ { \"name\": \"ground\", \"points\": [[0, 0], [\(w), 0], [\(w), \(h)], [0, \(h)]] } ],\n"
        text += "  \"interval\": \(interval)\n"
        text += "}"
        return text
    }

    /// The `personHeights` line to paste into a site file's `calibration`.
    public static func personHeightsLine(_ scale: PersonScale) -> String {
        var text = "\"personHeights\": ["
        for (i, s) in scale.samples.enumerated() {
            text += (i == 0 ? " " : ", ") + "{ \"row\": \(formatFixed(s.row, places: 0)), \"height\": \(formatFixed(s.height, places: 1)) }"
        }
        return text + " ]"
    }
}
