import LanternCore

/// The clip frame number that a test feeder codes into each frame it sends through a loopback camera
/// (the emulated board's `Simulator/emulated-board/feeder.c`), so that frames captured through V4L2 can
/// be matched to the clip's ground truth even when the live camera repeats or skips frames.
///
/// Layout: 16 blocks of 16x16 pixels along the bottom-right corner of the frame, left to right:
/// `1, 0`, the number in 12 bits (most significant first), the even parity of those bits, `0`; a 1 is
/// luma 235, a 0 luma 16. The site file crops the corner away, so the counts never see it.
public enum FrameCode {
    public static let blocks = 16
    public static let blockSize = 16

    /// The coded frame number, or nil when the corner does not hold a valid code (a real camera, a test
    /// pattern, a damaged frame). Reads the mean of each block's central 8x8 pixels.
    public static func decode(_ image: GreyImage) -> Int? {
        let x0 = image.width - blocks * blockSize, y0 = image.height - blockSize
        guard x0 >= 0, y0 >= 0 else { return nil }
        var value = 0, parity = 0
        for b in 0..<blocks {
            var sum = 0
            for y in (y0 + 4)..<(y0 + 12) {
                for x in (x0 + b * blockSize + 4)..<(x0 + b * blockSize + 12) { sum += Int(image[x, y]) }
            }
            let mean = sum / 64
            let bit: Int
            if mean >= 176 { bit = 1 } else if mean <= 75 { bit = 0 } else { return nil }
            switch b {
            case 0: if bit != 1 { return nil }
            case 1, blocks - 1: if bit != 0 { return nil }
            case blocks - 2: if bit != parity { return nil }
            default:
                value = value << 1 | bit
                parity ^= bit
            }
        }
        return value
    }
}
