/// A site file to start from: the frame size, a calibration, and one zone covering the whole frame (the
/// ground, wherever it is), as JSON text that `SiteConfig.parse` accepts. Zones, lines and a crop are
/// the developer's to draw.
public enum SiteSkeleton {
    public static func json(name: String, width: Int, height: Int, scale: PersonScale, interval: Int = 60) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("name", name)
        w.key("frame")
        w.beginObject()
        w.field("width", width)
        w.field("height", height)
        w.endObject()
        w.key("calibration")
        w.beginObject()
        w.key("personHeights")
        w.beginArray()
        for s in scale.samples {
            w.beginObject()
            w.field("row", s.row, places: 0)
            w.field("height", s.height, places: 1)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.key("zones")
        w.beginArray()
        w.beginObject()
        w.field("name", "ground")
        w.key("points")
        w.beginArray()
        for (x, y) in [(0, 0), (width, 0), (width, height), (0, height)] {
            w.beginArray()
            w.integer(x)
            w.integer(y)
            w.endArray()
        }
        w.endArray()
        w.endObject()
        w.endArray()
        w.field("interval", interval)
        w.endObject()
        return w.text
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
