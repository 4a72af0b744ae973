import LanternAgent

/// The board's inputs, each with its debouncer (a replay without a board debounces nothing).
public struct InputSet {
    var debouncers: [(role: GPIORole, debouncer: Debouncer)] = []
    /// Each input's debounced level once it changed, for the health message.
    public private(set) var levels: [(role: GPIORole, active: Bool)] = []

    public init(board: BoardConfig?) {
        for role in [GPIORole.pir, .tamper, .light, .button] {
            let ms = board?.assignment(for: role)?.debounceMs ?? 0
            debouncers.append((role, Debouncer(intervalMicros: Int64(ms) * 1000)))
        }
    }

    /// The earliest time a pending edge settles (nil: none pending).
    public var nextDeadline: Int64? {
        var best: Int64?
        for d in debouncers { if let at = d.debouncer.deadline, best == nil || at < best! { best = at } }
        return best
    }

    /// A raw edge; returns the debounced change it makes at once, if any.
    public mutating func edge(_ role: GPIORole, raw: Bool, atMicros t: Int64) -> (GPIORole, Bool)? {
        for i in 0..<debouncers.count where debouncers[i].role == role {
            if let level = debouncers[i].debouncer.edge(raw, atMicros: t) {
                record(role, level)
                return (role, level)
            }
        }
        return nil
    }

    /// The debounced changes that settled by `t`.
    public mutating func settle(atMicros t: Int64) -> [(GPIORole, Bool)] {
        var changes: [(GPIORole, Bool)] = []
        for i in 0..<debouncers.count {
            if let level = debouncers[i].debouncer.settle(atMicros: t) {
                changes.append((debouncers[i].role, level))
                record(debouncers[i].role, level)
            }
        }
        return changes
    }

    private mutating func record(_ role: GPIORole, _ active: Bool) {
        for i in 0..<levels.count where levels[i].role == role {
            levels[i].active = active
            return
        }
        levels.append((role, active))
    }
}
