/// A site: one camera's view of one public space, and what Lantern measures in it.
/// Read from a site file (JSON) by `SiteConfig.parse(json:source:)`; see README "Site file".
public struct SiteConfig: Equatable {
    /// A named ground area; people are in it when their foot point is.
    public struct Zone: Equatable {
        public var name: String
        public var area: Polygon
        /// The zone on the map, if the site file gives it: a GeoJSON Polygon's rings (WGS84), the first
        /// the outline, any others holes. Sent as the zone entity's `location` (NGSI-LD).
        public var geo: [[GeoPosition]]?

        public init(name: String, area: Polygon, geo: [[GeoPosition]]? = nil) {
            self.name = name
            self.area = area
            self.geo = geo
        }
    }

    /// A WGS84 position (degrees), as GeoJSON orders it: longitude, then latitude.
    public struct GeoPosition: Equatable {
        public var longitude: Double
        public var latitude: Double

        public init(longitude: Double, latitude: Double) {
            self.longitude = longitude
            self.latitude = latitude
        }
    }

    /// When the relay follows presence (off unless the site file says so).
    public struct RelayRule: Equatable {
        public var followPresenceAtNight: Bool
        /// Seconds the relay stays on after the last presence.
        public var holdSeconds: Int

        public init(followPresenceAtNight: Bool = false, holdSeconds: Int = 30) {
            self.followPresenceAtNight = followPresenceAtNight
            self.holdSeconds = holdSeconds
        }
    }

    /// How often the density path (`LanternDensity`, counting people by appearance, moving or still) runs
    /// beside the motion path, which runs on every frame. See README "Fusion".
    public struct DensityRate: Equatable {
        /// Density steps per second of frame time; 0 turns the density path off.
        public var hertz: Double

        /// Once a second: people who stay stay for seconds, and the model costs 40 to 200 times a motion frame.
        public static let defaultHertz = 1.0
        public static let maximumHertz = 10.0

        public init(hertz: Double = DensityRate.defaultHertz) {
            self.hertz = hertz
        }

        public var isOn: Bool { hertz > 0 }
    }

    /// The camera frame's size in pixels, as a site file states it.
    public struct FrameSize: Equatable {
        public var width: Int
        public var height: Int

        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    public var name: String
    public var scale: PersonScale
    /// The camera frame the coordinates refer to, if the site file gives it (nil: not checked).
    public var frame: FrameSize?
    /// The part of the camera frame Lantern looks at (nil: all of it). Zone and line coordinates are in
    /// full-frame pixels either way.
    public var crop: PixelRect?
    public var zones: [Zone]
    public var lines: [CountingLine]
    /// Length of one reporting interval, seconds.
    public var intervalSeconds: Int
    /// Counts below this are reported as "<k" (privacy); 0 is off.
    public var suppressBelow: Int
    /// Journal size bound (intervals kept undelivered at most).
    public var journalLimit: Int
    public var relay: RelayRule
    /// Where the lamppost stands (WGS84), if the site file says: the `location` of its NGSI-LD entities.
    public var position: GeoPosition?
    /// The density path's rate (`density.rateHz`).
    public var density: DensityRate

    public init(
        name: String, scale: PersonScale, crop: PixelRect? = nil, zones: [Zone] = [], lines: [CountingLine] = [],
        intervalSeconds: Int = 60, suppressBelow: Int = 0, journalLimit: Int = 100_000, relay: RelayRule = RelayRule(),
        frame: FrameSize? = nil, position: GeoPosition? = nil, density: DensityRate = DensityRate()
    ) {
        self.density = density
        self.position = position
        self.name = name
        self.scale = scale
        self.crop = crop
        self.zones = zones
        self.lines = lines
        self.intervalSeconds = intervalSeconds
        self.suppressBelow = suppressBelow
        self.journalLimit = journalLimit
        self.relay = relay
        self.frame = frame
    }
}
