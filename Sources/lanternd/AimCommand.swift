import LanternAgent
import LanternCore
import LanternHardware
import LanternRuntime
import LanternSystem

/// `lanternd aim`: the aiming map (LanternCore/Reports/AimMap.swift) from the camera, or from a clip
/// with `--replay`, through the run loop. On a terminal it is redrawn in place (ANSI) about twice a
/// second until Ctrl-C or `--frames N`; otherwise the final map is printed once. Frames are analysed
/// in memory; only thresholded motion density reaches the screen.
enum AimCommand {
    static let spec = CommandSpec(
        command: "lanternd aim",
        abstract: "Shows where motion is seen, so the camera can be aimed without a picture.",
        discussion: """
            Motion density is drawn as . : o O @, the site's zones outlined by their letter and its
            counting lines drawn. Ctrl-C ends it. Needs --board FILE or --replay CLIP.
            """,
        options: [
            OptionSpec("--site", "FILE", required: true, "the site file: zones and lines to draw"),
            OptionSpec("--board", "FILE", "the board file: its camera"),
            OptionSpec("--replay", "CLIP", "a YUV4MPEG2 clip instead of the camera"),
            OptionSpec("--frames", "N", "stop after N frames"),
        ])

    static func run(_ parsed: ParsedOptions) throws(Failure) {
        let frames: Int64?
        do throws(UsageError) {
            frames = try parsed.integer("--frames", in: 1...Int64(Int32.max), example: 200)
        } catch {
            throw Failure(error.message, code: .usage)
        }
        let boardPath = parsed.value("--board"), replay = parsed.value("--replay")
        guard boardPath != nil || replay != nil else {
            throw Failure("needs --board FILE or --replay CLIP; type `lanternd aim --board /etc/lantern/board.json --site /etc/lantern/site.json`", code: .usage)
        }
        let site = try ConfigFiles.site(parsed.value("--site")!)
        let source: any FrameSource
        if let clip = replay {
            do throws(FrameSourceError) {
                source = try ClipSource(path: clip)
            } catch {
                throw Failure("\(error.description); check the path given to --replay", code: .dataError)
            }
        } else {
            let camera = CameraSource(spec: try ConfigFiles.board(boardPath!).camera)
            do throws(FrameSourceError) {
                try camera.open()
            } catch {
                throw Failure("\(error.description); check the camera cable and camera.device in the board file", code: .unavailable)
            }
            source = camera
        }
        let clock = SystemRunClock()
        let agent = Agent(site: site, framePeriodMicros: source.framePeriodMicros)
        let loop = RunLoop(agent: agent, source: source, clock: clock, signals: ProcessSignals())
        loop.frameLimit = frames.map { Int($0) }
        var view = AimView(site: site, terminal: SystemFiles.standardOutputIsTerminal)
        loop.onFrame = { _, _ in
            guard let estimator = agent.estimator else { return }
            view.add(estimator, atMicros: clock.monotonicMicros)
        }
        try loop.run()
        view.finish()
    }
}

/// The aiming map as it builds up, drawn to stdout.
struct AimView {
    let site: SiteConfig
    let terminal: Bool
    var map: AimMap?
    var drawnLines = 0
    var lastDrawMicros: Int64 = 0

    init(site: SiteConfig, terminal: Bool) {
        self.site = site
        self.terminal = terminal
    }

    /// One analysed frame's motion into the map (never its pixels).
    mutating func add(_ estimator: OccupancyEstimator, atMicros now: Int64) {
        if map == nil { map = AimMap(area: estimator.area) }
        estimator.withForegroundCells { cells, wide, high in map!.add(cells: cells, cellsWide: wide, cellsHigh: high) }
        if terminal && now - lastDrawMicros > 500_000 {
            lastDrawMicros = now
            draw()
        }
    }

    mutating func draw() {
        guard let map else { return }
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
            Console.error("aim: no frame was analysed")
            return
        }
        draw()
    }
}
