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
/// Its height is measured from the foreground in its box, not the box itself (`measure`): the box
/// overstates a person, by half a cell at the top on average (the top cell is often only partly the
/// head) and, below the feet, by a contact shadow or a trailing toe. On the PETS dev clip the boxes were
/// 7% taller than the annotated people near the camera, and the fit 6% too tall there.
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
        /// The feet are the lowest row of the blob's lower half with at least this fraction of the median
        /// foreground of that half's rows (its legs); thinner rows below them are a shadow or a toe.
        public var feetFill = 0.5
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
        /// The box's foot point and height (what is followed).
        var footX: Double, footRow: Double, height: Double
        /// The person measured in it (what is sampled).
        var feetRow: Double, personHeight: Double
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
    /// Per row of the blob being measured: its foreground pixels; and the same, sorted, for the median.
    var rowFill: [Int]
    var sortedFill: [Int]

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
        rowFill = []
        rowFill.reserveCapacity(area.height / 2)
        sortedFill = []
        sortedFill.reserveCapacity(area.height / 2)
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
            rowFill.removeAll(keepingCapacity: true)
            for y in blob.minY...blob.maxY {
                var row = 0
                for x in blob.minX...blob.maxX { row += Int(cells[y * cellsWide + x]) }
                rowFill.append(row)
                pixels += row
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
            let person = Self.measure(rowFill: rowFill, sorted: &sortedFill, feetFill: options.feetFill)
            candidates.append(Candidate(
                footX: Double(area.x) + Double(blob.minX + blob.maxX + 1), footRow: Double(area.y + 2 * (blob.maxY + 1)),
                height: height, feetRow: Double(area.y + 2 * (blob.minY + person.feet + 1)), personHeight: person.height,
                minX: blob.minX, minY: blob.minY, maxX: blob.maxX, maxY: blob.maxY))
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
                samples.append(PersonHeightSample(row: c.feetRow, height: c.personHeight, walker: track.walker))
            }
            if next.count < 64 { next.append(track) }
        }
        swap(&tracks, &next)
    }

    /// A lone person's extent from their blob's foreground per cell row (`rowFill`, top to bottom, pixels
    /// 0...4 per cell): the row of their feet (index into `rowFill`) and their height in pixels, from the top
    /// of the head to the bottom of the feet row.
    /// - The feet: the lowest row of the lower half with at least `feetFill` of the median of that half's
    ///   rows (the legs). A contact shadow or a trailing toe below them is a thinner tail.
    /// - The head: the top row counts as the part of a cell its foreground fills against the row below
    ///   (a head reaching one pixel into its top cell is one pixel, not two).
    /// `sorted` is scratch (its storage is reused).
    public static func measure(rowFill: [Int], sorted: inout [Int], feetFill: Double) -> (feet: Int, height: Double) {
        let n = rowFill.count
        guard n >= 2 else { return (n - 1, Double(2 * n)) }
        sorted.removeAll(keepingCapacity: true)
        for y in (n / 2)..<n {
            // Insertion: a blob is a few dozen rows.
            var i = sorted.count
            sorted.append(rowFill[y])
            while i > 0 && sorted[i - 1] > rowFill[y] {
                sorted[i] = sorted[i - 1]
                i -= 1
            }
            sorted[i] = rowFill[y]
        }
        let legs = Double(sorted[sorted.count / 2])
        var feet = n - 1
        while feet > n / 2 && Double(rowFill[feet]) < feetFill * legs { feet -= 1 }
        let headCell = min(1, Double(rowFill[0]) / Double(max(rowFill[1], 1)))
        return (feet, Double(2 * feet) + 2 * headCell)
    }
}
