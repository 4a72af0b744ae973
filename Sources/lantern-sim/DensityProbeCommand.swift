import ArgumentParser
import Foundation
import LanternCore
import LanternDensity
import LanternSim

/// A measuring aid for the fusion rule (README "Fusion"): replays a clip through the board's run loop and
/// writes, for every frame, the density map of the analysed area, the density map of the estimator's
/// background, and the motion path's foreground cells, as raw arrays with a `meta.json` describing them,
/// plus `frames.csv` (frame, motion count, motion people, density count, background density count).
struct DensityProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "density-probe",
        abstract: "Write the density maps, the background's maps and the foreground cells of every frame (a measuring aid).",
        discussion: """
            Files in DIR: density.f32 and bgdensity.f32 (float32, frames x mapHeight x mapWidth), fg.u8 (foreground \
            pixels per 2x2 cell, frames x cellsHigh x cellsWide), frames.csv, meta.json. The density model runs on \
            every frame at the calibration's scale, enlarged at most --upscale times (the agent: DensityPath.maximumUpscale).
            """,
        shouldDisplay: false
    )

    @Argument(help: "The clip (YUV4MPEG2).")
    var clip: String
    @Option(help: "The scene's site file.")
    var site: String
    @Option(help: "The folder to write to.")
    var out: String
    @Option(help: "The most the calibration may enlarge the frame for the model.")
    var upscale: Double = 1.5
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging) { () throws(SimulatorError) in
            guard upscale >= 1 && upscale <= 4 else { throw SimulatorError("--upscale must be from 1 to 4 (got \(upscale))", status: .usage) }
            let siteConfig = try SiteConfig.load(path: site)
            let weights: DensityWeights
            do { weights = try DensityWeights.bundled() } catch { throw SimulatorError("density model: \(error)", status: .software) }
            var frameMaps = Data(), backgroundMaps = Data(), foreground = Data()
            var counter: DensityCounter?
            var meta: [String: Any] = ["upscale": upscale]
            var lines = "frame,motion,people,density,bgdensity\n"
            var pixels: [UInt8] = []
            var width = 0, height = 0
            _ = try Replay(clipPath: clip, site: siteConfig).run(transform: { _, buffer, w, h in
                pixels = Array(buffer)
                width = w
                height = h
            }) { frame, agent in
                guard let estimator = agent.estimator else { return }
                let area = estimator.area
                if counter == nil {
                    counter = DensityCounter(weights: weights, maxWidth: area.width, maxHeight: area.height, maximumUpscale: upscale)
                }
                let c = counter!
                let density = pixels.withUnsafeBufferPointer { p in
                    c.count(GreyImage(unsafePixels: p.baseAddress!, width: width, height: height, stride: width).cropped(to: area),
                            personScale: siteConfig.scale, frameRowOffset: area.y)
                }
                c.withDensityMap { m in
                    meta["mapWidth"] = m.width
                    meta["mapHeight"] = m.height
                    meta["cellWidth"] = m.cellWidth
                    meta["cellHeight"] = m.cellHeight
                    frameMaps.append(Data(buffer: m.values))
                }
                let background = estimator.withBackgroundPixels { c.count($0, personScale: siteConfig.scale, frameRowOffset: area.y) }
                c.withDensityMap { backgroundMaps.append(Data(buffer: $0.values)) }
                estimator.withForegroundCells { cells, w, h in
                    meta["cellsWide"] = w
                    meta["cellsHigh"] = h
                    foreground.append(Data(buffer: cells))
                }
                meta["area"] = [area.x, area.y, area.width, area.height]
                lines += "\(frame.index),\(frame.estimate.count),\(frame.estimate.people),\(density),\(background)\n"
            }
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try frameMaps.write(to: URL(fileURLWithPath: out + "/density.f32"))
                try backgroundMaps.write(to: URL(fileURLWithPath: out + "/bgdensity.f32"))
                try foreground.write(to: URL(fileURLWithPath: out + "/fg.u8"))
                try lines.write(toFile: out + "/frames.csv", atomically: true, encoding: .utf8)
                try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: out + "/meta.json"))
            } catch {
                throw SimulatorError("\(out): \(error.localizedDescription); give a folder you can write", status: .cannotCreate)
            }
        }
    }
}
