import LanternAgent
import LanternCore
import Testing

/// The corner code the emulated board's feeder draws (Simulator/emulated-board/feeder.c), drawn here
/// the same way.
private func frame(coding number: Int?, width: Int = 640, height: Int = 480, parityFlip: Bool = false) -> [UInt8] {
    var pixels = [UInt8](repeating: 16, count: width * height)
    guard let number else { return pixels }
    var bits = [1, 0]
    var parity = 0
    for i in 0..<12 {
        let bit = (number >> (11 - i)) & 1
        bits.append(bit)
        parity ^= bit
    }
    bits += [parityFlip ? 1 - parity : parity, 0]
    let x0 = width - 256, y0 = height - 16
    for (b, bit) in bits.enumerated() {
        for y in y0..<(y0 + 16) {
            for x in (x0 + b * 16)..<(x0 + b * 16 + 16) { pixels[y * width + x] = bit == 1 ? 235 : 16 }
        }
    }
    return pixels
}

private func decode(_ pixels: [UInt8], width: Int = 640, height: Int = 480) -> Int? {
    pixels.withUnsafeBufferPointer { FrameCode.decode(GreyImage(unsafePixels: $0.baseAddress!, width: width, height: height, stride: width)) }
}

@Suite struct FrameCodeTests {
    @Test(arguments: [0, 1, 7, 159, 1000, 4095])
    func theFeedersCodeDecodesToItsFrameNumber(number: Int) {
        #expect(decode(frame(coding: number)) == number)
    }

    @Test func aFrameWithoutACodeOrWithABadParityDecodesToNil() {
        #expect(decode(frame(coding: nil)) == nil)
        #expect(decode(frame(coding: 37, parityFlip: true)) == nil)
        #expect(decode([UInt8](repeating: 128, count: 640 * 480)) == nil)
    }

    @Test func aFrameNarrowerThanTheCodeDecodesToNil() {
        #expect(decode([UInt8](repeating: 235, count: 200 * 100), width: 200, height: 100) == nil)
    }
}
