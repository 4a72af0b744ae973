import LanternAgent
import LanternCore
import LanternHardware
import LanternRuntime
import LanternSystem
import LanternUplink

/// `lanternd check`: the technician's checklist, one line per item, `PASS`, `WARN` or `FAIL`, with what
/// to do. Exit 0 only when nothing FAILs. Frames are measured in memory (FrameQuality): no picture is
/// shown, stored or sent.
enum CheckCommand {
    static let spec = CommandSpec(
        command: "lanternd check",
        abstract: "Checks a board before it is left on the pole.",
        discussion: """
            Checks the board and site files, the GPIO chip and each line (output LEDs blink for a second),
            the camera (opens, format, frame rate, brightness and focus), the clock, the broker, and free
            space for the journal. One line per item:
              PASS  <item>: <finding>
              FAIL  <item>: <finding>; <what to do>
            Exit code 0 only when nothing FAILs (1 otherwise).
            """,
        options: [
            OptionSpec("--config-dir", "DIR", "what lanternd run reads (/etc/lantern): DIR/board.json, DIR/site.json, and the broker and TLS files of DIR/lantern.conf"),
            OptionSpec("--board", "FILE", "the board file (default DIR/board.json with --config-dir)"),
            OptionSpec("--site", "FILE", "the site file (default DIR/site.json with --config-dir)"),
            OptionSpec("--mqtt-url", "URL", "the broker to reach (mqtt://host:port or mqtts://host:port; default lantern.conf's)"),
            OptionSpec("--user", "NAME", "the user lanternd runs as, for whether it can read the TLS files (default lantern, when that user exists)"),
            OptionSpec("--state-dir", "DIR", "the state directory whose free space the journal needs"),
            OptionSpec("--seconds", "N", "how long to watch the camera (1 to 60, default 2; with --calibrate 10 to 3600, default 300)"),
            OptionSpec("--calibrate", nil, "instead of the checklist: fit the person height per image row from the people walking past, and print the personHeights line for the site file"),
            OptionSpec("--replay", "CLIP", "with --calibrate: a YUV4MPEG2 clip instead of the camera"),
        ] + Console.options)

    enum Level: String {
        case pass = "PASS"
        case warn = "WARN"
        case fail = "FAIL"
    }

    static func run(_ parsed: ParsedOptions) throws(Failure) -> ExitStatus {
        let dir = parsed.value("--config-dir")
        if parsed.has("--calibrate") {
            return try CheckCalibration.run(parsed, boardPath: parsed.value("--board") ?? dir.map({ $0 + "/board.json" }), sitePath: parsed.value("--site") ?? dir.map({ $0 + "/site.json" }))
        }
        guard let boardPath = parsed.value("--board") ?? dir.map({ $0 + "/board.json" }),
            let sitePath = parsed.value("--site") ?? dir.map({ $0 + "/site.json" })
        else {
            throw Failure("missing --config-dir DIR (or --board FILE and --site FILE); type `lanternd check --config-dir /etc/lantern`", code: .usage)
        }
        var conf: DeviceConfig?
        if let dir {
            do throws(Failure) {
                conf = try FirstBoot.config(in: dir)?.resolvingPaths(against: dir)
            } catch {
                Console.line("FAIL  lantern.conf: \(error.message)")
                return .findingFailed
            }
        }
        var seconds: Int64 = 2
        do throws(UsageError) {
            if let n = try parsed.integer("--seconds", in: 1...60, example: 2) { seconds = n }
        } catch {
            throw Failure(error.message, code: .usage)
        }
        var failed = false
        func report(_ level: Level, _ text: String) {
            if level == .fail { failed = true }
            Console.line(level.rawValue + "  " + text)
        }
        var board: BoardConfig?
        do throws(Failure) {
            board = try ConfigFiles.board(boardPath)
            report(.pass, "board: \(boardPath): \(board!.name), \(board!.roles.count) GPIO roles")
        } catch {
            report(.fail, "board: \(error.message)")
        }
        var site: SiteConfig?
        do throws(Failure) {
            site = try ConfigFiles.site(sitePath)
            report(.pass, "site: \(sitePath): \(site!.name), \(site!.zones.count) zones, \(site!.lines.count) lines, k=\(site!.suppressBelow)")
        } catch {
            report(.fail, "site: \(error.message)")
        }
        if let board, let site {
            if let problem = site.fitProblem(width: board.camera.width, height: board.camera.height) {
                report(.fail, "site: \(sitePath): \(problem) (the camera size in \(boardPath))")
            }
        }
        if let board {
            checkGPIO(board, report)
            checkCamera(board.camera, site: site, seconds: seconds, report)
        }
        checkClock(report)
        if let url = parsed.value("--mqtt-url") ?? conf?["mqtt-url"] {
            checkBroker(url, report)
            checkTLSFiles(url, conf, user: parsed.value("--user") ?? (SystemProbes.userExists("lantern") ? "lantern" : nil), report)
        }
        checkFreeSpace(parsed.value("--state-dir"), report)
        return failed ? .findingFailed : .success
    }

    // MARK: GPIO

    static func checkGPIO(_ board: BoardConfig, _ report: (Level, String) -> Void) {
        guard !board.roles.isEmpty else {
            report(.pass, "gpio: the board file names no lines")
            return
        }
        let chip: GPIOChip
        do {
            chip = try GPIOChip(lookup: board.gpiochip)
        } catch {
            report(.fail, "gpiochip \(board.gpiochip): \(ConfigFiles.deviceProblem(error)); check the board file matches this board (ls /dev/gpiochip*) and that lanternd may open it (group gpio)")
            return
        }
        report(.pass, "gpiochip \(board.gpiochip): \(chip.lineCount) lines")
        for r in board.roles {
            let item = "gpio line \(r.line) (\(r.role.name))"
            do throws(Errno) {
                let line = try chip.request(r, consumer: "lanternd-check")
                if r.role.isInput {
                    let active = try line.value()
                    report(.pass, "\(item): free, reads \(active ? "active" : "inactive")")
                } else {
                    for step in 0..<4 {
                        try line.set(step % 2 == 0)
                        SystemClock.sleep(untilMonotonicMicros: SystemClock.monotonicMicros + 250_000)
                    }
                    report(.pass, "\(item): blinked twice; check the \(r.role.name) is seen to flash")
                }
            } catch {
                if error == .resourceBusy {
                    report(.fail, "\(item): busy: another program holds it; stop it (gpioinfo names it) or move the role in the board file")
                } else {
                    report(.fail, "\(item): \(error); check the line number in the board file")
                }
            }
        }
    }

    // MARK: Camera

    /// The camera through the run loop, for `seconds`: frames are analysed as `run` would, and measured
    /// in memory (`FrameQuality`); nothing of them is kept.
    static func checkCamera(_ spec: CameraSpec, site: SiteConfig?, seconds: Int64, _ report: (Level, String) -> Void) {
        let item = "camera \(spec.device)"
        let camera = CameraSource(spec: spec)
        do throws(FrameSourceError) {
            try camera.open()
        } catch {
            let problem = if case .unavailable(let errno) = error.kind { ConfigFiles.deviceProblem(errno) } else { error.description }
            report(.fail, "\(item): \(problem); check the camera cable and camera.device in the board file (v4l2-ctl --list-devices)")
            return
        }
        let size = "\(camera.device!.width)x\(camera.device!.height)"
        // The site only shapes the estimator; without one (it failed above), a nominal calibration.
        let scale = PersonScale(samples: [PersonScale.Sample(row: 0, height: 40), PersonScale.Sample(row: 480, height: 120)])
        let agent = Agent(site: site ?? SiteConfig(name: "check", scale: scale), framePeriodMicros: camera.framePeriodMicros)
        let clock = SystemRunClock()
        let loop = RunLoop(agent: agent, source: camera, clock: clock, signals: ProcessSignals())
        loop.durationMicros = seconds * 1_000_000
        var quality: FrameQuality?
        loop.onFrame = { image, _ in quality = FrameQuality(image) }
        let start = clock.monotonicMicros
        do throws(Failure) {
            try loop.run()
        } catch {
            report(.fail, "\(item): \(error.message)")
            return
        }
        let frames = loop.framesAnalysed
        let elapsed = Double(clock.monotonicMicros - start) / 1e6
        let fps = Double(frames) / elapsed
        if frames == 0 {
            report(.fail, "\(item): opened (\(size)) but gave no frame in \(seconds) s; reseat the cable, or try another format in the board file")
            return
        }
        let rate = "\(formatFixed(fps, places: 1)) fps (board file asks \(spec.fps))"
        report(fps < Double(spec.fps) * 0.5 ? .warn : .pass, "\(item): \(size) \(spec.format.name), \(rate)" + (fps < Double(spec.fps) * 0.5 ? "; check the USB bus or lower the resolution" : ""))
        guard let q = quality else { return }
        let numbers = "brightness \(formatFixed(q.mean, places: 0)), contrast \(formatFixed(q.contrast, places: 1)), sharpness \(formatFixed(q.sharpness / max(q.contrast, 1), places: 2))"
        switch q.verdict {
        case .ok: report(.pass, "camera view: \(numbers)")
        case .covered: report(.fail, "camera view: dark and flat (\(numbers)): the lens looks covered; remove the cap or cover")
        case .tooDark: report(.warn, "camera view: very dark (\(numbers)); check the lamp or the IR illuminator")
        case .defocused: report(.fail, "camera view: blurred (\(numbers)): the lens looks defocused or fogged; refocus or clean it")
        }
    }

    // MARK: Clock, broker, disk

    static func checkClock(_ report: (Level, String) -> Void) {
        switch SystemProbes.clockSynchronised() {
        case .success(let state) where state.synchronised:
            report(.pass, "clock: synchronised (error bound \(state.maxErrorMicros / 1000) ms)")
        case .success:
            report(.warn, "clock: not synchronised (STA_UNSYNC): intervals would carry a wrong time; enable systemd-timesyncd or chrony and check the network")
        case .failure(let error):
            report(.warn, "clock: cannot read the NTP state: \(error)")
        }
    }

    static func checkBroker(_ text: String, _ report: (Level, String) -> Void) {
        let url: MQTTURL
        switch MQTTURL.parse(text) {
        case .success(let parsed): url = parsed
        case .failure(let error):
            report(.fail, "broker \(error.description)")
            return
        }
        let (host, port, tls) = (url.host, Int(url.port), url.tls)
        if let problem = SystemProbes.tcpConnect(host: host, port: port, timeoutMillis: 3000) {
            report(.fail, "broker \(host):\(port): unreachable (\(problem)); check the network, the firewall and the URL")
        } else if tls {
            report(.warn, "broker \(host):\(port): reachable over TCP; TLS not verified by check: `lanternd run` with the same --mqtt-* options shows certificate errors")
        } else {
            report(.pass, "broker \(host):\(port): reachable")
        }
    }

    /// The CA, certificate and key of lantern.conf, as `lanternd run` will read them (as `user`).
    static func checkTLSFiles(_ text: String, _ conf: DeviceConfig?, user: String?, _ report: (Level, String) -> Void) {
        guard case .success(let url) = MQTTURL.parse(text), url.tls, let conf else { return }
        let problems = DeviceCredentials.problems(ca: conf["mqtt-ca"], certificate: conf["mqtt-cert"], key: conf["mqtt-key"], user: user)
        for problem in problems { report(.fail, "tls: \(problem)") }
        if problems.isEmpty {
            var found: [String] = []
            if conf["mqtt-ca"] != nil { found.append("CA") }
            if conf["mqtt-cert"] != nil { found.append("certificate matching the key, valid") }
            report(.pass, "tls: " + (found.isEmpty ? "the system's CAs" : found.joined(separator: ", ")) + (user.map { ", readable by \($0)" } ?? ""))
        }
    }

    static func checkFreeSpace(_ directory: String?, _ report: (Level, String) -> Void) {
        guard let dir = directory else {
            report(.warn, "journal: no --state-dir given; pass the one lanternd run uses (e.g. /var/lib/lantern) to check its free space")
            return
        }
        switch SystemProbes.freeBytes(dir) {
        case .failure(let error):
            report(.fail, "journal \(dir): \(error); create it (install -d -o lantern /var/lib/lantern) or fix --state-dir")
        case .success(let bytes):
            let mb = bytes / (1024 * 1024)
            if mb < 16 { report(.fail, "journal \(dir): \(mb) MB free; free space (the journal needs at least 16 MB)") }
            else if mb < 128 { report(.warn, "journal \(dir): \(mb) MB free; the journal may fill it during a long outage") }
            else { report(.pass, "journal \(dir): \(mb) MB free") }
        }
    }
}
