import LanternSystem

/// A run clock that runs `speed` times faster than the machine's: the fleet simulator's injected clock.
/// Every device's interval schedule, reconnect backoff and connect timeout are on it, so an hour of a
/// fleet's life (its intervals and its backoff windows alike) passes in `3600 / speed` real seconds,
/// while the sockets, the brokers and libmosquitto's keep-alive run in real time.
public final class CompressedClock: RunClock {
    public let speed: Double
    /// Real monotonic microseconds at the start (CLOCK_MONOTONIC is one clock for every process of
    /// the machine: the fleet's worker processes share it). Set before anything is scheduled.
    public var realStartMicros: Int64
    /// This clock's monotonic and wall time at the start.
    let simulatedStartMicros: Int64 = 1_000_000
    let wallStartMicros: Int64

    public init(speed: Double, wallStartMicros: Int64 = 1_767_225_600_000_000) {
        self.speed = max(speed, 0.001)
        realStartMicros = SystemClock.monotonicMicros
        self.wallStartMicros = wallStartMicros
    }

    public var monotonicMicros: Int64 { simulated(fromReal: SystemClock.monotonicMicros) }
    public var realtimeMicros: Int64 { wallStartMicros + (monotonicMicros - simulatedStartMicros) }

    /// Simulated microseconds since the start.
    public var elapsedMicros: Int64 { monotonicMicros - simulatedStartMicros }

    /// Real microseconds since the start.
    public var realElapsedMicros: Int64 { SystemClock.monotonicMicros - realStartMicros }

    public func simulated(fromReal real: Int64) -> Int64 {
        simulatedStartMicros + Int64(Double(real - realStartMicros) * speed)
    }

    public func real(fromSimulated simulated: Int64) -> Int64 {
        realStartMicros + Int64((Double(simulated - simulatedStartMicros) / speed).rounded(.up))
    }

    public func wait(readable descriptors: [FileDescriptor], untilMonotonicMicros deadline: Int64) throws(Errno) -> [Bool] {
        let left = real(fromSimulated: deadline) - SystemClock.monotonicMicros
        let millis = left <= 0 ? 0 : Int((left + 999) / 1000)
        if descriptors.isEmpty {
            if millis > 0 { SystemClock.sleep(untilMonotonicMicros: real(fromSimulated: deadline)) }
            return []
        }
        return try Poll.readable(descriptors, timeoutMillis: millis)
    }
}
