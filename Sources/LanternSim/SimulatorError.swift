/// A failure the user can act on, as one line: what, where, and what to do.
public struct SimulatorError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
