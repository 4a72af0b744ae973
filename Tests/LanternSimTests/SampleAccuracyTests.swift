import Foundation
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
