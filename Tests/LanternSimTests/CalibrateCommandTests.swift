import Foundation
import LanternCore
import LanternSim
import LanternTestSupport
import Testing

/// `lantern-sim calibrate`: the person heights fitted from the walkers alone, against the site files
/// whose calibration was measured from annotated boxes.
@Suite struct CalibrateCommandTests {
    static let sample = SampleAccuracyTests.sample
    static let devClip = UnknownIntervalAgreementTests.devClip

    /// The fit's heights at `rows` (`--json`), from the walkers and, with boxes, from the boxes.
    static func heights(_ arguments: [String]) throws -> (walkers: [Double], boxes: [Double], run: ProductRun) {
        let run = try runBuiltProduct("lantern-sim", ["calibrate", "--json"] + arguments)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        func heights(_ key: String) -> [Double] {
            let fit = object?[key] as? [String: Any]
            let rows = fit?["personHeights"] as? [[String: Any]] ?? []
            // The first two are the proposed rows; the asked-for rows follow.
            return rows.dropFirst(2).compactMap { $0["height"] as? Double }
        }
        return (heights("walkers"), heights("boxes"), run)
    }

    static func withinTenPercent(_ fitted: [Double], of site: SiteConfig, rows: [Double]) -> Bool {
        fitted.count == rows.count && zip(fitted, rows).allSatisfy { h, row in
            abs(h - site.scale.height(atFootRow: row)) <= 0.1 * site.scale.height(atFootRow: row)
        }
    }

    @Test func theSampleSelfCalibratesWithinTenPercentOfItsSiteFile() throws {
        let site = try SiteConfig.load(path: Self.sample + "/site.json")
        let rows = [80.0, 150.0]
        let fitted = try Self.heights([Self.sample + "/frames.y4m", "--rows", "80,150", "--boxes", Self.sample + "/boxes.csv"])
        #expect(fitted.run.status == 0, "\(fitted.run.stderr)")
        #expect(Self.withinTenPercent(fitted.walkers, of: site, rows: rows), "walkers: \(fitted.walkers)")
        #expect(Self.withinTenPercent(fitted.boxes, of: site, rows: rows), "boxes: \(fitted.boxes)")
    }

    @Test func theTextShowsBothFitsSideBySideAndTheLineToPaste() throws {
        let run = try runBuiltProduct("lantern-sim", ["calibrate", Self.sample + "/frames.y4m", "--boxes", Self.sample + "/boxes.csv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("walkers (no truth): height = ") && run.stdout.contains("boxes: height = "), "\(run.stdout)")
        #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix("row ") && $0.contains(" walkers ") && $0.contains(" boxes ") && $0.contains("±") })
        #expect(run.stdout.contains("\"personHeights\": [ { \"row\": "))
    }

    @Test func theWrittenSkeletonParsesAndReplays() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-calibrate-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("site.json").path
        let run = try runBuiltProduct("lantern-sim", ["calibrate", Self.sample + "/frames.y4m", "-o", out, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let site = try SiteConfig.load(path: out)
        #expect(site.frame == SiteConfig.FrameSize(width: 384, height: 288) && site.zones.map(\.name) == ["ground"])
        let replay = try runBuiltProduct("lantern-sim", ["replay", Self.sample + "/frames.y4m", "--site", out, "--truth", Self.sample + "/counts.csv", "--quiet"])
        #expect(replay.status == 0 && replay.stdout.contains("MAE="), "\(replay.stderr)")
    }

    @Test func aClipWithoutWalkersIsNoFitAndExitOne() throws {
        let run = try runBuiltProduct("lantern-sim", ["calibrate", try LanternSimCommandTests().temporary("still.y4m", LanternSimCommandTests().clip(frames: 60))])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("no fit: 0 walkers seen alone"), "\(run.stdout)")
    }

    /// Must show 1: on the dev clip, no truth: rows 80 and 200 within 10% of the reference site, and the
    /// self-calibrated site replays within 0.1 MAE of the reference (or better).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: devClip + "/frames.y4m")))
    func theDevClipSelfCalibratesWithinTenPercentAndReplaysAsWell() throws {
        let reference = try SiteConfig.load(path: SampleAccuracyTests.root + "/Simulator/sites/pets09-s2l1.json")
        let fitted = try Self.heights([Self.devClip + "/frames.y4m", "--rows", "80,200"])
        #expect(Self.withinTenPercent(fitted.walkers, of: reference, rows: [80, 200]), "walkers: \(fitted.walkers)")

        let calibration = try ClipCalibration.watch(clipPath: Self.devClip + "/frames.y4m")
        let fit = try calibration.fit.get()
        var selfCalibrated = reference
        selfCalibrated.scale = fit.personScale
        let truth = try GroundTruth.load(countsCSV: Self.devClip + "/counts.csv")
        let referenceMAE = try Replay(clipPath: Self.devClip + "/frames.y4m", site: reference).run(truth: truth).score.mae
        let selfMAE = try Replay(clipPath: Self.devClip + "/frames.y4m", site: selfCalibrated).run(truth: truth).score.mae
        // Measured: reference 0.340, walkers' fit 0.354. The estimator is steep in the heights (the reference
        // heights 3% larger replay at 0.531, 5% at 0.769), so this pins the measurement of the walkers'
        // heights (`WalkerTracker.measure`): with the blobs' boxes, 6% too tall near the camera, it was 0.549.
        #expect(selfMAE <= referenceMAE + 0.1, "self-calibrated MAE \(selfMAE), reference \(referenceMAE)")
    }
}
