import Foundation
import LanternCore
import LanternSim
import Testing

/// `lantern-sim evaluate` on the bundled sample: every condition counts within twice the clean error, or
/// says it does not know.
@Suite struct EvaluationTests {
    @Test func everyConditionPassesOnTheBundledSample() throws {
        let sample = SampleAccuracyTests.sample
        let site = try SiteConfig.load(path: sample + "/site.json")
        let truth = try GroundTruth.load(countsCSV: sample + "/counts.csv")
        let report = try Evaluation(clipPath: sample + "/frames.y4m", site: site, truth: truth).run()
        #expect(report.intervalFrames == 35)  // 5 s at 7 fps
        #expect(report.rows.map(\.name) == ["clean"] + Perturbation.allCases.map(\.rawValue) + [StillScene.name])
        for row in report.rows { #expect(row.verdict != .fail, "\(row.name): MAE \(row.score.mae) > \(report.allowedMAE)") }
        #expect(report.passed)
        // The clean clip is trusted throughout, and darkness is reported, not counted.
        #expect(report.rows[0].intervalsKnown == report.rows[0].intervalsTotal)
        #expect(report.rows.first { $0.name == "dusk" }?.verdict == .passUnknown)
        #expect(report.table.contains("PASS (unknown"))
    }

    @Test func aFrozenSampleHoldsItsCountForAMinute() throws {
        // The sample frozen at its middle frame for 60 s of clip time (420 frames at 7 fps), with fresh noise.
        let sample = SampleAccuracyTests.sample
        let site = try SiteConfig.load(path: sample + "/site.json")
        let truth = try GroundTruth.load(countsCSV: sample + "/counts.csv")
        let outcome = try StillScene().run(
            clipPath: sample + "/frames.y4m", site: site, parameters: EstimatorParameters(), truth: truth, seed: 1)
        #expect(outcome.frame == 80 && outcome.frames == 420)
        #expect(outcome.framesOff == 0, "worst \(outcome.worstCount) for truth \(outcome.truth)")
        // Without the hold, the same freeze fades to nothing.
        var motionOnly = EstimatorParameters()
        motionOnly.stillHoldSeconds = 0
        let faded = try StillScene().run(clipPath: sample + "/frames.y4m", site: site, parameters: motionOnly, truth: truth, seed: 1)
        #expect(faded.framesOff > 0 && faded.estimates.last!.count <= 1)
    }
}
