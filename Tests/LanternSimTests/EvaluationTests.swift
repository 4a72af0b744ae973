import Foundation
import LanternCore
import LanternSim
import LanternTestSupport
import Testing

/// `lantern-sim evaluate` on the bundled sample: every condition counts within twice the clean error, or
/// says it does not know.
@Suite struct EvaluationTests {
    @Test func everyConditionPassesOnTheBundledSample() throws {
        let sample = SampleAccuracyTests.sample
        let site = try SiteConfig.load(path: sample + "/site.json")
        let truth = try GroundTruth.load(countsCSV: sample + "/counts.csv")
        let report = try Evaluation(clipPath: sample + "/frames.y4m", site: site, truth: truth).run()
        #expect(report.intervalSeconds == 5)
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
            clipPath: sample + "/frames.y4m", site: site, parameters: EstimatorParameters(), truth: truth, seed: 1).outcome
        #expect(outcome.frame == 80 && outcome.frames == 420)
        #expect(outcome.framesOff == 0, "worst \(outcome.worstCount) for truth \(outcome.truth)")
        // Without the hold, the same freeze fades to nothing.
        var motionOnly = EstimatorParameters()
        motionOnly.stillHoldSeconds = 0
        let faded = try StillScene().run(clipPath: sample + "/frames.y4m", site: site, parameters: motionOnly, truth: truth, seed: 1).outcome
        #expect(faded.framesOff > 0 && faded.estimates.last!.count <= 1)
    }
}

/// The simulator's verdicts are the board's: `evaluate` (through `Replay`) and `lanternd run --replay`
/// report the same intervals unknown, on the bundled sample and, where `../shared` is there, the dev clip.
@Suite struct UnknownIntervalAgreementTests {
    static let devClip = SampleAccuracyTests.root + "/../shared/data/pets09-s2l1-dev"

    func statuses(ofLanterndReplay clip: String, site: String) throws -> [String] {
        let run = try runBuiltProduct("lanternd", ["run", "--site", site, "--replay", clip, "--speed", "0", "--interval", "5"])
        #expect(run.status == 0, "\(run.stderr)")
        var statuses: [String] = []
        for line in run.stdout.split(separator: "\n") {
            let record = try JSONParser.parse(Array(line.utf8))
            guard record["zone"] == .null, case .string(let status)? = record["status"] else { continue }
            statuses.append(status)
        }
        return statuses
    }

    func statuses(ofSimulatorReplay clip: String, site: String) throws -> [String] {
        let config = try SiteConfig.load(path: site)
        let summary = try Replay(clipPath: clip, site: config, intervalSeconds: 5).run()
        return summary.records.filter { $0.isWholeView }.map(\.status.name)
    }

    @Test func theSampleHasTheSameUnknownIntervalsInBoth() throws {
        let sample = SampleAccuracyTests.sample
        let board = try statuses(ofLanterndReplay: sample + "/frames.y4m", site: sample + "/site.json")
        let simulator = try statuses(ofSimulatorReplay: sample + "/frames.y4m", site: sample + "/site.json")
        #expect(board.count == 5)
        #expect(board.contains("unknown") && board.contains("ok"))
        #expect(simulator == board)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: devClip + "/frames.y4m")))
    func theDevClipHasTheSameUnknownIntervalsInBoth() throws {
        let site = SampleAccuracyTests.root + "/Simulator/sites/pets09-s2l1.json"
        let board = try statuses(ofLanterndReplay: Self.devClip + "/frames.y4m", site: site)
        let simulator = try statuses(ofSimulatorReplay: Self.devClip + "/frames.y4m", site: site)
        #expect(board.count >= 10)
        #expect(simulator == board)
    }
}
