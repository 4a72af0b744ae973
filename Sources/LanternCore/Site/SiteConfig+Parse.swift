/// # Site file
///
/// One JSON object (RFC 8259, UTF-8) describing one camera's view of one public space:
///
/// ```json
/// {
///   "name": "PETS 2009 S2.L1, view 001",
///   "frame": { "width": 384, "height": 288 },
///   "calibration": { "personHeights": [ { "row": 80, "height": 36 }, { "row": 280, "height": 76 } ] },
///   "crop": { "x": 0, "y": 0, "width": 384, "height": 288 },
///   "zones": [ { "name": "north-path", "points": [[10, 20], [200, 20], [200, 140], [10, 140]] } ],
///   "lines": [ { "name": "junction", "from": [190, 100], "to": [190, 280] } ],
///   "interval": 60,
///   "privacy": { "suppressBelow": 0 },
///   "journal": { "maxIntervals": 100000 },
///   "relay": { "followPresenceAtNight": false, "holdSeconds": 30 },
///   "position": { "latitude": 51.4381, "longitude": -0.9432 },
///   "density": { "rateHz": 1 }
/// }
/// ```
///
/// All coordinates are pixels of the full camera frame: x to the right, y down, (0, 0) the top-left
/// corner.
///
/// | key | required | meaning |
/// | --- | --- | --- |
/// | `name` | yes | a non-empty name for the site, used in reports |
/// | `calibration.personHeights` | yes | at least 2 samples `{ "row": r, "height": h }`: a standing person whose feet are at image row `r` (>= 0) is `h` pixels tall (> 0); rows distinct. Lantern interpolates between them and extrapolates beyond. |
/// | `frame` | no | `{ "width": w, "height": h }`, whole numbers from 16 to 4096: the camera frame size. If given, `crop`, zone points and line end points must lie within it. |
/// | `crop` | no (all of the frame) | `{ "x", "y", "width", "height" }`, whole numbers, x and y >= 0, width and height > 0: the part of the frame Lantern analyses |
/// | `zones` | no (none) | at most 32 named ground areas: `name` non-empty and unique, `points` 3 to 256 `[x, y]` pairs enclosing a non-zero area; a person is in a zone when their feet are |
/// | `lines` | no (none) | at most 32 named counting lines: `name` non-empty and unique, `from` and `to` distinct `[x, y]` points. Crossing towards the left of `from` → `to` (as seen in the image) counts as in, towards the right as out. |
/// | `interval` | no (60) | seconds per reporting interval, a whole number from 1 to 86400 |
/// | `privacy.suppressBelow` | no (0, off) | counts below this whole number are reported as "<k" |
/// | `journal.maxIntervals` | no (100000) | most intervals kept while undelivered, a whole number >= 1 |
/// | `relay.followPresenceAtNight` | no (false) | whether the relay switches on while people are present at night |
/// | `relay.holdSeconds` | no (30) | seconds the relay stays on after the last presence, 0 to 86400 |
/// | `position` | no | `{ "latitude", "longitude" }`: where the lamppost stands, WGS84 degrees (-90...90, -180...180) |
/// | `density.rateHz` | no (1) | density-path steps per second of frame time, 0 (off) to 10; the motion path runs on every frame |
/// | `zones[].geo` | no | the zone on the map: a GeoJSON Polygon (`{"type":"Polygon","coordinates":[[[lon, lat], ...]]}`, WGS84; each ring at least 4 positions, closed) |
///
/// Anything else is an error: an unknown key at any level (a misspelt key would otherwise be silently
/// ignored), a fractional number where a whole one is required, a wrong type, a duplicate key. Each
/// error is one line that names the file and the key path, e.g.
/// `site.json: zones[1].points: a zone needs at least 3 points`, or for malformed JSON the position,
/// e.g. `site.json: line 4, column 2: expected ',' or '}'`.
extension SiteConfig {
    /// The estimator keeps a zone bit mask per cell (`PersonDensity`: 32 bits).
    public static let maximumZones = 32
    public static let maximumLines = 32
    public static let maximumZonePoints = 256
    /// The frame sizes a clip header may give (`Y4MHeader`), the same for the site's `frame`.
    public static let minimumFrameSide = Y4MHeader.minimumDimension
    public static let maximumFrameSide = Y4MHeader.maximumDimension

    /// Reads and validates a site file. `source` names the file in error messages.
    public static func parse(json: [UInt8], source: String) throws(SiteConfigError) -> SiteConfig {
        let document: JSONValue
        do {
            document = try JSONParser.parse(json)
        } catch {
            throw SiteConfigError(source: source, location: .text(line: error.line, column: error.column), message: error.message)
        }
        do {
            return try SiteFileReader().site(from: document)
        } catch {
            throw SiteConfigError(source: source, location: .keyPath(error.path), message: error.message)
        }
    }
}

/// Why a site file was rejected; `description` is one line for a log or a terminal.
public struct SiteConfigError: Error, Equatable, CustomStringConvertible {
    public enum Location: Equatable, Sendable {
        /// The file is not well-formed JSON; the position of the problem.
        case text(line: Int, column: Int)
        /// The JSON is well-formed but a value is wrong: its key path, such as `zones[1].points`
        /// (empty for the document itself).
        case keyPath(String)
    }

    /// The file name, as given to `parse(json:source:)`.
    public var source: String
    public var location: Location
    public var message: String

    public init(source: String, location: Location, message: String) {
        self.source = source
        self.location = location
        self.message = message
    }

    /// E.g. `site.json: calibration.personHeights[0].height: must be > 0 (got -3)`.
    public var description: String {
        switch location {
        case .text(let line, let column): return "\(source): line \(line), column \(column): \(message)"
        case .keyPath(let path) where path.isEmpty: return "\(source): \(message)"
        case .keyPath(let path): return "\(source): \(path): \(message)"
        }
    }
}

// MARK: - Reading

/// Turns a parsed document into a `SiteConfig`, checking every value on the way; every error names
/// the key path it is about.
private struct SiteFileReader: JSONFieldReader {
    func site(from document: JSONValue) throws(JSONFieldError) -> SiteConfig {
        let root = try object(document, "", keys: [
            "name", "frame", "calibration", "crop", "zones", "lines", "interval", "privacy", "journal", "relay",
            "position", "density",
        ])

        let name = try string(root.required("name"), "name")
        if name.isEmpty { throw fail("name", "must not be empty") }

        var frame: SiteConfig.FrameSize?
        if let value = root["frame"] {
            let fields = try object(value, "frame", keys: ["width", "height"])
            frame = SiteConfig.FrameSize(
                width: try integer(fields.required("width"), "frame.width", .between(SiteConfig.minimumFrameSide, SiteConfig.maximumFrameSide)),
                height: try integer(fields.required("height"), "frame.height", .between(SiteConfig.minimumFrameSide, SiteConfig.maximumFrameSide))
            )
        }

        let calibration = try object(root.required("calibration"), "calibration", keys: ["personHeights"])
        let scale = try personScale(calibration.required("personHeights"), "calibration.personHeights")

        var crop: PixelRect?
        if let value = root["crop"] { crop = try pixelRect(value, "crop", within: frame) }

        var zones: [SiteConfig.Zone] = []
        if let value = root["zones"] {
            let list = try array(value, "zones")
            if list.count > SiteConfig.maximumZones {
                throw fail("zones", "at most \(SiteConfig.maximumZones) zones (got \(list.count)); merge or drop some")
            }
            for (n, element) in list.enumerated() {
                let zone = try self.zone(element, "zones[\(n)]", within: frame)
                if let first = zones.firstIndex(where: { $0.name.utf8.elementsEqual(zone.name.utf8) }) {
                    throw fail("zones[\(n)].name", "\(JSONWriter.quoted(zone.name)) is already the name of zones[\(first)]")
                }
                zones.append(zone)
            }
        }

        var lines: [CountingLine] = []
        if let value = root["lines"] {
            let list = try array(value, "lines")
            if list.count > SiteConfig.maximumLines {
                throw fail("lines", "at most \(SiteConfig.maximumLines) counting lines (got \(list.count)); drop some")
            }
            for (n, element) in list.enumerated() {
                let line = try countingLine(element, "lines[\(n)]", within: frame)
                if let first = lines.firstIndex(where: { $0.name.utf8.elementsEqual(line.name.utf8) }) {
                    throw fail("lines[\(n)].name", "\(JSONWriter.quoted(line.name)) is already the name of lines[\(first)]")
                }
                lines.append(line)
            }
        }

        var interval = 60
        if let value = root["interval"] { interval = try integer(value, "interval", .between(1, 86_400)) }

        var suppressBelow = 0
        if let value = root["privacy"] {
            let fields = try object(value, "privacy", keys: ["suppressBelow"])
            if let v = fields["suppressBelow"] { suppressBelow = try integer(v, "privacy.suppressBelow", .atLeast(0)) }
        }

        var journalLimit = 100_000
        if let value = root["journal"] {
            let fields = try object(value, "journal", keys: ["maxIntervals"])
            if let v = fields["maxIntervals"] { journalLimit = try integer(v, "journal.maxIntervals", .atLeast(1)) }
        }

        var relay = SiteConfig.RelayRule()
        if let value = root["relay"] {
            let fields = try object(value, "relay", keys: ["followPresenceAtNight", "holdSeconds"])
            if let v = fields["followPresenceAtNight"] {
                relay.followPresenceAtNight = try bool(v, "relay.followPresenceAtNight")
            }
            if let v = fields["holdSeconds"] { relay.holdSeconds = try integer(v, "relay.holdSeconds", .between(0, 86_400)) }
        }

        var position: SiteConfig.GeoPosition?
        if let value = root["position"] {
            let fields = try object(value, "position", keys: ["latitude", "longitude"])
            position = try geoPosition(
                latitude: fields.required("latitude"), longitude: fields.required("longitude"), "position.latitude", "position.longitude")
        }

        var density = SiteConfig.DensityRate()
        if let value = root["density"] {
            let fields = try object(value, "density", keys: ["rateHz"])
            if let v = fields["rateHz"] {
                let hertz = try number(v, "density.rateHz")
                if !(hertz >= 0 && hertz <= SiteConfig.DensityRate.maximumHertz) {
                    throw fail("density.rateHz", "must be from 0 (off) to \(formatTrimmed(SiteConfig.DensityRate.maximumHertz)) steps per second (got \(formatTrimmed(hertz)))")
                }
                density.hertz = hertz
            }
        }

        return SiteConfig(
            name: name, scale: scale, crop: crop, zones: zones, lines: lines, intervalSeconds: interval,
            suppressBelow: suppressBelow, journalLimit: journalLimit, relay: relay, frame: frame, position: position,
            density: density
        )
    }

    // MARK: Parts

    func personScale(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> PersonScale {
        let list = try array(value, path)
        if list.count < 2 {
            throw fail(path, "needs at least 2 samples at different rows (got \(list.count))")
        }
        var samples: [PersonScale.Sample] = []
        for (n, element) in list.enumerated() {
            let at = "\(path)[\(n)]"
            let fields = try object(element, at, keys: ["row", "height"])
            let row = try number(fields.required("row"), "\(at).row")
            let height = try number(fields.required("height"), "\(at).height")
            if row < 0 { throw fail("\(at).row", "must be >= 0 (got \(formatTrimmed(row)))") }
            if !(height > 0) { throw fail("\(at).height", "must be > 0 (got \(formatTrimmed(height)))") }
            if let first = samples.firstIndex(where: { $0.row == row }) {
                throw fail("\(at).row", "same row as \(path)[\(first)] (each sample needs its own row)")
            }
            samples.append(PersonScale.Sample(row: row, height: height))
        }
        return PersonScale(samples: samples)
    }

    func pixelRect(_ value: JSONValue, _ path: String, within frame: SiteConfig.FrameSize?) throws(JSONFieldError) -> PixelRect {
        let fields = try object(value, path, keys: ["x", "y", "width", "height"])
        let rect = PixelRect(
            x: try integer(fields.required("x"), "\(path).x", .atLeast(0)),
            y: try integer(fields.required("y"), "\(path).y", .atLeast(0)),
            width: try integer(fields.required("width"), "\(path).width", .positive),
            height: try integer(fields.required("height"), "\(path).height", .positive)
        )
        if let frame, rect.x + rect.width > frame.width || rect.y + rect.height > frame.height {
            throw fail(path, "reaches outside the frame (\(frame.width)x\(frame.height))")
        }
        return rect
    }

    func zone(_ value: JSONValue, _ path: String, within frame: SiteConfig.FrameSize?) throws(JSONFieldError) -> SiteConfig.Zone {
        let fields = try object(value, path, keys: ["name", "points", "geo"])
        let name = try string(fields.required("name"), "\(path).name")
        if name.isEmpty { throw fail("\(path).name", "must not be empty") }
        let list = try array(fields.required("points"), "\(path).points")
        if list.count < 3 { throw fail("\(path).points", "a zone needs at least 3 points (got \(list.count))") }
        if list.count > SiteConfig.maximumZonePoints {
            throw fail("\(path).points", "at most \(SiteConfig.maximumZonePoints) points (got \(list.count)); simplify the outline")
        }
        var points: [Point] = []
        for (n, element) in list.enumerated() {
            points.append(try point(element, "\(path).points[\(n)]", within: frame))
        }
        let area = Polygon(points: points)
        if !(area.area > 0) { throw fail("\(path).points", "the points enclose no area (are they all on one line?)") }
        var geo: [[SiteConfig.GeoPosition]]?
        if let value = fields["geo"] { geo = try geoPolygon(value, "\(path).geo") }
        return SiteConfig.Zone(name: name, area: area, geo: geo)
    }

    /// Latitude and longitude in WGS84 degrees.
    func geoPosition(latitude: JSONValue, longitude: JSONValue, _ latitudePath: String, _ longitudePath: String) throws(JSONFieldError) -> SiteConfig.GeoPosition {
        let lat = try number(latitude, latitudePath)
        let lon = try number(longitude, longitudePath)
        if !(lat >= -90 && lat <= 90) { throw fail(latitudePath, "must be a WGS84 latitude from -90 to 90 degrees (got \(formatTrimmed(lat)))") }
        if !(lon >= -180 && lon <= 180) { throw fail(longitudePath, "must be a WGS84 longitude from -180 to 180 degrees (got \(formatTrimmed(lon)))") }
        return SiteConfig.GeoPosition(longitude: lon, latitude: lat)
    }

    /// A GeoJSON Polygon (RFC 7946 3.1.6): `{"type":"Polygon","coordinates":[ring, ...]}`, each ring at
    /// least 4 `[longitude, latitude]` positions, the last equal to the first.
    func geoPolygon(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> [[SiteConfig.GeoPosition]] {
        let fields = try object(value, path, keys: ["type", "coordinates"])
        let type = try string(fields.required("type"), "\(path).type")
        if type != "Polygon" { throw fail("\(path).type", "must be \"Polygon\" (a GeoJSON Polygon; got \(JSONWriter.quoted(type)))") }
        let rings = try array(fields.required("coordinates"), "\(path).coordinates")
        if rings.isEmpty { throw fail("\(path).coordinates", "a polygon needs its outline: [[[lon, lat], ...]]") }
        if rings.count > 16 { throw fail("\(path).coordinates", "at most 16 rings (got \(rings.count))") }
        var out: [[SiteConfig.GeoPosition]] = []
        for (r, ringValue) in rings.enumerated() {
            let ringPath = "\(path).coordinates[\(r)]"
            let positions = try array(ringValue, ringPath)
            if positions.count < 4 { throw fail(ringPath, "a ring needs at least 4 positions, the last equal to the first (got \(positions.count))") }
            if positions.count > SiteConfig.maximumZonePoints + 1 {
                throw fail(ringPath, "at most \(SiteConfig.maximumZonePoints + 1) positions (got \(positions.count)); simplify the outline")
            }
            var ring: [SiteConfig.GeoPosition] = []
            for (n, element) in positions.enumerated() {
                let at = "\(ringPath)[\(n)]"
                guard case .array(let pair) = element, pair.count == 2 else {
                    throw fail(at, "expected a position [longitude, latitude]")
                }
                ring.append(try geoPosition(latitude: pair[1], longitude: pair[0], "\(at)[1]", "\(at)[0]"))
            }
            if ring.first != ring.last { throw fail(ringPath, "the last position must equal the first (GeoJSON rings are closed)") }
            out.append(ring)
        }
        return out
    }

    func countingLine(_ value: JSONValue, _ path: String, within frame: SiteConfig.FrameSize?) throws(JSONFieldError) -> CountingLine {
        let fields = try object(value, path, keys: ["name", "from", "to"])
        let name = try string(fields.required("name"), "\(path).name")
        if name.isEmpty { throw fail("\(path).name", "must not be empty") }
        let from = try point(fields.required("from"), "\(path).from", within: frame)
        let to = try point(fields.required("to"), "\(path).to", within: frame)
        if from == to { throw fail("\(path).to", "is the same point as from (a line needs two distinct end points)") }
        return CountingLine(name: name, from: from, to: to)
    }

    /// A point written `[x, y]`.
    func point(_ value: JSONValue, _ path: String, within frame: SiteConfig.FrameSize?) throws(JSONFieldError) -> Point {
        guard case .array(let pair) = value else {
            throw fail(path, "expected a point [x, y], got \(value.kindDescription)")
        }
        guard pair.count == 2 else { throw fail(path, "expected a point [x, y], got \(pair.count) numbers") }
        let p = Point(x: try number(pair[0], "\(path)[0]"), y: try number(pair[1], "\(path)[1]"))
        if let frame, p.x < 0 || p.y < 0 || p.x > Double(frame.width) || p.y > Double(frame.height) {
            throw fail(path, "[\(formatTrimmed(p.x)), \(formatTrimmed(p.y))] is outside the frame (\(frame.width)x\(frame.height))")
        }
        return p
    }
}
