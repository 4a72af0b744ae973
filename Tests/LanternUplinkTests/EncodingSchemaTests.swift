import Foundation
import LanternCore
import Testing

/// The encoders' output, for every status and with suppression on and off, validates against the
/// schema files that document it; the validator is shown to reject what breaks the contract.
@Suite struct EncodingSchemaTests {
    static var records: [IntervalRecord] { [
        Records.make(4, zone: "north-path"), Records.make(0), Records.make(5, zone: "bench: 2/ë", status: .unknown),
        Records.make(7, zone: "gate", status: .tamper), Records.make(8, status: .unknown),
    ] }

    @Test func lanternJSONValidatesAgainstTheIntervalSchema() {
        var lines: [String] = []
        for (n, r) in Self.records.enumerated() {
            lines.append(LanternJSON.encode(r, device: "lamp-0042", seq: Int64(n + 1)))
            lines.append(LanternJSON.encode(r, device: "lamp-0042", seq: Int64(n + 1), suppressBelow: 3))
        }
        for r in [Records.make(3, line: "gate"), Records.make(1, status: .unknown, line: "gate")] {
            lines.append(LanternJSON.encode(r, device: "lamp-0042", seq: 9))
            lines.append(LanternJSON.encode(r, device: "lamp-0042", seq: 9, suppressBelow: 3))
        }
        #expect(Fixture.schemaErrors("lantern-interval.schema.json", lines) == "")
    }

    /// A site with a position and a zone drawn on the map, for the entities' `location`.
    static var site: SiteConfig {
        var site = SiteConfig(name: "Market square", scale: PersonScale(samples: [.init(row: 0, height: 10), .init(row: 100, height: 40)]))
        let ring = [(-0.9440, 51.4405), (-0.9436, 51.4405), (-0.9436, 51.4409), (-0.9440, 51.4405)]
        site.zones = [
            SiteConfig.Zone(name: "north-path", area: Polygon(points: [Point(x: 0, y: 0), Point(x: 10, y: 0), Point(x: 10, y: 10)]),
                            geo: [ring.map { SiteConfig.GeoPosition(longitude: $0.0, latitude: $0.1) }]),
        ]
        site.position = SiteConfig.GeoPosition(longitude: -0.9438, latitude: 51.4407)
        return site
    }

    static var entities: [String] {
        let ngsi = NGSILD(device: "lamp-0042", site: site)
        var out: [String] = []
        for r in Self.records + [Records.make(3, line: "east gate"), Records.make(2, status: .unknown, line: "west")] {
            for k in [0, 3] { out += ngsi.entities(r, suppressBelow: k).map(\.json) }
        }
        return out
    }

    @Test func crowdFlowObservedValidatesAgainstTheSchemaShape() {
        #expect(Fixture.schemaErrors("crowdflowobserved.schema.json", Self.entities) == "")
        let withURL = NGSILD(device: "d", site: Self.site, contextURL: "http://10.0.0.1/lantern-context.jsonld")
        #expect(Fixture.schemaErrors("crowdflowobserved.schema.json", withURL.entities(Records.make(4, zone: "z")).map(\.json)) == "")
    }

    /// Every kind of entity the encoders make (zones with a polygon and without, the view, lines, every
    /// status, suppression on and off, the Device and the PrivacyObject) validates against the official
    /// Smart Data Models schemas.
    @Test func entitiesValidateAgainstTheOfficialSmartDataModels() {
        let ngsi = NGSILD(device: "lamp-0042", site: Self.site)
        let manifest = PrivacyManifest(device: "lamp-0042", site: Self.site, version: "1.0", build: "abc")
        let all = Self.entities + [ngsi.deviceEntity(state: "streaming", softwareVersion: "1.0"), manifest.ngsiLD()]
        let check = Fixture.smartDataModelCheck(all)
        #expect(check.errors == "")
        #expect(check.summary["CrowdFlowObserved"]?.valid == Self.entities.count)
        #expect(check.summary["Device"]?.valid == 1 && check.summary["PrivacyObject"]?.valid == 1)
    }

    @Test func theValidatorsRejectWhatBreaksTheContract() {
        let good = NGSILD(device: "d", site: Self.site).entities(Records.make(3, line: "gate"))[0].json
        let bad = good.replacingOccurrences(of: #""peopleCount":{"type":"Property","value":3"#,
                                            with: #""peopleCount":{"type":"Property","value":"3""#)
        #expect(bad != good)
        #expect(Fixture.schemaErrors("crowdflowobserved.schema.json", [bad]).contains("peopleCount"))
        #expect(Fixture.smartDataModelCheck([bad]).errors.contains("peopleCount"))
        let wrongDirection = good.replacingOccurrences(of: #""value":"inbound""#, with: #""value":"in""#)
        #expect(wrongDirection != good)
        #expect(Fixture.smartDataModelCheck([wrongDirection]).errors.contains("direction"))
        let unknownWithZero = LanternJSON.encode(Records.make(1, status: .unknown), device: "d", seq: 1)
            .replacingOccurrences(of: #""max":null"#, with: #""max":0"#)
        #expect(Fixture.schemaErrors("lantern-interval.schema.json", [unknownWithZero]) != "")
        let unknownWithDwell = LanternJSON.encode(Records.make(1, status: .unknown), device: "d", seq: 1)
            .replacingOccurrences(of: #""personSeconds":null"#, with: #""personSeconds":0.0"#)
        #expect(unknownWithDwell.contains("personSeconds"))
        #expect(Fixture.schemaErrors("lantern-interval.schema.json", [unknownWithDwell]) != "")
        let negativeDwell = LanternJSON.encode(Records.make(4), device: "d", seq: 1)
            .replacingOccurrences(of: #""personSeconds":87.0"#, with: #""personSeconds":-1.0"#)
        #expect(negativeDwell.contains("-1.0"))
        #expect(Fixture.schemaErrors("lantern-interval.schema.json", [negativeDwell]) != "")
        let lineWithOccupancy = LanternJSON.encode(Records.make(4, line: "gate"), device: "d", seq: 1)
            .replacingOccurrences(of: #""crossings""#, with: #""occupancy":{"mean":1,"max":1,"personSeconds":1,"occupied":0.5},"crossings""#)
        #expect(Fixture.schemaErrors("lantern-interval.schema.json", [lineWithOccupancy]) != "")
    }

    @Test func aZoneCarriesOccupancyAndLanternAttributesNeverPeopleCount() throws {
        // mean 4 * 0.37 = 1.48; max 4; occupied 4/9.
        let entity = try JSONParser.parse(NGSILD(device: "lamp-0042", site: Self.site).entities(Records.make(4, zone: "north-path"))[0].json)
        #expect(entity["id"] == .string("urn:ngsi-ld:CrowdFlowObserved:lamp-0042:north-path"))
        #expect(entity["peopleCount"] == nil && entity["direction"] == nil)
        #expect(entity["occupancy"]?["value"] == .number(0.444))
        #expect(entity["peopleMean"]?["value"] == .number(1.48))
        #expect(entity["peopleMax"]?["value"] == .number(4))
        #expect(entity["personSeconds"]?["value"] == .number(87))
        #expect(entity["personSeconds"]?["observedAt"] == .string("2026-11-18T11:11:40Z"))
        #expect(entity["dateObservedFrom"]?["value"]?["@value"] == .string("2026-11-18T11:10:40Z"))
        #expect(entity["name"]?["value"] == .string("Market square: north-path"))
        #expect(entity["location"]?["value"]?["type"] == .string("Polygon"))
        let view = try JSONParser.parse(NGSILD(device: "d", site: Self.site).entities(Records.make(4))[0].json)
        #expect(view["location"]?["value"]?["coordinates"] == .array([.number(-0.9438), .number(51.4407)]))
    }

    @Test func aLineIsTwoFlowsWithPeopleCountAndDirection() throws {
        // Records.make(3): in 3 % 4 = 3, out 3 % 3 = 0.
        let both = NGSILD(device: "lamp-0042", site: Self.site).entities(Records.make(3, line: "east gate"))
        #expect(both.map(\.id) == [
            "urn:ngsi-ld:CrowdFlowObserved:lamp-0042:line:east%20gate:inbound",
            "urn:ngsi-ld:CrowdFlowObserved:lamp-0042:line:east%20gate:outbound",
        ])
        let inbound = try JSONParser.parse(both[0].json), outbound = try JSONParser.parse(both[1].json)
        #expect(inbound["peopleCount"]?["value"] == .number(3) && inbound["direction"]?["value"] == .string("inbound"))
        #expect(outbound["peopleCount"]?["value"] == .number(0) && outbound["direction"]?["value"] == .string("outbound"))
        #expect(inbound["occupancy"] == nil && inbound["peopleMean"] == nil)
    }

    @Test func unknownIntervalsCarryNoCountsAndSuppressedOnesSayBelowWhat() throws {
        let ngsi = NGSILD(device: "d", site: Self.site)
        let unknown = try JSONParser.parse(ngsi.entities(Records.make(4, status: .unknown))[0].json)
        #expect(unknown["occupancy"] == nil && unknown["peopleMax"] == nil && unknown["personSeconds"] == nil)
        #expect(unknown["status"]?["value"] == .string("unknown"))
        #expect(unknown["id"] == .string("urn:ngsi-ld:CrowdFlowObserved:d:view"))
        let suppressed = try JSONParser.parse(ngsi.entities(Records.make(4), suppressBelow: 3)[0].json)
        #expect(suppressed["peopleMean"] == nil && suppressed["personSeconds"] == nil && suppressed["occupancy"] == nil)
        #expect(suppressed["peopleMax"]?["value"] == .number(4))
        #expect(suppressed["countsSuppressedBelow"]?["value"] == .number(3))
        let line = ngsi.entities(Records.make(3, line: "g"), suppressBelow: 2).map { try? JSONParser.parse($0.json) }
        #expect(line[0]?["peopleCount"]?["value"] == .number(3))
        #expect(line[1]?["peopleCount"] == nil && line[1]?["countsSuppressedBelow"]?["value"] == .number(2))
    }

    @Test func theContextIsInlineOrTheGivenURLAndTheShippedFileDefinesTheSameTerms() throws {
        let inline = try JSONParser.parse(NGSILD(device: "d", site: Self.site).deviceEntity(state: "replay", softwareVersion: "1"))
        guard case .array(let context)? = inline["@context"] else { Issue.record("no @context"); return }
        #expect(context.count == 2 && context[1] == .string(NGSILD.coreContext))
        #expect(context[0]["peopleMean"] == .string("https://lantern.example/ngsi-ld/vocab#peopleMean"))
        #expect(context[0]["peopleCount"] == .string("https://smartdatamodels.org/dataModel.Transportation/peopleCount"))
        let linked = try JSONParser.parse(NGSILD(device: "d", site: Self.site, contextURL: "http://ctx/l.jsonld").deviceEntity(state: "replay", softwareVersion: "1"))
        #expect(linked["@context"] == .array([.string("http://ctx/l.jsonld"), .string(NGSILD.coreContext)]))
        let shipped = try Data(contentsOf: Fixture.packageRoot.appendingPathComponent("Schemas/lantern-context.jsonld"))
        #expect(try JSONParser.parse(Array(shipped)) == JSONParser.parse(NGSILD.contextDocument))
    }

    @Test func zoneNamesArePercentEncodedInIds() {
        #expect(NGSILD.entityID(device: "lamp 1", zone: "a:b/ë") == "urn:ngsi-ld:CrowdFlowObserved:lamp%201:a%3Ab%2F%C3%AB")
    }

    @Test func sensorThingsGivesOneObservationPerQuantityOverTheInterval() throws {
        let observations = SensorThings.observations(Records.make(4, zone: "north-path"), device: "lamp-0042", seq: 17)
        #expect(observations.map(\.datastream) == [
            "lantern:lamp-0042:north-path:occupancy-mean", "lantern:lamp-0042:north-path:occupancy-max",
            "lantern:lamp-0042:north-path:crossings-in", "lantern:lamp-0042:north-path:crossings-out",
            "lantern:lamp-0042:north-path:person-seconds",
        ])
        // 4 * 0.37 * 58.8 = 87.024 person-seconds.
        #expect(try JSONParser.parse(observations[4].body)["result"] == .number(87))
        let mean = try JSONParser.parse(observations[0].body)
        #expect(mean["phenomenonTime"] == .string("2026-11-18T11:10:40Z/2026-11-18T11:11:40Z"))
        #expect(mean["resultTime"] == .string("2026-11-18T11:11:40Z"))
        #expect(mean["result"] == .number(1.48))
        #expect(mean["parameters"]?["seq"] == .number(17))
        #expect(mean["Datastream"] == nil)
        // Linked by the server's id: a number stays a number, a string id is a JSON string.
        let byNumber = try JSONParser.parse(SensorThings.linked(observations[0].body, datastream: "42"))
        #expect(byNumber["Datastream"]?["@iot.id"] == .number(42))
        #expect(byNumber["result"] == .number(1.48))
        let byString = try JSONParser.parse(SensorThings.linked(observations[0].body, datastream: "'01a2''x'"))
        #expect(byString["Datastream"]?["@iot.id"] == .string("01a2'x"))
        // Measurements are numbers: nothing for an unknown interval, no "<k" value.
        #expect(SensorThings.observations(Records.make(4, status: .unknown), device: "d", seq: 1).isEmpty)
        // A counting line's record: crossings in and out on the line's own Datastreams, `line` in parameters.
        let line = SensorThings.observations(Records.make(3, line: "gate"), device: "d", seq: 2)
        #expect(line.map(\.datastream) == ["lantern:d:line:gate:crossings-in", "lantern:d:line:gate:crossings-out"])
        #expect(try JSONParser.parse(line[0].body)["result"] == .number(3))
        #expect(try JSONParser.parse(line[0].body)["parameters"]?["line"] == .string("gate"))
        #expect(SensorThings.parseDatastreamName(line[0].datastream, device: "d")! == ("line:gate", .crossingsIn))
        #expect(SensorThings.datastreamNames(device: "d", zones: ["a"], lines: ["gate"]).count == 12)
        let suppressed = SensorThings.observations(Records.make(4), device: "d", seq: 1, suppressBelow: 5)
        for o in suppressed { if case .string = try JSONParser.parse(o.body)["result"] { Issue.record("a string result: \(o.body)") } }
        #expect(!suppressed.contains { $0.quantity == .occupancyMean })
    }

    @Test func sensorThingsIdsComeFromTheServersAnswers() throws {
        #expect(SensorThings.idLiteral(fromLocation: "http://h:8080/FROST-Server/v1.1/Things(42)") == "42")
        #expect(SensorThings.idLiteral(fromLocation: "http://h/sta/v1.1/Things('01a2-b')") == "'01a2-b'")
        #expect(SensorThings.idLiteral(fromLocation: "http://h/sta/v1.1/Things") == nil)
        #expect(SensorThings.idLiteral(fromLocation: "") == nil)
        #expect(SensorThings.idLiteral(JSONValue.number(7)) == "7")
        #expect(SensorThings.idLiteral(JSONValue.string("a'b")) == "'a''b'")
        #expect(SensorThings.parseDatastreamName("lantern:lamp-1:north%20road:crossings-in", device: "lamp-1")! == ("north%20road", .crossingsIn))
        #expect(SensorThings.parseDatastreamName("lantern:lamp-2:view:crossings-in", device: "lamp-1") == nil)
        // The deep insert links the Sensor and each ObservedProperty by id and carries the Location.
        let properties = SensorThings.Quantity.allCases.enumerated().map { ($0.element, String($0.offset + 10)) }
        let thing = try JSONParser.parse(SensorThings.thing(
            device: "lamp-1", position: (8.5417, 47.3769),
            datastreams: ["lantern:lamp-1:view:occupancy-mean", "lantern:lamp-1:view:person-seconds"],
            sensor: "'s1'", properties: properties))
        guard case .array(let streams)? = thing["Datastreams"], case .array(let locations)? = thing["Locations"] else {
            Issue.record("no Datastreams or Locations")
            return
        }
        #expect(streams.count == 2)
        #expect(streams[0]["Sensor"]?["@iot.id"] == .string("s1"))
        #expect(streams[1]["ObservedProperty"]?["@iot.id"] == .number(14))
        #expect(streams[1]["unitOfMeasurement"]?["symbol"] == .string("s"))
        #expect(locations[0]["location"]?["coordinates"] == .array([.number(8.5417), .number(47.3769)]))
    }
}
