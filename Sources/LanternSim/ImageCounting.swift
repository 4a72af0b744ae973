import Foundation
import LanternCore
import LanternDensity

/// `lantern-sim count-images`: counts the people in every annotated still image of a folder with the
/// density model and scores the counts against the head annotations.
///
/// A still image has no site file, so no calibration: each image is analysed at its own scale (the
/// model was trained at the scale of ShanghaiTech B's 512x384 images), the same rule for every image.
/// The count is the density map's sum, not rounded.
public struct ImageCounting {
    public struct Result {
        public var image: String
        public var counted: Double
        public var truth: Int
    }

    public struct Summary {
        public var results: [Result]
        public var score: Score
        /// Images per second of the density model alone (decoding excluded), one thread.
        public var imagesPerSecond: Double
    }

    public let directory: String
    /// The (split, image) of every image to count, in file-name order.
    public let images: [(key: HeadPoints.Key, truth: Int)]

    /// Selects the rows of `heads` whose image names a file in `directory`: those of the split named
    /// `split`, or of the split named like the folder (`.../test` -> `test`), or of any split when the
    /// image names are unique across splits.
    public init(directory: String, heads: HeadPoints, split: String? = nil) throws(SimulatorError) {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw SimulatorError("\(directory): not a readable folder; give the folder of the images", status: .noInput)
        }
        let present = Set(files)
        let folderName = URL(fileURLWithPath: directory).standardized.lastPathComponent
        let chosenSplit: String?
        if let split {
            guard heads.splits.contains(split) else {
                throw SimulatorError("--split \(split): no such split in heads.csv (has \(heads.splits.sorted().joined(separator: ", ")))", status: .usage)
            }
            chosenSplit = split
        } else {
            chosenSplit = heads.splits.contains(folderName) ? folderName : nil
        }
        var selected: [(key: HeadPoints.Key, truth: Int)] = []
        var seen: [String: String] = [:]
        for (key, points) in heads.heads where present.contains(key.image) && (chosenSplit == nil || key.split == chosenSplit) {
            if let other = seen[key.image] {
                throw SimulatorError("heads.csv: image \(key.image) is in splits \(other) and \(key.split); say which with --split", status: .usage)
            }
            seen[key.image] = key.split
            selected.append((key, points.count))
        }
        guard !selected.isEmpty else {
            throw SimulatorError("\(directory): no image in it is named in heads.csv\(chosenSplit.map { " under split \($0)" } ?? ""); check the folder and --heads")
        }
        selected.sort { Self.naturalOrder($0.key.image, $1.key.image) }
        self.directory = directory
        self.images = selected
    }

    /// `IMG_2` before `IMG_10`.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let da = Int(a.filter(\.isNumber)), db = Int(b.filter(\.isNumber))
        if let da, let db, da != db { return da < db }
        return a < b
    }

    /// Decodes every image first (so the counter can be sized once for the largest), then counts them.
    public func run(weights: DensityWeights, report: (Result) -> Void = { _ in }) throws(SimulatorError) -> Summary {
        var decoded: [JPEGImage] = []
        for image in images {
            decoded.append(try JPEGImage.load(path: URL(fileURLWithPath: directory).appendingPathComponent(image.key.image).path))
        }
        let counter = DensityCounter(
            weights: weights, maxWidth: decoded.map(\.width).max() ?? 1, maxHeight: decoded.map(\.height).max() ?? 1)
        var score = Score()
        var results: [Result] = []
        var seconds = 0.0
        for (image, jpeg) in zip(images, decoded) {
            let start = DispatchTime.now().uptimeNanoseconds
            let counted = jpeg.pixels.withUnsafeBufferPointer { pixels in
                counter.count(GreyImage(unsafePixels: pixels.baseAddress!, width: jpeg.width, height: jpeg.height, stride: jpeg.width))
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            score.add(predicted: counted, truth: Double(image.truth))
            let result = Result(image: image.key.image, counted: counted, truth: image.truth)
            results.append(result)
            report(result)
        }
        return Summary(results: results, score: score, imagesPerSecond: seconds > 0 ? Double(images.count) / seconds : 0)
    }
}
