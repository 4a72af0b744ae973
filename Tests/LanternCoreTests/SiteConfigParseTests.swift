import Testing
@testable import LanternCore

@Suite struct SiteConfigParseTests {
    static let example = """
        {
          "name": "PETS 2009 S2.L1, view 001",
          "frame": { "width": 384, "height": 288 },
          "calibration": { "personHeights": [ { "row": 80, "height": 36 }, { "row": 280, "height": 76 } ] },
          "crop": { "x": 0, "y": 0, "width": 384, "height": 288 },
          "zones": [ { "name": "north-path", "points": [[10, 20], [200, 20], [200, 140], [10, 140]] } ],
          "lines": [ { "name": "junction", "from": [190, 100], "to": [190, 280] } ],
          "interval": 60,
          "privacy": { "suppressBelow": 0 },
          "journal": { "maxIntervals": 100000 },
          "relay": { "followPresenceAtNight": false, "holdSeconds": 30 }
        }
        """

    static let minimal = #"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": 100, "height": 30.5 } ] } }"#

    private func parse(_ text: String) throws(SiteConfigError) -> SiteConfig {
        try SiteConfig.parse(json: Array(text.utf8), source: "site.json")
    }

    /// The one-line message for a file that must be rejected.
    private func errorLine(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    /// The minimal valid file with one top-level member added or replaced (by textual substitution).
    private static func minimal(adding member: String) -> String {
        String(minimal.dropLast(2)) + ", " + member + " }"
    }

    // MARK: Accepted

    @Test func readsTheDocumentedExample() throws {
        let site = try parse(Self.example)
        let expected = SiteConfig(
            name: "PETS 2009 S2.L1, view 001",
            scale: PersonScale(samples: [.init(row: 80, height: 36), .init(row: 280, height: 76)]),
            crop: PixelRect(x: 0, y: 0, width: 384, height: 288),
            zones: [.init(name: "north-path", area: Polygon(points: [
                Point(x: 10, y: 20), Point(x: 200, y: 20), Point(x: 200, y: 140), Point(x: 10, y: 140),
            ]))],
            lines: [CountingLine(name: "junction", from: Point(x: 190, y: 100), to: Point(x: 190, y: 280))],
            intervalSeconds: 60, suppressBelow: 0, journalLimit: 100_000,
            relay: .init(followPresenceAtNight: false, holdSeconds: 30),
            frame: .init(width: 384, height: 288)
        )
        #expect(site == expected)
    }

    @Test func fillsInDefaultsForOptionalKeys() throws {
        let site = try parse(Self.minimal)
        #expect(site.name == "m")
        #expect(site.scale.samples == [.init(row: 0, height: 10), .init(row: 100, height: 30.5)])
        #expect(site.frame == nil)
        #expect(site.crop == nil)
        #expect(site.zones.isEmpty)
        #expect(site.lines.isEmpty)
        #expect(site.intervalSeconds == 60)
        #expect(site.suppressBelow == 0)
        #expect(site.journalLimit == 100_000)
        #expect(site.relay == SiteConfig.RelayRule(followPresenceAtNight: false, holdSeconds: 30))
        #expect(site.density == SiteConfig.DensityRate(hertz: 1))
    }

    @Test func readsNonDefaultValues() throws {
        let site = try parse(Self.minimal(adding: #""interval": 900, "privacy": { "suppressBelow": 5 }, "journal": { "maxIntervals": 7 }, "relay": { "followPresenceAtNight": true, "holdSeconds": 0 }"#))
        #expect(site.intervalSeconds == 900)
        #expect(site.suppressBelow == 5)
        #expect(site.journalLimit == 7)
        #expect(site.relay == SiteConfig.RelayRule(followPresenceAtNight: true, holdSeconds: 0))
    }

    @Test func readsTheDensityRateAndZeroTurnsTheDensityPathOff() throws {
        #expect(try parse(Self.minimal(adding: #""density": { "rateHz": 2.5 }"#)).density.hertz == 2.5)
        let off = try parse(Self.minimal(adding: #""density": { "rateHz": 0 }"#))
        #expect(off.density.hertz == 0 && !off.density.isOn)
        #expect(try parse(Self.minimal(adding: #""density": {}"#)).density == SiteConfig.DensityRate())
    }

    @Test func readsThePositionAndAZonesPolygonOnTheMap() throws {
        let site = try parse(Self.minimal(adding: #""position": { "latitude": 51.4407, "longitude": -0.9438 }, "zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "geo": { "type": "Polygon", "coordinates": [[[-0.944, 51.44], [-0.943, 51.44], [-0.943, 51.441], [-0.944, 51.44]]] } } ]"#))
        #expect(site.position == SiteConfig.GeoPosition(longitude: -0.9438, latitude: 51.4407))
        #expect(site.zones[0].geo?.first?.count == 4 && site.zones[0].geo?[0][2] == SiteConfig.GeoPosition(longitude: -0.943, latitude: 51.441))
        #expect(try parse(Self.minimal(adding: #""interval": 60"#)).position == nil)
    }

    @Test func acceptsWholeNumbersWrittenWithAFractionOrExponent() throws {
        let site = try parse(Self.minimal(adding: #""interval": 6e1, "privacy": { "suppressBelow": 2.0 }"#))
        #expect(site.intervalSeconds == 60)
        #expect(site.suppressBelow == 2)
    }

    @Test func acceptsPointsOnTheFrameBorder() throws {
        let site = try parse(Self.minimal(adding: #""frame": { "width": 100, "height": 50 }, "zones": [ { "name": "all", "points": [[0, 0], [100, 0], [100, 50], [0, 50]] } ]"#))
        #expect(site.zones.first?.area.area == 5000)
    }

    // MARK: Rejected, each naming the key path

    @Test(arguments: [
        // (member(s) added to the minimal file, key path, message)
        (#""interval": "60""#, "interval", "expected a number, got a string"),
        (#""interval": 12.5"#, "interval", "must be a whole number (got 12.5)"),
        (#""interval": 0"#, "interval", "must be from 1 to 86400 (got 0)"),
        (#""interval": 86401"#, "interval", "must be from 1 to 86400 (got 86401)"),
        (#""colour": "red""#, "colour", "unknown key"),
        (#""frame": { "width": 384 }"#, "frame.height", "required key is missing"),
        (#""frame": { "width": 384, "height": 0 }"#, "frame.height", "must be from 16 to 4096 (got 0)"),
        (#""frame": { "width": 8192, "height": 288 }"#, "frame.width", "must be from 16 to 4096 (got 8192)"),
        (#""frame": [384, 288]"#, "frame", "expected an object, got an array"),
        (#""crop": { "x": 0, "y": 0, "width": 10.5, "height": 10 }"#, "crop.width", "must be a whole number (got 10.5)"),
        (#""crop": { "x": -1, "y": 0, "width": 10, "height": 10 }"#, "crop.x", "must be >= 0 (got -1)"),
        (#""crop": { "x": 0, "y": 0, "width": 10, "height": 10, "z": 1 }"#, "crop.z", "unknown key"),
        (#""frame": { "width": 384, "height": 288 }, "crop": { "x": 300, "y": 0, "width": 100, "height": 10 }"#, "crop", "reaches outside the frame (384x288)"),
        (#""zones": {}"#, "zones", "expected an array, got an object"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0]] } ]"#, "zones[0].points", "a zone needs at least 3 points (got 2)"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]] }, { "name": "b", "points": [[0, 0], [1, 0]] } ]"#, "zones[1].points", "a zone needs at least 3 points"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [2, 0]] } ]"#, "zones[0].points", "the points enclose no area"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1]] } ]"#, "zones[0].points[2]", "expected a point [x, y], got 1 numbers"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, "0"], [1, 1]] } ]"#, "zones[0].points[1][1]", "expected a number, got a string"),
        (#""zones": [ { "name": "a", "points": [[0, 0], 7, [1, 1]] } ]"#, "zones[0].points[1]", "expected a point [x, y], got a number"),
        (#""zones": [ { "name": "", "points": [[0, 0], [1, 0], [1, 1]] } ]"#, "zones[0].name", "must not be empty"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "colour": "red" } ]"#, "zones[0].colour", "unknown key"),
        (#""zones": [ { "points": [[0, 0], [1, 0], [1, 1]] } ]"#, "zones[0].name", "required key is missing"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]] }, { "name": "a", "points": [[0, 0], [1, 0], [1, 1]] } ]"#, "zones[1].name", "\"a\" is already the name of zones[0]"),
        (#""frame": { "width": 384, "height": 288 }, "zones": [ { "name": "a", "points": [[0, 0], [400, 0], [1, 1]] } ]"#, "zones[0].points[1]", "[400, 0] is outside the frame (384x288)"),
        (#""frame": { "width": 384, "height": 288 }, "zones": [ { "name": "a", "points": [[0, 0], [1, -0.5], [1, 1]] } ]"#, "zones[0].points[1]", "[1, -0.5] is outside the frame"),
        (#""lines": [ { "name": "j", "from": [1, 1], "to": [1, 1] } ]"#, "lines[0].to", "is the same point as from"),
        (#""lines": [ { "name": "j", "from": [1, 1] } ]"#, "lines[0].to", "required key is missing"),
        (#""lines": [ { "name": "j", "from": [1, 1], "to": [2, 2] }, { "name": "j", "from": [1, 1], "to": [3, 3] } ]"#, "lines[1].name", "\"j\" is already the name of lines[0]"),
        (#""frame": { "width": 384, "height": 288 }, "lines": [ { "name": "j", "from": [1, 1], "to": [1, 300] } ]"#, "lines[0].to", "[1, 300] is outside the frame (384x288)"),
        (#""privacy": { "suppressBelow": -1 }"#, "privacy.suppressBelow", "must be >= 0 (got -1)"),
        (#""privacy": { "supressBelow": 3 }"#, "privacy.supressBelow", "unknown key (known keys here: suppressBelow)"),
        (#""journal": { "maxIntervals": 0 }"#, "journal.maxIntervals", "must be >= 1 (got 0)"),
        (#""journal": { "maxIntervals": 1e30 }"#, "journal.maxIntervals", "is too large"),
        (#""relay": { "followPresenceAtNight": "yes" }"#, "relay.followPresenceAtNight", "expected true or false, got a string"),
        (#""relay": { "holdSeconds": -5 }"#, "relay.holdSeconds", "must be from 0 to 86400 (got -5)"),
        (#""density": { "rateHz": 11 }"#, "density.rateHz", "must be from 0 (off) to 10 steps per second (got 11)"),
        (#""density": { "rateHz": -1 }"#, "density.rateHz", "must be from 0 (off) to 10 steps per second (got -1)"),
        (#""density": { "rateHz": "1" }"#, "density.rateHz", "expected a number"),
        (#""density": { "rate": 1 }"#, "density.rate", "unknown key"),
        (#""position": { "latitude": 51.4 }"#, "position.longitude", "required key is missing"),
        (#""position": { "latitude": 95, "longitude": 0 }"#, "position.latitude", "must be a WGS84 latitude from -90 to 90 degrees (got 95)"),
        (#""position": { "latitude": 51, "longitude": -200.5 }"#, "position.longitude", "must be a WGS84 longitude from -180 to 180 degrees (got -200.5)"),
        (#""position": { "lat": 51, "longitude": 0 }"#, "position.lat", "unknown key"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "geo": { "type": "Point", "coordinates": [0, 0] } } ]"#, "zones[0].geo.type", "must be \"Polygon\""),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "geo": { "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]] } } ]"#, "zones[0].geo.coordinates[0]", "a ring needs at least 4 positions"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "geo": { "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]] } } ]"#, "zones[0].geo.coordinates[0]", "the last position must equal the first"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "geo": { "type": "Polygon", "coordinates": [[[0, 0], [1, 91], [1, 1], [0, 0]]] } } ]"#, "zones[0].geo.coordinates[0][1][1]", "must be a WGS84 latitude"),
        (#""zones": [ { "name": "a", "points": [[0, 0], [1, 0], [1, 1]], "geo": { "type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]] } } ]"#, "zones[0].geo.coordinates[0][1]", "expected a position [longitude, latitude]"),
    ])
    func rejectsABadValueNamingItsKeyPath(member: String, path: String, message: String) {
        let line = errorLine(Self.minimal(adding: member))
        #expect(line?.hasPrefix("site.json: \(path): \(message)") == true, "got \(line ?? "no error")")
    }

    @Test(arguments: [
        (#"{ "name": "m" }"#, "calibration", "required key is missing"),
        (#"{ "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": 100, "height": 30 } ] } }"#, "name", "required key is missing"),
        (#"{ "name": "", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": 100, "height": 30 } ] } }"#, "name", "must not be empty"),
        (#"{ "name": 3, "calibration": { "personHeights": [] } }"#, "name", "expected a string, got a number"),
        (#"{ "name": "m", "calibration": {} }"#, "calibration.personHeights", "required key is missing"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 } ] } }"#, "calibration.personHeights", "needs at least 2 samples at different rows (got 1)"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": -3 }, { "row": 100, "height": 30 } ] } }"#, "calibration.personHeights[0].height", "must be > 0 (got -3)"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": -1, "height": 30 } ] } }"#, "calibration.personHeights[1].row", "must be >= 0 (got -1)"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 50, "height": 10 }, { "row": 50, "height": 30 } ] } }"#, "calibration.personHeights[1].row", "same row as calibration.personHeights[0]"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": 100 } ] } }"#, "calibration.personHeights[1].height", "required key is missing"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": 100, "height": 30, "weight": 70 } ] } }"#, "calibration.personHeights[1].weight", "unknown key"),
        (#"{ "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, [100, 30] ] } }"#, "calibration.personHeights[1]", "expected an object, got an array"),
    ])
    func rejectsABadNameOrCalibrationNamingItsKeyPath(text: String, path: String, message: String) {
        let line = errorLine(text)
        #expect(line?.hasPrefix("site.json: \(path): \(message)") == true, "got \(line ?? "no error")")
    }

    @Test func rejectsADocumentThatIsNotAnObject() {
        #expect(errorLine("[1, 2]") == "site.json: the file must hold a JSON object, got an array")
    }

    @Test func reportsMalformedJSONWithLineAndColumn() {
        let text = "{\n  \"name\": \"m\",\n  \"interval\": 60\n  \"crop\": {}\n}"
        #expect(errorLine(text) == "site.json: line 4, column 3: expected ',' or '}'")
        let error = #expect(throws: SiteConfigError.self) { try parse(text) }
        #expect(error?.location == .text(line: 4, column: 3))
    }

    @Test func reportsADuplicateKeyAsMalformed() {
        #expect(errorLine(#"{ "name": "a", "name": "b" }"#) == #"site.json: line 1, column 16: duplicate key "name""#)
    }

    @Test func namesTheSourceItWasGiven() {
        let error = #expect(throws: SiteConfigError.self) {
            try SiteConfig.parse(json: Array(#"{ "name": 1 }"#.utf8), source: "/etc/lantern/lobby.json")
        }
        #expect(error?.description == "/etc/lantern/lobby.json: name: expected a string, got a number")
    }

    @Test func everyErrorIsOneLine() {
        let zone = #"{ "name": "a\nb", "points": [[0, 0], [1, 0], [1, 1]] }"#
        let bad = [Self.minimal(adding: #""zones": ["# + zone + ", " + zone + "]"), #"{ "a\nb": 1, "a\nb": 2 }"#, Self.minimal(adding: #""a\nb": 1"#), "{\n\n", "[1"]
        for text in bad {
            let line = errorLine(text)
            #expect(line != nil)
            #expect(line?.contains("\n") == false, "\(line ?? "")")
        }
    }
}
