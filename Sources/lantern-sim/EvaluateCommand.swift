import ArgumentParser
import LanternCore
import LanternSim

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Replay a clip clean and under perturbations (lighting change, dusk, shake, covered lens); print accuracy by condition.",
        discussion: """
            Frames are grouped into intervals by the board's own agent; an interval is unknown when under \
            half of its time was trusted (the estimator's own verdict), exactly as `lanternd run` reports it. A condition passes when its MAE over the known intervals is at most \
            twice the clean clip's MAE, or when every interval is unknown. Exit status 0 only if every row passes (1 otherwise).
            """
    )

    @Argument(help: "The clip (YUV4MPEG2, 8-bit).")
    var clip: String

    @Option(help: "Ground truth counts.csv (frame,count).")
    var truth: String

    @Option(help: "The scene's site file. Default: site.json beside the clip.")
    var site: String?

    @Option(help: "Seconds of clip time per interval.")
    var interval: Int = 5

    @Option(help: "Frames processed but not scored at the start, while the background is learnt.")
    var warmup: Int = 50

    @Option(help: "Seed of the perturbations' random numbers.")
    var seed: UInt64 = 1

    @Option(help: "Also write the table as a self-contained HTML page to this file.")
    var html: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        var passed = false
        try reportingErrors(logging) { () throws(SimulatorError) in
            guard warmup >= 0 else { throw SimulatorError("--warmup must be 0 or more (got \(warmup))", status: .usage) }
            let siteConfig = try SiteConfig.load(path: site ?? defaultSitePath(forClip: clip))
            let groundTruth = try GroundTruth.load(countsCSV: truth)
            let report = try Evaluation(
                clipPath: clip, site: siteConfig, truth: groundTruth, warmup: warmup, intervalSeconds: interval, seed: seed
            ).run()
            print(report.table)
            if let html {
                let page = ReportPage.html(evaluation: report, clipName: clip, siteName: site ?? defaultSitePath(forClip: clip))
                try writeOutput(page, to: html)
            }
            passed = report.passed
            print(passed ? "evaluate: every condition passes" : "evaluate: FAIL (see the rows marked FAIL)")
        }
        if !passed { throw ArgumentParser.ExitCode(ExitStatus.findingFailed.rawValue) }
    }
}
