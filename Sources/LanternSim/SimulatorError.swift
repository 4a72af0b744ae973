import LanternCore

/// A failure the user can act on, as one line: what, where, and what to do; and the exit status it
/// ends `lantern-sim` with (`ExitStatus`: 65 for a malformed clip or truth file unless said otherwise).
public struct SimulatorError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public let status: ExitStatus

    public init(_ description: String, status: ExitStatus = .dataError) {
        self.description = description
        self.status = status
    }
}
