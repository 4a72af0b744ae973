import CLantern

/// The system clocks, in microseconds.
public enum SystemClock {
    /// Never jumps: pacing and timeouts. The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    public static var monotonicMicros: Int64 { lantern_monotonic_micros() }

    /// Wall time since the epoch: interval times on the board.
    /// The corresponding C function is `clock_gettime(CLOCK_REALTIME)`.
    public static var realtimeMicros: Int64 { lantern_realtime_micros() }

    /// Sleeps until the monotonic clock reaches `micros`, or a signal arrives (then returns early so
    /// the caller can look at `SignalFlags`). The corresponding C function is `clock_nanosleep`.
    public static func sleep(untilMonotonicMicros micros: Int64) {
        _ = lantern_sleep_until_monotonic(micros)
    }
}
