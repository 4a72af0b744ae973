import Foundation
import LanternCore
import LanternTestSupport
import Testing

/// A site drawn for another camera size is refused in one line by lantern-sim, `lanternd run` and
/// `lanternd check` (it used to run with exit 0, its zones in the wrong place).
@Suite struct SiteFitTests {
    /// A grey YUV4MPEG2 clip of `frames` frames at `width` x `height`.
    static func clip(width: Int, height: Int, frames: Int = 3) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-fit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(width)x\(height).y4m")
        var data = Data("YUV4MPEG2 W\(width) H\(height) F10:1 Ip A1:1 Cmono\n".utf8)
        for _ in 0..<frames {
            data.append(Data("FRAME\n".utf8))
            data.append(Data(repeating: 90, count: width * height))
        }
        try data.write(to: url)
        return url
    }

    static let sampleSite = "Simulator/sample/site.json"
    static let mismatch = "Simulator/sample/site.json: frame is 384x288 but the frames are 640x480; redraw the site for 640x480, or set the camera size in the board file to 384x288"

    @Test func lanternSimRefusesASiteDrawnForAnotherFrameSize() throws {
        let clip = try Self.clip(width: 640, height: 480)
        defer { try? FileManager.default.removeItem(at: clip) }
        let run = try runBuiltProduct("lantern-sim", ["replay", clip.path, "--site", Self.sampleSite], in: repositoryRoot)
        #expect(run.status == 78)
        #expect(run.stderr == "lantern-sim: \(Self.mismatch)\n")
    }

    @Test func lanterndRunRefusesASiteDrawnForAnotherFrameSize() throws {
        let clip = try Self.clip(width: 640, height: 480)
        defer { try? FileManager.default.removeItem(at: clip) }
        let run = try runBuiltProduct("lanternd", ["run", "--site", Self.sampleSite, "--replay", clip.path, "--speed", "0"], in: repositoryRoot)
        #expect(run.status == 78)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "lanternd: \(Self.mismatch)\n")
    }

    @Test func lanterndCheckFailsASiteDrawnForAnotherCameraSize() throws {
        // The Pi 4 board file asks its camera for 640x480; the sample site is drawn on 384x288.
        let run = try runBuiltProduct("lanternd", ["check", "--board", "Boards/raspberry-pi-4.json", "--site", Self.sampleSite, "--seconds", "1"], in: repositoryRoot)
        #expect(run.status == 1)
        #expect(run.stdout.contains("FAIL  site: \(Self.mismatch) (the camera size in Boards/raspberry-pi-4.json)\n"))
    }

    @Test func withoutFrameTheZonesMustFitTheFrames() throws {
        // The sample site without "frame": its zones reach x = 384, beyond a 320x240 clip.
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent(Self.sampleSite), encoding: .utf8)
        var object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        object["frame"] = nil
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-fit-\(getpid())-site.json")
        try JSONSerialization.data(withJSONObject: object).write(to: site)
        let small = try Self.clip(width: 320, height: 240)
        defer {
            try? FileManager.default.removeItem(at: small)
            try? FileManager.default.removeItem(at: site)
        }
        let run = try runBuiltProduct("lanternd", ["run", "--site", site.path, "--replay", small.path, "--speed", "0"], in: repositoryRoot)
        #expect(run.status == 78)
        #expect(run.stderr.hasPrefix("lanternd: \(site.path): "))
        #expect(run.stderr.contains("reaches outside the frames' 320x240") || run.stderr.contains("does not fit"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        // And the same site on frames it fits runs.
        let fits = try runBuiltProduct("lanternd", ["run", "--site", site.path, "--replay", "Simulator/sample/frames.y4m", "--speed", "0"], in: repositoryRoot)
        #expect(fits.status == 0, "\(fits.stderr)")
    }

    @Test func fitProblemNamesTheKey() throws {
        let scale = PersonScale(samples: [PersonScale.Sample(row: 0, height: 40), PersonScale.Sample(row: 200, height: 80)])
        var site = SiteConfig(name: "s", scale: scale, frame: SiteConfig.FrameSize(width: 384, height: 288))
        #expect(site.fitProblem(width: 384, height: 288) == nil)
        #expect(site.fitProblem(width: 640, height: 480)?.hasPrefix("frame is 384x288 but the frames are 640x480") == true)
        site.frame = nil
        site.crop = PixelRect(x: 0, y: 0, width: 400, height: 100)
        #expect(site.fitProblem(width: 384, height: 288)?.hasPrefix("crop (0,0 400x100) does not fit") == true)
        site.crop = nil
        site.lines = [CountingLine(name: "l", from: Point(x: 10, y: 10), to: Point(x: 10, y: 300))]
        #expect(site.fitProblem(width: 384, height: 288)?.hasPrefix("lines[0] (l) reaches outside") == true)
        #expect(site.fitProblem(width: 384, height: 300) == nil)
    }
}
