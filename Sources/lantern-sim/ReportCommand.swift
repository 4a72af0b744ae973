import ArgumentParser
import LanternCore
import LanternRuntime
import LanternSim

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Replay a clip and write one self-contained HTML accuracy report (plots, tables, frames with what the estimator saw).",
        discussion: """
            The page holds the count against the truth over time, the error by zone and the crossings per line \
            and direction (with --boxes), the `evaluate` table (with --truth), and a few frames (the worst ones \
            with --truth) with the crop, zones, lines, the calibration ruler, the foreground cells and the \
            density model's map. Inline SVG and data: images only: nothing is fetched when it is opened.
            """
    )

    @Argument(help: "The clip (YUV4MPEG2, 8-bit).")
    var clip: String

    @Option(help: "The scene's site file. Default: site.json beside the clip.")
    var site: String?

    @Option(help: "Ground truth counts.csv (frame,count).")
    var truth: String?

    @Option(help: "Ground truth boxes.csv (frame,id,x,y,w,h): also score zones and line crossings.")
    var boxes: String?

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output: String

    @Option(help: "Frames processed but not scored at the start, while the background is learnt.")
    var warmup: Int = 50

    @Option(help: "How many frames to show.")
    var frames: Int = 4

    @Flag(help: "Leave out the `evaluate` table (it replays the clip under every perturbation).")
    var noEvaluate = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging) { () throws(SimulatorError) in
            guard warmup >= 0 else { throw SimulatorError("--warmup must be 0 or more (got \(warmup))", status: .usage) }
            guard (0...24).contains(frames) else { throw SimulatorError("--frames must be from 0 to 24 (got \(frames))", status: .usage) }
            let sitePath = site ?? defaultSitePath(forClip: clip)
            let siteConfig = try SiteConfig.load(path: sitePath)
            let groundTruth = try truth.map { path throws(SimulatorError) in try GroundTruth.load(countsCSV: path) }
            let truthBoxes = try boxes.map { path throws(SimulatorError) in try TruthBox.load(boxesCSV: path) }
            let report = try AccuracyReport.make(
                clipPath: clip, site: siteConfig, siteName: sitePath, truth: groundTruth, boxes: truthBoxes, warmup: warmup,
                snapshotCount: frames, evaluate: !noEvaluate)
            let page = ReportPage.html(report)
            try writeOutput(page, to: output)
            Console.info("report: \(output), \(page.utf8.count) bytes, \(report.frames.count) frames"
                + (report.score.scored > 0 ? ", MAE \(formatFixed(report.score.mae, places: 3))" : ""))
        }
    }
}
