/// The aiming map of `lanternd check --aim`: where motion is seen, as characters (at most 40x15), with
/// the site's zones (outlined with their letter) and counting lines (`|`, `-`, `/`, `\`) drawn over it,
/// so a technician can see that the zones cover the walkway without any picture. Only thresholded
/// foreground density goes in (the estimator's per-cell counts), never pixel values.
public struct AimMap {
    public let columns: Int
    public let rows: Int
    /// The analysed area in frame pixels (the estimator's `area`): what the map covers.
    public let area: PixelRect
    /// Motion density per map cell, 0...1, decaying (row-major).
    public private(set) var density: [Double]

    public static let maxColumns = 40
    public static let maxRows = 15

    /// Sized to the area's shape with characters about twice as tall as wide.
    public init(area: PixelRect) {
        self.area = area
        var columns = AimMap.maxColumns
        var rows = Int((Double(area.height) / Double(max(area.width, 1)) * Double(columns) / 2).rounded())
        if rows > AimMap.maxRows {
            rows = AimMap.maxRows
            columns = min(AimMap.maxColumns, Int((Double(area.width) / Double(max(area.height, 1)) * Double(rows) * 2).rounded()))
        }
        self.columns = max(columns, 1)
        self.rows = max(rows, 1)
        density = [Double](repeating: 0, count: self.columns * self.rows)
    }

    /// Adds one frame's foreground (per 2x2 cell of `area`, 0...4) after decaying the old by `decay`
    /// (0.9: a walker's trail fades over ~10 frames but a walkway used all the time stays dark).
    public mutating func add(cells: UnsafeBufferPointer<UInt8>, cellsWide: Int, cellsHigh: Int, decay: Double = 0.95) {
        var sums = [Int](repeating: 0, count: columns * rows)
        var totals = [Int](repeating: 0, count: columns * rows)
        for y in 0..<cellsHigh {
            let row = min(y * rows / max(cellsHigh, 1), rows - 1)
            for x in 0..<cellsWide {
                let i = row * columns + min(x * columns / max(cellsWide, 1), columns - 1)
                sums[i] += Int(cells[y * cellsWide + x])
                totals[i] += 4
            }
        }
        for i in 0..<density.count {
            let seen = totals[i] > 0 ? Double(sums[i]) / Double(totals[i]) : 0
            // A map cell a person crosses is only partly foreground: scale so a person shows clearly.
            density[i] = min(1, density[i] * decay + min(1, seen * 4) * (1 - decay))
        }
    }

    /// The map's lines (a frame of `+--+` around it) and a legend.
    public func render(site: SiteConfig) -> [String] {
        AimMap.render(density: density, columns: columns, rows: rows, site: site, area: area)
    }

    /// Motion as ` .:oO@` by density, zone outlines as `A`, `B`, ... (the zone's order in the site file),
    /// lines on top. Pure: the same inputs always give the same lines.
    public static func render(density: [Double], columns: Int, rows: Int, site: SiteConfig, area: PixelRect) -> [String] {
        let shades: [Character] = [" ", ".", ":", "o", "O", "@"]
        var grid = [[Character]](repeating: [Character](repeating: " ", count: columns), count: rows)
        for r in 0..<rows {
            for c in 0..<columns {
                let d = density[r * columns + c]
                grid[r][c] = d < 0.02 ? " " : shades[min(1 + Int(d * Double(shades.count - 1)), shades.count - 1)]
            }
        }
        func center(_ c: Int, _ r: Int) -> Point {
            Point(x: Double(area.x) + (Double(c) + 0.5) * Double(area.width) / Double(columns),
                  y: Double(area.y) + (Double(r) + 0.5) * Double(area.height) / Double(rows))
        }
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for (z, zone) in site.zones.enumerated() {
            let letter = letters[z % letters.count]
            var inside = [[Bool]](repeating: [Bool](repeating: false, count: columns), count: rows)
            for r in 0..<rows { for c in 0..<columns { inside[r][c] = zone.area.contains(center(c, r)) } }
            for r in 0..<rows {
                for c in 0..<columns where inside[r][c] {
                    let edge = r == 0 || c == 0 || r == rows - 1 || c == columns - 1
                        || !inside[r - 1][c] || !inside[r + 1][c] || !inside[r][c - 1] || !inside[r][c + 1]
                    if edge { grid[r][c] = letter }
                }
            }
        }
        for line in site.lines {
            let dx = line.to.x - line.from.x, dy = line.to.y - line.from.y
            // Slope in map cells (characters are about twice as tall as wide).
            let cx = dx * Double(columns) / Double(max(area.width, 1)), cy = dy * Double(rows) / Double(max(area.height, 1))
            let glyph: Character
            if abs(cx) < abs(cy) * 0.4 { glyph = "|" } else if abs(cy) < abs(cx) * 0.4 { glyph = "-" } else { glyph = (cx * cy < 0) ? "/" : "\\" }
            let steps = max(Int(max(abs(cx), abs(cy)) * 2), 1)
            for s in 0...steps {
                let t = Double(s) / Double(steps)
                let x = line.from.x + dx * t, y = line.from.y + dy * t
                let c = Int(((x - Double(area.x)) * Double(columns) / Double(area.width)).rounded(.down))
                let r = Int(((y - Double(area.y)) * Double(rows) / Double(area.height)).rounded(.down))
                if c >= 0 && c < columns && r >= 0 && r < rows { grid[r][c] = glyph }
            }
        }
        var lines: [String] = []
        let border = "+" + String(repeating: "-", count: columns) + "+"
        lines.append(border)
        for r in 0..<rows { lines.append("|" + String(grid[r]) + "|") }
        lines.append(border)
        var legend = "motion: . : o O @ (more)"
        for (z, zone) in site.zones.enumerated() { legend += "  \(letters[z % letters.count]) \(zone.name)" }
        for line in site.lines { legend += "  line \(line.name)" }
        lines.append(legend)
        return lines
    }
}
