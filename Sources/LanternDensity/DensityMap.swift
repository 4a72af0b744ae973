/// The density map of the last image a `DensityCounter` analysed, lent by `withDensityMap`: one value
/// per cell, people per cell, row-major. Its memory belongs to the counter and is overwritten by the
/// next `count`.
public struct DensityMap {
    public let width: Int
    public let height: Int
    public let values: UnsafeBufferPointer<Float>
    /// Pixels of the analysed image (before any calibration resampling) one cell spans along x and y:
    /// cell (cx, cy) covers x in [cx * cellWidth, (cx + 1) * cellWidth), likewise y.
    public let cellWidth: Double
    public let cellHeight: Double

    @inlinable
    public subscript(x: Int, y: Int) -> Float {
        precondition(x >= 0 && x < width && y >= 0 && y < height)
        return values[y * width + x]
    }

    /// The sum of the map (people in the image), added row by row in a fixed order.
    public var count: Double {
        var total = 0.0
        for value in values { total += Double(value) }
        return total
    }
}
