/// One count of the people in view, moving or still, from the two paths: the motion path (every frame:
/// foreground blobs weighted by the expected size of a person, people who stop held by `StillnessHold`)
/// and the density path (a density map of the analysed area at a lower rate, `LanternDensity`).
///
/// The rule (README "Fusion"):
/// - **The response: how this model sees this scene's people.** At each density step the map's excess
///   over the background's map (the background is the scene under the walkers) on the motion path's
///   cells (within `margin` of a person's height of its foreground), summed, is the density the people
///   the motion path counts there add to the map. Its ratio to those people, accumulated over the stream,
///   is `response`: the density one person of this camera makes, measured by the scene's own walkers,
///   with no ground truth.
/// - **Each person is counted once.** The people the motion path counts (walkers, and those who stopped
///   and are held) account for `response` of density each. What the map holds beyond that, in people of
///   this scene (divided by `response`), is one estimate of the people the motion path does not see
///   (standing still since before the background was learnt, or absorbed after the hold, wherever they
///   are, next to a walker or not) and of those a group's blob hides. The density of the cells away from
///   the motion path's (within `margin` of a person's height of its foreground), as it is, is another: it
///   misses anyone next to a walker, but the model's texture under the walkers does not move it. The
///   density path adds the larger. A walker both paths see is counted once, and a walker who stops stays
///   foreground (held), so the count does not jump.
/// - **Zones share the added people as they share the motion path's people.** The model's texture is
///   far from even over a view (on the dev clip enlarged 1.7 times its map holds 7.1 over the building
///   and the far road, where 1.1 people walk, and -1.5 over the walkway and lawn, where 4.6 walk), so a
///   zone's own density says little; over the whole view it cancels out.
/// - **The density path is trusted only as far as it sees people rather than texture.** The added
///   people are weighted by a ramp from 0 (response at or below `responseOff`) to 1 (at or above
///   `responseFull`), and by 0 until `minimumEvidence` people have been seen. A model that answers texture
///   rather than people (as density-v1 does on the dev clip: response 0.12) adds nothing; nothing here is
///   fitted to a clip.
/// - The added density is the median of the last `smoothingSteps` steps (a flicker of the map is not a
///   person), never below zero, and it changes only at density steps.
///
/// Pure and deterministic: maps and foreground go in, people come out; the stream's buffers are
/// allocated at init, and the per-row table on the first step (the map's size is fixed per stream).
public final class DensityFusion {
    public struct Parameters: Equatable {
        /// A density cell closer than this fraction of a person's height (at its row) to a foreground
        /// cell is the motion path's people's, for the response: their density spreads around the head.
        public var margin = 0.25
        /// People the motion path must have counted at density steps before the density path is weighed.
        /// Not fewer: on the dev clip at 640x480 the response of the first 20 to 40 people rose above
        /// `responseOff` and fell back to 0.17 by 55, and while it was above, texture was added (MAE 0.41
        /// became 0.54); over 100 it stayed at 0.27 and below. A dense scene has 100 people in a few steps.
        public var minimumEvidence = 100.0
        /// The response below which the density path adds nothing, and above which it adds all it sees.
        /// What it adds is already divided by the response, so the ramp only has to shut out a model that
        /// answers texture more than people. Not 0.7, as first set (never measured then): on dense scenes
        /// composed from the dev clip (response about 0.5) the ramp's half weight left most of the still
        /// people uncounted (MAE 4.7, 7.5 and, looped, 5.8 with 0.7; 2.5, 4.4 and 3.8 with 0.5; one
        /// composite whose response was still rising 0.4 worse), and the long sparse streams scored the
        /// same (README "A denser scene").
        public var responseOff = 0.3
        public var responseFull = 0.5
        /// Density steps in the median of the added people.
        public var smoothingSteps = 3
        /// A background map that holds this much less density than the one before it (people's worth at a
        /// response of 0.5: 2) shows that the one before held people who have since left; the response
        /// measured against it is dropped while the density path adds nobody (`background(total:)`).
        public var departedDensity = 1.0

        public init() {}
    }

    public let parameters: Parameters
    /// The analysed area's foreground grid (2x2-pixel cells) and its top-left corner in the frame.
    public let cellsWide: Int
    public let cellsHigh: Int
    public let origin: (x: Int, y: Int)
    public let scale: PersonScale
    public let zones: [SiteConfig.Zone]

    /// People the density path adds now (already weighted), and per zone in site zone order.
    public private(set) var addedPeople = 0.0
    public private(set) var addedZonePeople: [Double]
    /// The last step's larger estimate of the people the motion path does not see (the type's comment),
    /// unweighted and unsmoothed.
    public private(set) var unseenPeople = 0.0
    /// The weight the density path has now (0...1).
    public private(set) var weight = 0.0
    /// Accumulated: the density path's excess over the background on the motion path's cells, and the
    /// people the motion path counted there.
    public private(set) var responseDensity = 0.0
    public private(set) var responseEvidence = 0.0
    public private(set) var steps = 0
    /// The density the last background map held in all (nil before the first).
    public private(set) var backgroundTotal: Double?

    /// Density per motion person over the stream (nil before any evidence).
    public var response: Double? { responseEvidence > 0 ? responseDensity / responseEvidence : nil }

    /// Summed-area table of foreground cells, (cellsWide + 1) x (cellsHigh + 1).
    private let foregroundSums: UnsafeMutableBufferPointer<Int32>
    private var smoothing: MedianWindow
    /// Per density row (set on the first step): its margin in foreground cells.
    private var mapWidth = 0, mapHeight = 0
    private var cellWidth = 0.0, cellHeight = 0.0
    private var marginCells: [Int] = []

    public init(
        cellsWide: Int, cellsHigh: Int, origin: (x: Int, y: Int), scale: PersonScale, zones: [SiteConfig.Zone] = [],
        parameters: Parameters = Parameters()
    ) {
        precondition(cellsWide > 0 && cellsHigh > 0 && zones.count <= 32, "DensityFusion: bad grid")
        self.parameters = parameters
        self.cellsWide = cellsWide
        self.cellsHigh = cellsHigh
        self.origin = origin
        self.scale = scale
        self.zones = zones
        foregroundSums = .allocate(capacity: (cellsWide + 1) * (cellsHigh + 1))
        foregroundSums.initialize(repeating: 0)
        smoothing = MedianWindow(length: max(parameters.smoothingSteps, 1), series: 2)
        addedZonePeople = [Double](repeating: 0, count: zones.count)
    }

    deinit { foregroundSums.deallocate() }

    /// One density step.
    /// - Parameters:
    ///   - map: the density map of the analysed area (people per cell, row-major, `mapWidth` x `mapHeight`);
    ///     cell (cx, cy) covers area pixels x in [cx * cellWidth, (cx + 1) * cellWidth), likewise y.
    ///   - background: the density map of the background (the same size), when it was computed; nil
    ///     leaves the response as it was.
    ///   - foreground: the same frame's foreground pixels per 2x2 cell, `cellsWide` x `cellsHigh`.
    ///   - motionPeople: the people the motion path counts in that frame.
    ///   - zoneMotionPeople: the same per zone, in site zone order (missing zones count 0).
    ///   - trusted: whether the frame's count can be trusted (untrusted frames add no evidence).
    public func step(
        map: UnsafeBufferPointer<Float>, mapWidth: Int, mapHeight: Int, cellWidth: Double, cellHeight: Double,
        background: UnsafeBufferPointer<Float>?, foreground: UnsafePointer<UInt8>, motionPeople: Double,
        zoneMotionPeople: [Double] = [], trusted: Bool
    ) {
        precondition(map.count >= mapWidth * mapHeight && (background?.count ?? Int.max) >= mapWidth * mapHeight)
        if mapWidth != self.mapWidth || mapHeight != self.mapHeight || cellWidth != self.cellWidth || cellHeight != self.cellHeight {
            prepare(mapWidth: mapWidth, mapHeight: mapHeight, cellWidth: cellWidth, cellHeight: cellHeight)
        }
        buildForegroundSums(foreground)
        var total = 0.0, away = 0.0, seenExcess = 0.0
        for cy in 0..<mapHeight {
            let m = marginCells[cy]
            let y0 = max(Int(Double(cy) * cellHeight / 2) - m, 0)
            let y1 = min(Int((Double(cy + 1) * cellHeight / 2).rounded(.up)) + m, cellsHigh)
            for cx in 0..<mapWidth {
                let i = cy * mapWidth + cx
                let value = Double(map[i])
                let x0 = max(Int(Double(cx) * cellWidth / 2) - m, 0)
                let x1 = min(Int((Double(cx + 1) * cellWidth / 2).rounded(.up)) + m, cellsWide)
                let nearMotion = y1 > y0 && x1 > x0 && foregroundCells(x0: x0, y0: y0, x1: x1, y1: y1) > 0
                if nearMotion {
                    if let background { seenExcess += value - Double(background[i]) }
                } else {
                    away += value
                }
                total += value
            }
        }
        if trusted && background != nil {
            responseDensity += seenExcess
            responseEvidence += max(motionPeople, 0)
        }
        steps += 1
        weight = currentWeight()
        // Beyond the motion path's people: the map less `response` per person it counts, in people of this
        // scene. Before any evidence (weight 0), as a model that sees people at their count would.
        let perPerson = max(response ?? 1, parameters.responseOff)
        let accounted = response ?? 0
        let beyond = (total - accounted * max(motionPeople, 0)) / perPerson
        unseenPeople = max(beyond, away)
        smoothing.set(beyond, series: 0)
        smoothing.set(away, series: 1)
        smoothing.advance()
        // The larger of the two estimates, each a median over the last steps (see the type's comment).
        addedPeople = weight * max(smoothing.median(series: 0), smoothing.median(series: 1), 0)
        // Zones share them as the motion path's people are shared (see the type's comment).
        let motion = max(motionPeople, 0)
        for z in 0..<addedZonePeople.count {
            let inZone = z < zoneMotionPeople.count ? max(zoneMotionPeople[z], 0) : 0
            addedZonePeople[z] = motion > 0 ? addedPeople * min(inZone / motion, 1) : 0
        }
    }

    /// A new background map, by the density it holds in all. The background the estimator first learns
    /// holds whoever stood in the scene while it learnt (in a crowd, many), and their density there
    /// hides the walkers who pass over the same places, so the response measured against it reads low
    /// (on the dev clip's crowd composites 0.12 to 0.29 against that map, 0.5 once it cleared). When a map
    /// holds `departedDensity` less than the one before, the response gathered against that one is
    /// dropped and gathered again, unless the density path already adds people (a running count is not
    /// stopped for a re-measurement). On a scene whose background was learnt empty the maps agree, and
    /// nothing is dropped.
    public func background(total: Double) {
        if let previous = backgroundTotal, total <= previous - parameters.departedDensity, weight == 0 {
            responseDensity = 0
            responseEvidence = 0
        }
        backgroundTotal = total
    }

    /// The ramp from `responseOff` to `responseFull`, once there is evidence enough.
    func currentWeight() -> Double {
        guard responseEvidence >= parameters.minimumEvidence, let response else { return 0 }
        let span = max(parameters.responseFull - parameters.responseOff, 1e-9)
        return min(max((response - parameters.responseOff) / span, 0), 1)
    }

    /// The per-row table for a map of this size: each density row's margin in foreground cells.
    func prepare(mapWidth: Int, mapHeight: Int, cellWidth: Double, cellHeight: Double) {
        self.mapWidth = mapWidth
        self.mapHeight = mapHeight
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        marginCells = [Int](repeating: 0, count: mapHeight)
        for cy in 0..<mapHeight {
            let row = Double(origin.y) + (Double(cy) + 0.5) * cellHeight
            marginCells[cy] = Int((parameters.margin * scale.height(atCentreRow: row) / 2).rounded(.up))
        }
    }

    func buildForegroundSums(_ foreground: UnsafePointer<UInt8>) {
        let w = cellsWide + 1
        let sums = foregroundSums.baseAddress!
        for y in 0..<cellsHigh {
            var run: Int32 = 0
            for x in 0..<cellsWide {
                run += foreground[y * cellsWide + x] != 0 ? 1 : 0
                sums[(y + 1) * w + x + 1] = sums[y * w + x + 1] + run
            }
        }
    }

    /// Foreground cells in [x0, x1) x [y0, y1).
    @inline(__always)
    func foregroundCells(x0: Int, y0: Int, x1: Int, y1: Int) -> Int32 {
        let w = cellsWide + 1
        let sums = foregroundSums.baseAddress!
        return sums[y1 * w + x1] - sums[y0 * w + x1] - sums[y1 * w + x0] + sums[y0 * w + x0]
    }
}
