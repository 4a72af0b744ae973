import LanternCore
import LanternUplink
import Testing

/// The plain-MQTT side, pure: value topics per record and Home Assistant's discovery configs.
@Suite struct ValueTopicsTests {
    let topics = Topics(device: "lamp-0042")

    @Test func aZoneRecordGivesFourBareNumbersAndALineRecordTwo() {
        // Records.make(4): mean 1.48, max 4, occupied 4/9, person-seconds 87.0; as a line: in 0, out 1.
        let zone = ValueTopics.messages(Records.make(4, zone: "north path"), topics: topics)
        #expect(zone.map(\.topic) == [
            "lantern/lamp-0042/zone/north path/occupancy", "lantern/lamp-0042/zone/north path/mean",
            "lantern/lamp-0042/zone/north path/peak", "lantern/lamp-0042/zone/north path/person-seconds",
        ])
        #expect(zone.map(\.payload) == ["0.444", "1.48", "4", "87.0"])
        #expect(ValueTopics.messages(Records.make(4), topics: topics).first?.topic == "lantern/lamp-0042/view/occupancy")
        let line = ValueTopics.messages(Records.make(4, line: "gate"), topics: topics)
        #expect(line.map(\.topic) == ["lantern/lamp-0042/line/gate/in", "lantern/lamp-0042/line/gate/out"])
        #expect(line.map(\.payload) == ["0", "1"])
    }

    @Test func unknownIntervalsAndSuppressedValuesPublishNothing() {
        #expect(ValueTopics.messages(Records.make(4, zone: "a", status: .unknown), topics: topics).isEmpty)
        // k = 3: the mean 1.48 hides a small group (occupancy, mean, person-seconds go); the peak 4 stays.
        let suppressed = ValueTopics.messages(Records.make(4, zone: "a"), topics: topics, suppressBelow: 3)
        #expect(suppressed.map(\.topic) == ["lantern/lamp-0042/zone/a/peak"])
        let line = ValueTopics.messages(Records.make(3, line: "g"), topics: topics, suppressBelow: 2)
        #expect(line.map(\.topic) == ["lantern/lamp-0042/line/g/in"])  // in 3 stays, out 0 goes
    }

    @Test func aNameIsOneTopicLevel() {
        #expect(Topics.level("a/b+c#d%e") == "a%2Fb%2Bc%23d%25e")
        #expect(Topics.level("bänk 2") == "bänk 2")
        #expect(topics.lineValue("in/out", "in") == "lantern/lamp-0042/line/in%2Fout/in")
    }

    @Test func discoveryHasOneConfigPerSensorWithWhatHomeAssistantRequires() throws {
        var site = SiteConfig(name: "Square", scale: PersonScale(samples: [.init(row: 0, height: 10), .init(row: 100, height: 40)]))
        site.zones = [SiteConfig.Zone(name: "north path", area: Polygon(points: [Point(x: 0, y: 0), Point(x: 9, y: 0), Point(x: 9, y: 9)]))]
        site.lines = [CountingLine(name: "gate", from: Point(x: 0, y: 0), to: Point(x: 5, y: 5))]
        let discovery = HomeAssistantDiscovery(topics: topics, site: site, softwareVersion: "1.2.3")
        let messages = discovery.messages()
        #expect(messages.count == 2 * 4 + 2 + 1)
        #expect(messages[4].topic == "homeassistant/sensor/lantern_lamp-0042/zone_north_20path_mean/config")
        for message in messages {
            let config = try JSONParser.parse(message.payload)
            #expect(config["state_topic"] != nil && config["unique_id"] != nil && config["name"] != nil)
            #expect(config["device"]?["identifiers"] == .array([.string("lantern_lamp-0042")]))
            #expect(config["device"]?["sw_version"] == .string("1.2.3"))
            #expect(config["availability_topic"] == .string("lantern/lamp-0042/status"))
        }
        let mean = try JSONParser.parse(messages[4].payload)
        #expect(mean["state_topic"] == .string("lantern/lamp-0042/zone/north path/mean"))
        #expect(mean["unit_of_measurement"] == .string("people") && mean["state_class"] == .string("measurement"))
        #expect(HomeAssistantDiscovery.objectID("a.b/é") == "a_2eb_2f_c3_a9")
    }
}
