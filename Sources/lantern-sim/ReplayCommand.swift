import ArgumentParser
import Foundation
import LanternCore
import LanternAgent
import LanternRuntime
import LanternSim

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a YUV4MPEG2 clip and print the people counted in each frame."
    )

    @Argument(help: "The clip (YUV4MPEG2, 8-bit; Lantern reads the luma plane; `-` for standard input; another video format through ffmpeg).")
    var clip: String

    @Option(help: "The scene's site file (calibration, crop, zones, lines). Default: site.json beside the clip.")
    var site: String?

    @Option(help: "Ground truth counts.csv (frame,count): end with an accuracy line.")
    var truth: String?

    @Option(help: "Ground truth boxes.csv (frame,id,x,y,w,h): also score zones and line crossings, and check what the blobs are worth per person.")
    var boxes: String?

    @Option(help: "Frames processed but not scored at the start, while the background is learnt.")
    var warmup: Int = 50

    @Option(help: "Perturb the frames first, as `evaluate` does: \(Perturbation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var perturb: String?

    @Option(help: "Seed of the perturbation's random numbers.")
    var seed: UInt64 = 1

    @Option(help: "Density-path steps per second, overriding the site's density.rateHz (0: motion path only).")
    var densityRate: Double?

    @Flag(help: "Print JSON lines: one object per frame, then one {\"summary\": ...} object.")
    var json = false

    @Flag(help: "With --json: also each frame's counted blobs (motion path), [x, y, width, height, people] in frame pixels.")
    var blobs = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging, replay)
    }

    func replay() throws(SimulatorError) {
        guard warmup >= 0 else { throw SimulatorError("--warmup must be 0 or more (got \(warmup))", status: .usage) }
        guard !blobs || json else { throw SimulatorError("--blobs goes with --json (the blobs are a field of each frame's object)", status: .usage) }
        let sitePath = site ?? defaultSitePath(forClip: clip)
        var siteConfig = try SiteConfig.load(path: sitePath)
        if let densityRate {
            guard densityRate >= 0 && densityRate <= SiteConfig.DensityRate.maximumHertz else {
                throw SimulatorError("--density-rate must be from 0 (off) to \(formatTrimmed(SiteConfig.DensityRate.maximumHertz)) (got \(densityRate))", status: .usage)
            }
            siteConfig.density.hertz = densityRate
        }
        Console.debug("site \(sitePath): \(siteConfig.name), \(siteConfig.zones.count) zones, \(siteConfig.lines.count) lines")
        let groundTruth = try truth.map { path throws(SimulatorError) in try GroundTruth.load(countsCSV: path) }
        let truthBoxes = try boxes.map { path throws(SimulatorError) in try TruthBox.load(boxesCSV: path) }
        let zoneNames = siteConfig.zones.map(\.name)
        var zoneScores = [Score](repeating: Score(), count: zoneNames.count)
        var zoneTruth: ZoneAndLineTruth?
        if let truthBoxes { zoneTruth = ZoneAndLineTruth(boxes: truthBoxes, site: siteConfig, firstFrame: warmup) }
        var blobCheck = truthBoxes.map { BlobCheck(boxes: $0) }
        var totalIn = [Int](repeating: 0, count: siteConfig.lines.count), totalOut = totalIn

        var transform: ((Int, UnsafeMutableBufferPointer<UInt8>, Int, Int) -> Void)?
        if let perturb {
            guard let p = Perturbation(rawValue: perturb) else {
                throw SimulatorError("--perturb: unknown perturbation '\(perturb)'; one of \(Perturbation.allCases.map(\.rawValue).joined(separator: ", "))", status: .usage)
            }
            let frameCount = try Replay.countFrames(clipPath: clip)
            let seed = self.seed
            transform = { index, pixels, width, height in
                p.apply(to: pixels, width: width, height: height, index: index, frameCount: frameCount, seed: seed)
            }
        }
        let debug = ProcessInfo.processInfo.environment["LANTERN_DEBUG"] != nil
        var replay = Replay(clipPath: clip, site: siteConfig, warmup: warmup)
        replay.siteName = sitePath
        var densityPath: DensityPath?
        let summary = try replay.run(truth: groundTruth, transform: transform, onFrame: { frame, agent in
            densityPath = agent.densityPath
            if let zoneTruth, frame.index >= warmup {
                let expected = zoneTruth.zoneCounts[frame.index] ?? [Int](repeating: 0, count: zoneNames.count)
                for z in 0..<zoneNames.count { zoneScores[z].add(predicted: Double(frame.zoneCounts[z]), truth: Double(expected[z])) }
            }
            if frame.index >= warmup {
                // Crossings are scored like counts: not while the background is still being learnt.
                let lineIn = frame.estimate.lineIn, lineOut = frame.estimate.lineOut
                for l in 0..<lineIn.count {
                    totalIn[l] += lineIn[l]
                    totalOut[l] += lineOut[l]
                }
                if blobCheck != nil, frame.estimate.trusted, let e = agent.estimator {
                    blobCheck!.add(frame: frame.index, blobs: e.blobs, view: e.view, minimumPeople: e.parameters.minimumBlobPeople)
                }
            }
            guard !logging.quiet else { return }
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.field("frame", frame.index)
                w.field("count", frame.estimate.count)
                w.field("people", frame.estimate.people, places: 2)
                w.field("condition", frame.estimate.condition.name)
                if frame.estimate.densityPeople > 0 { w.field("density", frame.estimate.densityPeople, places: 2) }
                if blobs, let e = agent.estimator {
                    w.key("blobs")
                    w.beginArray()
                    for blob in e.blobs where blob.people >= e.parameters.minimumBlobPeople {
                        let box = blob.pixelRect(in: e.view)
                        w.beginArray()
                        w.integer(box.x)
                        w.integer(box.y)
                        w.integer(box.width)
                        w.integer(box.height)
                        w.fixed(blob.people, places: 2)
                        w.endArray()
                    }
                    w.endArray()
                }
                if !zoneNames.isEmpty {
                    w.key("zones")
                    w.beginObject()
                    for (z, name) in zoneNames.enumerated() { w.field(name, frame.zoneCounts[z]) }
                    w.endObject()
                }
                let lineIn = frame.estimate.lineIn, lineOut = frame.estimate.lineOut
                if lineIn.contains(where: { $0 > 0 }) || lineOut.contains(where: { $0 > 0 }) {
                    // Only the lines crossed in this frame: [in, out].
                    w.key("crossed")
                    w.beginObject()
                    for (l, line) in siteConfig.lines.enumerated() where lineIn[l] > 0 || lineOut[l] > 0 {
                        w.key(line.name)
                        w.beginArray()
                        w.integer(lineIn[l])
                        w.integer(lineOut[l])
                        w.endArray()
                    }
                    w.endObject()
                }
                w.endObject()
                print(w.text)
            } else {
                var line = "frame \(frame.index): \(frame.estimate.count) people"
                for (z, name) in zoneNames.enumerated() { line += ", \(name) \(frame.zoneCounts[z])" }
                if !frame.estimate.trusted { line += " (untrusted: \(frame.estimate.condition.name))" }
                if debug, let e = agent.estimator {
                    line += " fg=\(formatFixed(e.foregroundFraction, places: 3)) shift=\(e.cameraShift.x),\(e.cameraShift.y) bg=\(formatFixed(e.backgroundMean, places: 1)) blank=\(formatFixed(e.blankFraction, places: 3))"
                }
                print(line)
            }
        })
        if json {
            // Pure JSON lines: the summary is one last object (`jq -c .` reads every line).
            var w = JSONWriter()
            w.beginObject()
            w.key("summary")
            w.beginObject()
            w.field("frames", summary.frames)
            if groundTruth != nil {
                let s = summary.score
                w.field("scored", s.scored)
                w.field("fps", summary.framesPerSecond, places: 1)
                w.field("mae", s.mae, places: 3)
                w.field("rmse", s.rmse, places: 3)
                w.field("bias", s.bias, places: 3)
            }
            if let zoneTruth {
                w.key("zones")
                w.beginObject()
                for (z, name) in zoneNames.enumerated() {
                    w.key(name)
                    w.beginObject()
                    w.field("scored", zoneScores[z].scored)
                    w.field("mae", zoneScores[z].mae, places: 3)
                    w.field("bias", zoneScores[z].bias, places: 3)
                    w.endObject()
                }
                w.endObject()
            }
            if !siteConfig.lines.isEmpty {
                w.key("lines")
                w.beginObject()
                for (l, line) in siteConfig.lines.enumerated() {
                    w.key(line.name)
                    w.beginObject()
                    w.field("in", totalIn[l])
                    w.field("out", totalOut[l])
                    if let zoneTruth {
                        w.field("truthIn", zoneTruth.crossingsIn[l])
                        w.field("truthOut", zoneTruth.crossingsOut[l])
                    }
                    w.endObject()
                }
                w.endObject()
            }
            if let blobCheck {
                // Keyed by the annotated people a blob holds ("3" also holds more).
                w.key("blobs")
                w.beginObject()
                for (g, group) in blobCheck.groups.enumerated() {
                    w.key(String(g))
                    w.beginObject()
                    w.field("blobs", group.blobs)
                    w.field("people", group.people, places: 2)
                    w.field("truth", group.truth)
                    w.endObject()
                }
                w.field("peopleOutside", blobCheck.peopleOutside)
                w.endObject()
            }
            w.endObject()
            w.endObject()
            print(w.text)
            return
        }
        if let zoneTruth {
            for (z, name) in zoneNames.enumerated() {
                let s = zoneScores[z]
                print("zone \(name): scored=\(s.scored) MAE=\(formatFixed(s.mae, places: 3)) bias=\(formatSigned(s.bias, places: 3))")
            }
            for (l, line) in siteConfig.lines.enumerated() {
                let tIn = zoneTruth.crossingsIn[l], tOut = zoneTruth.crossingsOut[l]
                print("line \(line.name): in=\(totalIn[l]) truth=\(tIn) error=\(formatSigned(ZoneAndLineTruth.percentError(totalIn[l], truth: tIn), places: 1))% "
                    + "out=\(totalOut[l]) truth=\(tOut) error=\(formatSigned(ZoneAndLineTruth.percentError(totalOut[l], truth: tOut), places: 1))%")
            }
        }
        if let blobCheck { print(blobCheck.line) }
        if let densityPath {
            print(DensitySummary.line(densityPath, hertz: siteConfig.density.hertz))
        }
        if groundTruth != nil {
            let s = summary.score
            print("lantern: frames=\(summary.frames) scored=\(s.scored) fps=\(formatFixed(summary.framesPerSecond, places: 1)) "
                + "MAE=\(formatFixed(s.mae, places: 3)) RMSE=\(formatFixed(s.rmse, places: 3)) bias=\(formatSigned(s.bias, places: 3))")
        }
    }
}
