/// Which broker of a list to try next, and when: the MQTT client's failover rule, without I/O.
///
/// Brokers are tried in the configured order, starting with the first. Every failure (a refused or
/// timed-out connection, a refused CONNACK, an established connection lost) moves to the next broker,
/// wrapping around, and the attempt waits a delay drawn from `backoff` (full jitter, window doubling
/// per failure): a fleet whose broker node dies spreads its reconnects to the other nodes over the
/// window instead of arriving all in the same second. A successful connection resets the window and
/// stays on that broker until it fails.
public struct BrokerFailover: Equatable {
    /// How many brokers there are (at least one).
    public let brokerCount: Int
    /// The broker the next attempt goes to (0-based, in configured order).
    public private(set) var index = 0
    /// When the next attempt is due (the caller's monotonic microseconds); 0: at once.
    public private(set) var dueMicros: Int64 = 0
    /// Moves to another broker so far.
    public private(set) var failovers = 0
    public private(set) var backoff: Backoff

    public init(brokerCount: Int, backoff: Backoff) {
        self.brokerCount = max(brokerCount, 1)
        self.backoff = backoff
    }

    /// The attempt to the current broker failed at `nowMicros`: move to the next broker and schedule
    /// the attempt after a jittered delay. Returns the broker index the next attempt goes to.
    @discardableResult
    public mutating func failed(atMicros nowMicros: Int64) -> Int {
        if brokerCount > 1 {
            index = (index + 1) % brokerCount
            failovers += 1
        }
        dueMicros = nowMicros + backoff.nextDelayMicros()
        return index
    }

    /// A connection to the current broker was accepted: the next failure starts from the first window.
    public mutating func connected() {
        backoff.reset()
    }
}
