/// The estimator's constants. They describe people and cameras in general, not any one clip: the same
/// values serve every site, whose own geometry comes only from its site file (`PersonScale`, zones).
public struct EstimatorParameters: Equatable {
    /// A pixel is foreground when it differs from the background by more than this (grey levels).
    public var threshold: UInt8 = 25
    /// Foreground pixels of one standing person, as a fraction of their height squared: a person is about
    /// 0.35 of their height wide and fills about 70% of that box.
    public var personAreaFactor: Double = 0.24
    /// Blobs worth less than this many people are noise (a leaf, a flicker, a shadow edge).
    public var minimumBlobPeople: Double = 0.5
    /// Frames at the start during which the background adapts fast (it starts as the first frame,
    /// people included).
    public var warmupFrames: Int = 30
    /// Background step per frame during warm-up, in grey levels (1 afterwards: an approximate median).
    public var warmupRate: UInt8 = 8
    /// Frames in the median that smooths the head count against single-frame flicker.
    public var smoothingFrames: Int = 3

    public init() {}
}
