/// When to try again after a failure: exponential backoff with full jitter. The n-th retry after a
/// success waits a uniformly random time in `[0, min(maximum, first * 2^n))`, so ten thousand lampposts
/// that lose the same broker at the same instant come back spread over the whole window, not in the
/// same second (the "full jitter" of Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog,
/// 2015).
///
/// The random numbers come from a generator seeded per device and purpose (`seed(device:purpose:)`):
/// one device retries on the same schedule every time, which a test can assert exactly, while two
/// devices differ. Pure: the caller adds the delay to its own clock.
public struct Backoff: Equatable {
    /// The first window, microseconds: the first retry waits less than this.
    public let firstWindowMicros: Int64
    /// The largest window, microseconds.
    public let maximumWindowMicros: Int64
    /// Failures since the last `reset()`.
    public private(set) var failures = 0
    var random: SplitMix64

    public init(firstWindowMicros: Int64, maximumWindowMicros: Int64, seed: UInt64) {
        self.firstWindowMicros = max(firstWindowMicros, 1)
        self.maximumWindowMicros = max(maximumWindowMicros, self.firstWindowMicros)
        random = SplitMix64(seed: seed)
    }

    /// The window the next delay is drawn from.
    public var currentWindowMicros: Int64 {
        var window = firstWindowMicros
        var n = 0
        while n < failures && window < maximumWindowMicros {
            window = window > maximumWindowMicros / 2 ? maximumWindowMicros : window * 2
            n += 1
        }
        return min(window, maximumWindowMicros)
    }

    /// After a failure: how long to wait before the next attempt (microseconds, `0..<window`). The
    /// window doubles for the next failure, up to the maximum.
    public mutating func nextDelayMicros() -> Int64 {
        let window = currentWindowMicros
        failures += 1
        return Int64(random.next() % UInt64(window))
    }

    /// After a success: the next failure starts from the first window again. The generator runs on,
    /// so a device that flaps does not repeat the same delays.
    public mutating func reset() {
        failures = 0
    }

    /// The uplink's backoff (broker, context broker): the first retry drawn from `firstWindowMicros`
    /// (30 s by default: a fleet that loses its broker does not return in one second), the window
    /// growing to ten times that, seeded per device and purpose.
    public static func uplink(device: String, purpose: String, firstWindowMicros: Int64 = 30_000_000) -> Backoff {
        Backoff(
            firstWindowMicros: firstWindowMicros, maximumWindowMicros: firstWindowMicros * 10,
            seed: seed(device: device, purpose: purpose))
    }

    /// A seed that differs per device and per purpose (`"mqtt"`, `"camera"`, …): FNV-1a over both.
    public static func seed(device: String, purpose: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in device.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x2F) &* 0x100_0000_01b3
        for byte in purpose.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
