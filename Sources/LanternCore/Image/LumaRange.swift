/// The grey levels a camera uses for black and white. Video cameras and most encoders (ffmpeg's
/// `yuv420p`, ITU-R BT.601/709 "limited" or "TV" range) put black at 16 and white at 235; still-image
/// pipelines and `gray` clips use all of 0...255 ("full" or "PC" range). A limited-range picture of a scene
/// has 219/255 of the contrast of a full-range one, so every threshold on a grey-level difference or level
/// has to be read in the camera's range, or the same scene counts differently on the two.
public struct LumaRange: Equatable, Sendable {
    /// The grey level of black.
    public var black: UInt8
    /// The grey level of white.
    public var white: UInt8

    @inlinable
    public init(black: UInt8, white: UInt8) {
        precondition(white > black, "LumaRange: white must be above black")
        self.black = black
        self.white = white
    }

    /// 0...255.
    public static let full = LumaRange(black: 0, white: 255)
    /// 16...235 (ITU-R BT.601 / BT.709 video range).
    public static let limited = LumaRange(black: 16, white: 235)

    /// Grey levels from black to white.
    @inlinable
    public var span: Double { Double(white) - Double(black) }

    /// `difference` grey levels of a full-range picture, in this range (`25` in full range is 21.5 in limited).
    @inlinable
    public func difference(fromFull difference: Double) -> Double { difference * span / 255 }

    /// A grey level of this range, as the full-range level of the same brightness (clamped to 0...255).
    @inlinable
    public func fullLevel(_ level: Double) -> Double { max(0, min(255, (level - Double(black)) * 255 / span)) }

    /// A full-range grey level, as the level of the same brightness in this range.
    @inlinable
    public func level(fromFull level: Double) -> Double { Double(black) + level * span / 255 }

    /// The range a camera that does not say uses, judged from its pixels: limited-range video never goes
    /// below 16 or above 235 (encoders clip to it), while a full-range picture of a real scene has some
    /// deep shadow or highlight. More than `outsideFraction` of the pixels outside 16...235 means full range.
    /// - Returns: `.full` or `.limited`.
    public static func judged(outsideLimited: Int, of pixels: Int, outsideFraction: Double = 0.0005) -> LumaRange {
        Double(outsideLimited) > outsideFraction * Double(max(pixels, 1)) ? .full : .limited
    }

    /// Pixels of `image` outside 16...235 (for `judged`).
    public static func countOutsideLimited(_ image: GreyImage) -> Int {
        var outside = 0
        for y in 0..<image.height {
            let row = image.base + y * image.stride
            var x = 0
            var lanes = SIMD16<UInt8>(repeating: 0)
            let low = SIMD16<UInt8>(repeating: limited.black), high = SIMD16<UInt8>(repeating: 235 + 1)
            let one = SIMD16<UInt8>(repeating: 1)
            var chunk = 0
            while x + 16 <= image.width {
                let v = UnsafeRawPointer(row + x).loadUnaligned(as: SIMD16<UInt8>.self)
                // Only `.<` masks vectorise (see BackgroundModel.step).
                lanes &+= (v & 0).replacing(with: one, where: v .< low)
                lanes &+= (v & 0).replacing(with: one, where: (high &- 1) .< v)
                x += 16
                chunk += 1
                if chunk == 127 {
                    outside += lanes.indices.reduce(0) { $0 + Int(lanes[$1]) }
                    lanes = SIMD16<UInt8>(repeating: 0)
                    chunk = 0
                }
            }
            outside += lanes.indices.reduce(0) { $0 + Int(lanes[$1]) }
            while x < image.width {
                if row[x] < 16 || row[x] > 235 { outside += 1 }
                x += 1
            }
        }
        return outside
    }
}
