import LanternCore

/// The board agent without its I/O: frames and input changes go in with their times, finished interval
/// records and output levels come out. `lanternd` feeds it from the camera and GPIO (or a clip and a
/// trace); tests feed it by hand, so every rule here is checked with injected events and a fake clock.
///
/// Time is microseconds: clip time from a fixed origin in replays, the real-time clock on the board.
public final class Agent {
    public private(set) var site: SiteConfig
    public let intervalSeconds: Int
    public let framePeriodMicros: Int64
    public let parameters: EstimatorParameters
    /// The luma range the frames come in (a clip's header says; nil: the estimator judges it).
    public var lumaRange: LumaRange?
    var accumulator: IntervalAccumulator
    /// The estimator of the current stream (nil before the first frame): for views of what it saw
    /// (the aiming map's foreground cells, the simulator's debug line), never for counts.
    public private(set) var estimator: OccupancyEstimator?
    /// The density path of the current stream (nil before the first frame, or when the site turns it
    /// off): the people the motion path does not see, added to its count (`DensityFusion`).
    public private(set) var densityPath: DensityPath?
    /// The fused estimate handed on when the density path adds people (its arrays reused in place).
    var fused = FrameEstimate(people: 0, count: 0)
    public private(set) var outputs = OutputRules()
    public private(set) var framesProcessed = 0
    /// The estimate of the last frame (for a per-frame log; nil before the first frame).
    public private(set) var lastEstimate: FrameEstimate?

    /// - Parameters:
    ///   - intervalSeconds: the reporting interval (the site's unless overridden).
    ///   - framePeriodMicros: the camera's nominal frame period (clip or board fps).
    public init(site: SiteConfig, intervalSeconds: Int? = nil, framePeriodMicros: Int64,
                parameters: EstimatorParameters = EstimatorParameters()) {
        self.site = site
        self.intervalSeconds = intervalSeconds ?? site.intervalSeconds
        self.framePeriodMicros = framePeriodMicros
        self.parameters = parameters
        accumulator = IntervalAccumulator(site: site, lengthSeconds: self.intervalSeconds, framePeriodMicros: framePeriodMicros)
        outputs.relayRule = site.relay
    }

    /// Starts the clock: the first interval opens at `t` (a replay's origin, the daemon's start).
    public func start(atMicros t: Int64) -> [IntervalRecord] {
        accumulator.advance(toMicros: t)
    }

    /// One camera frame (luma), analysed in place: `frame` is not kept. The estimator is made on the
    /// first frame and again if the camera's frame size changes (a reopened camera) or the site changed.
    public func frame(_ frame: GreyImage, atMicros t: Int64, trusted: Bool = true) -> [IntervalRecord] {
        // Intervals that ended close first, so a reloaded site takes over before this frame is analysed.
        let closed = advance(toMicros: t)
        if estimator == nil || estimatorSize != (frame.width, frame.height) {
            estimator = OccupancyEstimator(
                site: site, frameWidth: frame.width, frameHeight: frame.height, parameters: parameters, lumaRange: lumaRange,
                framesPerSecond: 1_000_000 / Double(framePeriodMicros))
            estimatorSize = (frame.width, frame.height)
            densityPath = DensityPath(site: site, estimator: estimator!)
            fused = estimator!.latest
        }
        // Released first, so the estimator refills its arrays in place rather than copying them.
        lastEstimate = nil
        var estimate = estimator!.process(frame)
        if let densityPath {
            densityPath.frame(frame, atMicros: t, estimator: estimator!, estimate: estimate)
            if densityPath.fusion.weight > 0 { estimate = fuse(estimate, densityPath.fusion) }
        }
        framesProcessed += 1
        lastEstimate = estimate
        outputs.presence(estimate.count > 0, atMicros: t)
        // A frame the estimator cannot trust (scene change, too dark, obstructed) covers nothing:
        // enough of them make the interval unknown rather than a wrong count.
        return closed + accumulator.addFrame(
            atMicros: t, count: estimate.count, zoneCounts: estimate.zoneCounts, lineIn: estimate.lineIn,
            lineOut: estimate.lineOut, trusted: trusted && estimate.trusted)
    }
    var estimatorSize = (0, 0)

    /// The motion path's estimate plus the people the density path adds, whole view and zones, rounded
    /// as the estimator rounds. Written into `fused`, whose arrays this agent alone holds.
    func fuse(_ motion: FrameEstimate, _ fusion: DensityFusion) -> FrameEstimate {
        let estimator = estimator!
        fused.people = motion.people + fusion.addedPeople
        fused.count = Int((fused.people + 0.5).rounded(.down))
        fused.densityPeople = fusion.addedPeople
        fused.condition = motion.condition
        for z in 0..<fused.zoneCounts.count {
            fused.zoneCounts[z] = Int((estimator.zonePeople[z] + fusion.addedZonePeople[z] + 0.5).rounded(.down))
        }
        for l in 0..<fused.lineIn.count {
            fused.lineIn[l] = motion.lineIn[l]
            fused.lineOut[l] = motion.lineOut[l]
        }
        return fused
    }

    /// A debounced input changed to `active` (logical level: true = motion, cabinet open, dark, pressed).
    public func input(_ role: GPIORole, active: Bool, atMicros t: Int64) -> [IntervalRecord] {
        let closed = advance(toMicros: t)
        switch role {
        case .pir: return active ? closed + accumulator.addMotion(atMicros: t) : closed
        case .tamper: return closed + accumulator.setTamper(open: active, atMicros: t)
        case .light:
            outputs.dark = active
            return closed + accumulator.setDark(active, atMicros: t)
        case .button, .statusLED, .privacyLED, .relay: return closed
        }
    }

    /// The camera started (true) or stopped streaming: the privacy LED follows exactly.
    public func cameraStreaming(_ streaming: Bool) {
        outputs.streaming = streaming
    }

    /// Time passed with nothing else happening: closes intervals that ended (with no frames they close
    /// as `unknown`) and advances the heartbeat.
    public func tick(atMicros t: Int64) -> [IntervalRecord] {
        outputs.tick(atMicros: t)
        return advance(toMicros: t)
    }

    /// Closes the open interval (shutdown, the end of a replay).
    public func finish() -> [IntervalRecord] {
        accumulator.finish()
    }

    /// A reloaded site file (SIGHUP). The relay rule follows it at once; the zones, lines and estimator
    /// follow it at the next interval boundary, so the open interval is reported once, for the site it
    /// began with, and no record mixes sites. The cabinet and light state carry over.
    public func reload(site newSite: SiteConfig, atMicros t: Int64) -> [IntervalRecord] {
        let closed = advance(toMicros: t)
        pendingSite = newSite
        outputs.relayRule = newSite.relay
        // Not started (or finished): there is no open interval to keep for the old site.
        if accumulator.openIntervalStart == nil { switchSite() }
        return closed
    }

    /// A reloaded site waiting for the open interval to close.
    var pendingSite: SiteConfig?

    /// Closes the intervals that ended by `t`; once one closed, a pending site takes over.
    func advance(toMicros t: Int64) -> [IntervalRecord] {
        let closed = accumulator.advance(toMicros: t)
        if pendingSite != nil && !closed.isEmpty { switchSite() }
        return closed
    }

    func switchSite() {
        guard let newSite = pendingSite else { return }
        pendingSite = nil
        site = newSite
        accumulator = IntervalAccumulator(
            site: newSite, lengthSeconds: intervalSeconds, framePeriodMicros: framePeriodMicros, continuing: accumulator)
        estimator = nil
        densityPath = nil
    }
}
