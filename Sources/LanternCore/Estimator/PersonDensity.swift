/// What one foreground cell is worth, in people, at each cell row; and which zones a cell's person
/// stands in. Both depend only on the site's perspective and zones, so they are computed once per stream.
///
/// A standing person whose body centre is at row y is h(y) pixels tall and covers about
/// `personAreaFactor * h(y)^2` foreground pixels, so each foreground pixel there is worth the inverse of
/// that. Summing over a blob gives its head count however many people have merged into it.
public struct PersonDensity {
    /// People per foreground pixel, per cell row.
    public let weightPerPixel: [Double]
    /// Bit i set: a foot point at the bottom of this cell lies in zone i. Row-major cells.
    public let zoneMask: [UInt32]
    public let zoneCount: Int

    /// - Parameters:
    ///   - origin: the full-frame position of the analysed area's top-left corner (the crop).
    public init(scale: PersonScale, zones: [SiteConfig.Zone], cellsWide: Int, cellsHigh: Int, origin: (x: Int, y: Int), areaFactor: Double) {
        precondition(zones.count <= 32, "PersonDensity: at most 32 zones")
        var weights = [Double](repeating: 0, count: cellsHigh)
        for cy in 0..<cellsHigh {
            let row = Double(origin.y + 2 * cy) + 1
            let h = scale.height(atCentreRow: row)
            weights[cy] = 1 / (areaFactor * h * h)
        }
        var mask = [UInt32](repeating: 0, count: cellsWide * cellsHigh)
        if !zones.isEmpty {
            for cy in 0..<cellsHigh {
                for cx in 0..<cellsWide {
                    let foot = Point(x: Double(origin.x + 2 * cx) + 1, y: Double(origin.y + 2 * cy + 2))
                    var bits: UInt32 = 0
                    for (i, zone) in zones.enumerated() where zone.area.contains(foot) { bits |= 1 << UInt32(i) }
                    mask[cy * cellsWide + cx] = bits
                }
            }
        }
        weightPerPixel = weights
        zoneMask = mask
        zoneCount = zones.count
    }
}
