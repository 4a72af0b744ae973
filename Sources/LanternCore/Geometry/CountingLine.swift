/// A directed counting line: a person whose foot point moves across the segment from `from` to `to`
/// is counted `in` when moving to the segment's left-hand side (as seen in the image, y down), `out`
/// when moving to its right. Swap the end points to swap the directions.
public struct CountingLine: Equatable {
    public var name: String
    public var from: Point
    public var to: Point

    public init(name: String, from: Point, to: Point) {
        self.name = name
        self.from = from
        self.to = to
    }

    public enum Crossing: Equatable {
        case into
        case outOf
    }

    /// Which side of the line `p` lies on: > 0 left (the `in` side), < 0 right, 0 on it.
    @inlinable
    public func side(of p: Point) -> Double {
        // Cross product of (to - from) and (p - from); with y pointing down, negative is to the left.
        let c = (to.x - from.x) * (p.y - from.y) - (to.y - from.y) * (p.x - from.x)
        return -c
    }

    /// The crossing, if the step from `a` to `b` crosses the segment (not merely its extension).
    @inlinable
    public func crossing(from a: Point, to b: Point) -> Crossing? {
        let sa = side(of: a), sb = side(of: b)
        guard (sa < 0 && sb >= 0) || (sa >= 0 && sb < 0) else { return nil }
        // The step's end points must also lie on opposite sides of the line through a and b.
        let dx = b.x - a.x, dy = b.y - a.y
        let s1 = dx * (from.y - a.y) - dy * (from.x - a.x)
        let s2 = dx * (to.y - a.y) - dy * (to.x - a.x)
        guard (s1 <= 0 && s2 >= 0) || (s1 >= 0 && s2 <= 0) else { return nil }
        return sb >= 0 ? .into : .outOf
    }
}
