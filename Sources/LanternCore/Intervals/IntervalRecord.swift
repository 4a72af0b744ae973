/// What Lantern reports for one zone (or the whole view), or for one counting line, over one interval.
/// Counts only: no positions, no identities, no imagery.
///
/// A line record (`line` set, `zone` nil) carries that line's crossings only; its occupancy fields
/// are zero and never encoded. Zone and view records keep `crossingsIn`/`crossingsOut` as before:
/// the view's are the sum of all lines, a zone's those of the lines whose midpoint lies in it.
public struct IntervalRecord: Equatable {
    public enum Status: Equatable {
        /// The camera streamed and was trusted for (most of) the interval.
        case ok
        /// Too little trusted video to say: the counts are not zero, they are unknown.
        case unknown
        /// The cabinet was opened during the interval: the camera may have been moved or covered.
        case tamper

        public var name: String {
            switch self {
            case .ok: return "ok"
            case .unknown: return "unknown"
            case .tamper: return "tamper"
            }
        }
    }

    /// The zone's name, or nil for the whole view (and for a line record).
    public var zone: String?
    /// The counting line's name for a line record; nil for zone and view records.
    public var line: String?
    /// The whole view's record (neither a zone's nor a line's).
    public var isWholeView: Bool { zone == nil && line == nil }
    public var start: UTCTime
    public var end: UTCTime
    /// Mean people present over the frames seen.
    public var occupancyMean: Double
    /// Most people present in any frame.
    public var occupancyMax: Int
    /// Person-seconds: the people present integrated over the time the camera saw (its trusted frames,
    /// each worth the time to the next, at most two frame periods), so about
    /// `occupancyMean * coverage * interval length`. Ten people staying a minute are 600, however few of
    /// them moved; no identity is needed.
    public var personSeconds: Double
    /// The fraction of the time seen (0...1) in which at least one person was present: Smart Data
    /// Models' `occupancy` ("fraction of the observation time where a person has been occupying the
    /// observed walkway"), measured over the trusted frames, each worth its time as in `personSeconds`.
    public var occupied: Double
    public var crossingsIn: Int
    public var crossingsOut: Int
    /// Fraction of the interval the camera was streaming and trusted, 0...1.
    public var coverage: Double
    public var status: Status
    /// Motion-sensor (PIR) activations during the interval.
    public var pirEvents: Int
    /// Whether the light sensor said dark for most of the interval (nil: no light sensor).
    public var dark: Bool?
    /// Frames analysed.
    public var frames: Int

    public init(
        zone: String?, start: UTCTime, end: UTCTime, occupancyMean: Double, occupancyMax: Int, crossingsIn: Int,
        crossingsOut: Int, coverage: Double, status: Status, pirEvents: Int = 0, dark: Bool? = nil, frames: Int = 0,
        personSeconds: Double = 0, occupied: Double = 0, line: String? = nil
    ) {
        self.zone = zone
        self.line = line
        self.occupied = occupied
        self.start = start
        self.end = end
        self.occupancyMean = occupancyMean
        self.occupancyMax = occupancyMax
        self.crossingsIn = crossingsIn
        self.crossingsOut = crossingsOut
        self.coverage = coverage
        self.status = status
        self.pirEvents = pirEvents
        self.dark = dark
        self.frames = frames
        self.personSeconds = personSeconds
    }
}
