import LanternAgent
import LanternCore
import LanternSystem

/// Self-calibration through the run loop: the frames of any source (the camera, a clip) are analysed as
/// `run` would, and the lone walkers in the estimator's foreground are measured (`WalkerTracker`) for
/// `PersonHeightFit`. Used by `lanternd check --calibrate` and `lantern-sim calibrate`; only numbers are
/// kept, never a frame.
public final class SelfCalibration {
    /// The estimator's constants for watching: people who stop are not held (a held background would
    /// keep their outline as foreground after they leave), the rest as `run` has them.
    public static var parameters: EstimatorParameters {
        var p = EstimatorParameters()
        p.stillHoldSeconds = 0
        return p
    }

    /// A site that shapes nothing the tracker reads: blobs and foreground cells do not depend on the
    /// calibration (only head counts do), so any scale serves while the real one is being measured.
    public static var watchingSite: SiteConfig {
        SiteConfig(
        name: "self-calibration",
        scale: PersonScale(samples: [PersonScale.Sample(row: 0, height: 40), PersonScale.Sample(row: 1000, height: 40)]))
    }

    /// What the frames left: the tracker and the frame counts (the run loop's frame callback holds it,
    /// not this object, so nothing refers back).
    final class Watch {
        var tracker: WalkerTracker?
        var trustedFrames = 0, frames = 0, frameWidth = 0, frameHeight = 0
    }

    public let agent: Agent
    public let loop: RunLoop
    let watch = Watch()
    /// The walkers measured so far (nil before the first trusted frame).
    public var tracker: WalkerTracker? { watch.tracker }
    /// Frames whose estimate was trusted (the background learnt, the view usable), and all frames.
    public var trustedFrames: Int { watch.trustedFrames }
    public var frames: Int { watch.frames }
    /// The frame size seen.
    public var frameWidth: Int { watch.frameWidth }
    public var frameHeight: Int { watch.frameHeight }

    public init(source: any FrameSource, clock: any RunClock, signals: any StopSignals, options: WalkerTracker.Options = WalkerTracker.Options()) {
        let agent = Agent(site: Self.watchingSite, framePeriodMicros: source.framePeriodMicros, parameters: Self.parameters)
        self.agent = agent
        loop = RunLoop(agent: agent, source: source, clock: clock, signals: signals)
        let watch = self.watch
        loop.onFrame = { image, estimate in
            watch.frames += 1
            watch.frameWidth = image.width
            watch.frameHeight = image.height
            guard estimate.trusted, let estimator = agent.estimator else { return }
            watch.trustedFrames += 1
            if watch.tracker == nil { watch.tracker = WalkerTracker(area: estimator.area, options: options) }
            let blobs = estimator.blobs
            estimator.withForegroundCells { cells, wide, high in
                watch.tracker!.observe(blobs: blobs, cells: cells, cellsWide: wide, cellsHigh: high)
            }
        }
    }

    /// Watches until the source ends, a stop signal, or the loop's limits (`frameLimit`, `durationMicros`).
    public func run() throws(Failure) {
        try loop.run()
    }

    /// The samples gathered.
    public var samples: [PersonHeightSample] { tracker?.samples ?? [] }

    /// Fits the samples: the walkers' feet must span a tenth of the frame's height.
    public func fit(options: PersonHeightFit.Options = PersonHeightFit.Options()) throws(PersonHeightFitError) -> PersonHeightFit {
        try PersonHeightFit.fit(samples, minimumRowSpan: Double(frameHeight) / 10, options: options)
    }
}
