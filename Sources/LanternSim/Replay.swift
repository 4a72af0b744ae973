import LanternCore
import LanternSystem

/// One replayed frame's result, as the simulator reports it.
public struct ReplayFrame: Equatable {
    public var index: Int
    public var estimate: FrameEstimate
    /// Head count per zone, in site zone order.
    public var zoneCounts: [Int]
}

/// The outcome of a whole replay.
public struct ReplaySummary {
    public var frames = 0
    /// Seconds spent in the estimator (reading the clip excluded).
    public var estimatorSeconds = 0.0
    public var score = Score()

    public var framesPerSecond: Double { estimatorSeconds > 0 ? Double(frames) / estimatorSeconds : 0 }
}

/// Replays a recorded clip through the same estimator the board runs, frame by frame.
public struct Replay {
    public var clipPath: String
    public var site: SiteConfig
    public var parameters: EstimatorParameters
    /// Frames before this are processed but not scored (the background is still being learnt).
    public var warmup: Int

    public init(clipPath: String, site: SiteConfig, parameters: EstimatorParameters = EstimatorParameters(), warmup: Int = 50) {
        self.clipPath = clipPath
        self.site = site
        self.parameters = parameters
        self.warmup = warmup
    }

    /// Runs the clip to its end, calling `onFrame` after each frame.
    /// - Parameter transform: optional in-place change to each frame before the estimator sees it
    ///   (the perturbations of `lantern-sim evaluate`); its time is not counted.
    public func run(
        truth: GroundTruth? = nil,
        transform: ((Int, UnsafeMutableBufferPointer<UInt8>, Int, Int) -> Void)? = nil,
        onFrame: (ReplayFrame, borrowing OccupancyEstimatorAccess) -> Void = { _, _ in }
    ) throws(SimulatorError) -> ReplaySummary {
        let reader: ClipReader
        do { reader = try ClipReader(path: clipPath) } catch { throw SimulatorError(error.description) }
        let header = reader.header
        let estimator = OccupancyEstimator(
            site: site, frameWidth: header.width, frameHeight: header.height, parameters: parameters, lumaRange: header.lumaRange,
            framesPerSecond: header.framesPerSecond)
        var summary = ReplaySummary()
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: transform == nil ? 1 : header.lumaSize)
        defer { scratch.deallocate() }
        let clock = ContinuousClock()
        while true {
            let next: GreyImage?
            do { next = try reader.nextFrame() } catch { throw SimulatorError(error.description) }
            guard var frame = next else { break }
            let index = summary.frames
            if let transform {
                for y in 0..<frame.height {
                    _ = UnsafeMutableBufferPointer(rebasing: scratch[(y * frame.width)..<((y + 1) * frame.width)])
                        .initialize(from: frame.row(y))
                }
                transform(index, scratch, frame.width, frame.height)
                frame = GreyImage(unsafePixels: UnsafePointer(scratch.baseAddress!), width: frame.width, height: frame.height, stride: frame.width)
            }
            let started = clock.now
            let estimate = estimator.process(frame)
            let elapsed = clock.now - started
            summary.estimatorSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            summary.frames += 1
            if let truth, index >= warmup, let expected = truth.counts[index] {
                summary.score.add(predicted: Double(estimate.count), truth: Double(expected))
            }
            onFrame(ReplayFrame(index: index, estimate: estimate, zoneCounts: estimator.zoneCounts), OccupancyEstimatorAccess(estimator: estimator))
        }
        if summary.frames == 0 { throw SimulatorError("\(clipPath): the clip has no frames; nothing to replay") }
        return summary
    }
}

extension Replay {
    /// How many frames the clip holds (reads it through without running the estimator).
    public static func countFrames(clipPath: String) throws(SimulatorError) -> Int {
        do {
            let reader = try ClipReader(path: clipPath)
            var frames = 0
            while try reader.nextFrame() != nil { frames += 1 }
            return frames
        } catch {
            throw SimulatorError(error.description)
        }
    }
}

/// Read access to the estimator during a frame callback (blobs, zone people), for scoring tools.
public struct OccupancyEstimatorAccess: ~Copyable {
    public let estimator: OccupancyEstimator
}
