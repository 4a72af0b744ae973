import LanternAgent
import LanternSystem

/// One raw input edge, before debouncing: the role's line went to `active` at `atMicros` (nil: now).
public struct InputEdge: Equatable {
    public var role: GPIORole
    public var active: Bool
    /// Stream time of a recorded edge (a trace); nil for a live line, stamped by the loop.
    public var atMicros: Int64?

    public init(role: GPIORole, active: Bool, atMicros: Int64? = nil) {
        self.role = role
        self.active = active
        self.atMicros = atMicros
    }
}

/// Where the run loop's input edges come from: the board's GPIO lines (descriptors the loop polls) or
/// a recorded trace (edges at stream times).
public protocol GPIOInputs: AnyObject {
    /// Descriptors that poll readable when a line has an edge waiting (empty for a trace).
    var descriptors: [FileDescriptor] { get }
    /// The stream time of the next recorded edge (nil for live lines, and at the end of a trace).
    var nextEdgeTime: Int64? { get }
    /// The edges waiting: for each descriptor that polled readable (`readable`, in `descriptors`
    /// order), and the recorded edges at or before `streamTime`.
    func takeEdges(readable: ArraySlice<Bool>, upTo streamTime: Int64) -> [InputEdge]
    /// Each input's level now (read once at start, for the health message; empty for a trace).
    func currentLevels() -> [(role: GPIORole, active: Bool)]
}

/// What the run loop drives: the status LED, the privacy LED and the relay.
public protocol GPIOOutputs: AnyObject {
    /// Sets each output line to the agent's rule (only the lines whose level changed).
    func show(_ rules: OutputRules)
}

/// A recorded GPIO trace (`--gpio-trace`): its edges in replay time.
public final class TraceInputs: GPIOInputs {
    public let trace: GPIOTrace
    /// Stream time of the trace's zero (the clip's origin).
    public let originMicros: Int64
    private var next = 0

    public init(trace: GPIOTrace, originMicros: Int64) {
        self.trace = trace
        self.originMicros = originMicros
    }

    public var descriptors: [FileDescriptor] { [] }

    public var nextEdgeTime: Int64? {
        next < trace.events.count ? originMicros + trace.events[next].micros : nil
    }

    public func currentLevels() -> [(role: GPIORole, active: Bool)] { [] }

    public func takeEdges(readable: ArraySlice<Bool>, upTo streamTime: Int64) -> [InputEdge] {
        var edges: [InputEdge] = []
        while let at = nextEdgeTime, at <= streamTime {
            let event = trace.events[next]
            edges.append(InputEdge(role: event.role, active: event.active, atMicros: at))
            next += 1
        }
        return edges
    }
}
