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

    /// Replays `clipPath` up to its middle frame, then holds that frame for `seconds`.
    public func run(
        clipPath: String, site: SiteConfig, parameters: EstimatorParameters, truth: GroundTruth, seed: UInt64
    ) throws(SimulatorError) -> Outcome {
        let frameCount = try Replay.countFrames(clipPath: clipPath)
        let reader: ClipReader
        do { reader = try ClipReader(path: clipPath) } catch { throw SimulatorError(error.description) }
        let header = reader.header
        let estimator = OccupancyEstimator(
            site: site, frameWidth: header.width, frameHeight: header.height, parameters: parameters,
            lumaRange: header.lumaRange, framesPerSecond: header.framesPerSecond)
        // The latest frame with truth at or before the middle.
        var frozen = frameCount / 2
        while frozen > 0 && truth.counts[frozen] == nil { frozen -= 1 }
        guard let expected = truth.counts[frozen] else {
            throw SimulatorError("\(clipPath): no truth at or before frame \(frameCount / 2); the still scene needs the frozen frame's count")
        }
        var outcome = Outcome(frame: frozen, truth: expected, frames: 0, framesOff: 0, worstCount: expected, estimates: [])
        let size = header.width * header.height
        let still = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size)
        let noisy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size)
        defer {
            still.deallocate()
            noisy.deallocate()
        }
        for index in 0...frozen {
            let next: GreyImage?
            do { next = try reader.nextFrame() } catch { throw SimulatorError(error.description) }
            guard let frame = next else { throw SimulatorError("\(clipPath): ended before frame \(frozen)") }
            let e = estimator.process(frame)
            outcome.estimates.append((e.count, e.condition))
            if index == frozen {
                for y in 0..<frame.height {
                    _ = UnsafeMutableBufferPointer(rebasing: still[(y * frame.width)..<((y + 1) * frame.width)]).initialize(from: frame.row(y))
                }
            }
        }
        let repeats = Int((seconds * header.framesPerSecond).rounded())
        for r in 0..<repeats {
            Perturbation.addNoise(to: noisy, from: UnsafeBufferPointer(still), sigma: noiseSigma, seed: seed, index: frozen + 1 + r)
            let e = estimator.process(GreyImage(unsafePixels: UnsafePointer(noisy.baseAddress!), width: header.width, height: header.height, stride: header.width))
            outcome.estimates.append((e.count, e.condition))
            outcome.frames += 1
            if abs(e.count - expected) > tolerance { outcome.framesOff += 1 }
            if abs(e.count - expected) > abs(outcome.worstCount - expected) { outcome.worstCount = e.count }
        }
        return outcome
    }
}

extension Evaluation {
    /// The still-scene row: MAE and bias like the others, over the trusted frames from the warm-up on of the
    /// intervals not mostly untrusted (truth during the freeze is the frozen frame's); it passes when every
    /// frame of the freeze is within the tolerance.
    func stillSceneRow(allowed: Double) throws(SimulatorError) -> ConditionResult {
        let outcome = try StillScene().run(clipPath: clipPath, site: site, parameters: parameters, truth: truth, seed: seed)
        let reader: ClipReader
        do { reader = try ClipReader(path: clipPath) } catch { throw SimulatorError(error.description) }
        let interval = max(1, Int((Double(intervalSeconds) * reader.header.framesPerSecond).rounded()))
        var row = ConditionResult(
            name: StillScene.name, framesScored: 0, intervalsKnown: 0, intervalsTotal: 0, score: Score(), verdict: .pass,
            untrustedReasons: [])
        var reasons: [String: Int] = [:]
        var start = warmup
        let frames = outcome.estimates
        while start < frames.count {
            let end = min(start + interval, frames.count)
            var untrusted = 0
            for i in start..<end where frames[i].condition != .ok {
                untrusted += 1
                reasons[frames[i].condition.name, default: 0] += 1
            }
            row.intervalsTotal += 1
            if 2 * untrusted <= end - start {
                row.intervalsKnown += 1
                for i in start..<end where frames[i].condition == .ok {
                    guard let expected = i > outcome.frame ? outcome.truth : truth.counts[i] else { continue }
                    row.score.add(predicted: Double(frames[i].count), truth: Double(expected))
                }
            }
            start = end
        }
        row.framesScored = row.score.scored
        row.untrustedReasons = reasons.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
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
