import LanternAgent
import LanternHardware
import LanternSystem

/// The board's GPIO lines, requested from its chip per the board file: its inputs for the loop to poll,
/// its outputs for the loop to drive.
public final class BoardGPIO: GPIOInputs, GPIOOutputs {
    let chip: GPIOChip?
    public private(set) var inputs: [(role: GPIORole, line: GPIOLine)] = []
    public private(set) var outputs: [(role: GPIORole, line: GPIOLine)] = []
    /// The level each output was last set to (nil: not yet, or the last set failed).
    private var shown: [Bool?] = []

    public init(board: BoardConfig) throws(Errno) {
        guard !board.roles.isEmpty else {
            chip = nil
            return
        }
        let chip = try GPIOChip(lookup: board.gpiochip)
        self.chip = chip
        for r in board.roles {
            let line = try chip.request(r, consumer: "lanternd")
            if r.role.isInput {
                inputs.append((r.role, line))
            } else {
                outputs.append((r.role, line))
                shown.append(nil)
            }
        }
    }

    public var descriptors: [FileDescriptor] { inputs.map { $0.line.eventDescriptor } }
    public var nextEdgeTime: Int64? { nil }

    public func takeEdges(readable: ArraySlice<Bool>, upTo streamTime: Int64) -> [InputEdge] {
        var edges: [InputEdge] = []
        for (i, input) in inputs.enumerated() where readable[readable.startIndex + i] {
            // Kernel timestamps are monotonic and the agent's are not: the loop stamps the edge.
            guard let event = try? input.line.readEvent() else { continue }
            edges.append(InputEdge(role: input.role, active: event.active))
        }
        return edges
    }

    public func currentLevels() -> [(role: GPIORole, active: Bool)] {
        var levels: [(role: GPIORole, active: Bool)] = []
        for input in inputs { if let active = try? input.line.value() { levels.append((input.role, active)) } }
        return levels
    }

    /// Drives the output lines from the agent's rules, setting a line only when its level changes.
    public func show(_ rules: OutputRules) {
        for (i, o) in outputs.enumerated() {
            let level: Bool
            switch o.role {
            case .statusLED: level = rules.statusLED
            case .privacyLED: level = rules.privacyLED
            case .relay: level = rules.relay
            default: continue
            }
            guard shown[i] != level else { continue }
            shown[i] = (try? o.line.set(level)) != nil ? level : nil
        }
    }
}

extension GPIOChip {
    /// Requests a board file role's line as the board file says: inputs with their bias (edge events),
    /// outputs initially off, both with their active level (run and check share it).
    public func request(_ r: RoleAssignment, consumer: String) throws(Errno) -> GPIOLine {
        guard r.role.isInput else { return try output(offset: r.line, activeLow: r.activeLow, consumer: consumer) }
        let bias: GPIOLine.Bias
        switch r.bias {
        case .asIs: bias = .asIs
        case .disabled: bias = .disabled
        case .pullUp: bias = .pullUp
        case .pullDown: bias = .pullDown
        }
        return try input(offset: r.line, bias: bias, activeLow: r.activeLow, consumer: consumer)
    }
}
