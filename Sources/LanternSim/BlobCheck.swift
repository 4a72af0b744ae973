import LanternCore

/// What the motion path's counted blobs are worth against per-person boxes: each annotated person is put
/// in the blob whose box holds the centre of theirs, and the blobs are grouped by how many people they
/// hold. A site's calibration is right when a blob holding one person is worth about one; a group worth
/// less per person than a lone walker shows what merging costs (people hiding one another, clothes that
/// match the ground); a blob holding nobody is counted where the boxes have no one (noise, a ghost, or a
/// person the boxes left out: look at those frames).
///
/// Pure: the estimator's blobs and the boxes go in; nothing is read or kept from the frame.
public struct BlobCheck {
    /// Blobs holding this many annotated people (the last also holds more).
    public struct Group: Equatable {
        public var blobs = 0
        /// The blobs' people, summed (the estimator's worth of them).
        public var people = 0.0
        /// The annotated people in them, summed.
        public var truth = 0

        public init(blobs: Int = 0, people: Double = 0, truth: Int = 0) {
            self.blobs = blobs
            self.people = people
            self.truth = truth
        }

        /// The blobs' people per annotated person (nil for blobs holding nobody, or none seen).
        public var perPerson: Double? { truth > 0 ? people / Double(truth) : nil }
    }

    /// Groups by annotated people: 0, 1, 2, and `largestGroup` or more.
    public static let largestGroup = 3
    public private(set) var groups = [Group](repeating: Group(), count: largestGroup + 1)
    /// Annotated people in the analysed area whose box centre lies in no counted blob (people outside the
    /// area, a crop's, are left out).
    public private(set) var peopleOutside = 0
    /// Frames checked.
    public private(set) var frames = 0
    let boxesByFrame: [Int: [TruthBox]]

    public init(boxes: [TruthBox]) {
        var byFrame: [Int: [TruthBox]] = [:]
        for box in boxes { byFrame[box.frame, default: []].append(box) }
        boxesByFrame = byFrame
    }

    /// One frame's blobs: `blobs` in 2x2-pixel cells of `view` (where the estimator found its analysed
    /// area in the frame), those worth at least `minimumPeople` counted.
    public mutating func add(frame: Int, blobs: [Blob], view: PixelRect, minimumPeople: Double) {
        frames += 1
        var held: [Int] = []
        var rects: [(x0: Double, y0: Double, x1: Double, y1: Double, blob: Int)] = []
        for (b, blob) in blobs.enumerated() where blob.people >= minimumPeople {
            let box = blob.pixelRect(in: view)
            rects.append((Double(box.x), Double(box.y), Double(box.x + box.width), Double(box.y + box.height), b))
            held.append(0)
        }
        for box in boxesByFrame[frame] ?? [] {
            let cx = box.x + box.width / 2, cy = box.y + box.height / 2
            guard cx >= Double(view.x) && cx < Double(view.x + view.width) && cy >= Double(view.y) && cy < Double(view.y + view.height) else {
                continue
            }
            // Of the blobs around the centre, the smallest: a lone walker inside a group's box is theirs.
            var best = -1, bestArea = Double.infinity
            for (r, rect) in rects.enumerated() where cx >= rect.x0 && cx < rect.x1 && cy >= rect.y0 && cy < rect.y1 {
                let a = (rect.x1 - rect.x0) * (rect.y1 - rect.y0)
                if a < bestArea { best = r; bestArea = a }
            }
            if best < 0 { peopleOutside += 1 } else { held[best] += 1 }
        }
        for (r, rect) in rects.enumerated() {
            let g = min(held[r], Self.largestGroup)
            groups[g].blobs += 1
            groups[g].people += blobs[rect.blob].people
            groups[g].truth += held[r]
        }
    }

    /// One line (the dev clip's): `blobs: 1 person 0.960 per person (1026 blobs), 2 people 0.947 (422),
    /// 3 or more 0.866 (96); nobody 139 blobs worth 0.702 each; 8 people in no blob`.
    public var line: String {
        var parts: [String] = []
        for g in 1...Self.largestGroup {
            let name = g == 1 ? "1 person" : g == Self.largestGroup ? "\(g) or more" : "\(g) people"
            let group = groups[g]
            let worth = group.perPerson.map { formatFixed($0, places: 3) } ?? "-"
            parts.append(g == 1 ? "\(name) \(worth) per person (\(group.blobs) blobs)" : "\(name) \(worth) (\(group.blobs))")
        }
        let nobody = groups[0]
        let each = nobody.blobs > 0 ? formatFixed(nobody.people / Double(nobody.blobs), places: 3) : "-"
        return "blobs: " + parts.joined(separator: ", ") + "; nobody \(nobody.blobs) blobs worth \(each) each; "
            + "\(peopleOutside) people in no blob"
    }
}
