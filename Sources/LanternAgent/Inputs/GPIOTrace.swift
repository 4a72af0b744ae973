import LanternCore

/// A recorded or scripted sequence of input changes, for replays: one event per line,
/// `<seconds> <role> <0|1>`, seconds from the start of the clip (decimals allowed), e.g.
///
///     # cabinet opened 12.5 s in, closed 3 s later
///     12.5 tamper 1
///     15.5 tamper 0
///
/// Blank lines and lines starting with `#` are skipped. Levels are logical (1 = active).
public struct GPIOTrace: Equatable {
    public struct Event: Equatable {
        public var micros: Int64
        public var role: GPIORole
        public var active: Bool

        public init(micros: Int64, role: GPIORole, active: Bool) {
            self.micros = micros
            self.role = role
            self.active = active
        }
    }

    /// Sorted by time (stable: same-time events keep file order).
    public var events: [Event]

    public init(events: [Event]) { self.events = events }

    /// Parses trace text; `source` names the file in errors (`trace.txt: line 3: ...`).
    public static func parse(_ bytes: [UInt8], source: String) throws(GPIOTraceError) -> GPIOTrace {
        var events: [Event] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Array(rawLine)
            if line.last == 0x0D { line.removeLast() }
            let words = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
            if words.isEmpty || words[0].first == 0x23 { continue }
            func fail(_ message: String) -> GPIOTraceError {
                GPIOTraceError(description: "\(source): line \(lineNumber): \(message)")
            }
            guard words.count == 3 else { throw fail("expected `<seconds> <role> <0|1>`, got \(words.count) fields") }
            guard let micros = DecimalText.micros(words[0]) else {
                throw fail("\(String(decoding: words[0], as: UTF8.self)) is not a time in seconds (e.g. 12.5)")
            }
            let roleName = String(decoding: words[1], as: UTF8.self)
            guard let role = GPIORole(name: roleName), role.isInput else {
                throw fail("\(roleName) is not an input role (pir, tamper, light, button)")
            }
            guard words[2].count == 1, let level = words[2].first, level == 0x30 || level == 0x31 else {
                throw fail("the level must be 0 or 1")
            }
            events.append(Event(micros: micros, role: role, active: level == 0x31))
        }
        // Insertion sort keeps it stable; traces are short and nearly sorted.
        var i = 1
        while i < events.count {
            var j = i
            while j > 0 && events[j - 1].micros > events[j].micros {
                events.swapAt(j - 1, j)
                j -= 1
            }
            i += 1
        }
        return GPIOTrace(events: events)
    }
}

public struct GPIOTraceError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
