import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem

/// `lanternd check --aim`: the aiming map (LanternCore/Reports/AimMap.swift) from the camera, or from a
/// clip with `--replay`. On a terminal it is redrawn in place (ANSI) about twice a second until Ctrl-C
/// or `--frames N`; otherwise the final map is printed once. Frames are analysed in memory; only
/// thresholded motion density reaches the screen.
enum AimCommand {
    static let usage = """
        USAGE: lanternd check --aim --site FILE (--board FILE | --replay CLIP) [--frames N]

        Shows where motion is seen (. : o O @), with the site's zones outlined by their letter and its
        counting lines drawn, so the camera can be aimed without a picture. Ctrl-C ends it.
        """

    static func run(_ arguments: [String]) -> Int32 {
        var site: String?, board: String?, replay: String?
        var frames: Int64?
        var i = 1
        while i < arguments.count {
            let name = arguments[i]
            if name == "--aim" { i += 1; continue }
            if name == "-h" || name == "--help" { Console.line(usage); return 0 }
            guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
                Console.error("check --aim: \(name) needs a value (or is unknown); see `lanternd check --aim --help`")
                return 2
            }
            let value = arguments[i + 1]
            switch name {
            case "--site": site = value
            case "--board": board = value
            case "--replay": replay = value
            case "--frames":
                guard let n = DecimalText.integer(value.utf8), n >= 1 else {
                    Console.error("check --aim: --frames \(value): expected a whole number >= 1")
                    return 2
                }
                frames = n
            default:
                Console.error("check --aim: unknown option '\(name)'; see `lanternd check --aim --help`")
                return 2
            }
            i += 2
        }
        guard let sitePath = site, board != nil || replay != nil else {
            Console.error("check --aim: needs --site FILE and --board FILE (or --replay CLIP); type `lanternd check --aim --board /etc/lantern/board.json --site /etc/lantern/site.json`")
            return 2
        }
        _ = try? SignalFlags.install()
        do throws(Failure) {
            let config = try Daemon.loadSite(sitePath)
            var view = AimView(site: config, limit: frames)
            if let clip = replay {
                try view.runReplay(clip)
            } else {
                try view.runCamera(try Daemon.loadBoard(board!).camera)
            }
            view.finish()
            return 0
        } catch {
            Console.error(error.message)
            return 1
        }
    }
}

struct AimView {
    let site: SiteConfig
    let limit: Int64?
    let terminal = SystemFiles.standardOutputIsTerminal
    var estimator: OccupancyEstimator?
    var map: AimMap?
    var frames: Int64 = 0
    var drawnLines = 0
    var lastDrawMicros: Int64 = 0

    init(site: SiteConfig, limit: Int64?) {
        self.site = site
        self.limit = limit
    }

    var done: Bool { (limit.map { frames >= $0 } ?? false) }

    /// One frame in: motion into the map, never kept.
    mutating func add(_ frame: GreyImage) {
        if estimator == nil {
            let e = OccupancyEstimator(site: site, frameWidth: frame.width, frameHeight: frame.height)
            estimator = e
            map = AimMap(area: e.area)
        }
        estimator!.process(frame)
        estimator!.withForegroundCells { cells, wide, high in map!.add(cells: cells, cellsWide: wide, cellsHigh: high) }
        frames += 1
        if terminal && SystemClock.monotonicMicros - lastDrawMicros > 500_000 { draw() }
    }

    mutating func draw() {
        guard let map else { return }
        lastDrawMicros = SystemClock.monotonicMicros
        let lines = map.render(site: site)
        var text = ""
        // Back to the map's first line: redrawn in place.
        if terminal && drawnLines > 0 { text += "\u{1B}[\(drawnLines)A" }
        for line in lines { text += (terminal ? "\u{1B}[2K" : "") + line + "\n" }
        Console.write(text, to: .standardOutput)
        drawnLines = lines.count
    }

    mutating func finish() {
        if map == nil {
            Console.error("check --aim: no frame was analysed")
            return
        }
        draw()
    }

    mutating func runReplay(_ path: String) throws(Failure) {
        let reader: ClipReader
        do { reader = try ClipReader(path: path) } catch { throw Failure("\(error.description); check the path given to --replay") }
        while !done && !SignalFlags.takeStop() {
            let next: GreyImage?
            do { next = try reader.nextFrame() } catch { throw Failure("\(error.description); check the clip") }
            guard let frame = next else { break }
            add(frame)
        }
    }

    mutating func runCamera(_ spec: CameraSpec) throws(Failure) {
        let camera: VideoDevice
        do {
            camera = try Daemon.openCamera(spec)
        } catch {
            throw Failure("\(spec.device): \(Daemon.deviceProblem(error)); check the camera cable and camera.device in the board file")
        }
        defer { camera.stop() }
        while !done && !SignalFlags.takeStop() {
            guard let ready = try? Poll.readable([camera.descriptor], timeoutMillis: 500), ready[0] else { continue }
            do {
                _ = try camera.withNextFrame { base, width, height, stride in
                    self.add(GreyImage(unsafePixels: base, width: width, height: height, stride: stride))
                }
            } catch {
                throw Failure("\(spec.device): lost (\(error))")
            }
        }
    }
}
