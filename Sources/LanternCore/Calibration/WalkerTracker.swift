/// Finds people walking alone in the estimator's foreground, frame by frame, and keeps their height at
/// the row of their feet (`PersonHeightSample`), for `PersonHeightFit`. No ground truth, no calibration:
/// only the blobs (bounding boxes in 2x2 cells) and the per-cell foreground counts the estimator lends.
///
/// A blob is taken as one person when it is
/// - whole: it does not touch the analysed area's edge;
/// - person-shaped: taller than wide (`aspect`), filling a fair part of its box (`minimumFill`), at least
///   `minimumHeight` pixels tall;
/// - alone: no other sizeable blob within `isolation` of its height around it;
/// - consistent and moving: followed from frame to frame (nearest foot point within half its height) at a
///   height that changes by at most `consistency`, for `minimumFrames` frames, and moved by at least
///   `minimumTravel` of its height since it was first seen (a ghost or a parked object does not walk).
///
/// Only numbers are kept: a few tracks and the samples (at most `capacity`). Storage is reserved once.
public struct WalkerTracker {
    public struct Options: Equatable {
        public var minimumHeight = 12.0
        /// Height over width of a person's blob.
        public var aspect: ClosedRange<Double> = 1.6...5.0
        /// Foreground pixels over the box's pixels.
        public var minimumFill = 0.3
        /// Clearance around the blob (fraction of its height) in which no other sizeable blob may be.
        public var isolation = 0.25
        /// Frame-to-frame height change allowed (fraction).
        public var consistency = 0.15
        public var minimumFrames = 3
        public var minimumTravel = 0.2
        /// Samples kept at most (later ones are dropped).
        public var capacity = 20_000

        public init() {}
    }

    struct Track {
        var footX: Double, footRow: Double, height: Double
        var startX: Double, startRow: Double
        var frames: Int
        var walker: Int
        var seenAt: Int
    }

    struct Candidate {
        var footX: Double, footRow: Double, height: Double
        var minX: Int, minY: Int, maxX: Int, maxY: Int
    }

    public let options: Options
    /// The analysed area the cells cover (full-frame pixels).
    public let area: PixelRect
    public private(set) var samples: [PersonHeightSample]
    /// Frames observed, and blobs accepted as lone people over them.
    public private(set) var frames = 0
    public private(set) var loneBlobs = 0
    var tracks: [Track]
    var next: [Track]
    var candidates: [Candidate]
    var walkers = 0

    public init(area: PixelRect, options: Options = Options()) {
        self.area = area
        self.options = options
        samples = []
        samples.reserveCapacity(min(options.capacity, 4096))
        tracks = []
        tracks.reserveCapacity(64)
        next = []
        next.reserveCapacity(64)
        candidates = []
        candidates.reserveCapacity(64)
    }

    /// The distinct walkers among the samples so far.
    public var walkersSampled: Int {
        var seen: [Int] = []
        for s in samples where !seen.contains(s.walker) { seen.append(s.walker) }
        return seen.count
    }

    /// One analysed frame: its blobs (cell coordinates of `area`) and per-cell foreground (0...4, row-major,
    /// `cellsWide` x `cellsHigh`). Call it only for frames whose estimate is trusted (the background learnt).
    public mutating func observe(blobs: [Blob], cells: UnsafeBufferPointer<UInt8>, cellsWide: Int, cellsHigh: Int) {
        frames += 1
        guard cells.count >= cellsWide * cellsHigh, cellsWide > 2, cellsHigh > 2 else { return }
        candidates.removeAll(keepingCapacity: true)
        for (i, blob) in blobs.enumerated() {
            guard blob.minX > 0, blob.minY > 0, blob.maxX < cellsWide - 1, blob.maxY < cellsHigh - 1 else { continue }
            let height = Double(2 * (blob.maxY - blob.minY + 1)), width = Double(2 * (blob.maxX - blob.minX + 1))
            guard height >= options.minimumHeight, options.aspect.contains(height / width) else { continue }
            var pixels = 0
            for y in blob.minY...blob.maxY {
                for x in blob.minX...blob.maxX { pixels += Int(cells[y * cellsWide + x]) }
            }
            guard Double(pixels) >= options.minimumFill * height * width else { continue }
            // Alone: no other blob of a tenth of its box's size within the clearance.
            let margin = Int((options.isolation * height / 2).rounded(.up))
            var alone = true
            for (j, other) in blobs.enumerated() where j != i {
                let otherCells = (other.maxX - other.minX + 1) * (other.maxY - other.minY + 1)
                guard 40 * otherCells >= Int(height * width) else { continue }
                if other.maxX >= blob.minX - margin && other.minX <= blob.maxX + margin
                    && other.maxY >= blob.minY - margin && other.minY <= blob.maxY + margin {
                    alone = false
                    break
                }
            }
            guard alone else { continue }
            candidates.append(Candidate(
                footX: Double(area.x) + Double(blob.minX + blob.maxX + 1), footRow: Double(area.y + 2 * (blob.maxY + 1)),
                height: height, minX: blob.minX, minY: blob.minY, maxX: blob.maxX, maxY: blob.maxY))
        }
        loneBlobs += candidates.count

        // Follow: each candidate continues the nearest track seen last frame, if its height agrees.
        next.removeAll(keepingCapacity: true)
        for c in candidates {
            var nearest = -1, nearestDistance = 0.5 * c.height
            for (t, track) in tracks.enumerated() where track.seenAt == frames - 1 {
                let dx = track.footX - c.footX, dy = track.footRow - c.footRow
                let d = (dx * dx + dy * dy).squareRoot()
                if d <= nearestDistance {
                    nearest = t
                    nearestDistance = d
                }
            }
            var track: Track
            if nearest >= 0, abs(c.height - tracks[nearest].height) <= options.consistency * tracks[nearest].height {
                track = tracks[nearest]
                tracks[nearest].seenAt = -1  // taken
                track.frames += 1
            } else {
                walkers += 1
                track = Track(footX: c.footX, footRow: c.footRow, height: c.height, startX: c.footX, startRow: c.footRow, frames: 1, walker: walkers, seenAt: frames)
            }
            track.footX = c.footX
            track.footRow = c.footRow
            track.height = c.height
            track.seenAt = frames
            let dx = track.footX - track.startX, dy = track.footRow - track.startRow
            if track.frames >= options.minimumFrames && (dx * dx + dy * dy).squareRoot() >= options.minimumTravel * c.height
                && samples.count < options.capacity {
                samples.append(PersonHeightSample(row: c.footRow, height: c.height, walker: track.walker))
            }
            if next.count < 64 { next.append(track) }
        }
        swap(&tracks, &next)
    }
}
