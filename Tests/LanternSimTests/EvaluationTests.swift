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
        #expect(report.rows.map(\.name) == ["clean"] + Perturbation.allCases.map(\.rawValue))
        for row in report.rows { #expect(row.verdict != .fail, "\(row.name): MAE \(row.score.mae) > \(report.allowedMAE)") }
        #expect(report.passed)
        // The clean clip is trusted throughout, and darkness is reported, not counted.
        #expect(report.rows[0].intervalsKnown == report.rows[0].intervalsTotal)
        #expect(report.rows.first { $0.name == "dusk" }?.verdict == .passUnknown)
        #expect(report.table.contains("PASS (unknown"))
    }
}
