import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem

extension Daemon {
    /// The board: camera frames and GPIO edges in one poll loop, the real-time clock for intervals.
    mutating func runBoard(site: SiteConfig, board: BoardConfig, boardPath: String) throws(Failure) {
        let spec = board.camera
        // A GPIO chip that does not match the board file is a configuration error: stop.
        let hardware: BoardGPIO
        do {
            hardware = try BoardGPIO(board: board)
        } catch {
            throw Failure("\(board.gpiochip): \(Daemon.deviceProblem(error)) (GPIO chip named in \(boardPath)); check the board file matches this board")
        }
        // A camera can be missing for a while (cable, late enumeration, driver loaded later): say so once,
        // keep running (intervals without frames close as unknown) and reopen it with backoff below.
        var cameraUp: VideoDevice?
        do {
            cameraUp = try Daemon.openCamera(spec)
        } catch {
            Console.error("\(spec.device): \(Daemon.deviceProblem(error)) (camera named in \(boardPath)); camera unavailable, intervals report unknown until it appears; check the camera cable or the board file")
        }
        // Opened before confine(): the sandbox allows writes only beneath the state directory.
        var frameLog: FileDescriptor?
        if let path = options.frameLog {
            do {
                frameLog = try FileDescriptor.open(path, .writeOnly, options: [.create, .append, .closeOnExec])
            } catch {
                throw Failure("\(path): cannot open the frame log: \(error); check the path given to --frame-log")
            }
        }
        let agent = Agent(site: site, intervalSeconds: options.interval, framePeriodMicros: 1_000_000 / Int64(spec.fps))
        var inputs = InputSet(board: board)
        emit(agent.start(atMicros: SystemClock.realtimeMicros))
        try confine()
        cameraChanged(cameraUp, agent: agent)
        notifier.ready(cameraUp != nil ? "streaming \(spec.device)" : "\(spec.device) unavailable, reopening with backoff")
        var backoffMillis: Int64 = 500
        var reopenAt: Int64 = SystemClock.monotonicMicros + backoffMillis * 1000
        // Frames are analysed at the board file's rate: a camera that ignores S_PARM (vivid's HDMI input
        // runs at its 60 Hz timing) would otherwise repeat frames into the estimator and the coverage.
        let framePeriod = 1_000_000 / Int64(spec.fps)
        var nextFrameDue: Int64 = 0
        while true {
            hardware.show(agent.outputs)
            var descriptors: [FileDescriptor] = hardware.inputs.map { $0.line.eventDescriptor }
            let uplinkIndex = descriptors.count  // the MQTT socket, before the camera (which stays last)
            if let fd = uplinkSession?.pollDescriptor { descriptors.append(fd) }
            let uplinkPolled = descriptors.count > uplinkIndex
            if let cam = cameraUp { descriptors.append(cam.descriptor) }
            var timeout: Int64 = 1000  // heartbeat and interval ends at least every second
            if let deadline = inputs.nextDeadline { timeout = min(timeout, max((deadline - SystemClock.monotonicMicros) / 1000, 0)) }
            if let session = uplinkSession { timeout = session.capTimeout(timeout) }
            let ready: [Bool]
            do {
                ready = try Poll.readable(descriptors, timeoutMillis: Int(timeout))
            } catch {
                throw Failure("poll: \(error); restart lanternd")
            }
            // Read after the poll: frames, edges and ticks are stamped when they are handled.
            let now = SystemClock.realtimeMicros
            uplinkSession?.handle(readable: uplinkPolled && ready[uplinkIndex])
            if SignalFlags.takeStop() { break }
            if SignalFlags.takeReload(), let path = options.site {
                do {
                    let reloaded = try Daemon.loadSite(path)
                    sequence.suppressBelow = reloaded.suppressBelow
                    emit(agent.reload(site: reloaded, atMicros: now))
                } catch {
                    Console.error("\(error.message) (kept the previous site)")
                }
            }
            for (i, input) in hardware.inputs.enumerated() where ready[i] {
                // Kernel timestamps are monotonic; intervals use wall time, so events are stamped now.
                guard let event = try? input.line.readEvent() else { continue }
                if let change = inputs.edge(input.role, raw: event.active, atMicros: SystemClock.monotonicMicros) {
                    emit(agent.input(change.0, active: change.1, atMicros: now))
                }
            }
            for change in inputs.settle(atMicros: SystemClock.monotonicMicros) {
                emit(agent.input(change.0, active: change.1, atMicros: now))
            }
            if let cam = cameraUp, ready[descriptors.count - 1] {
                var closed: [IntervalRecord] = []
                do {
                    let monotonic = SystemClock.monotonicMicros
                    if monotonic < nextFrameDue {
                        _ = try cam.skipNextFrame()
                    } else {
                        nextFrameDue = max(nextFrameDue + framePeriod, monotonic + framePeriod / 2)
                        var clipFrame = -1
                        let got = try cam.withNextFrame { base, width, height, stride in
                            let image = GreyImage(unsafePixels: base, width: width, height: height, stride: stride)
                            closed = agent.frame(image, atMicros: now)
                            if frameLog != nil { clipFrame = FrameCode.decode(image) ?? -1 }
                        }
                        if got, let log = frameLog, let estimate = agent.lastEstimate {
                            Console.write("\(cam.lastSequence ?? 0) \(clipFrame) \(estimate.count) \(estimate.trusted ? 1 : 0)\n", to: log)
                        }
                    }
                    backoffMillis = 500
                    notifier.watchdog()
                } catch {
                    // ENODEV or worse: the camera is gone. Intervals without frames close as unknown.
                    Console.error("\(spec.device): lost (\(error)); reopening with backoff")
                    cam.stop()
                    cameraUp = nil
                    cameraChanged(nil, agent: agent)
                    reopenAt = SystemClock.monotonicMicros + backoffMillis * 1000
                }
                emit(closed)
            }
            if cameraUp == nil && SystemClock.monotonicMicros >= reopenAt {
                if let cam = try? Daemon.openCamera(spec) {
                    cameraUp = cam
                    cameraChanged(cam, agent: agent)
                    backoffMillis = 500
                } else {
                    backoffMillis = min(backoffMillis * 2, 30_000)
                    reopenAt = SystemClock.monotonicMicros + backoffMillis * 1000
                }
            }
            // No camera: the loop itself reopens it, so the watchdog is fed; a camera that is open but
            // delivers nothing stops feeding it, and systemd restarts lanternd.
            if cameraUp == nil { notifier.watchdog() }
            emit(agent.tick(atMicros: now))
        }
        if let cam = cameraUp {
            cam.stop()
            Console.error("\(cam.path): stopped")
        }
        agent.cameraStreaming(false)
        hardware.show(agent.outputs)
        emit(agent.finish())
    }

    /// Opens the board file's camera, asking first for its preferred format (run, check and aim share it).
    static func openCamera(_ spec: CameraSpec) throws(Errno) -> VideoDevice {
        let fourcc: UInt32
        switch spec.format {
        case .grey: fourcc = VideoDevice.fourccGREY
        case .yuyv: fourcc = VideoDevice.fourccYUYV
        case .nv12: fourcc = VideoDevice.fourccNV12
        case .mjpeg: fourcc = VideoDevice.fourccMJPEG
        }
        return try VideoDevice(path: spec.device, width: spec.width, height: spec.height, fps: spec.fps, preferredFourCC: fourcc)
    }

    /// The camera started streaming (`cam`) or is not streaming (nil: missing or lost): the privacy LED
    /// (the agent), the health message's camera state and, when streaming, one stderr line follow together.
    func cameraChanged(_ cam: VideoDevice?, agent: Agent) {
        agent.cameraStreaming(cam != nil)
        if let cam {
            uplinkSession?.camera("streaming")
            Console.error("\(cam.path): streaming \(cam.width)x\(cam.height) \(cam.layout == .packedYUYV ? "YUYV" : "luma")")
        } else {
            uplinkSession?.camera("lost")
        }
    }

    static func deviceProblem(_ error: Errno) -> String {
        if error == .noSuchFileOrDirectory || error == .noSuchDevice { return "no such device" }
        return "cannot open: \(error)"
    }
}

/// The board's GPIO lines, requested from its chip per the board file.
final class BoardGPIO {
    let chip: GPIOChip?
    var inputs: [(role: GPIORole, line: GPIOLine)] = []
    private(set) var outputs: [(role: GPIORole, line: GPIOLine)] = []
    /// The level each output was last set to (nil: not yet, or the last set failed).
    private var shown: [Bool?] = []

    init(board: BoardConfig) throws(Errno) {
        guard !board.roles.isEmpty else {
            chip = nil
            return
        }
        let chip = try GPIOChip(lookup: board.gpiochip)
        self.chip = chip
        for r in board.roles {
            let line = try chip.request(r, consumer: "lanternd")
            if r.role.isInput {
                inputs.append((r.role, line))
            } else {
                outputs.append((r.role, line))
                shown.append(nil)
            }
        }
    }

    /// Drives the output lines from the agent's rules, setting a line only when its level changes.
    func show(_ rules: OutputRules) {
        for (i, o) in outputs.enumerated() {
            let level: Bool
            switch o.role {
            case .statusLED: level = rules.statusLED
            case .privacyLED: level = rules.privacyLED
            case .relay: level = rules.relay
            default: continue
            }
            guard shown[i] != level else { continue }
            shown[i] = (try? o.line.set(level)) != nil ? level : nil
        }
    }
}

extension GPIOChip {
    /// Requests a board file role's line as the board file says: inputs with their bias (edge events),
    /// outputs initially off, both with their active level (run and check share it).
    func request(_ r: RoleAssignment, consumer: String) throws(Errno) -> GPIOLine {
        guard r.role.isInput else { return try output(offset: r.line, activeLow: r.activeLow, consumer: consumer) }
        let bias: GPIOLine.Bias
        switch r.bias {
        case .asIs: bias = .asIs
        case .disabled: bias = .disabled
        case .pullUp: bias = .pullUp
        case .pullDown: bias = .pullDown
        }
        return try input(offset: r.line, bias: bias, activeLow: r.activeLow, consumer: consumer)
    }
}
