import LanternCore
import Testing

@Suite struct IntervalAccumulatorTests {
    static var site: SiteConfig { SyntheticScene.site }
    static let second: Int64 = 1_000_000
    /// 2026-01-01T00:00:00Z
    static let origin: Int64 = 1_767_225_600 * second

    func framesForOneInterval(_ acc: inout IntervalAccumulator, from start: Int64, count: Int = 4) -> [IntervalRecord] {
        var closed: [IntervalRecord] = []
        for i in 0..<10 {
            closed += acc.addFrame(atMicros: start + Int64(i) * Self.second / 2, count: count, zoneCounts: [1, count - 1], lineIn: [1], lineOut: [0])
        }
        return closed
    }

    @Test func utcTimeIsISO8601() {
        #expect(UTCTime(secondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(UTCTime(secondsSinceEpoch: 1_767_225_600).iso8601 == "2026-01-01T00:00:00Z")
        #expect(UTCTime(secondsSinceEpoch: 1_709_164_799).iso8601 == "2024-02-28T23:59:59Z")
        #expect(UTCTime(secondsSinceEpoch: 1_709_251_200).iso8601 == "2024-03-01T00:00:00Z")
    }

    @Test func anIntervalClosesWhenTheNextOneStartsWithOneRecordPerZoneAndOneForTheView() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 5, framePeriodMicros: Self.second / 2)
        #expect(framesForOneInterval(&acc, from: Self.origin).isEmpty)
        let closed = acc.addFrame(atMicros: Self.origin + 5 * Self.second, count: 0, zoneCounts: [0, 0], lineIn: [0], lineOut: [0])
        #expect(closed.map(\.zone) == [nil, "left", "right", nil])
        #expect(closed.map(\.line) == [nil, nil, nil, "middle"])
        let view = closed[0]
        #expect(view.start.iso8601 == "2026-01-01T00:00:00Z" && view.end.iso8601 == "2026-01-01T00:00:05Z")
        #expect(view.occupancyMean == 4 && view.occupancyMax == 4 && view.frames == 10)
        #expect(view.crossingsIn == 10 && view.crossingsOut == 0)
        #expect(view.coverage == 1 && view.status == .ok)
        #expect(closed[2].occupancyMean == 3)
    }

    @Test func personSecondsIntegrateThePeoplePresentOverTheTimeSeen() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 5, framePeriodMicros: Self.second / 2)
        acc.minimumCoverage = 0.1
        // 10 frames, 0.5 s apart: 4 people in view (1 left, 3 right) for 5 s are 20 person-seconds.
        _ = framesForOneInterval(&acc, from: Self.origin)
        var closed = acc.addFrame(atMicros: Self.origin + 5 * Self.second, count: 2, zoneCounts: [2, 0], lineIn: [0], lineOut: [0])
        #expect(closed.map(\.personSeconds) == [20, 5, 15, 0])
        #expect(closed.map(\.occupancyMean) == [4, 1, 3, 0] && closed.map(\.occupancyMax) == [4, 1, 3, 0])
        // A gap in the frames counts at most two frame periods: what the camera did not see is not integrated.
        closed = acc.addFrame(atMicros: Self.origin + 9 * Self.second, count: 2, zoneCounts: [2, 0], lineIn: [0], lineOut: [0])
        #expect(closed.isEmpty)
        closed = acc.advance(toMicros: Self.origin + 10 * Self.second)
        // First frame of the interval: 0.5 s (no previous gap counted beyond the period), second: capped at 1 s.
        #expect(closed[0].personSeconds == 2 * 0.5 + 2 * 1.0)
        #expect(closed[1].personSeconds == 3 && closed[2].personSeconds == 0)
        let json = LanternJSON.encode(closed[0], device: "lamp-1", seq: 9)
        #expect(json.contains(#""occupancy":{"mean":2.00,"max":2,"personSeconds":3.0,"occupied":1.000}"#), "\(json)")
        #expect(LanternJSON.encode(closed[0], device: "lamp-1", seq: 9, suppressBelow: 3).contains(#""personSeconds":"<3""#))
    }

    @Test func anIntervalWithoutFramesIsUnknownNotZero() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 5, framePeriodMicros: Self.second / 2)
        _ = framesForOneInterval(&acc, from: Self.origin)
        // The camera goes away for 10 s: the next two intervals have no frames.
        let closed = acc.advance(toMicros: Self.origin + 15 * Self.second)
        #expect(closed.count == 12)  // [0,5) with frames, [5,10) and [10,15) without; view, 2 zones, 1 line each
        #expect(closed[0].status == .ok)
        #expect(closed[4].status == .unknown && closed[4].coverage == 0)
        let json = LanternJSON.encode(closed[4], device: "lamp-1", seq: 4)
        #expect(json.contains(#""occupancy":{"mean":null,"max":null,"personSeconds":null,"occupied":null}"#))
        #expect(json.contains(#""status":"unknown""#))
        let line = LanternJSON.encode(closed[7], device: "lamp-1", seq: 8)
        #expect(line.contains(#""line":"middle","#) && line.contains(#""crossings":{"in":null,"out":null}"#) && !line.contains("occupancy"))
    }

    @Test func aHalfCoveredIntervalIsUnknown() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 10, framePeriodMicros: Self.second / 2)
        _ = framesForOneInterval(&acc, from: Self.origin)  // 5 s of frames out of 10
        let short = acc.addFrame(atMicros: Self.origin + 10 * Self.second, count: 0, zoneCounts: [0, 0], lineIn: [0], lineOut: [0])
        #expect(short[0].coverage == 0.5 && short[0].status == .ok)
        var acc2 = IntervalAccumulator(site: Self.site, lengthSeconds: 10, framePeriodMicros: Self.second / 2)
        for i in 0..<4 { _ = acc2.addFrame(atMicros: Self.origin + Int64(i) * Self.second / 2, count: 1, zoneCounts: [1, 0], lineIn: [0], lineOut: [0]) }
        let closed = acc2.advance(toMicros: Self.origin + 10 * Self.second)
        #expect(closed[0].status == .unknown)
    }

    @Test func anOpenedCabinetMarksTheIntervalTamperedAndStopsCounting() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 5, framePeriodMicros: Self.second / 2)
        _ = acc.addFrame(atMicros: Self.origin, count: 2, zoneCounts: [2, 0], lineIn: [0], lineOut: [0])
        _ = acc.setTamper(open: true, atMicros: Self.origin + Self.second)
        _ = acc.addFrame(atMicros: Self.origin + 2 * Self.second, count: 9, zoneCounts: [9, 0], lineIn: [0], lineOut: [0])
        _ = acc.setTamper(open: false, atMicros: Self.origin + 3 * Self.second)
        let closed = acc.advance(toMicros: Self.origin + 5 * Self.second)
        #expect(closed[0].status == .tamper)
        #expect(closed[0].occupancyMax == 2)
        let next = acc.advance(toMicros: Self.origin + 10 * Self.second)
        #expect(next[0].status != .tamper)
    }

    @Test func motionAndDarknessAreRecordedPerInterval() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 10, framePeriodMicros: Self.second)
        _ = acc.setDark(true, atMicros: Self.origin)
        _ = acc.addMotion(atMicros: Self.origin + 2 * Self.second)
        _ = acc.addMotion(atMicros: Self.origin + 3 * Self.second)
        _ = acc.setDark(false, atMicros: Self.origin + 8 * Self.second)
        let closed = acc.advance(toMicros: Self.origin + 10 * Self.second)
        #expect(closed[0].pirEvents == 2)
        #expect(closed[0].dark == true)
        let next = acc.advance(toMicros: Self.origin + 20 * Self.second)
        #expect(next[0].pirEvents == 0 && next[0].dark == false)
    }

    @Test func smallCountsAreSuppressedWhenTheSiteAsks() {
        let r = IntervalRecord(zone: "left", start: UTCTime(secondsSinceEpoch: 0), end: UTCTime(secondsSinceEpoch: 60),
                               occupancyMean: 1.5, occupancyMax: 2, crossingsIn: 7, crossingsOut: 1, coverage: 1, status: .ok,
                               personSeconds: 90)
        let json = LanternJSON.encode(r, device: "d", seq: 1, suppressBelow: 3)
        #expect(json.contains(#""occupancy":{"mean":"<3","max":"<3","personSeconds":"<3","occupied":"<3"}"#))
        #expect(json.contains(#""crossings":{"in":7,"out":"<3"}"#))
        #expect(LanternJSON.encode(r, device: "d", seq: 1).contains(#""occupancy":{"mean":1.50,"max":2,"personSeconds":90.0,"occupied":0.000}"#))
    }

    /// Each counting line gets its own record with only its own crossings; the view's record still sums
    /// them and a zone's still holds those of the lines whose midpoint lies in it.
    @Test func eachLineIsReportedOnItsOwn() {
        var site = Self.site
        site.lines.append(CountingLine(name: "second", from: Point(x: 0, y: 5), to: Point(x: 1, y: 5)))
        var acc = IntervalAccumulator(site: site, lengthSeconds: 5, framePeriodMicros: Self.second / 2)
        for i in 0..<10 {
            _ = acc.addFrame(atMicros: Self.origin + Int64(i) * Self.second / 2, count: 1, zoneCounts: [1, 0],
                             lineIn: [i % 2, i == 3 ? 2 : 0], lineOut: [0, i == 7 ? 1 : 0])
        }
        let closed = acc.advance(toMicros: Self.origin + 5 * Self.second)
        #expect(closed.map(\.line) == [nil, nil, nil, "middle", "second"])
        #expect(closed[3].crossingsIn == 5 && closed[3].crossingsOut == 0)
        #expect(closed[4].crossingsIn == 2 && closed[4].crossingsOut == 1)
        #expect(closed[0].crossingsIn == 7 && closed[0].crossingsOut == 1)
        #expect(closed[3].start == closed[0].start && closed[4].status == .ok && closed[4].coverage == 1)
        // The next interval starts from zero.
        let next = acc.advance(toMicros: Self.origin + 10 * Self.second)
        #expect(next[3].crossingsIn == 0 && next[4].crossingsIn == 0)
    }

    /// `occupied`, Smart Data Models' occupancy: the fraction of the time seen in which the zone held
    /// someone (each frame worth its time, as for person-seconds), not the mean count.
    @Test func occupiedIsTheFractionOfTheTimeSeenWithSomeonePresent() {
        var acc = IntervalAccumulator(site: Self.site, lengthSeconds: 5, framePeriodMicros: Self.second / 2)
        // 10 frames 0.5 s apart: the view holds 3 people in frames 0-3, nobody after; "left" 1 person in
        // frames 0-1 only, "right" 2 people in frames 0-3.
        for i in 0..<10 {
            let left = i < 2 ? 1 : 0, right = i < 4 ? 2 : 0
            _ = acc.addFrame(atMicros: Self.origin + Int64(i) * Self.second / 2, count: left + right,
                             zoneCounts: [left, right], lineIn: [0], lineOut: [0])
        }
        let closed = acc.advance(toMicros: Self.origin + 5 * Self.second)
        #expect(closed[0].occupied == 0.4 && closed[1].occupied == 0.2 && closed[2].occupied == 0.4)
        #expect(closed[0].occupancyMean == 1.0)
        // A frame after a gap counts at most two frame periods, both for the time seen and the time occupied.
        var gappy = IntervalAccumulator(site: Self.site, lengthSeconds: 10, framePeriodMicros: Self.second / 2)
        gappy.minimumCoverage = 0
        _ = gappy.addFrame(atMicros: Self.origin, count: 0, zoneCounts: [0, 0], lineIn: [0], lineOut: [0])
        _ = gappy.addFrame(atMicros: Self.origin + 5 * Self.second, count: 1, zoneCounts: [1, 0], lineIn: [0], lineOut: [0])
        let g = gappy.advance(toMicros: Self.origin + 10 * Self.second)
        // 0.5 s seen empty (the first frame), then 1 s (capped from 5) occupied: 1 / 1.5.
        #expect(abs(g[0].occupied - 2.0 / 3) < 1e-12)
    }
}
