import Foundation
import LanternTestSupport
import Testing

/// `lantern-sim` as a user runs it: bad input is one line on stderr and a non-zero exit, never a crash.
@Suite struct LanternSimCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static let sample = root.appendingPathComponent("Simulator/sample").path

    /// Runs the `lantern-sim` built next to this test bundle.
    func run(_ arguments: [String]) throws -> ProductRun {
        try runBuiltProduct("lantern-sim", arguments)
    }

    func temporary(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-sim-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A 16x16 mono clip (the smallest the estimator analyses) of `frames` frames, then `tail` appended.
    func clip(header: String = "YUV4MPEG2 W16 H16 F7:1 Ip A1:1 Cmono\n", frames: Int = 3, tail: [UInt8] = []) -> [UInt8] {
        var bytes = Array(header.utf8)
        for _ in 0..<frames { bytes += Array("FRAME\n".utf8) + [UInt8](repeating: 100, count: 256) }
        return bytes + tail
    }

    /// Exit statuses (sysexits, as lanternd's): 65 malformed data, 66 cannot read, 78 bad site file.
    func expectOneLineFailure(_ arguments: [String], naming needle: String, status: Int32, _ comment: Comment) throws {
        let result = try run(arguments)
        #expect(result.reason == .exit, "no crash or trap: \(comment)")
        #expect(result.status == status, comment)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "one line on stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("lantern-sim: "), comment)
        #expect(result.stderr.contains(needle), "\(comment): \(result.stderr)")
    }

    @Test func theSampleReplaysAndEndsWithTheAccuracyLine() throws {
        let result = try run(["replay", Self.sample + "/frames.y4m", "--truth", Self.sample + "/counts.csv", "--quiet"])
        #expect(result.status == 0)
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("lantern: frames=160 scored=110 fps="))
        #expect(last.contains(" MAE=0.") && last.contains(" RMSE=") && last.contains(" bias="))
    }

    @Test func withBoxesTheReplaySaysWhatALoneWalkersBlobIsWorth() throws {
        let result = try run(["replay", Self.sample + "/frames.y4m", "--boxes", Self.sample + "/boxes.csv", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("blobs: 1 person ") }.map(String.init) ?? ""
        // The sample's site is calibrated from its boxes: a lone walker's blob is worth about one person.
        let worth = line.dropFirst("blobs: 1 person ".count).split(separator: " ").first.flatMap { Double($0) }
        #expect(worth.map { (0.8...1.2).contains($0) } == true, "\(result.stdout)")
        #expect(line.contains(", 2 people 0.") && line.contains("; nobody ") && line.hasSuffix(" people in no blob"), "\(line)")
    }

    @Test func eachMalformedClipFailsWithOneLineNamingTheFileAndFrame() throws {
        // A site without frame, crop, zones or lines fits the 4x2 clips (the sample's is drawn on 384x288).
        let site = try temporary("tiny-site.json", Array(#"{"name":"tiny","calibration":{"personHeights":[{"row":0,"height":1},{"row":2,"height":2}]}}"#.utf8))
        let cases: [(String, [UInt8], String)] = [
            ("empty.y4m", [], "empty"),
            ("noheader.y4m", Array("hello world\n".utf8), "YUV4MPEG2"),
            ("garbled.y4m", clip(header: "YUV4MPEG2 W4x H2 F7:1 Cmono\n"), "W4x"),
            ("deep.y4m", clip(header: "YUV4MPEG2 W4 H2 F7:1 C420p16\n"), "16-bit"),
            ("unknown.y4m", clip(header: "YUV4MPEG2 W4 H2 F7:1 Cfancy\n"), "fancy"),
            ("truncated.y4m", clip(frames: 2, tail: Array("FRAME\n".utf8) + [1, 2, 3]), "frame 2"),
            ("nomarker.y4m", clip(frames: 1, tail: Array("FRAMX\n".utf8) + [UInt8](repeating: 0, count: 256)), "frame 1"),
        ]
        for (name, bytes, needle) in cases {
            let path = try temporary(name, bytes)
            try expectOneLineFailure(["replay", path, "--site", site], naming: name, status: 65, "\(name)")
            try expectOneLineFailure(["replay", path, "--site", site], naming: needle, status: 65, "\(name)")
        }
        try expectOneLineFailure(["replay", "/nonexistent/clip.y4m", "--site", site], naming: "/nonexistent/clip.y4m", status: 66, "missing clip")
    }

    @Test func eachMalformedSiteFileFailsWithOneLineNamingTheKeyPath() throws {
        let clipPath = Self.sample + "/frames.y4m"
        let cases: [(String, String, String)] = [
            ("brace.json", #"{"name": "x", "calibration": {"#, "line 1"),
            ("twopoints.json", #"{"name":"x","calibration":{"personHeights":[{"row":10,"height":20},{"row":50,"height":40}]},"zones":[{"name":"z","points":[[0,0],[5,5]]}]}"#, "zones[0].points"),
            ("negative.json", #"{"name":"x","calibration":{"personHeights":[{"row":10,"height":-3},{"row":50,"height":40}]}}"#, "calibration.personHeights[0].height"),
            ("unknown.json", #"{"name":"x","colour":"red","calibration":{"personHeights":[{"row":10,"height":20},{"row":50,"height":40}]}}"#, "colour"),
            ("type.json", #"{"name":"x","interval":"60","calibration":{"personHeights":[{"row":10,"height":20},{"row":50,"height":40}]}}"#, "interval"),
        ]
        for (name, text, needle) in cases {
            let path = try temporary(name, Array(text.utf8))
            try expectOneLineFailure(["replay", clipPath, "--site", path], naming: name, status: 78, "\(name)")
            try expectOneLineFailure(["replay", clipPath, "--site", path], naming: needle, status: 78, "\(name)")
        }
        try expectOneLineFailure(["replay", clipPath, "--site", "/nonexistent/site.json"], naming: "/nonexistent/site.json", status: 66, "missing site")
    }

    @Test func aBrokenTruthFileFailsWithOneLine() throws {
        let path = try temporary("truth.csv", Array("frame,count\n0,three\n".utf8))
        try expectOneLineFailure(["replay", Self.sample + "/frames.y4m", "--truth", path], naming: "line 2", status: 65, "truth")
    }
}
