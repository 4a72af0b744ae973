import Foundation
import LanternSim
import LanternTestSupport
import Testing

/// What developers feed `lantern-sim`: an mp4 (through ffmpeg, or the one line that says how), standard
/// input, and JSON lines that jq reads.
@Suite struct ClipInputTests {
    static let sample = SampleAccuracyTests.sample
    static let hasFFmpeg = ClipInput.ffmpegPath() != nil
    static let hasJQ = FileManager.default.isExecutableFile(atPath: "/usr/bin/jq")

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-clip-input-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func shell(_ script: String) throws -> ProductRun {
        try runProgram(URL(fileURLWithPath: "/bin/bash"), ["-o", "pipefail", "-c", script])
    }

    @Test(.enabled(if: hasFFmpeg)) func anMP4ReplaysThroughFFmpeg() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mp4 = dir.appendingPathComponent("clip.mp4").path
        let made = try runProgram(URL(fileURLWithPath: ClipInput.ffmpegPath()!), [
            "-nostdin", "-v", "error", "-i", Self.sample + "/frames.y4m", "-frames:v", "40", "-pix_fmt", "yuv420p", mp4,
        ])
        try #require(made.status == 0, "ffmpeg: \(made.stderr)")
        let run = try runBuiltProduct("lantern-sim", ["replay", mp4, "--site", Self.sample + "/site.json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").filter { $0.hasPrefix("frame ") }.count == 40, "\(run.stdout.suffix(300))")
    }

    @Test func withoutFFmpegOneLineSaysWhichCommandConverts() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mp4 = dir.appendingPathComponent("clip.mp4")
        try Data([0, 0, 0, 0x20] + Array("ftypisom".utf8) + [UInt8](repeating: 0, count: 64)).write(to: mp4)
        let run = try runBuiltProduct("lantern-sim", ["replay", "clip.mp4", "--site", Self.sample + "/site.json"], in: dir, environment: ["PATH": "/nonexistent"])
        #expect(run.status == 65)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr == "lantern-sim: clip.mp4: not YUV4MPEG2 and no ffmpeg installed; convert it: ffmpeg -i clip.mp4 -f yuv4mpegpipe -pix_fmt gray clip.y4m\n", "\(run.stderr)")
    }

    @Test func aDashReadsTheClipFromStandardInput() throws {
        let lantern = builtProduct("lantern-sim").path
        let run = try Self.shell("'\(lantern)' replay - --site '\(Self.sample)/site.json' --truth '\(Self.sample)/counts.csv' --quiet < '\(Self.sample)/frames.y4m'")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("lantern: frames=160 "), "\(run.stdout)")
    }

    @Test func jsonOutputIsJSONLinesEndingWithTheSummary() throws {
        let run = try runBuiltProduct("lantern-sim", [
            "replay", Self.sample + "/frames.y4m", "--json", "--truth", Self.sample + "/counts.csv", "--boxes", Self.sample + "/boxes.csv",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 161)
        for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)") }
        let summary = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any]
        let body = summary?["summary"] as? [String: Any]
        #expect(body?["scored"] as? Int == 110 && body?["mae"] is Double && body?["zones"] is [String: Any] && body?["lines"] is [String: Any])
        let lone = (body?["blobs"] as? [String: Any])?["1"] as? [String: Any]
        let people = lone?["people"] as? Double ?? 0, truth = lone?["truth"] as? Int ?? 0
        #expect(truth > 100 && abs(people / Double(truth) - 1) < 0.2, "lone walkers' blobs: \(String(describing: lone))")
    }

    @Test func blobsAddEachFramesCountedBlobsInFramePixels() throws {
        let run = try runBuiltProduct("lantern-sim", ["replay", Self.sample + "/frames.y4m", "--json", "--blobs"])
        #expect(run.status == 0, "\(run.stderr)")
        var blobs = 0
        for line in run.stdout.split(separator: "\n").dropLast() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            for blob in object?["blobs"] as? [[Double]] ?? [] {
                blobs += 1
                #expect(blob.count == 5 && blob[0] >= 0 && blob[1] >= 0 && blob[2] > 0 && blob[3] > 0, "\(line)")
                #expect(blob[0] + blob[2] <= 384 && blob[1] + blob[3] <= 288 && blob[4] >= 0.5, "\(line)")
            }
        }
        #expect(blobs > 500, "the sample's walkers make blobs in most frames: \(blobs)")
        let alone = try runBuiltProduct("lantern-sim", ["replay", Self.sample + "/frames.y4m", "--blobs"])
        #expect(alone.status == 64 && alone.stderr.contains("--blobs goes with --json"), "\(alone.stderr)")
    }

    @Test(.enabled(if: hasJQ)) func jqReadsEveryLineOfReplayJSON() throws {
        let lantern = builtProduct("lantern-sim").path
        let run = try Self.shell("'\(lantern)' replay '\(Self.sample)/frames.y4m' --json --truth '\(Self.sample)/counts.csv' | jq -c . | wc -l")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "161")
    }

    @Test func versionExitsZero() throws {
        let run = try runBuiltProduct("lantern-sim", ["--version"])
        #expect(run.status == 0 && run.stdout.hasPrefix("lantern-sim "), "\(run.stdout) \(run.stderr)")
    }
}
