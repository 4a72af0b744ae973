/// One observation of a standing or walking person: their feet at image row `row`, `height` pixels tall.
/// Samples of one walker (one track, or one annotated id) are not independent, so each carries the
/// walker it came from: the fit weighs and resamples walkers, not frames.
public struct PersonHeightSample: Equatable {
    /// Image row of the feet, in full-frame pixels.
    public var row: Double
    /// The person's height there, in pixels.
    public var height: Double
    /// Which walker (track id) this sample belongs to.
    public var walker: Int

    public init(row: Double, height: Double, walker: Int) {
        self.row = row
        self.height = height
        self.walker = walker
    }
}
