import LanternCore

/// A deterministic change to a clip's frames, applied in place before the estimator sees them: the
/// conditions `lantern-sim evaluate` scores the estimator under.
public enum Perturbation: String, CaseIterable, Sendable {
    /// From the middle of the clip on, every pixel x 0.6 (a light switched off, a cloud).
    case lightingDown = "lighting-0.6x"
    /// From the middle of the clip on, every pixel + 50, clamped (a light switched on).
    case lightingUp = "lighting+50"
    /// The whole clip at dusk: every pixel x 0.3, plus sensor noise of standard deviation about 4.
    case dusk
    /// The camera trembles: each frame shifted by a random whole 1 or 2 pixels (each axis -2...2, not
    /// both 0), edges replicated.
    case shake
    /// From the middle of the clip on, a dark blank patch over the bottom-left corner, about 18% of the frame.
    case coveredLens = "covered-lens"

    /// Changes `pixels` (a `width` x `height` frame, rows packed) for frame `index` of a clip of
    /// `frameCount` frames. Deterministic: depends only on the arguments and `seed`.
    public func apply(
        to pixels: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, index: Int, frameCount: Int, seed: UInt64 = 1
    ) {
        precondition(pixels.count >= width * height && width > 0 && height > 0)
        let fromMiddle = index >= frameCount / 2
        switch self {
        case .lightingDown:
            guard fromMiddle else { return }
            for i in 0..<(width * height) { pixels[i] = UInt8((UInt16(pixels[i]) * 154) >> 8) }  // x 0.6
        case .lightingUp:
            guard fromMiddle else { return }
            for i in 0..<(width * height) { pixels[i] = UInt8(min(UInt16(pixels[i]) + 50, 255)) }
        case .dusk:
            var rng = SplitMix64(seed: Self.frameSeed(seed, index))
            for i in 0..<(width * height) {
                // Sum of four uniform bytes: mean 510, standard deviation 147.8; scaled to about 4.
                let r = rng.next()
                let sum = Int(r & 0xFF) + Int((r >> 8) & 0xFF) + Int((r >> 16) & 0xFF) + Int((r >> 24) & 0xFF)
                let noise = Double(sum - 510) * (4.0 / 147.8)
                let v = Double(pixels[i]) * 0.3 + noise
                pixels[i] = UInt8(max(0, min(255, v.rounded())))
            }
        case .shake:
            let (dx, dy) = Self.shakeOffset(seed: seed, index: index)
            Self.shift(pixels, width: width, height: height, dx: dx, dy: dy)
        case .coveredLens:
            guard fromMiddle else { return }
            let rect = Self.coveredRect(width: width, height: height)
            for y in rect.y..<(rect.y + rect.height) {
                for x in rect.x..<(rect.x + rect.width) { pixels[y * width + x] = 12 }
            }
        }
    }

    /// `source` plus fresh sensor noise of standard deviation about `sigma` grey levels, into `pixels`
    /// (same size): deterministic for `seed` and `index`.
    public static func addNoise(
        to pixels: UnsafeMutableBufferPointer<UInt8>, from source: UnsafeBufferPointer<UInt8>, sigma: Double, seed: UInt64, index: Int
    ) {
        precondition(pixels.count >= source.count)
        var rng = SplitMix64(seed: frameSeed(seed, index))
        // Sum of four uniform bytes: mean 510, standard deviation 147.8.
        let scale = sigma / 147.8
        for i in 0..<source.count {
            let r = rng.next()
            let sum = Int(r & 0xFF) + Int((r >> 8) & 0xFF) + Int((r >> 16) & 0xFF) + Int((r >> 24) & 0xFF)
            let v = Double(source[i]) + Double(sum - 510) * scale
            pixels[i] = UInt8(max(0, min(255, v.rounded())))
        }
    }

    /// The shift of frame `index` under `.shake`: each axis in -2...2, never both 0.
    public static func shakeOffset(seed: UInt64, index: Int) -> (dx: Int, dy: Int) {
        var rng = SplitMix64(seed: frameSeed(seed, index))
        while true {
            let dx = Int(rng.next() % 5) - 2, dy = Int(rng.next() % 5) - 2
            if dx != 0 || dy != 0 { return (dx, dy) }
        }
    }

    /// The patch of `.coveredLens`: the bottom-left 42% x 42% of the frame (about 18% of its area).
    public static func coveredRect(width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        let w = width * 42 / 100, h = height * 42 / 100
        return (0, height - h, w, h)
    }

    static func frameSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        var mix = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return mix.next()
    }

    /// Moves the image content by (dx, dy): the pixel at (x, y) becomes the one at (x - dx, y - dy),
    /// clamped to the image (edges replicated).
    public static func shift(_ pixels: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, dx: Int, dy: Int) {
        guard dx != 0 || dy != 0 else { return }
        let copy = [UInt8](pixels[0..<(width * height)])
        for y in 0..<height {
            let sy = min(max(y - dy, 0), height - 1)
            for x in 0..<width {
                let sx = min(max(x - dx, 0), width - 1)
                pixels[y * width + x] = copy[sy * width + sx]
            }
        }
    }
}
