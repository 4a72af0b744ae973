import LanternCore
import Testing

@Suite struct BackoffTests {
    /// 1,000 lampposts lose their broker at the same instant. With the uplink's backoff (first window
    /// 30 s, seeded per device id), their first reconnect attempts spread over the whole first window:
    /// no second of it holds more than 5% of them. Without jitter, all 1,000 would land in one second.
    @Test func aThousandDevicesReconnectSpreadOverTheFirstWindow() {
        let window: Int64 = 30_000_000
        var perSecond = [Int](repeating: 0, count: 30)
        var delays: [Int64] = []
        for n in 0..<1000 {
            var backoff = Backoff.uplink(device: "lamp-\(n)", purpose: "mqtt")
            #expect(backoff.currentWindowMicros == window)
            let delay = backoff.nextDelayMicros()
            #expect(delay >= 0 && delay < window)
            delays.append(delay)
            perSecond[Int(delay / 1_000_000)] += 1
        }
        #expect(perSecond.max()! <= 50, "busiest second: \(perSecond.max()!) of 1000")
        #expect(perSecond.min()! >= 1, "every second of the window is used")
        // Spread over the window, not bunched at its start.
        #expect(delays.min()! < 1_000_000 && delays.max()! > 29_000_000)
    }

    @Test func theWindowDoublesUpToTheMaximumAndResetsAfterASuccess() {
        var backoff = Backoff(firstWindowMicros: 1_000, maximumWindowMicros: 5_000, seed: 7)
        var windows: [Int64] = []
        for _ in 0..<5 {
            windows.append(backoff.currentWindowMicros)
            let delay = backoff.nextDelayMicros()
            #expect(delay < windows.last!)
        }
        #expect(windows == [1_000, 2_000, 4_000, 5_000, 5_000])
        backoff.reset()
        #expect(backoff.currentWindowMicros == 1_000)
        #expect(backoff.failures == 0)
    }

    @Test func oneDeviceRetriesOnTheSameScheduleEveryTimeAndTwoDevicesDiffer() {
        func schedule(_ device: String) -> [Int64] {
            var backoff = Backoff(firstWindowMicros: 1_000_000, maximumWindowMicros: 60_000_000, seed: Backoff.seed(device: device, purpose: "mqtt"))
            return (0..<6).map { _ in backoff.nextDelayMicros() }
        }
        #expect(schedule("lamp-1") == schedule("lamp-1"))
        #expect(schedule("lamp-1") != schedule("lamp-2"))
        #expect(Backoff.seed(device: "lamp-1", purpose: "mqtt") != Backoff.seed(device: "lamp-1", purpose: "camera"))
    }
}
