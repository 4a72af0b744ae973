/// The time and the waiting of the agent's run loop, as one injected part: the board's is the system
/// clocks and `poll(2)` (`SystemRunClock`); a test's or the simulator's moves only when told
/// (`ManualClock` in LanternRuntime), so the loop that runs on the board is the loop under test.
public protocol RunClock: AnyObject {
    /// Never jumps: deadlines, pacing, backoff.
    var monotonicMicros: Int64 { get }
    /// Wall time since the epoch: interval times of live frames.
    var realtimeMicros: Int64 { get }
    /// Waits until one of `descriptors` is readable or the monotonic clock reaches `deadline`; returns
    /// one flag per descriptor (all false after a timeout or a signal).
    func wait(readable descriptors: [FileDescriptor], untilMonotonicMicros deadline: Int64) throws(Errno) -> [Bool]
}

/// The system clocks, and `poll(2)` for waiting.
public final class SystemRunClock: RunClock {
    public init() {}

    public var monotonicMicros: Int64 { SystemClock.monotonicMicros }
    public var realtimeMicros: Int64 { SystemClock.realtimeMicros }

    public func wait(readable descriptors: [FileDescriptor], untilMonotonicMicros deadline: Int64) throws(Errno) -> [Bool] {
        let left = deadline - SystemClock.monotonicMicros
        // Rounded up, so the loop does not wake just before its deadline and spin.
        let millis = left <= 0 ? 0 : Int((left + 999) / 1000)
        if descriptors.isEmpty {
            if millis > 0 { SystemClock.sleep(untilMonotonicMicros: deadline) }
            return []
        }
        return try Poll.readable(descriptors, timeoutMillis: millis)
    }
}
