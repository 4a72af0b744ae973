import LanternCore

/// Integer resampling of grey images (exact, so every machine gets the same pixels).
enum ImageResampler {
    /// Averages `factor` x `factor` blocks (rounded to nearest); the image's last partial blocks are dropped.
    static func boxAverage(_ image: GreyImage, factor: Int, into target: UnsafeMutablePointer<UInt8>) {
        let w = image.width / factor, h = image.height / factor, area = factor * factor
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0
                for dy in 0..<factor {
                    let row = image.base + (y * factor + dy) * image.stride + x * factor
                    for dx in 0..<factor { sum += Int(row[dx]) }
                }
                target[y * w + x] = UInt8((sum + area / 2) / area)
            }
        }
    }

    /// Where a target column reads from: the two source columns and the weight (0..<65536) of the second.
    struct Column {
        var first: Int
        var second: Int
        var weight: Int64
    }

    /// Bilinear resampling to `width` x `height` with pixel centres aligned (`src = (dst + 0.5) * ratio - 0.5`),
    /// in 16-bit fixed point. `columns` (room for `width`) receives each target column's source columns,
    /// worked out once rather than on every row. The sums are Int64 on every architecture: a pixel times
    /// both weights needs 40 bits, more than armhf's 32-bit Int.
    static func bilinear(
        from image: GreyImage, to target: UnsafeMutablePointer<UInt8>, width: Int, height: Int, columns: UnsafeMutablePointer<Column>
    ) {
        let one: Int64 = 1 << 16
        for x in 0..<width {
            let (x0, x1, fx) = sourcePosition(x, target: width, source: image.width)
            columns[x] = Column(first: x0, second: x1, weight: fx)
        }
        for y in 0..<height {
            let (y0, y1, fy) = sourcePosition(y, target: height, source: image.height)
            let row0 = image.base + y0 &* image.stride, row1 = image.base + y1 &* image.stride
            let out = target + y &* width
            for x in 0..<width {
                let c = columns[x]
                let top = Int64(row0[c.first]) &* (one &- c.weight) &+ Int64(row0[c.second]) &* c.weight
                let bottom = Int64(row1[c.first]) &* (one &- c.weight) &+ Int64(row1[c.second]) &* c.weight
                let value = (top &* (one &- fy) &+ bottom &* fy &+ (1 << 31)) >> 32
                out[x] = UInt8(min(value, 255))
            }
        }
    }

    /// The two source indices around target index `i` and the weight (0..<65536) of the second.
    @inline(__always)
    static func sourcePosition(_ i: Int, target: Int, source: Int) -> (Int, Int, Int64) {
        // (i + 0.5) * source / target - 0.5, in units of 1/65536.
        let position = (Int64(2 * i + 1) * Int64(source) << 16) / Int64(2 * target) - (1 << 15)
        if position <= 0 { return (0, 0, 0) }
        let index = Int(position >> 16)
        if index >= source - 1 { return (source - 1, source - 1, 0) }
        return (index, index + 1, position & 0xFFFF)
    }
}
