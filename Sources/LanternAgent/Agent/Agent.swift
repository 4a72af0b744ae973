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
    var accumulator: IntervalAccumulator
    var estimator: OccupancyEstimator?
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
    /// first frame and again if the camera's frame size changes (a reopened camera).
    public func frame(_ frame: GreyImage, atMicros t: Int64, trusted: Bool = true) -> [IntervalRecord] {
        if estimator == nil || estimatorSize != (frame.width, frame.height) {
            estimator = OccupancyEstimator(site: site, frameWidth: frame.width, frameHeight: frame.height, parameters: parameters)
            estimatorSize = (frame.width, frame.height)
        }
        let estimator = estimator!
        let estimate = estimator.process(frame)
        framesProcessed += 1
        lastEstimate = estimate
        outputs.presence(estimate.count > 0, atMicros: t)
        // A frame the estimator cannot trust (scene change, too dark, obstructed) covers nothing:
        // enough of them make the interval unknown rather than a wrong count.
        return accumulator.addFrame(
            atMicros: t, count: estimate.count, zoneCounts: estimator.zoneCounts, lineIn: estimator.lineCrossingsIn,
            lineOut: estimator.lineCrossingsOut, trusted: trusted && estimate.trusted)
    }
    var estimatorSize = (0, 0)

    /// A debounced input changed to `active` (logical level: true = motion, cabinet open, dark, pressed).
    public func input(_ role: GPIORole, active: Bool, atMicros t: Int64) -> [IntervalRecord] {
        switch role {
        case .pir: return active ? accumulator.addMotion(atMicros: t) : accumulator.advance(toMicros: t)
        case .tamper: return accumulator.setTamper(open: active, atMicros: t)
        case .light:
            outputs.dark = active
            return accumulator.setDark(active, atMicros: t)
        case .button, .statusLED, .privacyLED, .relay: return accumulator.advance(toMicros: t)
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
        return accumulator.advance(toMicros: t)
    }

    /// Closes the open interval (shutdown, the end of a replay).
    public func finish() -> [IntervalRecord] {
        accumulator.finish()
    }

    /// A reloaded site file (SIGHUP): the estimator and zones follow it at the next interval boundary
    /// semantics are kept simple: the open interval is closed at `t` first, so no record mixes sites.
    public func reload(site newSite: SiteConfig, atMicros t: Int64) -> [IntervalRecord] {
        var closed = accumulator.finish()
        site = newSite
        accumulator = IntervalAccumulator(site: newSite, lengthSeconds: intervalSeconds, framePeriodMicros: framePeriodMicros)
        closed += accumulator.advance(toMicros: t)
        estimator = nil
        outputs.relayRule = newSite.relay
        return closed
    }
}
