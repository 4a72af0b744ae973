import LanternCore

/// The site drawn over a frame as SVG elements in frame pixel coordinates: the crop, the zones, the
/// counting lines (with their in side) and the calibration ruler (a person's height at a few rows).
public struct SiteOverlay {
    public var site: SiteConfig
    public var frameWidth: Int
    public var frameHeight: Int

    public init(site: SiteConfig, frameWidth: Int, frameHeight: Int) {
        self.site = site
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
    }

    /// Colours of zones, in site order (cycled).
    public static let zoneColours = ["#2e86de", "#10ac84", "#f368e0", "#ff9f43", "#8854d0", "#00d2d3", "#ee5253", "#c8d6e5"]

    public var svg: String {
        var out = ""
        let n = HTMLText.number
        if let crop = site.crop {
            out += "<rect class=\"crop\" x=\"\(crop.x)\" y=\"\(crop.y)\" width=\"\(crop.width)\" height=\"\(crop.height)\" fill=\"none\" stroke=\"#feca57\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
        }
        for (i, zone) in site.zones.enumerated() {
            let colour = SiteOverlay.zoneColours[i % SiteOverlay.zoneColours.count]
            let points = zone.area.points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
            out += "<polygon class=\"zone\" points=\"\(points)\" fill=\"\(colour)\" fill-opacity=\"0.18\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
            if let p = zone.area.points.first {
                out += label(HTMLText.escaped(zone.name), x: p.x + 3, y: p.y + 12, colour: colour)
            }
        }
        for line in site.lines {
            out += "<line class=\"count-line\" x1=\"\(n(line.from.x))\" y1=\"\(n(line.from.y))\" x2=\"\(n(line.to.x))\" y2=\"\(n(line.to.y))\" stroke=\"#ff3f34\" stroke-width=\"2.5\"/>"
            // The in side: left of from -> to as seen in the image (y down), a small arrow at the middle.
            let mx = (line.from.x + line.to.x) / 2, my = (line.from.y + line.to.y) / 2
            let dx = line.to.x - line.from.x, dy = line.to.y - line.from.y
            let len = max((dx * dx + dy * dy).squareRoot(), 1)
            let lx = dy / len * 12, ly = -dx / len * 12
            out += "<line x1=\"\(n(mx))\" y1=\"\(n(my))\" x2=\"\(n(mx + lx))\" y2=\"\(n(my + ly))\" stroke=\"#ff3f34\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
            out += label(HTMLText.escaped(line.name) + " (in)", x: mx + lx + 2, y: my + ly, colour: "#ff3f34")
        }
        out += ruler
        return out
    }

    /// A person's height drawn as a bar at the calibration rows and between them, near the left edge.
    var ruler: String {
        let n = HTMLText.number
        let rows = site.scale.samples.map(\.row)
        guard let low = rows.min(), let high = rows.max() else { return "" }
        var marks = rows
        let step = (high - low) / 3
        if step > 0 { marks += [low + step, low + 2 * step] }
        var out = "<g class=\"ruler\">"
        for (k, row) in marks.sorted().enumerated() {
            guard row > 0 && row <= Double(frameHeight) else { continue }
            let h = site.scale.height(atFootRow: row)
            let x = 8.0 + Double(k) * 10
            out += "<line x1=\"\(n(x))\" y1=\"\(n(row))\" x2=\"\(n(x))\" y2=\"\(n(row - h))\" stroke=\"#ffffff\" stroke-width=\"3\"/>"
            out += "<line x1=\"\(n(x))\" y1=\"\(n(row))\" x2=\"\(n(x))\" y2=\"\(n(row - h))\" stroke=\"#222f3e\" stroke-width=\"1.5\"/>"
            out += "<line x1=\"\(n(x - 3))\" y1=\"\(n(row))\" x2=\"\(n(x + 3))\" y2=\"\(n(row))\" stroke=\"#222f3e\" stroke-width=\"1.5\"/>"
            out += label("\(Int(h.rounded())) px", x: x + 3, y: row - h / 2, colour: "#222f3e", size: 8)
        }
        return out + "</g>"
    }

    func label(_ text: String, x: Double, y: Double, colour: String, size: Int = 11) -> String {
        let n = HTMLText.number
        return "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(size)\" font-family=\"sans-serif\" fill=\"\(colour)\" stroke=\"#fff\" stroke-width=\"2.5\" paint-order=\"stroke\">\(text)</text>"
    }

    /// The arrowhead the lines' in-side marks use; put once in an SVG's `<defs>`.
    public static let arrowMarker =
        "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#ff3f34\"/></marker>"
}
