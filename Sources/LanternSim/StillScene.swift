import LanternAgent
import LanternCore
import LanternRuntime

/// The "still scene" condition of `lantern-sim evaluate`: the clip freezes. Frames up to the middle of the
/// clip play as recorded; then the middle frame is repeated, each time with fresh sensor noise, for
/// `seconds` of clip time (nobody moves, nobody leaves). The people in view are still there, so the count
/// must stay within `tolerance` of that frame's truth for the whole freeze, where a motion-only counter
/// lets them fade into the background.
public struct StillScene {
    /// Seconds of clip time the frame is held.
    public var seconds: Double = 60
    /// Standard deviation of the fresh noise, in grey levels.
    public var noiseSigma: Double = 2
    /// The most the count may differ from the frozen frame's truth during the freeze.
    public var tolerance = 1

    public static let name = "still scene"

    public init() {}

    /// What happened during the freeze.
    public struct Outcome {
        /// The frozen frame's index, and its truth.
        public var frame: Int
        public var truth: Int
        /// Frames of the freeze, and those whose count was off by more than the tolerance.
        public var frames: Int
        public var framesOff: Int
        /// The count furthest from the truth during the freeze.
        public var worstCount: Int
        /// Head count and condition of every processed frame (recorded ones, then the freeze).
        public var estimates: [(count: Int, condition: SceneCondition)]
    }

    /// Replays `clipPath` through the board's run loop up to its middle frame, then holds that frame for
    /// `seconds`. Returns the freeze's outcome and the replay (its frames and interval records).
    public func run(
        clipPath: String, site: SiteConfig, parameters: EstimatorParameters, truth: GroundTruth, seed: UInt64,
        intervalSeconds: Int = 5, warmup: Int = 50, onFrame: @escaping (ReplayFrame, Agent) -> Void = { _, _ in }
    ) throws(SimulatorError) -> (outcome: Outcome, replay: ReplaySummary) {
        let frameCount = try Replay.countFrames(clipPath: clipPath)
        // The latest frame with truth at or before the middle.
        var frozen = frameCount / 2
        while frozen > 0 && truth.counts[frozen] == nil { frozen -= 1 }
        guard let expected = truth.counts[frozen] else {
            throw SimulatorError("\(clipPath): no truth at or before frame \(frameCount / 2); the still scene needs the frozen frame's count")
        }
        let clip = try Replay.open(clipPath)
        let repeats = Int((seconds * clip.reader.header.framesPerSecond).rounded())
        let source = FrozenClipSource(clip: clip, frozenFrame: frozen, repeats: repeats, noiseSigma: noiseSigma, seed: seed)
        var outcome = Outcome(frame: frozen, truth: expected, frames: 0, framesOff: 0, worstCount: expected, estimates: [])
        let replay = Replay(clipPath: clipPath, site: site, parameters: parameters, warmup: warmup, intervalSeconds: intervalSeconds)
        let tolerance = self.tolerance
        let summary = try replay.run(source: source, time: clip.time) { frame, agent in
            outcome.estimates.append((frame.estimate.count, frame.estimate.condition))
            if frame.index > frozen {
                outcome.frames += 1
                let count = frame.estimate.count
                if abs(count - expected) > tolerance { outcome.framesOff += 1 }
                if abs(count - expected) > abs(outcome.worstCount - expected) { outcome.worstCount = count }
            }
            onFrame(frame, agent)
        }
        return (outcome, summary)
    }
}

extension Evaluation {
    /// The still-scene row: MAE and bias like the others, over the trusted frames from the warm-up on of the
    /// intervals not mostly untrusted (truth during the freeze is the frozen frame's); it passes when every
    /// frame of the freeze is within the tolerance.
    func stillSceneRow(allowed: Double) throws(SimulatorError) -> ConditionResult {
        var frames: [FrameOutcome] = []
        let (outcome, summary) = try StillScene().run(
            clipPath: clipPath, site: site, parameters: parameters, truth: truth, seed: seed, intervalSeconds: intervalSeconds,
            warmup: warmup
        ) { frame, _ in
            frames.append(FrameOutcome(count: frame.estimate.count, condition: frame.estimate.condition, micros: frame.micros))
        }
        // During the freeze the truth is the frozen frame's.
        var counts = truth.counts.filter { $0.key <= outcome.frame }
        for i in (outcome.frame + 1)..<max(frames.count, outcome.frame + 1) { counts[i] = outcome.truth }
        var row = Evaluation(
            clipPath: clipPath, site: site, truth: GroundTruth(counts: counts), parameters: parameters, warmup: warmup,
            intervalSeconds: intervalSeconds, seed: seed
        ).score(name: StillScene.name, frames: frames, records: summary.records, allowed: allowed)
        row.holdFrames = outcome.frames
        row.holdFramesOff = outcome.framesOff
        row.holdTruth = outcome.truth
        row.holdWorst = outcome.worstCount
        // Its rule is the hold, not the MAE: the freeze is scored against one frame's truth, which the clean
        // clip's counts miss by its own error frame after frame.
        row.verdict = outcome.framesOff == 0 ? .pass : .fail
        return row
    }
}
