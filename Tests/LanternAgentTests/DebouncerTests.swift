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
}
