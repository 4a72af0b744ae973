import Foundation
import LanternCore
import LanternSim
import Testing

/// The same scene counts the same whether the camera delivers full-range (0...255) or limited-range
/// (16...235) luma: the bundled sample, converted here to limited range as ffmpeg's `yuv420p` would.
@Suite struct LumaRangeAccuracyTests {
    static let sample = SampleAccuracyTests.sample

    /// Writes the sample's frames as limited-range luma (`16 + v * 219 / 255`, rounded) to a temporary
    /// clip, with or without the header's `XCOLORRANGE=LIMITED`.
    static func limitedRangeSample(declared: Bool) throws -> URL {
        let data = try Data(contentsOf: URL(fileURLWithPath: sample + "/frames.y4m"))
        let bytes = [UInt8](data)
        let headerEnd = bytes.firstIndex(of: UInt8(ascii: "\n"))!
        let header = try Y4MHeader(parsing: bytes[..<headerEnd])
        #expect(header.colourSpace == .mono && header.lumaRange == nil)
        var out = [UInt8](bytes[..<headerEnd])
        if declared { out += Array(" XCOLORRANGE=LIMITED".utf8) }
        out.append(UInt8(ascii: "\n"))
        var table = [UInt8](repeating: 0, count: 256)
        for v in 0..<256 { table[v] = UInt8((16 + Double(v) * 219 / 255).rounded()) }
        var i = headerEnd + 1
        while i < bytes.count {
            let lineEnd = bytes[i...].firstIndex(of: UInt8(ascii: "\n"))!
            out += bytes[i...lineEnd]
            let start = lineEnd + 1
            for p in start..<(start + header.frameSize) { out.append(table[Int(bytes[p])]) }
            i = start + header.frameSize
        }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lantern-limited-\(declared ? "declared" : "undeclared")-\(getpid()).y4m")
        try Data(out).write(to: url)
        return url
    }

    static func mae(clip: String) throws -> Double {
        let site = try SiteConfig.load(path: sample + "/site.json")
        let truth = try GroundTruth.load(countsCSV: sample + "/counts.csv")
        return try Replay(clipPath: clip, site: site).run(truth: truth).score.mae
    }

    @Test(arguments: [true, false])
    func aLimitedRangeClipCountsWithinFiveHundredthsOfTheFullRangeOne(declared: Bool) throws {
        let limited = try Self.limitedRangeSample(declared: declared)
        defer { try? FileManager.default.removeItem(at: limited) }
        let full = try Self.mae(clip: Self.sample + "/frames.y4m")
        let squeezed = try Self.mae(clip: limited.path)
        #expect(abs(full - squeezed) <= 0.05, "full-range MAE \(full), limited-range MAE \(squeezed) (header declares it: \(declared))")
    }

    @Test func theHeaderSaysWhichRange() throws {
        let limited = try Y4MHeader(parsing: Array("YUV4MPEG2 W8 H8 F7:1 C420jpeg XYSCSS=420JPEG XCOLORRANGE=LIMITED".utf8))
        #expect(limited.lumaRange == .limited)
        let full = try Y4MHeader(parsing: Array("YUV4MPEG2 W8 H8 F7:1 Cmono XCOLORRANGE=FULL".utf8))
        #expect(full.lumaRange == .full)
        #expect(try Y4MHeader(parsing: Array("YUV4MPEG2 W8 H8 F7:1 Cmono".utf8)).lumaRange == nil)
    }

    @Test func anUndeclaredRangeIsJudgedFromThePixels() {
        var pixels = [UInt8](repeating: 128, count: 64 * 8)
        pixels.withUnsafeBufferPointer { p in
            let image = GreyImage(unsafePixels: p.baseAddress!, width: 64, height: 8, stride: 64)
            #expect(LumaRange.countOutsideLimited(image) == 0)
        }
        #expect(LumaRange.judged(outsideLimited: 0, of: pixels.count) == .limited)
        pixels[3] = 0
        pixels[40] = 15
        pixels[63] = 236
        pixels[500] = 255
        pixels[501] = 235
        pixels[502] = 16
        pixels.withUnsafeBufferPointer { p in
            let image = GreyImage(unsafePixels: p.baseAddress!, width: 64, height: 8, stride: 64)
            #expect(LumaRange.countOutsideLimited(image) == 4)
        }
        #expect(LumaRange.judged(outsideLimited: 4, of: pixels.count) == .full)
        #expect(abs(LumaRange.limited.difference(fromFull: 25) - 25.0 * 219 / 255) < 1e-9)
        #expect(LumaRange.limited.fullLevel(16) == 0 && LumaRange.limited.fullLevel(235) == 255)
    }
}
