/// Accuracy of predicted per-frame counts against the truth, with the same protocol as
/// `shared/bench/peers.py`: frames before the warm-up are processed but not scored.
public struct Score: Equatable {
    public var scored = 0
    public var absoluteError = 0.0
    public var squaredError = 0.0
    public var signedError = 0.0

    public init() {}

    public mutating func add(predicted: Double, truth: Double) {
        let e = predicted - truth
        scored += 1
        absoluteError += abs(e)
        squaredError += e * e
        signedError += e
    }

    public var mae: Double { scored == 0 ? 0 : absoluteError / Double(scored) }
    public var rmse: Double { scored == 0 ? 0 : (squaredError / Double(scored)).squareRoot() }
    public var bias: Double { scored == 0 ? 0 : signedError / Double(scored) }
}
