import ArgumentParser
import Foundation
import LanternCore
import LanternAgent
import LanternDensity
import LanternSim

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the estimator's speed and accuracy on clips; with --peers, run OpenCV MOG2 beside it.",
        discussion: """
            A clip folder holds frames.y4m and counts.csv. Its site file is Simulator/sites/<folder name without \
            a -dev suffix>.json, or site.json in the folder. Default folders: every folder of ../shared/data \
            with both files, else the bundled Simulator/sample. Protocol as peers.py: frames before --warmup are \
            processed but not scored; fps counts the estimator only (reading the clip excluded), one thread.
            """
    )

    @Argument(help: "Clip folders (frames.y4m + counts.csv).")
    var clipDirs: [String] = []

    @Flag(help: "Also run ../shared/bench/peers.py --methods mog2 on each clip (needs a python with cv2).")
    var peers = false

    @Option(help: "Frames processed but not scored at the start.")
    var warmup: Int = 50

    @Flag(help: "Measure the density model instead (ms per inference at 320x240, 376x280 and 640x480, MACs, a Cortex-A72 estimate).")
    var density = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging, density ? benchDensity : bench)
    }

    /// One line per size, then the board budget: the density path at 2 Hz on 640x480.
    func benchDensity() throws(SimulatorError) {
        let weights: DensityWeights
        do {
            weights = try DensityWeights.bundled()
        } catch {
            throw SimulatorError("density model: \(error.description)", status: .software)
        }
        let benchmark = DensityBenchmark(weights: weights)
        print("density: \(weights.parameterCount) parameters, cell \(weights.cellSize) px; "
            + "Cortex-A72 estimate at \(formatFixed(DensityBenchmark.cortexA72MACsPerSecond / 1e9, places: 1)) GMAC/s (see DensityBenchmark)")
        var last: DensityBenchmark.Result?
        // 376x280: the dev clip's analysed area as it is (Simulator/sites/pets09-s2l1.json), a width that is no
        // multiple of 8; the agent enlarges it to about 642x478 (DensityPath.maximumUpscale).
        for (width, height) in [(320, 240), (376, 280), (DensityPath.budgetFrame.width, DensityPath.budgetFrame.height)] {
            let r = benchmark.measure(width: width, height: height)
            print("density: \(width)x\(height) ms=\(formatFixed(r.milliseconds, places: 2)) best-ms=\(formatFixed(r.fastestMilliseconds, places: 2)) (one x86 thread) "
                + "MMAC=\(formatFixed(Double(r.multiplyAccumulates) / 1e6, places: 1)) "
                + "GMAC/s=\(formatFixed(Double(r.multiplyAccumulates) / r.milliseconds / 1e6, places: 2)) "
                + "cortex-a72-ms=\(formatFixed(r.cortexA72Milliseconds, places: 1))")
            last = r
        }
        if let last {
            let share = 2 * last.cortexA72Milliseconds / 1000
            print("density: 2 Hz on \(DensityPath.budgetFrame.width)x\(DensityPath.budgetFrame.height) needs \(formatFixed(100 * share, places: 1))% of one Cortex-A72 core (target <= 15%)")
        }
    }

    /// The repository: the working directory when it holds Simulator/, else where this source was built from.
    static var repoRoot: URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if FileManager.default.fileExists(atPath: cwd.appendingPathComponent("Simulator").path) { return cwd }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func isClip(_ dir: URL) -> Bool {
        FileManager.default.fileExists(atPath: dir.appendingPathComponent("frames.y4m").path)
            && FileManager.default.fileExists(atPath: dir.appendingPathComponent("counts.csv").path)
    }

    func defaultClips() -> [URL] {
        let data = Self.repoRoot.appendingPathComponent("../shared/data").standardized
        let names = (try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []
        let clips = names.sorted().map { data.appendingPathComponent($0) }.filter(Self.isClip)
        return clips.isEmpty ? [Self.repoRoot.appendingPathComponent("Simulator/sample")] : clips
    }

    func sitePath(for dir: URL) -> String {
        var name = dir.lastPathComponent
        if name.hasSuffix("-dev") { name.removeLast(4) }
        let named = Self.repoRoot.appendingPathComponent("Simulator/sites/\(name).json").path
        return FileManager.default.fileExists(atPath: named) ? named : dir.appendingPathComponent("site.json").path
    }

    func bench() throws(SimulatorError) {
        let dirs = clipDirs.isEmpty ? defaultClips() : clipDirs.map { URL(fileURLWithPath: $0).standardized }
        let peersScript = Self.repoRoot.appendingPathComponent("../shared/bench/peers.py").standardized.path
        var python: String?
        if peers {
            guard FileManager.default.fileExists(atPath: peersScript) else {
                throw SimulatorError("\(peersScript): no such file; --peers needs ../shared/bench/peers.py")
            }
            python = Self.findPython()
            if python == nil {
                print("peers: no python with cv2 found (tried .venv-peers, .venv, /tmp/peersvenv, python3); run Toolchain/bench to make one")
            }
        }
        for dir in dirs {
            guard Self.isClip(dir) else { throw SimulatorError("\(dir.path): expected frames.y4m and counts.csv in it") }
            let clip = dir.appendingPathComponent("frames.y4m").path, counts = dir.appendingPathComponent("counts.csv").path
            let site = try SiteConfig.load(path: sitePath(for: dir))
            let truth = try GroundTruth.load(countsCSV: counts)
            let summary = try Replay(clipPath: clip, site: site, warmup: warmup).run(truth: truth)
            let s = summary.score
            print("lantern: clip=\(dir.lastPathComponent) frames=\(summary.frames) scored=\(s.scored) fps=\(formatFixed(summary.framesPerSecond, places: 1)) "
                + "MAE=\(formatFixed(s.mae, places: 3)) RMSE=\(formatFixed(s.rmse, places: 3)) bias=\(formatSigned(s.bias, places: 3))")
            guard let python else { continue }
            let output = Self.runProcess(python, [peersScript, clip, counts, "--methods", "mog2", "--warmup", "\(warmup)"])
            let lines = output.split(whereSeparator: \.isNewline).map(String.init)
            for line in lines { print(line) }
            if let line = lines.first(where: { $0.hasPrefix("mog2:") }), let peerFPS = Self.field("fps", in: line), peerFPS > 0 {
                print("ratio: clip=\(dir.lastPathComponent) lantern/mog2 fps=\(formatFixed(summary.framesPerSecond / peerFPS, places: 1))x")
            }
        }
    }

    static func field(_ name: String, in line: String) -> Double? {
        for token in line.split(separator: " ") where token.hasPrefix(name + "=") {
            return Double(token.dropFirst(name.count + 1))
        }
        return nil
    }

    static func findPython() -> String? {
        let root = repoRoot
        let candidates = [
            root.appendingPathComponent(".venv-peers/bin/python").path, root.appendingPathComponent(".venv/bin/python").path,
            "/tmp/peersvenv/bin/python", "python3",
        ]
        for c in candidates where c == "python3" || FileManager.default.isExecutableFile(atPath: c) {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = [c, "-c", "import cv2, numpy"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            do { try probe.run() } catch { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return c }
        }
        return nil
    }

    static func runProcess(_ executable: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return "peers: could not run \(executable): \(error)" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if process.terminationStatus != 0 { text += "\npeers: \(executable) exited with status \(process.terminationStatus)" }
        return text
    }
}
