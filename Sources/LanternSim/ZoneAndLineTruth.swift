import LanternCore

/// Ground truth for zones and counting lines, derived from per-person boxes (`boxes.csv`): a person is
/// in a zone when their foot point is, and crosses a line when their foot point's step from one frame
/// to the next crosses the segment.
public struct ZoneAndLineTruth {
    /// Per frame, people per zone (site zone order).
    public let zoneCounts: [Int: [Int]]
    /// Per line, crossings in and out over the whole clip (frames before `firstFrame` excluded).
    public let crossingsIn: [Int]
    public let crossingsOut: [Int]

    public init(boxes: [TruthBox], site: SiteConfig, firstFrame: Int = 0, lastFrame: Int = Int.max) {
        var zones: [Int: [Int]] = [:]
        var byId: [Int: [TruthBox]] = [:]
        for box in boxes where box.frame <= lastFrame {
            var counts = zones[box.frame] ?? [Int](repeating: 0, count: site.zones.count)
            let f = box.footPoint
            for (i, zone) in site.zones.enumerated() where zone.area.contains(Point(x: f.x, y: f.y)) { counts[i] += 1 }
            zones[box.frame] = counts
            byId[box.id, default: []].append(box)
        }
        var inCounts = [Int](repeating: 0, count: site.lines.count)
        var outCounts = inCounts
        for (_, track) in byId {
            let sorted = track.sorted { $0.frame < $1.frame }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.frame >= firstFrame {
                let pa = Point(x: a.footPoint.x, y: a.footPoint.y), pb = Point(x: b.footPoint.x, y: b.footPoint.y)
                for (l, line) in site.lines.enumerated() {
                    switch line.crossing(from: pa, to: pb) {
                    case .into?: inCounts[l] += 1
                    case .outOf?: outCounts[l] += 1
                    case nil: break
                    }
                }
            }
        }
        zoneCounts = zones
        crossingsIn = inCounts
        crossingsOut = outCounts
    }

    /// Relative error of a count against the truth, in percent (0 when both are 0).
    public static func percentError(_ predicted: Int, truth: Int) -> Double {
        truth == 0 ? (predicted == 0 ? 0 : 100) : 100 * Double(predicted - truth) / Double(truth)
    }
}
