/// A grid of 2x2-pixel cells: for each, how many of its four pixels are foreground (0...4).
/// Working at cell resolution quarters the cost of everything after the per-pixel pass, and a person is
/// always many cells tall, so nothing countable is lost.
public struct CellGrid: ~Copyable {
    public let width: Int
    public let height: Int
    /// Foreground pixel count per cell, row-major.
    public let counts: UnsafeMutableBufferPointer<UInt8>
    /// Connectivity mask (counts > 0, then closed), row-major.
    public let mask: UnsafeMutableBufferPointer<UInt8>
    /// Scratch for the closing.
    let scratch: UnsafeMutableBufferPointer<UInt8>

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        counts = .allocate(capacity: width * height)
        mask = .allocate(capacity: width * height)
        scratch = .allocate(capacity: width * height)
        counts.initialize(repeating: 0)
        mask.initialize(repeating: 0)
        scratch.initialize(repeating: 0)
    }

    deinit {
        counts.deallocate()
        mask.deallocate()
        scratch.deallocate()
    }

    /// Total foreground pixels over all cells.
    public func foregroundPixels() -> Int {
        let c = counts.baseAddress!
        let n = width * height
        var total = 0
        var i = 0
        // 8-bit partial sums (at most 4 per cell, so 63 cells fit in a byte) widened every chunk.
        while i < n {
            let end = min(i + 63, n)
            var s: UInt8 = 0
            for j in i..<end { s &+= c[j] }
            total += Int(s)
            i = end
        }
        return total
    }

    /// Builds `mask` from `counts` and closes it (dilate, then erode) with a window of 3 rows by 2 columns,
    /// so that a person split at the waist or by a thin occluder (a lamppost) stays one blob.
    public func buildConnectivityMask() {
        let w = width, h = height
        let m = mask.baseAddress!, s = scratch.baseAddress!, c = counts.baseAddress!
        for i in 0..<(w * h) { m[i] = c[i] == 0 ? 0 : 1 }
        // Dilate: horizontal (x, x+1) into scratch, vertical (y-1...y+1) back into mask.
        Self.horizontalPair(from: m, to: s, width: w, height: h)
        Self.verticalTriple(from: s, to: m, width: w, height: h, dilate: true)
        // Erode: the mirrored window (x-1, x) so the closing does not shift blobs.
        Self.horizontalPairMirrored(from: m, to: s, width: w, height: h)
        Self.verticalTriple(from: s, to: m, width: w, height: h, dilate: false)
    }

    @inline(__always)
    static func horizontalPair(from a: UnsafeMutablePointer<UInt8>, to b: UnsafeMutablePointer<UInt8>, width w: Int, height h: Int) {
        for y in 0..<h {
            let r = y * w
            for x in 0..<(w - 1) { b[r + x] = a[r + x] | a[r + x + 1] }
            b[r + w - 1] = a[r + w - 1]
        }
    }

    @inline(__always)
    static func horizontalPairMirrored(from a: UnsafeMutablePointer<UInt8>, to b: UnsafeMutablePointer<UInt8>, width w: Int, height h: Int) {
        for y in 0..<h {
            let r = y * w
            b[r] = a[r]
            for x in 1..<w { b[r + x] = a[r + x] & a[r + x - 1] }
        }
    }

    @inline(__always)
    static func verticalTriple(from a: UnsafeMutablePointer<UInt8>, to b: UnsafeMutablePointer<UInt8>, width w: Int, height h: Int, dilate: Bool) {
        for y in 0..<h {
            let up = y > 0 ? y - 1 : y, down = y < h - 1 ? y + 1 : y
            let r = y * w, ru = up * w, rd = down * w
            if dilate {
                for x in 0..<w { b[r + x] = a[ru + x] | a[r + x] | a[rd + x] }
            } else {
                for x in 0..<w { b[r + x] = a[ru + x] & a[r + x] & a[rd + x] }
            }
        }
    }
}
