import ArgumentParser
import Foundation
import LanternCore
import LanternDensity
import LanternSim

struct CountImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count-images",
        abstract: "Count the people in still JPEG images with the density model and score against head points.",
        discussion: """
            Counts every image of DIR named in heads.csv (split,image,x,y,...; rows of the split named like DIR, \
            or --split) with the board's density model (LanternDensity, weights compiled in), at the image's own \
            scale: a still image has no site file, so no calibration. The count is the density map's sum. Ends with \
            `lantern: images=N fps=... MAE=... RMSE=... bias=...` (fps: the model alone, decoding excluded, one thread).
            """
    )

    @Argument(help: "The folder of the images (JPEG, grey or colour).")
    var directory: String

    @Option(help: "Head points: heads.csv with columns split,image,x,y.")
    var heads: String

    @Option(help: "The split of heads.csv to use (default: the one named like the folder).")
    var split: String?

    /// `--quiet` (as in replay): only the summary line, not every image.
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging, countImages)
    }

    func countImages() throws(SimulatorError) {
        let weights: DensityWeights
        do {
            weights = try DensityWeights.bundled()
        } catch {
            throw SimulatorError("density model: \(error.description)", status: .software)
        }
        let points = try HeadPoints.load(headsCSV: heads)
        let counting = try ImageCounting(directory: directory, heads: points, split: split)
        let quiet = logging.quiet
        let summary = try counting.run(weights: weights) { result in
            if !quiet { print("\(result.image): \(formatFixed(result.counted, places: 1)) people, truth \(result.truth)") }
        }
        let s = summary.score
        print("lantern: images=\(s.scored) fps=\(formatFixed(summary.imagesPerSecond, places: 1)) MAE=\(formatFixed(s.mae, places: 3)) "
            + "RMSE=\(formatFixed(s.rmse, places: 3)) bias=\(formatSigned(s.bias, places: 3))")
    }
}
