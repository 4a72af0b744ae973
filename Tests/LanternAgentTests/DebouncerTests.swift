import LanternAgent
import Testing

@Suite struct DebouncerTests {
    @Test func aLevelHeldForTheIntervalIsCommittedAtItsDeadline() {
        var d = Debouncer(intervalMicros: 50_000)
        #expect(d.edge(true, atMicros: 1_000_000) == nil)
        #expect(d.deadline == 1_050_000)
        #expect(d.settle(atMicros: 1_049_999) == nil)
        #expect(d.settle(atMicros: 1_050_000) == true)
        #expect(d.level == true)
        #expect(d.deadline == nil)
    }

    @Test func aBounceBackWithinTheIntervalIsIgnored() {
        var d = Debouncer(intervalMicros: 50_000)
        _ = d.edge(true, atMicros: 0)
        _ = d.edge(false, atMicros: 10_000)
        _ = d.edge(true, atMicros: 20_000)
        _ = d.edge(false, atMicros: 30_000)
        #expect(d.deadline == nil)
        #expect(d.settle(atMicros: 1_000_000) == nil)
        #expect(d.level == false)
    }

    @Test func chatterRestartsTheIntervalFromTheLastChange() {
        var d = Debouncer(intervalMicros: 50_000)
        _ = d.edge(true, atMicros: 0)
        _ = d.edge(false, atMicros: 10_000)
        _ = d.edge(true, atMicros: 20_000)
        #expect(d.settle(atMicros: 60_000) == nil)
        #expect(d.settle(atMicros: 70_000) == true)
    }

    @Test func anEdgeAfterTheIntervalCommitsThePendingLevelFirst() {
        var d = Debouncer(intervalMicros: 50_000)
        _ = d.edge(true, atMicros: 0)
        #expect(d.edge(false, atMicros: 100_000) == true)
        #expect(d.level == true)
        #expect(d.settle(atMicros: 150_000) == false)
    }

    @Test func withNoIntervalEveryEdgeCountsAtOnce() {
        var d = Debouncer(intervalMicros: 0)
        #expect(d.edge(true, atMicros: 5) == true)
        #expect(d.edge(false, atMicros: 6) == false)
    }
}
