/// Replay time: frame `i` of a clip at `num/den` frames per second is at `origin + i * den/num` seconds,
/// computed in integers so every build, host or board, gives the same microsecond.
public struct ClipTime: Equatable {
    public var originMicros: Int64
    public var numerator: Int64
    public var denominator: Int64

    public init(originSeconds: Int64, numerator: Int, denominator: Int) {
        precondition(numerator > 0 && denominator > 0)
        originMicros = originSeconds * 1_000_000
        self.numerator = Int64(numerator)
        self.denominator = Int64(denominator)
    }

    /// Microseconds of frame `index` (floor).
    public func micros(ofFrame index: Int) -> Int64 {
        originMicros + Int64(index) * denominator * 1_000_000 / numerator
    }

    /// The nominal frame period, microseconds (at least 1).
    public var framePeriodMicros: Int64 { max(denominator * 1_000_000 / numerator, 1) }

    /// The default origin, 2026-01-01T00:00:00Z.
    public static let defaultOriginSeconds: Int64 = 1_767_225_600
}
