import LanternCore
import Testing

@Suite struct BrokerFailoverTests {
    /// Each failure moves to the next broker of the list, wrapping around, and the next attempt waits
    /// exactly the delay the same seeded Backoff draws (full jitter over a doubling window).
    @Test func eachFailureMovesToTheNextBrokerAfterAJitteredDelay() {
        let backoff = Backoff(firstWindowMicros: 1_000_000, maximumWindowMicros: 8_000_000, seed: 42)
        var failover = BrokerFailover(brokerCount: 3, backoff: backoff)
        var reference = backoff
        #expect(failover.index == 0 && failover.dueMicros == 0)
        var now: Int64 = 5_000_000
        var indexes: [Int] = []
        var windows: [Int64] = []
        for _ in 0..<5 {
            windows.append(reference.currentWindowMicros)
            let delay = reference.nextDelayMicros()
            indexes.append(failover.failed(atMicros: now))
            #expect(failover.dueMicros == now + delay)
            #expect(delay >= 0 && delay < windows.last!)
            now = failover.dueMicros
        }
        #expect(indexes == [1, 2, 0, 1, 2])
        #expect(windows == [1_000_000, 2_000_000, 4_000_000, 8_000_000, 8_000_000])
        #expect(failover.failovers == 5)
    }

    /// A connection resets the window (the next failure draws from the first window again) and the
    /// client stays on the broker that accepted it until that one fails.
    @Test func aConnectionResetsTheWindowAndKeepsTheBroker() {
        var failover = BrokerFailover(brokerCount: 2, backoff: Backoff(firstWindowMicros: 1_000, maximumWindowMicros: 64_000, seed: 3))
        for _ in 0..<4 { failover.failed(atMicros: 0) }
        #expect(failover.backoff.currentWindowMicros == 16_000)
        #expect(failover.index == 0)
        failover.connected()
        #expect(failover.index == 0)
        #expect(failover.backoff.currentWindowMicros == 1_000)
        failover.failed(atMicros: 100)
        #expect(failover.index == 1)
        #expect(failover.dueMicros >= 100 && failover.dueMicros < 1_100)
    }

    /// One broker: failures retry it with backoff, never count as failovers.
    @Test func aSingleBrokerIsRetriedWithBackoff() {
        var failover = BrokerFailover(brokerCount: 1, backoff: Backoff(firstWindowMicros: 500, maximumWindowMicros: 4_000, seed: 9))
        for _ in 0..<3 { #expect(failover.failed(atMicros: 0) == 0) }
        #expect(failover.failovers == 0)
        #expect(failover.backoff.failures == 3)
    }

    /// Ten thousand devices that lose the same node at the same instant: their attempts on the other
    /// nodes spread over the first window (no tenth of it holds more than 12% of them).
    @Test func aFleetLosingOneNodeSpreadsItsReconnects() {
        var perTenth = [Int](repeating: 0, count: 10)
        for n in 0..<10_000 {
            var failover = BrokerFailover(brokerCount: 3, backoff: .uplink(device: "lamp-\(n)", purpose: "mqtt"))
            failover.connected()
            failover.failed(atMicros: 0)
            perTenth[Int(failover.dueMicros / 3_000_000)] += 1
        }
        #expect(perTenth.max()! <= 1_200, "\(perTenth)")
    }
}
