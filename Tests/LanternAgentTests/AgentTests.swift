import LanternAgent
import LanternCore
import Testing

var testSite: SiteConfig { SiteConfig(
    name: "test", scale: PersonScale(samples: [.init(row: 0, height: 20), .init(row: 100, height: 40)]),
    zones: [SiteConfig.Zone(name: "all", area: Polygon(points: [Point(x: 0, y: 0), Point(x: 64, y: 0), Point(x: 64, y: 48)]))],
    intervalSeconds: 10) }

/// Feeds `count` identical grey frames at 10 fps from `fromMicros`; returns the records closed.
func feedFrames(_ agent: Agent, count: Int, fromMicros start: Int64) -> [IntervalRecord] {
    var pixels = [UInt8](repeating: 100, count: 64 * 48)
    var closed: [IntervalRecord] = []
    pixels.withUnsafeMutableBufferPointer { buffer in
        let image = GreyImage(unsafePixels: UnsafePointer(buffer.baseAddress!), width: 64, height: 48, stride: 64)
        for i in 0..<count { closed += agent.frame(image, atMicros: start + Int64(i) * 100_000) }
    }
    return closed
}

@Suite struct AgentTests {
    @Test func anIntervalWithNoFramesIsUnknownAndItsCountsAreNull() throws {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        let records = agent.tick(atMicros: 10_000_000)
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.status == .unknown && $0.frames == 0 })
        let line = LanternJSON.encode(records[0], device: "d", seq: 1)
        #expect(line.contains(#""occupancy":{"mean":null,"max":null,"personSeconds":null,"occupied":null}"#))
        #expect(line.contains(#""crossings":{"in":null,"out":null}"#))
        #expect(line.contains(#""status":"unknown""#))
    }

    @Test func anIntervalWithFramesThroughoutIsOk() {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        _ = feedFrames(agent, count: 100, fromMicros: 0)
        let records = agent.tick(atMicros: 10_000_000)
        #expect(records.first?.status == .ok)
        // The estimator's warm-up frames are not trusted, so not all 100 count; the rest cover the interval.
        #expect((records.first?.frames ?? 0) >= 50)
    }

    @Test func aCameraLostMidIntervalMakesItUnknownNotZero() {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        _ = feedFrames(agent, count: 20, fromMicros: 0)  // 2 s of 10
        let records = agent.tick(atMicros: 10_000_000)
        #expect(records.first?.status == .unknown)
    }

    @Test func tamperOpenMarksTheIntervalTamper() {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        _ = feedFrames(agent, count: 30, fromMicros: 0)
        _ = agent.input(.tamper, active: true, atMicros: 3_000_000)
        _ = agent.input(.tamper, active: false, atMicros: 4_000_000)
        _ = feedFrames(agent, count: 60, fromMicros: 4_000_000)
        let records = agent.tick(atMicros: 10_000_000)
        #expect(records.first?.status == .tamper)
        #expect(LanternJSON.encode(records[0], device: "d", seq: 1).contains(#""status":"tamper""#))
    }

    @Test func pirActivationsAndDarknessAreRecordedPerInterval() {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        _ = agent.input(.light, active: true, atMicros: 0)
        _ = agent.input(.pir, active: true, atMicros: 1_000_000)
        _ = agent.input(.pir, active: false, atMicros: 2_000_000)
        _ = agent.input(.pir, active: true, atMicros: 3_000_000)
        _ = feedFrames(agent, count: 100, fromMicros: 0)
        let records = agent.tick(atMicros: 10_000_000)
        #expect(records.first?.pirEvents == 2)
        #expect(records.first?.dark == true)
    }

    @Test func thePrivacyLEDIsLitExactlyWhileTheCameraStreams() {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        #expect(agent.outputs.privacyLED == false)
        agent.cameraStreaming(true)
        #expect(agent.outputs.privacyLED == true)
        agent.cameraStreaming(false)
        #expect(agent.outputs.privacyLED == false)
    }

    @Test func theStatusLEDTogglesOnceASecond() {
        var rules = OutputRules()
        rules.tick(atMicros: 0)
        let first = rules.statusLED
        rules.tick(atMicros: 500_000)
        #expect(rules.statusLED == first)
        rules.tick(atMicros: 1_000_000)
        #expect(rules.statusLED != first)
        rules.tick(atMicros: 2_000_000)
        #expect(rules.statusLED == first)
    }

    @Test func theRelayFollowsPresenceAtNightOnlyWhenTheSiteAsks() {
        var rules = OutputRules()
        rules.dark = true
        rules.presence(true, atMicros: 0)
        #expect(rules.relay == false)  // off by default
        rules.relayRule = SiteConfig.RelayRule(followPresenceAtNight: true, holdSeconds: 30)
        #expect(rules.relay == true)
        rules.tick(atMicros: 31_000_000)
        #expect(rules.relay == false)  // hold time over
        rules.presence(true, atMicros: 32_000_000)
        rules.dark = false
        #expect(rules.relay == false)  // daytime
    }

    @Test func aReloadMidIntervalReportsEachIntervalOnceAndKeepsTheCabinetOpen() {
        let agent = Agent(site: testSite, framePeriodMicros: 100_000)
        var records = agent.start(atMicros: 0)
        records += feedFrames(agent, count: 30, fromMicros: 0)
        records += agent.input(.tamper, active: true, atMicros: 3_000_000)  // open, and left open
        var reloaded = testSite
        reloaded.zones = [SiteConfig.Zone(name: "door", area: testSite.zones[0].area)]
        records += agent.reload(site: reloaded, atMicros: 5_000_000)
        records += feedFrames(agent, count: 100, fromMicros: 5_000_000)
        records += agent.tick(atMicros: 20_000_000)
        records += agent.finish()
        let wholeView = records.filter { $0.isWholeView }
        #expect(wholeView.map { $0.start.secondsSinceEpoch } == [0, 10, 20])
        // The interval open at the reload is reported for the site it began with; the next one for the new site.
        #expect(records.filter { $0.zone != nil }.map { "\($0.zone!)@\($0.start.secondsSinceEpoch)" } == ["all@0", "door@10", "door@20"])
        // The cabinet opened before the reload and never closed: every interval after it is tamper too.
        #expect(wholeView.allSatisfy { $0.status == .tamper })
    }
}

@Suite struct TextTests {
    @Test func replayTimesAreExactIntegers() {
        let t = ClipTime(originSeconds: ClipTime.defaultOriginSeconds, numerator: 7, denominator: 1)
        #expect(t.micros(ofFrame: 7) == ClipTime.defaultOriginSeconds * 1_000_000 + 1_000_000)
        #expect(UTCTime(secondsSinceEpoch: ClipTime.defaultOriginSeconds).iso8601 == "2026-01-01T00:00:00Z")
    }

    @Test func startTimesParseAsISO8601OrEpochSeconds() {
        #expect(DecimalText.epochSeconds("2026-01-01T00:00:00Z") == 1_767_225_600)
        #expect(DecimalText.epochSeconds("1767225600") == 1_767_225_600)
        #expect(DecimalText.epochSeconds("2026-13-01T00:00:00Z") == nil)
    }

    /// Found by Toolchain/fuzz (config): a 13-digit time in a GPIO trace overflowed Int64 and trapped.
    @Test func aDecimalTooLargeForMicrosecondsIsMalformedNotATrap() {
        #expect(DecimalText.micros(Array("9999999999999".utf8)) == nil)
        #expect(DecimalText.micros(Array("9223372036855".utf8)) == nil)
        #expect(DecimalText.micros(Array("9223372036853.5".utf8)) == 9_223_372_036_853_500_000)
        #expect(throws: GPIOTraceError(description: "t: line 1: 9999999999999 is not a time in seconds (e.g. 12.5)")) {
            _ = try GPIOTrace.parse(Array("9999999999999 pir 1".utf8), source: "t")
        }
    }

    @Test func gpioTracesParseInTimeOrder() throws {
        let trace = try GPIOTrace.parse(Array("# test\n2.5 tamper 1\n1 pir 1\n\n3 tamper 0\n".utf8), source: "t")
        #expect(trace.events.map(\.micros) == [1_000_000, 2_500_000, 3_000_000])
        #expect(trace.events[1] == GPIOTrace.Event(micros: 2_500_000, role: .tamper, active: true))
        #expect(throws: GPIOTraceError(description: "t: line 1: relay is not an input role (pir, tamper, light, button)")) {
            _ = try GPIOTrace.parse(Array("1 relay 1".utf8), source: "t")
        }
    }
}
