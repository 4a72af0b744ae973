/// Software debounce for one input line (libgpiod 1.6 has none): a new level counts only once the line
/// has held it for `intervalMicros`. A bounce back within the interval cancels the change.
///
/// Pure state: edges and the clock are passed in. The caller feeds every edge to `edge(_:atMicros:)`
/// and, when nothing else happens, calls `settle(atMicros:)` at `deadline` (the poll timeout).
public struct Debouncer: Equatable {
    public let intervalMicros: Int64
    /// The debounced level (logical: true = active).
    public private(set) var level: Bool
    var pending: Bool?
    var pendingSince: Int64 = 0

    public init(intervalMicros: Int64, initialLevel: Bool = false) {
        precondition(intervalMicros >= 0)
        self.intervalMicros = intervalMicros
        self.level = initialLevel
    }

    /// When `settle` should next be called to commit a pending change (nil: nothing pending).
    public var deadline: Int64? { pending == nil ? nil : pendingSince + intervalMicros }

    /// A raw edge: the line now reads `raw`. Returns the debounced level if it changed now (a change
    /// pending long enough is committed first; with no interval an edge commits at once).
    public mutating func edge(_ raw: Bool, atMicros t: Int64) -> Bool? {
        let committed = settle(atMicros: t)
        if raw == level {
            pending = nil
        } else if pending != raw {
            pending = raw
            pendingSince = t
        }
        if intervalMicros == 0 { return settle(atMicros: t) ?? committed }
        return committed
    }

    /// Commits a pending level that has held for the interval; returns it if so.
    public mutating func settle(atMicros t: Int64) -> Bool? {
        guard let next = pending, t - pendingSince >= intervalMicros else { return nil }
        pending = nil
        level = next
        return next
    }
}
