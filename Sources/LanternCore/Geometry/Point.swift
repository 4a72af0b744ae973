/// A point in image coordinates: x to the right, y down, in pixels of the full camera frame.
public struct Point: Equatable {
    public var x: Double
    public var y: Double

    @inlinable
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
