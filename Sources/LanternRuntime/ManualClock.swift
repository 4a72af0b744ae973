import LanternSystem

/// A clock that moves only when the loop waits: a wait jumps straight to its deadline, and no
/// descriptor is ever readable. The simulator's replays and the tests run the board's loop on it,
/// so what the loop does at each moment is exact and repeatable, however loaded the machine.
public final class ManualClock: RunClock {
    public private(set) var monotonicMicros: Int64
    public private(set) var realtimeMicros: Int64
    /// Every deadline waited for, in order (tests read the loop's schedule here).
    public private(set) var waits: [Int64] = []
    /// Keep `waits` (tests); off for long replays.
    public var recordsWaits = false

    public init(monotonicMicros: Int64 = 1_000_000, realtimeMicros: Int64 = 1_767_225_600_000_000) {
        self.monotonicMicros = monotonicMicros
        self.realtimeMicros = realtimeMicros
    }

    /// Moves both clocks forward by `micros`.
    public func advance(by micros: Int64) {
        monotonicMicros += micros
        realtimeMicros += micros
    }

    public func wait(readable descriptors: [FileDescriptor], untilMonotonicMicros deadline: Int64) throws(Errno) -> [Bool] {
        if recordsWaits { waits.append(deadline) }
        if deadline > monotonicMicros { advance(by: deadline - monotonicMicros) }
        return [Bool](repeating: false, count: descriptors.count)
    }
}
