import LanternAgent
import LanternCore
import LanternSystem

/// The agent's one frame loop: the one place where frames are pulled from a source and handed to the
/// `Agent`, for the board (`lanternd run`), a replay, `check`, the aiming map and the simulator alike.
/// Everything it touches is injected: the frame source, the clock (the waiting included), the GPIO
/// inputs and outputs, the uplink, the service notifier and the signals. A test drives it with a
/// scripted source and a `ManualClock`, so the loop under test is the loop on the board.
///
/// One turn: drive the outputs; wait (poll) until a descriptor is readable or the next deadline (a
/// frame due, a debounce settling, a reconnect, a camera reopen, the 1 s tick); then, in order, the
/// uplink, the signals, the inputs, the frame, the camera's reopen, the watchdog and the tick.
///
/// Time: a recorded source (a clip) carries its own time, frame `i` at its clip time, and the loop
/// paces it at `speedMillis` (1000: real time; 0: as fast as possible); a live source (the camera) is
/// stamped with the wall clock when read, and debounced on the monotonic clock.
public final class RunLoop {
    public let agent: Agent
    public let source: any FrameSource
    public let clock: any RunClock
    public let signals: any StopSignals
    public var inputs: (any GPIOInputs)?
    public var outputs: (any GPIOOutputs)?
    public var debounce: InputSet
    public var uplink: UplinkSession?
    public var notifier: ServiceNotifier?

    /// Where finished interval records go (the publisher).
    public var onRecords: ([IntervalRecord]) -> Void = { _ in }
    /// Called with each analysed frame (lent, not kept) and the agent's estimate of it: the aiming map,
    /// the self-check's frame quality, the simulator's scoring, the emulated board's frame log.
    public var onFrame: ((GreyImage, FrameEstimate) -> Void)?
    /// Called once per turn, after the uplink, with the monotonic time (the publisher retries records
    /// the journal could not take, and keeps its high-water mark current).
    public var onTurn: ((Int64) -> Void)?
    /// Called just before a frame is handed to the agent (the simulator times the analysis).
    public var onFrameStart: (() -> Void)?
    /// Reads the site file again on SIGHUP (nil: SIGHUP is ignored). A failure keeps the previous site.
    public var reloadSite: (() throws(Failure) -> SiteConfig)?
    /// Called when a reloaded site was accepted (the publisher takes its privacy policy).
    public var onSiteReloaded: ((SiteConfig) -> Void)?
    /// Confines the process once the devices are open, just before the first turn.
    public var confine: (() throws(Failure) -> Void)?
    /// `confine` allows writes to the camera's device node only as it was at confinement (a Landlock
    /// rule holds its inode; a camera absent then leaves every node writable): a camera plugged in
    /// again gets a new node, which the agent cannot open, so a reopen refused with EACCES stops the
    /// agent for systemd to restart it.
    public var sandboxPinsCameraNode = false
    var cameraNodePinned = false
    /// Added to the one line said when the camera is missing at start (`(camera named in board.json)`).
    public var sourceContext = ""
    /// The site file, for the one line that says it does not fit the frames (`site.json: frame is ...`).
    public var siteName = "site"

    /// Recorded sources: the pace, in thousandths of real time (1000: real time, 0: as fast as possible).
    public var speedMillis: Int64 = 0
    /// Stop after this many frames (the aiming map's `--frames`).
    public var frameLimit: Int?
    /// Stop after this long on the monotonic clock (the self-check's `--seconds`).
    public var durationMicros: Int64?
    /// The longest wait: the heartbeat and interval ends are looked at least this often.
    public var tickMicros: Int64 = 1_000_000
    /// Live sources: when to reopen a camera that is missing or lost.
    public var cameraBackoff: Backoff

    /// Frames analysed so far.
    public private(set) var framesAnalysed = 0
    /// A stop signal ended the run (a replay then does not wait for the journal to drain).
    public private(set) var stopRequested = false
    /// The agent's side of the health message, as it stands.
    public private(set) var health = DeviceHealth()
    /// The longest one turn took from the end of its wait to its end (the uplink, inputs, the frame):
    /// what anything blocking inside the loop (a connect, a lookup, a slow disk) would show.
    public private(set) var longestTurnMicros: Int64 = 0
    /// Paced recorded sources: the most a frame was analysed after it was due.
    public private(set) var longestFrameDelayMicros: Int64 = 0
    /// How late the loop ran at worst: the larger of the two above.
    public var maximumLatenessMicros: Int64 { max(longestTurnMicros, longestFrameDelayMicros) }

    private var reopenAt: Int64 = 0
    /// The frame size the site was last checked against (`SiteConfig.fitProblem`).
    private var fittedSize: (Int, Int)?
    /// Set when a frame's size does not fit the site: the loop stops with it.
    private var misfit: Failure?
    private var nextAnalysisDue: Int64 = 0

    public init(
        agent: Agent, source: any FrameSource, clock: any RunClock, signals: any StopSignals, board: BoardConfig? = nil,
        device: String = "lantern"
    ) {
        self.agent = agent
        self.source = source
        self.clock = clock
        self.signals = signals
        debounce = InputSet(board: board)
        cameraBackoff = Backoff(
            firstWindowMicros: 1_000_000, maximumWindowMicros: 30_000_000, seed: Backoff.seed(device: device, purpose: "camera"))
    }

    /// Runs until the source ends (a clip), a stop signal, or a limit; then closes the open interval
    /// and, for a replay, drains the uplink. Throws for a broken clip or a failed wait.
    public func run() throws(Failure) {
        let recorded = source.isRecorded
        let started = clock.monotonicMicros
        var streamNow = recorded ? (source.nextFrameTime ?? 0) : clock.realtimeMicros
        let paceOrigin = streamNow
        agent.lumaRange = source.lumaRange
        emit(agent.start(atMicros: streamNow))
        for level in inputs?.currentLevels() ?? [] { health.setInput(level.role.name, active: level.active) }
        if recorded {
            setCamera(.replay)
        } else if source.isOpen {
            setCamera(.streaming)
        } else {
            openSource(atStart: true)
        }
        try confine?()
        cameraNodePinned = sandboxPinsCameraNode && confine != nil && !recorded && source.isOpen
        notifier?.ready(recorded ? "replaying \(source.name)" : source.isOpen ? "streaming \(source.name)" : "\(source.name) unavailable, reopening with backoff")
        let paceStart = clock.monotonicMicros
        let period = source.framePeriodMicros

        loop: while true {
            outputs?.show(agent.outputs)
            let now = clock.monotonicMicros
            // The frame due next, on the monotonic clock (nil: when its descriptor is readable).
            var frameDue: Int64?
            if recorded {
                if let t = source.nextFrameTime {
                    frameDue = speedMillis > 0 ? paceStart + (t - paceOrigin) * 1000 / speedMillis : now
                }
            } else if source.isOpen, source.descriptor == nil {
                frameDue = source.nextFrameTime
            }
            var deadline = now + tickMicros
            if let frameDue { deadline = min(deadline, frameDue) }
            if !recorded {
                if !source.isOpen { deadline = min(deadline, reopenAt) }
                if let settle = debounce.nextDeadline { deadline = min(deadline, settle) }
            }
            if let due = uplink?.nextDeadline(now: now) { deadline = min(deadline, due) }
            if let durationMicros { deadline = min(deadline, started + durationMicros) }

            var descriptors: [FileDescriptor] = recorded ? [] : (inputs?.descriptors ?? [])
            let inputCount = descriptors.count
            let uplinkIndex = descriptors.count
            if let fd = uplink?.pollDescriptor { descriptors.append(fd) }
            let uplinkPolled = descriptors.count > uplinkIndex
            let sourceIndex = descriptors.count
            if !recorded, let fd = source.descriptor { descriptors.append(fd) }
            let ready: [Bool]
            do {
                ready = try clock.wait(readable: descriptors, untilMonotonicMicros: max(deadline, now))
            } catch {
                throw Failure("poll: \(error); restart lanternd", code: .ioError)
            }
            // Read after the wait: frames, edges and ticks are stamped when they are handled.
            let monotonic = clock.monotonicMicros
            if !recorded { streamNow = clock.realtimeMicros }
            uplink?.handle(readable: uplinkPolled && ready[uplinkIndex])
            onTurn?(monotonic)
            if signals.takeStop() {
                stopRequested = true
                break
            }
            if signals.takeReload() { reload(atMicros: recorded ? (source.nextFrameTime ?? streamNow) : streamNow) }

            if recorded {
                guard let t = source.nextFrameTime else { break }
                if let frameDue, monotonic >= frameDue {
                    if speedMillis > 0 { longestFrameDelayMicros = max(longestFrameDelayMicros, clock.monotonicMicros - frameDue) }
                    recordedInputs(upTo: t)
                    streamNow = t
                    emit(agent.tick(atMicros: t))
                    let read: FrameRead
                    do {
                        read = try source.readFrame { image in self.analyse(image, atMicros: t) }
                    } catch {
                        emit(agent.finish())
                        throw Failure("\(error.description); check the clip", code: .dataError)
                    }
                    if let misfit { throw misfit }
                    if read == .end { break }
                    notifier?.watchdog()
                }
            } else {
                if let inputs {
                    for edge in inputs.takeEdges(readable: ready[0..<inputCount], upTo: streamNow) {
                        if let change = debounce.edge(edge.role, raw: edge.active, atMicros: monotonic) {
                            emit(agent.input(change.0, active: change.1, atMicros: streamNow))
                        }
                    }
                }
                for change in debounce.settle(atMicros: monotonic) {
                    emit(agent.input(change.0, active: change.1, atMicros: streamNow))
                }
                if source.isOpen {
                    let waiting = source.descriptor != nil ? ready[sourceIndex] : frameDue.map { monotonic >= $0 } ?? false
                    if waiting { readLiveFrame(atMicros: streamNow, monotonic: monotonic, period: period) }
                    if let misfit {
                        source.close()
                        throw misfit
                    }
                } else if monotonic >= reopenAt {
                    if let error = openSource(atStart: false), cameraNodePinned, error.kind == .unavailable(.permissionDenied) {
                        throw Failure("\(error.description): the camera's device node was replaced since the sandbox was set up (plugged in again?); stopping so that systemd restarts lanternd, which opens the new one", code: .unavailable)
                    }
                }
                // No camera: the loop itself reopens it, so the watchdog is fed; a camera that is open
                // but delivers nothing stops feeding it, and systemd restarts the agent.
                if !source.isOpen { notifier?.watchdog() }
                emit(agent.tick(atMicros: streamNow))
            }
            updateHealth()
            longestTurnMicros = max(longestTurnMicros, clock.monotonicMicros - monotonic)
            if let frameLimit, framesAnalysed >= frameLimit { break }
            if let durationMicros, clock.monotonicMicros - started >= durationMicros { break }
        }

        if !recorded && source.isOpen {
            source.close()
            Console.info("\(source.name): stopped")
        }
        setCamera(.stopped)
        outputs?.show(agent.outputs)
        emit(agent.finish())
        uplink?.finish(drain: recorded && !stopRequested, stopRequested: { self.signals.takeStop() })
        notifier?.stopping("stopped")
    }

    // MARK: Steps

    /// One frame to the agent, and to the observer. A frame whose size the site does not fit stops
    /// the loop (`misfit`) instead: counts for the wrong geometry are worse than none.
    func analyse(_ image: GreyImage, atMicros t: Int64) {
        if fittedSize == nil || fittedSize! != (image.width, image.height) {
            if let problem = agent.site.fitProblem(width: image.width, height: image.height) {
                misfit = Failure("\(siteName): \(problem)", code: .configuration)
                return
            }
            fittedSize = (image.width, image.height)
        }
        onFrameStart?()
        let closed = agent.frame(image, atMicros: t)
        framesAnalysed += 1
        if let onFrame, let estimate = agent.lastEstimate { onFrame(image, estimate) }
        emit(closed)
    }

    /// A live frame: analysed at the source's nominal rate (a camera that ignores the requested rate,
    /// like vivid's 60 Hz HDMI input, would otherwise repeat frames into the estimator), skipped when
    /// it comes sooner.
    func readLiveFrame(atMicros t: Int64, monotonic: Int64, period: Int64) {
        do throws(FrameSourceError) {
            if monotonic < nextAnalysisDue {
                try source.skipFrame()
            } else {
                nextAnalysisDue = max(nextAnalysisDue + period, monotonic + period / 2)
                _ = try source.readFrame { image in self.analyse(image, atMicros: t) }
            }
            cameraBackoff.reset()
            notifier?.watchdog()
        } catch {
            // ENODEV or worse: the camera is gone. Intervals without frames close as unknown.
            Console.warning("\(error.description); reopening with backoff")
            source.close()
            setCamera(.lost)
            reopenAt = clock.monotonicMicros + cameraBackoff.nextDelayMicros()
        }
    }

    /// Opens (or reopens) a live source; a missing one is said once at start and retried with backoff.
    @discardableResult
    func openSource(atStart: Bool) -> FrameSourceError? {
        do throws(FrameSourceError) {
            try source.open()
            cameraBackoff.reset()
            setCamera(.streaming)
            return nil
        } catch {
            if atStart {
                Console.warning("\(error.description)\(sourceContext); camera unavailable, intervals report unknown until it appears; check the camera cable or the board file")
                setCamera(.missing)
            }
            reopenAt = clock.monotonicMicros + cameraBackoff.nextDelayMicros()
            return error
        }
    }

    /// The camera's state: the privacy LED (the agent), the health message and, when streaming, one
    /// stderr line follow it together.
    func setCamera(_ state: CameraState) {
        let streaming = state == .streaming || state == .replay
        agent.cameraStreaming(streaming)
        if state == .streaming, let camera = source as? CameraSource { Console.info(camera.streamingLine) }
        health.camera = state
        updateHealth()
    }

    /// Recorded inputs (a trace) and debounce deadlines up to stream time `t`, in time order.
    func recordedInputs(upTo t: Int64) {
        while true {
            let edgeAt = inputs?.nextEdgeTime ?? Int64.max
            let settleAt = debounce.nextDeadline ?? Int64.max
            let at = min(edgeAt, settleAt)
            guard at <= t else { return }
            var changes: [(GPIORole, Bool)] = []
            if edgeAt <= settleAt, let inputs {
                for edge in inputs.takeEdges(readable: [], upTo: at) {
                    if let change = debounce.edge(edge.role, raw: edge.active, atMicros: edge.atMicros ?? at) { changes.append(change) }
                }
            } else {
                changes = debounce.settle(atMicros: at)
            }
            for (role, active) in changes { emit(agent.input(role, active: active, atMicros: at)) }
        }
    }

    /// SIGHUP: the site file again. The agent switches at the next interval boundary; the privacy
    /// policy follows through `onSiteReloaded`.
    func reload(atMicros t: Int64) {
        guard let reloadSite else { return }
        do throws(Failure) {
            let site = try reloadSite()
            if let size = fittedSize, let problem = site.fitProblem(width: size.0, height: size.1) {
                throw Failure("\(siteName): \(problem)", code: .configuration)
            }
            onSiteReloaded?(site)
            emit(agent.reload(site: site, atMicros: t))
        } catch {
            Console.warning("\(error.message) (kept the previous site)")
        }
    }

    func updateHealth() {
        health.droppedFrames = source.droppedFrames
        for level in debounce.levels { health.setInput(level.role.name, active: level.active) }
        if let uplink, uplink.health != health { uplink.health = health }
    }

    func emit(_ records: [IntervalRecord]) {
        if !records.isEmpty { onRecords(records) }
    }
}
