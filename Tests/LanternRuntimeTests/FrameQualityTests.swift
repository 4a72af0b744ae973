import Foundation
import LanternCore
import LanternRuntime
import LanternSystem
import Testing

/// The sample clip's frames, as owned pixel arrays (width, height, luma).
private func sampleFrames(_ count: Int) throws -> [(Int, Int, [UInt8])] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let reader = try ClipReader(path: root.appendingPathComponent("Simulator/sample/frames.y4m").path)
    var frames: [(Int, Int, [UInt8])] = []
    while frames.count < count, let frame = try reader.nextFrame() {
        var pixels: [UInt8] = []
        for y in 0..<frame.height { pixels.append(contentsOf: frame.row(y)) }
        frames.append((frame.width, frame.height, pixels))
    }
    return frames
}

private func quality(_ w: Int, _ h: Int, _ pixels: [UInt8]) -> FrameQuality {
    pixels.withUnsafeBufferPointer { FrameQuality(GreyImage(unsafePixels: $0.baseAddress!, width: w, height: h, stride: w)) }
}

/// A box blur of radius `r` (separable), like a lens far out of focus.
private func blurred(_ w: Int, _ h: Int, _ p: [UInt8], radius r: Int) -> [UInt8] {
    var a = p, b = p
    for y in 0..<h {
        for x in 0..<w {
            var s = 0, n = 0
            for dx in -r...r where x + dx >= 0 && x + dx < w { s += Int(p[y * w + x + dx]); n += 1 }
            a[y * w + x] = UInt8(s / n)
        }
    }
    for y in 0..<h {
        for x in 0..<w {
            var s = 0, n = 0
            for dy in -r...r where y + dy >= 0 && y + dy < h { s += Int(a[(y + dy) * w + x]); n += 1 }
            b[y * w + x] = UInt8(s / n)
        }
    }
    return b
}

@Suite struct FrameQualityTests {
    @Test func theSampleViewIsSharpAndBrightEnough() throws {
        for (w, h, p) in try sampleFrames(5) {
            let q = quality(w, h, p)
            print("sample: mean \(q.mean) contrast \(q.contrast) sharpness \(q.sharpness) ratio \(q.sharpness / q.contrast)")
            #expect(q.verdict == .ok)
        }
    }

    @Test func aDefocusedLensIsCaught() throws {
        let (w, h, p) = try sampleFrames(1)[0]
        let q = quality(w, h, blurred(w, h, p, radius: 4))
        print("blurred r4: mean \(q.mean) contrast \(q.contrast) sharpness \(q.sharpness) ratio \(q.sharpness / q.contrast)")
        #expect(q.verdict == .defocused)
    }

    @Test func aCoveredLensIsCaught() {
        let (w, h) = (384, 288)
        var rng = SystemRandomNumberGenerator()
        let p = (0..<(w * h)).map { _ in UInt8.random(in: 2...6, using: &rng) }  // sensor noise in the dark
        let q = quality(w, h, p)
        print("covered: mean \(q.mean) contrast \(q.contrast) sharpness \(q.sharpness)")
        #expect(q.verdict == .covered)
    }

    @Test func aDimButSharpNightViewIsNotCalledDefocused() throws {
        let (w, h, p) = try sampleFrames(1)[0]
        let dim = p.map { UInt8(Int($0) / 5 + 12) }
        let q = quality(w, h, dim)
        print("dim: mean \(q.mean) contrast \(q.contrast) sharpness \(q.sharpness) ratio \(q.sharpness / q.contrast)")
        #expect(q.verdict == .ok)
    }
}
