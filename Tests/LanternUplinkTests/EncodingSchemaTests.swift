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
        #expect(Fixture.schemaErrors("lantern-interval.schema.json", lines) == "")
    }

    @Test func crowdFlowObservedValidatesAgainstTheSchemaShape() {
        var entities: [String] = []
        for r in Self.records {
            entities.append(NGSILD.crowdFlowObserved(r, device: "lamp-0042"))
            entities.append(NGSILD.crowdFlowObserved(r, device: "lamp-0042", suppressBelow: 3))
        }
        #expect(Fixture.schemaErrors("crowdflowobserved.schema.json", entities) == "")
    }

    @Test func theValidatorRejectsACountThatIsNotAnInteger() {
        let good = NGSILD.crowdFlowObserved(Records.make(4, zone: "z"), device: "d")
        let bad = good.replacingOccurrences(of: #""peopleCount":{"type":"Property","value":1"#,
                                            with: #""peopleCount":{"type":"Property","value":"1""#)
        #expect(bad != good)
        #expect(Fixture.schemaErrors("crowdflowobserved.schema.json", [bad]).contains("peopleCount"))
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
    }

    @Test func peopleCountIsTheRoundedMeanAndCrossingsAreTowardsAndAway() throws {
        // mean 4 * 0.37 = 1.48 → 1; max 4; in 0; out 1.
        let entity = try JSONParser.parse(NGSILD.crowdFlowObserved(Records.make(4, zone: "north-path"), device: "lamp-0042"))
        #expect(entity["id"] == .string("urn:ngsi-ld:CrowdFlowObserved:lamp-0042:north-path"))
        #expect(entity["peopleCount"]?["value"] == .number(1))
        #expect(entity["peopleCountMax"]?["value"] == .number(4))
        #expect(entity["peopleCountTowards"]?["value"] == .number(0))
        #expect(entity["peopleCountAway"]?["value"] == .number(1))
        #expect(entity["occupancy"] == nil)
        #expect(entity["personSeconds"]?["value"] == .number(87))
        #expect(entity["personSeconds"]?["observedAt"] == .string("2026-11-18T11:11:40Z"))
        #expect(entity["dateObservedFrom"]?["value"]?["@value"] == .string("2026-11-18T11:10:40Z"))
    }

    @Test func unknownIntervalsCarryNoCountsAndSuppressedOnesSayBelowWhat() throws {
        let unknown = try JSONParser.parse(NGSILD.crowdFlowObserved(Records.make(4, status: .unknown), device: "d"))
        #expect(unknown["peopleCount"] == nil && unknown["peopleCountAway"] == nil && unknown["personSeconds"] == nil)
        #expect(unknown["status"]?["value"] == .string("unknown"))
        #expect(unknown["id"] == .string("urn:ngsi-ld:CrowdFlowObserved:d:view"))
        let suppressed = try JSONParser.parse(NGSILD.crowdFlowObserved(Records.make(4), device: "d", suppressBelow: 3))
        #expect(suppressed["peopleCount"] == nil && suppressed["personSeconds"] == nil)
        #expect(suppressed["peopleCountMax"]?["value"] == .number(4))
        #expect(suppressed["countsSuppressedBelow"]?["value"] == .number(3))
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
