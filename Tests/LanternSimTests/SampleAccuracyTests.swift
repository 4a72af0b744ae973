import Foundation
import LanternAgent
import LanternCore
import LanternSim
import Testing

/// The estimator on the bundled sample (real footage, PETS 2009), scored as `lantern-sim` scores it.
@Suite struct SampleAccuracyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path
    static let sample = root + "/Simulator/sample"

    @Test func theBundledSampleIsCountedWithinHalfAPersonOnAverage() throws {
        let site = try SiteConfig.load(path: Self.sample + "/site.json")
        let truth = try GroundTruth.load(countsCSV: Self.sample + "/counts.csv")
        let summary = try Replay(clipPath: Self.sample + "/frames.y4m", site: site).run(truth: truth)
        #expect(summary.frames == 160)
        #expect(summary.score.scored == 110)
        #expect(summary.score.mae <= 0.5, "MAE \(summary.score.mae)")
        #expect(abs(summary.score.bias) <= 0.3, "bias \(summary.score.bias)")
    }

    /// A lamppost runs for hours: the density path's gate opens once its walkers are evidence enough (on
    /// this lawn, after about 5 minutes). The model must then add the people the motion path does not
    /// see, not the lawn's texture: run on the sample's 376x280 area as it is, where people are 28 to 55
    /// px against the model's 80, it took the texture for 2.6 people in every frame (MAE 2.2); enlarged
    /// towards its person size (`DensityPath.maximumUpscale`) it sees almost none.
    @Test func onALongStreamTheDensityPathAddsNoLawnTexture() throws {
        let site = try SiteConfig.load(path: Self.sample + "/site.json")
        let truth = try GroundTruth.load(countsCSV: Self.sample + "/counts.csv")
        let clip = try Data(contentsOf: URL(fileURLWithPath: Self.sample + "/frames.y4m"))
        let header = clip.firstIndex(of: 10)! + 1, frameBytes = 384 * 288, frames = 160, passes = 18
        #expect(clip.count == header + frames * (6 + frameBytes))
        // The sample looped 18 times (7 minutes at 7 fps) on one clock.
        let agent = Agent(site: site, framePeriodMicros: 142_857)
        _ = agent.start(atMicros: 0)
        var added = 0.0, error = 0.0, scored = 0, openedAt: Int?
        clip.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for pass in 0..<passes {
                for f in 0..<frames {
                    let image = GreyImage(unsafePixels: base + header + f * (6 + frameBytes) + 6, width: 384, height: 288, stride: 384)
                    _ = agent.frame(image, atMicros: Int64(pass * frames + f) * 142_857)
                    if openedAt == nil && agent.densityPath!.fusion.weight > 0 { openedAt = pass * frames + f }
                    // The last three passes, scored as replay scores (after the first 50 frames of a pass).
                    guard pass >= passes - 3, f >= 50, let expected = truth.counts[f] else { continue }
                    added += agent.densityPath!.fusion.addedPeople
                    error += abs(Double(agent.lastEstimate!.count - expected))
                    scored += 1
                }
            }
        }
        let path = agent.densityPath!
        // The gate must open before the scored passes, or they would show the motion path alone.
        let opened = try #require(openedAt, "the gate never opened: response \(path.fusion.response ?? 0) over \(path.fusion.responseEvidence) people")
        #expect(opened < (passes - 3) * frames && path.fusion.weight > 0, "opened at frame \(opened) of \(passes * frames)")
        #expect(added / Double(scored) < 0.5, "people added per frame: \(added / Double(scored))")
        #expect(error / Double(scored) < 0.7, "MAE of the last three passes: \(error / Double(scored))")
    }

    @Test func zoneCountsOnTheSampleFollowTheFootPointTruth() throws {
        let site = try SiteConfig.load(path: Self.sample + "/site.json")
        let zones = ZoneAndLineTruth(boxes: try TruthBox.load(boxesCSV: Self.sample + "/boxes.csv"), site: site)
        var scores = [Score](repeating: Score(), count: site.zones.count)
        _ = try Replay(clipPath: Self.sample + "/frames.y4m", site: site).run(onFrame: { frame, _ in
            guard frame.index >= 50, let expected = zones.zoneCounts[frame.index] else { return }
            for z in 0..<scores.count { scores[z].add(predicted: Double(frame.zoneCounts[z]), truth: Double(expected[z])) }
        })
        for (z, s) in scores.enumerated() { #expect(s.mae <= 0.6, "zone \(site.zones[z].name) MAE \(s.mae)") }
    }

    @Test func aMissingSiteFileIsOneLineNamingIt() {
        #expect(throws: SimulatorError.self) { try SiteConfig.load(path: "/nonexistent/site.json") }
        do {
            _ = try SiteConfig.load(path: "/nonexistent/site.json")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/site.json: "))
            #expect(!error.description.contains("\n"))
        }
    }
}
