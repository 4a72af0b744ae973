import ArgumentParser
import Foundation
import LanternCore
import LanternSim

@main
struct LanternSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lantern-sim",
        abstract: "Replays recorded clips through Lantern's occupancy pipeline and scores the counts.",
        subcommands: [ReplayCommand.self]
    )
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a YUV4MPEG2 clip and print the people counted in each frame."
    )

    @Argument(help: "The clip (YUV4MPEG2, 8-bit; Lantern reads the luma plane).")
    var clip: String

    @Option(help: "The scene's site file (calibration, crop, zones, lines). Default: site.json beside the clip.")
    var site: String?

    @Option(help: "Ground truth counts.csv (frame,count): end with an accuracy line.")
    var truth: String?

    @Option(help: "Frames processed but not scored at the start, while the background is learnt.")
    var warmup: Int = 50

    @Flag(help: "Print one JSON object per frame instead of text.")
    var json = false

    func run() throws {
        do {
            try replay()
        } catch let error as SimulatorError {
            FileHandle.standardError.write(Data("lantern-sim: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    func replay() throws(SimulatorError) {
        guard warmup >= 0 else { throw SimulatorError("--warmup must be 0 or more (got \(warmup))") }
        let sitePath = site ?? defaultSitePath(forClip: clip)
        let siteConfig = try SiteConfig.load(path: sitePath)
        let groundTruth = try truth.map { path throws(SimulatorError) in try GroundTruth.load(countsCSV: path) }
        let replay = Replay(clipPath: clip, site: siteConfig, warmup: warmup)
        let zoneNames = siteConfig.zones.map(\.name)
        var out = ""
        out.reserveCapacity(256)
        let summary = try replay.run(truth: groundTruth, onFrame: { frame, _ in
            out.removeAll(keepingCapacity: true)
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.key("frame"); w.integer(frame.index)
                w.key("count"); w.integer(frame.estimate.count)
                w.key("people"); w.fixed(frame.estimate.people, places: 2)
                if !zoneNames.isEmpty {
                    w.key("zones")
                    w.beginObject()
                    for (z, name) in zoneNames.enumerated() { w.key(name); w.integer(frame.zoneCounts[z]) }
                    w.endObject()
                }
                w.endObject()
                out = w.text
            } else {
                out = "frame \(frame.index): \(frame.estimate.count) people"
                for (z, name) in zoneNames.enumerated() { out += ", \(name) \(frame.zoneCounts[z])" }
            }
            print(out)
        })
        if groundTruth != nil {
            let s = summary.score
            print("lantern: frames=\(summary.frames) scored=\(s.scored) fps=\(formatFixed(summary.framesPerSecond, places: 1)) "
                + "MAE=\(formatFixed(s.mae, places: 3)) RMSE=\(formatFixed(s.rmse, places: 3)) bias=\(formatSigned(s.bias, places: 3))")
        }
    }
}

/// `site.json` in the clip's folder: the bundled sample keeps its site file there.
func defaultSitePath(forClip clip: String) -> String {
    (URL(fileURLWithPath: clip).deletingLastPathComponent().appendingPathComponent("site.json")).path
}
