/// A simple polygon in image coordinates: the ground area of a zone, as seen by the camera.
public struct Polygon: Equatable {
    public var points: [Point]

    public init(points: [Point]) {
        precondition(points.count >= 3, "Polygon: a polygon needs at least 3 points")
        self.points = points
    }

    /// Whether `p` lies inside (even-odd rule; points on an edge may fall either way).
    @inlinable
    public func contains(_ p: Point) -> Bool {
        var inside = false
        var j = points.count - 1
        for i in 0..<points.count {
            let a = points[i], b = points[j]
            if (a.y > p.y) != (b.y > p.y) {
                let xCross = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)
                if p.x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Twice the signed area is not needed by callers; the plain area is (for sanity checks).
    public var area: Double {
        var sum = 0.0
        var j = points.count - 1
        for i in 0..<points.count {
            sum += (points[j].x + points[i].x) * (points[j].y - points[i].y)
            j = i
        }
        return abs(sum) / 2
    }
}
