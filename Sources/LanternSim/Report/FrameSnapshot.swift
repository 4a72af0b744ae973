import LanternCore
import LanternDensity

/// One frame as the report shows it: its pixels and what the estimator saw in it (foreground cells of
/// the analysed area and, when the density model ran, its density map), with the count and the truth.
public struct FrameSnapshot {
    public var index: Int
    public var width: Int
    public var height: Int
    /// The frame's luma, `width * height` bytes.
    public var pixels: [UInt8]
    /// Foreground pixels per 2x2 cell (0...4) of `area`, `cellsWide * cellsHigh`.
    public var foregroundCells: [UInt8]
    public var cellsWide: Int
    public var cellsHigh: Int
    /// The analysed area (the crop inside the shake margin), frame pixels.
    public var area: PixelRect
    public var count: Int
    public var truth: Int?
    public var condition: String
    /// The density model's map over the crop (people per cell), its size, and one cell's size in frame pixels.
    public var density: [Float] = []
    public var densityWide = 0, densityHigh = 0
    public var densityCellWidth = 0.0, densityCellHeight = 0.0
    public var densityCount = 0.0

    /// The frame, grey.
    public var framePNG: PNGImage { PNGImage(width: width, height: height, pixels: .grey, data: pixels) }

    /// The foreground cells as a cyan mask (one PNG pixel per cell; opaque where all 4 pixels moved).
    public var foregroundPNG: PNGImage? {
        guard cellsWide > 0 && cellsHigh > 0 else { return nil }
        var rgba = [UInt8](repeating: 0, count: cellsWide * cellsHigh * 4)
        for (i, c) in foregroundCells.enumerated() where c > 0 {
            rgba[4 * i] = 0
            rgba[4 * i + 1] = 230
            rgba[4 * i + 2] = 255
            rgba[4 * i + 3] = UInt8(min(255, 60 + Int(c) * 45))
        }
        return PNGImage(width: cellsWide, height: cellsHigh, pixels: .rgba, data: rgba)
    }

    /// The density map as a magenta heat mask, scaled to its largest cell.
    public var densityPNG: PNGImage? {
        guard densityWide > 0 && densityHigh > 0, let top = density.max(), top > 0 else { return nil }
        var rgba = [UInt8](repeating: 0, count: densityWide * densityHigh * 4)
        for (i, v) in density.enumerated() where v > 0 {
            rgba[4 * i] = 255
            rgba[4 * i + 1] = 0
            rgba[4 * i + 2] = 200
            rgba[4 * i + 3] = UInt8(min(220.0, 220 * Double(v / top)))
        }
        return PNGImage(width: densityWide, height: densityHigh, pixels: .rgba, data: rgba)
    }

    /// Runs the density model on the frame's crop (calibrated by the site) and keeps its map.
    mutating func addDensity(counter: DensityCounter, site: SiteConfig) {
        let crop = (site.crop ?? PixelRect(x: 0, y: 0, width: width, height: height)).clamped(width: width, height: height)
        pixels.withUnsafeBufferPointer { buffer in
            let image = GreyImage(unsafePixels: buffer.baseAddress!, width: width, height: height, stride: width).cropped(to: crop)
            densityCount = counter.count(image, personScale: site.scale, frameRowOffset: crop.y)
            counter.withDensityMap { map in
                density = Array(map.values)
                densityWide = map.width
                densityHigh = map.height
                densityCellWidth = map.cellWidth
                densityCellHeight = map.cellHeight
            }
        }
    }
}
