/// The empty scene, learnt online as an approximate running median: each frame moves every background
/// pixel one grey level towards the frame (faster during warm-up). A person walking through changes a
/// pixel for a few frames only, so the median ignores them; a parked car is absorbed in a minute or so.
public struct BackgroundModel: ~Copyable {
    public let width: Int
    public let height: Int
    let pixels: UnsafeMutableBufferPointer<UInt8>
    public private(set) var framesSeen = 0

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        pixels = .allocate(capacity: width * height)
        pixels.initialize(repeating: 0)
    }

    deinit { pixels.deallocate() }

    /// Compares `frame` with the background, writes each 2x2 cell's foreground pixel count into `cells`,
    /// and moves the background `rate` grey levels towards the frame, except under the cells `hold` marks
    /// (0xFF; 0 elsewhere, one byte per cell, row-major): there it stays as it was. One pass over the pixels.
    /// The frame must be `width` x `height`; `cells` must be (width/2) x (height/2); an odd last row or
    /// column is ignored.
    public mutating func subtract(
        _ frame: GreyImage, threshold: UInt8, rate: UInt8, into cells: borrowing CellGrid, hold: UnsafePointer<UInt8>? = nil
    ) {
        precondition(frame.width == width && frame.height == height, "BackgroundModel: frame size changed")
        precondition(cells.width == width / 2 && cells.height == height / 2, "BackgroundModel: cell grid size")
        if framesSeen == 0 {
            for y in 0..<height {
                (pixels.baseAddress! + y * width).update(from: frame.base + y * frame.stride, count: width)
            }
        }
        framesSeen += 1
        let bg = pixels.baseAddress!
        let out = cells.counts.baseAddress!
        let cw = cells.width
        for cy in 0..<cells.height {
            let f0 = frame.base + (2 * cy) * frame.stride, f1 = f0 + frame.stride
            let b0 = bg + (2 * cy) * width, b1 = b0 + width
            let o = out + cy * cw
            let held = hold.map { $0 + cy * cw }
            var x = 0
            let rates = SIMD16<UInt8>(repeating: rate)
            // 32 pixels (16 cells) at a time.
            while x + 32 <= 2 * cw {
                var r0 = rates, r1 = rates
                if let held {
                    r0 &= Self.pixelMask(held + x / 2) ^ 0xFF
                    r1 &= Self.pixelMask(held + x / 2 + 8) ^ 0xFF
                }
                let c0 = Self.step(f0 + x, b0 + x, threshold: threshold, rates: r0)
                     &+ Self.step(f1 + x, b1 + x, threshold: threshold, rates: r0)
                let c1 = Self.step(f0 + x + 16, b0 + x + 16, threshold: threshold, rates: r1)
                     &+ Self.step(f1 + x + 16, b1 + x + 16, threshold: threshold, rates: r1)
                UnsafeMutableRawPointer(o + x / 2).storeBytes(of: Self.pairSums(c0), as: SIMD8<UInt8>.self)
                UnsafeMutableRawPointer(o + x / 2 + 8).storeBytes(of: Self.pairSums(c1), as: SIMD8<UInt8>.self)
                x += 32
            }
            while x + 2 <= 2 * cw {
                var n: UInt8 = 0
                let r = held.map { $0[x / 2] == 0 ? rate : 0 } ?? rate
                n &+= Self.stepScalar(f0 + x, b0 + x, threshold: threshold, rate: r)
                n &+= Self.stepScalar(f0 + x + 1, b0 + x + 1, threshold: threshold, rate: r)
                n &+= Self.stepScalar(f1 + x, b1 + x, threshold: threshold, rate: r)
                n &+= Self.stepScalar(f1 + x + 1, b1 + x + 1, threshold: threshold, rate: r)
                o[x / 2] = n
                x += 2
            }
        }
    }

    /// 16 pixels: returns 1 where foreground, 0 elsewhere, and updates the background in place.
    @inline(__always)
    static func step(_ f: UnsafePointer<UInt8>, _ b: UnsafeMutablePointer<UInt8>, threshold: UInt8, rates: SIMD16<UInt8>) -> SIMD16<UInt8> {
        let fv = UnsafeRawPointer(f).loadUnaligned(as: SIMD16<UInt8>.self)
        let bv = UnsafeRawPointer(b).loadUnaligned(as: SIMD16<UInt8>.self)
        // Only `.<` masks, and no mask negation: in Swift 6.3 those are what vectorise (`.>` and `.!`
        // build the mask lane by lane, 20x slower).
        let darker = fv .< bv
        let diff = (fv &- bv).replacing(with: bv &- fv, where: darker)
        let move = diff.replacing(with: rates, where: rates .< diff)
        let next = (bv &+ move).replacing(with: bv &- move, where: darker)
        UnsafeMutableRawPointer(b).storeBytes(of: next, as: SIMD16<UInt8>.self)
        let thresholds = SIMD16<UInt8>(repeating: threshold)
        let ones = SIMD16<UInt8>(repeating: 1)
        return (diff & 0).replacing(with: ones, where: thresholds .< diff)
    }

    /// 8 cells' bytes, each repeated for the cell's two pixels of a row (no shuffles: widen and add a copy
    /// shifted into the high byte).
    @inline(__always)
    static func pixelMask(_ cellBytes: UnsafePointer<UInt8>) -> SIMD16<UInt8> {
        let wide = SIMD8<UInt16>(truncatingIfNeeded: UnsafeRawPointer(cellBytes).loadUnaligned(as: SIMD8<UInt8>.self))
        return unsafeBitCast(wide | (wide &<< 8), to: SIMD16<UInt8>.self)
    }

    /// Sums of adjacent lanes (0+1, 2+3, ...): read the 16 bytes as 8 little-endian 16-bit lanes and add
    /// each lane's low and high byte (no shuffles, which Swift 6.3 does not vectorise).
    @inline(__always)
    static func pairSums(_ v: SIMD16<UInt8>) -> SIMD8<UInt8> {
        let wide = unsafeBitCast(v, to: SIMD8<UInt16>.self)
        return SIMD8<UInt8>(truncatingIfNeeded: (wide & 0x00FF) &+ (wide &>> 8))
    }

    @inline(__always)
    static func stepScalar(_ f: UnsafePointer<UInt8>, _ b: UnsafeMutablePointer<UInt8>, threshold: UInt8, rate: UInt8) -> UInt8 {
        let fv = f.pointee, bv = b.pointee
        let diff = fv > bv ? fv - bv : bv - fv
        let move = min(diff, rate)
        b.pointee = fv > bv ? bv + move : bv - move
        return diff > threshold ? 1 : 0
    }
}
