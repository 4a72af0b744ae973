import Foundation
import LanternCore
import LanternDensity

/// The density model's cost: time per inference on this machine (one thread) and its multiply-
/// accumulates, and from those an estimate for the board's core.
public struct DensityBenchmark {
    public struct Result {
        public var width: Int
        public var height: Int
        public var milliseconds: Double
        /// The fastest of the timed inferences: on a shared, loaded machine the one least disturbed by other jobs.
        public var fastestMilliseconds: Double
        public var multiplyAccumulates: Int
        /// Estimated time on one Cortex-A72 core (Raspberry Pi 4) at `DensityBenchmark.cortexA72MACsPerSecond`.
        public var cortexA72Milliseconds: Double
    }

    /// Sustained float32 multiply-accumulates per second assumed for one Cortex-A72 core at 1.5 GHz:
    /// its two 128-bit NEON pipes issue one FMUL or FADD each per cycle, and the engine keeps products
    /// and sums separate (no fused multiply-add, for bit-identical results), so at most 4 lanes of
    /// multiply-accumulate per cycle (6 G/s); half of that sustained, for loads, weight broadcasts and
    /// loop overhead.
    public static let cortexA72MACsPerSecond = 3.0e9

    public let weights: DensityWeights

    public init(weights: DensityWeights) {
        self.weights = weights
    }

    /// The median (and the fastest) of `repeats` timed inferences on a fixed synthetic image (the cost does not depend on content).
    public func measure(width: Int, height: Int, repeats: Int = 15) -> Result {
        var pixels = [UInt8](repeating: 0, count: width * height)
        var state: UInt32 = 12345
        for i in pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            pixels[i] = UInt8(truncatingIfNeeded: state >> 24)
        }
        let counter = DensityCounter(weights: weights, maxWidth: width, maxHeight: height)
        var times: [Double] = []
        pixels.withUnsafeBufferPointer { p in
            let image = GreyImage(unsafePixels: p.baseAddress!, width: width, height: height, stride: width)
            counter.count(image)  // warm the caches
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                counter.count(image)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        times.sort()
        let macs = weights.multiplyAccumulates(width: width, height: height)
        return Result(
            width: width, height: height, milliseconds: times[times.count / 2], fastestMilliseconds: times[0], multiplyAccumulates: macs,
            cortexA72Milliseconds: Double(macs) / Self.cortexA72MACsPerSecond * 1000)
    }
}
