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

    public let agent: Agent
    public let loop: RunLoop
    /// The walkers measured so far (nil before the first trusted frame).
    public private(set) var tracker: WalkerTracker?
    /// Frames whose estimate was trusted (the background learnt, the view usable), and all frames.
    public private(set) var trustedFrames = 0
    public private(set) var frames = 0
    /// The frame size seen.
    public private(set) var frameWidth = 0
    public private(set) var frameHeight = 0

    public init(source: any FrameSource, clock: any RunClock, signals: any StopSignals, options: WalkerTracker.Options = WalkerTracker.Options()) {
        agent = Agent(site: Self.watchingSite, framePeriodMicros: source.framePeriodMicros, parameters: Self.parameters)
        loop = RunLoop(agent: agent, source: source, clock: clock, signals: signals)
        loop.onFrame = { [unowned self] image, estimate in
            frames += 1
            frameWidth = image.width
            frameHeight = image.height
            guard estimate.trusted, let estimator = agent.estimator else { return }
            trustedFrames += 1
            if tracker == nil { tracker = WalkerTracker(area: estimator.area, options: options) }
            let blobs = estimator.blobs
            estimator.withForegroundCells { cells, wide, high in
                tracker!.observe(blobs: blobs, cells: cells, cellsWide: wide, cellsHigh: high)
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
