/// The estimator's constants. They describe people and cameras in general, not any one clip: the same
/// values serve every site, whose own geometry comes only from its site file (`PersonScale`, zones).
public struct EstimatorParameters: Equatable {
    /// A pixel is foreground when it differs from the background by more than this (grey levels)...
    public var threshold: UInt8 = 25
    /// ... or, in a darker scene, by more than this fraction of the background's mean grey level (people's
    /// contrast shrinks with the light), but never less than `minimumThreshold` (sensor noise does not).
    public var thresholdFraction: Double = 0.21
    public var minimumThreshold: UInt8 = 10
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
    /// A counted blob's foreground cells keep the background under them unchanged for at most this long,
    /// so people who stop stay counted (`StillnessHold`); then the background absorbs them...
    public var stillHoldSeconds: Double = 120
    /// ... when that ground had been seen empty this long before (so the place a person left who was there
    /// while the background was learnt, a ghost, is not held).
    public var stillEmptySeconds: Double = 0.5
    /// Frames in the median that smooths the head count against single-frame flicker.
    public var smoothingFrames: Int = 3

    // Trust (`SceneCondition`). Fractions are of the analysed area; they describe how people fill a view,
    // not any one view.
    /// Camera shake followed, in pixels either way (the analysed area keeps this margin inside the frame).
    public var maxShift: Int = 4
    /// A frame with more than this fraction of its pixels foreground is a scene change, not people.
    public var sceneChangeFraction: Double = 0.5
    /// ... and so is a frame whose foreground fraction rose by more than this since the previous frame:
    /// people walk into a view a little at a time.
    public var sceneChangeJump: Double = 0.12
    /// After a scene change the background is relearnt at `warmupRate` for `warmupFrames`, and counts stay
    /// withheld this many frames more while the ghosts of the relearning fade.
    public var settleFrames: Int = 20
    /// Background step per frame during those settling frames.
    public var settleRate: UInt8 = 2
    /// A background darker than this on average (grey levels) is too dark to count in: people's contrast
    /// shrinks with the light while sensor noise does not.
    public var darkLevel: Double = 40
    /// A 16x16 block of background whose grey levels span at most `blankRange` and stay at or below
    /// `blankLevel` is blank (covered lens); more than `blankFractionLimit` of blank blocks is `.obstructed`.
    public var blankRange: UInt8 = 4
    public var blankLevel: UInt8 = 40
    public var blankFractionLimit: Double = 0.05
    /// Background statistics (brightness, blank blocks, profiles) are refreshed every this many frames.
    public var statisticsPeriod: Int = 8

    public init() {}
}
