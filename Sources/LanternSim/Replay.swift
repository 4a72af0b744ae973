import LanternAgent
import LanternCore
import LanternRuntime

/// One replayed frame's result, as the simulator reports it.
public struct ReplayFrame: Equatable {
    public var index: Int
    /// The estimate, with its zone counts and line crossings.
    public var estimate: FrameEstimate
    /// The frame's clip time (microseconds from the replay's origin).
    public var micros: Int64

    /// Head count per zone, in site zone order.
    public var zoneCounts: [Int] { estimate.zoneCounts }
}

/// The outcome of a whole replay.
public struct ReplaySummary {
    public var frames = 0
    /// Seconds spent analysing frames (the agent and its estimator; reading the clip excluded).
    public var estimatorSeconds = 0.0
    public var score = Score()
    /// The interval records the agent closed, in order, as the board would report them.
    public var records: [IntervalRecord] = []

    public var framesPerSecond: Double { estimatorSeconds > 0 ? Double(frames) / estimatorSeconds : 0 }
}

/// Replays a recorded clip through the board's own run loop (`RunLoop`, `Agent`, `ClipSource`) on a
/// manual clock, as fast as it can: the same frames, estimator, intervals and unknown verdicts as
/// `lanternd run --replay`.
public struct Replay {
    public var clipPath: String
    public var site: SiteConfig
    public var parameters: EstimatorParameters
    /// Frames before this are processed but not scored (the background is still being learnt).
    public var warmup: Int
    /// Seconds per interval record (nil: the site's).
    public var intervalSeconds: Int?

    /// The site file's path, for the line that says it does not fit the clip's frames.
    public var siteName = "site"

    public init(
        clipPath: String, site: SiteConfig, parameters: EstimatorParameters = EstimatorParameters(), warmup: Int = 50,
        intervalSeconds: Int? = nil
    ) {
        self.clipPath = clipPath
        self.site = site
        self.parameters = parameters
        self.warmup = warmup
        self.intervalSeconds = intervalSeconds
    }

    /// Runs the clip to its end, calling `onFrame` after each frame with the agent that analysed it.
    /// - Parameter transform: optional in-place change to each frame before the agent sees it (the
    ///   perturbations of `lantern-sim evaluate`); its time is not counted.
    public func run(
        truth: GroundTruth? = nil,
        transform: ((Int, UnsafeMutableBufferPointer<UInt8>, Int, Int) -> Void)? = nil,
        onFrame: @escaping (ReplayFrame, Agent) -> Void = { _, _ in }
    ) throws(SimulatorError) -> ReplaySummary {
        let source = try Replay.open(clipPath)
        source.transform = transform
        return try run(source: source, time: source.time, truth: truth, onFrame: onFrame)
    }

    /// Opens a clip as a frame source (`ClipInput`: `-`, or another format through ffmpeg); a clip that
    /// cannot be read is one line.
    static func open(_ clipPath: String) throws(SimulatorError) -> ClipSource {
        try ClipInput.open(clipPath)
    }

    /// Runs any recorded source (a clip, a clip that freezes) through the run loop; `time` gives each
    /// frame's clip time.
    func run(
        source: any FrameSource, time: ClipTime, truth: GroundTruth? = nil,
        onFrame: @escaping (ReplayFrame, Agent) -> Void
    ) throws(SimulatorError) -> ReplaySummary {
        let agent = Agent(site: site, intervalSeconds: intervalSeconds, framePeriodMicros: source.framePeriodMicros, parameters: parameters)
        let loop = RunLoop(agent: agent, source: source, clock: ManualClock(), signals: ScriptedSignals())
        loop.siteName = siteName
        var summary = ReplaySummary()
        let clock = ContinuousClock()
        var started = clock.now
        let origin = time.originMicros
        loop.onFrameStart = { started = clock.now }
        loop.onRecords = { summary.records += $0 }
        let warmup = self.warmup
        loop.onFrame = { _, estimate in
            let elapsed = clock.now - started
            summary.estimatorSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let index = summary.frames
            summary.frames += 1
            if let truth, index >= warmup, let expected = truth.counts[index] {
                summary.score.add(predicted: Double(estimate.count), truth: Double(expected))
            }
            let micros = time.micros(ofFrame: index) - origin
            onFrame(ReplayFrame(index: index, estimate: estimate, micros: micros), agent)
        }
        do {
            try loop.run()
        } catch {
            throw SimulatorError(error.message, status: error.code)
        }
        loop.onFrame = nil
        if summary.frames == 0 { throw SimulatorError("\(source.name): the clip has no frames; nothing to replay") }
        return summary
    }
}

extension Replay {
    /// How many frames the clip holds (reads it through without analysing it).
    public static func countFrames(clipPath: String) throws(SimulatorError) -> Int {
        guard clipPath != "-" else {
            throw SimulatorError("-: standard input can be read only once; give the clip as a file for this", status: .usage)
        }
        let source = try ClipInput.open(clipPath)
        do {
            var frames = 0
            while try source.reader.nextFrame() != nil { frames += 1 }
            return frames
        } catch {
            throw SimulatorError(error.description)
        }
    }
}
