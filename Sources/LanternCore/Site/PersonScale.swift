/// The scene's perspective: how tall a standing person appears (in pixels) with their feet at a given
/// image row. Given as two or more measured samples; between them it is linear, beyond them it follows
/// the end segments, and it never falls below `minimumHeight`.
public struct PersonScale: Equatable {
    public struct Sample: Equatable {
        /// Image row of the feet, in full-frame pixels.
        public var row: Double
        /// The person's height there, in pixels.
        public var height: Double

        public init(row: Double, height: Double) {
            self.row = row
            self.height = height
        }
    }

    /// Sorted by row, at least two, at distinct rows.
    public let samples: [Sample]
    public static let minimumHeight = 4.0

    public init(samples: [Sample]) {
        precondition(samples.count >= 2, "PersonScale: at least two samples")
        var sorted = samples
        sorted.sort { $0.row < $1.row }
        self.samples = sorted
    }

    /// Expected height in pixels of a person whose feet are at `row`.
    @inlinable
    public func height(atFootRow row: Double) -> Double {
        var i = 0
        while i < samples.count - 2 && row > samples[i + 1].row { i += 1 }
        let a = samples[i], b = samples[i + 1]
        let t = (row - a.row) / (b.row - a.row)
        return max(a.height + t * (b.height - a.height), PersonScale.minimumHeight)
    }

    /// Expected height of a person any of whose pixels is at `row` and whose body centre is there:
    /// solves row = foot - h(foot)/2 for the foot row (a few fixed-point steps suffice, h is gentle).
    @inlinable
    public func height(atCentreRow row: Double) -> Double {
        var h = height(atFootRow: row)
        for _ in 0..<4 { h = height(atFootRow: row + h / 2) }
        return h
    }
}
