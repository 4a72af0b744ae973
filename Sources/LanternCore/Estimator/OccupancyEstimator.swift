/// What the estimator saw in one frame: the whole view, each zone and each counting line, so that no
/// caller reads the estimator's state after `process` returns.
public struct FrameEstimate: Equatable {
    /// People in view (smoothed), before rounding.
    public var people: Double
    /// People in view, rounded: the head count.
    public var count: Int
    /// Of `people`, those the density path adds: people the motion path does not see (`DensityFusion`; 0
    /// from the motion path alone).
    public var densityPeople = 0.0
    /// Whether the count can be trusted, and if not, why.
    public var condition: SceneCondition
    /// Head count per zone, in site zone order.
    public var zoneCounts: [Int]
    /// Crossings of each counting line seen with this frame, in site line order, per direction.
    public var lineIn: [Int]
    public var lineOut: [Int]

    public init(people: Double, count: Int, condition: SceneCondition = .ok, zoneCounts: [Int] = [], lineIn: [Int] = [], lineOut: [Int] = []) {
        self.people = people
        self.count = count
        self.condition = condition
        self.zoneCounts = zoneCounts
        self.lineIn = lineIn
        self.lineOut = lineOut
    }

    /// The count is trustworthy; otherwise it should be reported as unknown.
    public var trusted: Bool { condition == .ok }
}

/// Anonymised occupancy: how many people are in view, and in each zone, frame by frame, for a fixed
/// camera. It sees only foreground masses, never identities: a blob's head count is its foreground
/// weighted by the expected size of a person at that image row (`PersonDensity`), so two people walking
/// together count as two and a crowd as many.
///
/// All working memory is allocated here, once per stream; `process` allocates nothing and keeps no
/// reference to the frame.
public final class OccupancyEstimator {
    public let parameters: EstimatorParameters
    public let site: SiteConfig
    /// The analysed area of the camera frame (the site's crop, or all of it).
    public let area: PixelRect
    public let density: PersonDensity
    var background: BackgroundModel
    let cells: CellGrid
    var labeler: BlobLabeler
    var hold: StillnessHold
    var ghosts: GhostTest
    var crossings: CrossingCounter
    var feet: [Point]
    var feetCounts: [Int]
    /// Per blob: the grid column last scanned, and the blob's lowest cell row in it (zone attribution).
    var columnMark: [Int32] = []
    var columnFoot: [Int32] = []
    /// Per grid column: a group blob's weight and lowest cell (cutting groups into people for the lines).
    var columnWeight: [Double]
    var columnBottom: [Int32]
    var smoothing: MedianWindow
    var monitor: SceneMonitor
    var zoneRaw: [Double]
    /// People per zone in the last frame (smoothed), in site zone order.
    public private(set) var zonePeople: [Double]
    /// Head count per zone in the last frame, in site zone order.
    public private(set) var zoneCounts: [Int]
    /// The last frame's estimate.
    public private(set) var latest = FrameEstimate(people: 0, count: 0)
    public private(set) var framesProcessed = 0
    /// Fraction of the analysed area's pixels that were foreground in the last frame.
    public private(set) var foregroundFraction = 0.0
    /// The last frame's estimated camera shift against the background (pixels; compensated).
    public var cameraShift: (x: Int, y: Int) { (monitor.shiftX, monitor.shiftY) }
    /// Where the analysed area was found in the last frame (`area` moved by `cameraShift`): the frame
    /// pixels its foreground cells and blobs cover.
    public var view: PixelRect {
        PixelRect(x: area.x + monitor.shiftX, y: area.y + monitor.shiftY, width: area.width, height: area.height)
    }
    /// Mean grey level of the background, and its fraction of blank blocks (refreshed periodically).
    public var backgroundMean: Double { monitor.backgroundMean }
    public var blankFraction: Double { monitor.blankFraction }
    /// The camera's luma range: as given at init, or judged from the warm-up frames' pixels.
    public private(set) var lumaRange: LumaRange
    let lumaRangeGiven: Bool
    /// Warm-up pixels seen, and those outside 16...235 (judging the range when it was not given).
    var rangePixels = 0, rangeOutside = 0
    /// Background steps owed but not yet taken (grey levels): the rates are full-range levels per frame,
    /// and a whole number of this range's levels is taken each frame.
    var stepCredit = 0.0

    /// - Parameters:
    ///   - frameWidth, frameHeight: the camera frame's size (the crop is taken from it).
    ///   - lumaRange: the camera's luma range when known (a clip header's `XCOLORRANGE`, the driver's
    ///     quantization); nil: judged from the pixels of the warm-up frames (`LumaRange.judged`).
    ///   - framesPerSecond: the camera's frame rate (how many frames `EstimatorParameters.stillHoldSeconds` is).
    public init(
        site: SiteConfig, frameWidth: Int, frameHeight: Int, parameters: EstimatorParameters = EstimatorParameters(),
        lumaRange: LumaRange? = nil, framesPerSecond: Double = 10
    ) {
        self.parameters = parameters
        self.lumaRange = lumaRange ?? .full
        lumaRangeGiven = lumaRange != nil
        self.site = site
        let full = PixelRect(x: 0, y: 0, width: frameWidth, height: frameHeight)
        var area = (site.crop ?? full).clamped(width: frameWidth, height: frameHeight)
        // Keep a margin inside the frame for following camera shake.
        let m = max(0, min(parameters.maxShift, (min(frameWidth, frameHeight) - 8) / 4))
        // At least one whole cell (2 pixels) stays inside the margin, even for a crop at the frame's edge.
        let x0 = min(max(area.x, m), frameWidth - m - 2), y0 = min(max(area.y, m), frameHeight - m - 2)
        let x1 = min(area.x + area.width, frameWidth - m), y1 = min(area.y + area.height, frameHeight - m)
        area = PixelRect(x: x0, y: y0, width: max(x1 - x0, 2), height: max(y1 - y0, 2))
        // Whole cells only.
        area.width = max(area.width & ~1, 2)
        area.height = max(area.height & ~1, 2)
        self.area = area
        let cw = area.width / 2, ch = area.height / 2
        density = PersonDensity(
            scale: site.scale, zones: site.zones, cellsWide: cw, cellsHigh: ch, origin: (area.x, area.y),
            areaFactor: parameters.personAreaFactor)
        background = BackgroundModel(width: area.width, height: area.height)
        cells = CellGrid(width: cw, height: ch)
        labeler = BlobLabeler(width: cw, height: ch)
        let rate = max(framesPerSecond, 0.1)
        hold = StillnessHold(
            width: cw, height: ch, emptyFrames: Int((parameters.stillEmptySeconds * rate).rounded()),
            maximumFrames: Int((parameters.stillHoldSeconds * rate).rounded()))
        ghosts = GhostTest()
        columnWeight = [Double](repeating: 0, count: cw)
        columnBottom = [Int32](repeating: -1, count: cw)
        smoothing = MedianWindow(length: parameters.smoothingFrames, series: site.zones.count + 1)
        zoneRaw = [Double](repeating: 0, count: site.zones.count)
        zonePeople = zoneRaw
        zoneCounts = [Int](repeating: 0, count: site.zones.count)
        crossings = CrossingCounter(lines: site.lines, scale: site.scale)
        let lineZeros = [Int](repeating: 0, count: site.lines.count)
        latest = FrameEstimate(people: 0, count: 0, zoneCounts: zoneCounts, lineIn: lineZeros, lineOut: lineZeros)
        monitor = SceneMonitor(area: area, maxShift: m)
        feet = []
        feet.reserveCapacity(256)
        feetCounts = []
        feetCounts.reserveCapacity(256)
    }

    /// Crossings of each site line (in site line order) seen with the last frame.
    public var lineCrossingsIn: [Int] { crossings.lastIn }
    public var lineCrossingsOut: [Int] { crossings.lastOut }
    /// Crossings of each site line since the stream started.
    public var totalCrossingsIn: [Int] { crossings.totalIn }
    public var totalCrossingsOut: [Int] { crossings.totalOut }

    /// Cells whose background is held for someone standing still (`StillnessHold`).
    public var heldCells: Int { hold.heldCount() }

    /// The blobs of the last frame (cell coordinates of the analysed area).
    public var blobs: [Blob] { labeler.blobs }

    /// The last frame's foreground per 2x2 cell of `area` (0...4, row-major; `cellsWide` x `cellsHigh`):
    /// thresholded motion only, never pixel values (`lanternd check --aim`'s map).
    public func withForegroundCells<R>(_ body: (UnsafeBufferPointer<UInt8>, _ cellsWide: Int, _ cellsHigh: Int) -> R) -> R {
        body(UnsafeBufferPointer(cells.counts), cells.width, cells.height)
    }

    /// The background (grey levels of the analysed area, row-major, `area.width` wide), lent.
    public func withBackgroundPixels<R>(_ body: (GreyImage) -> R) -> R {
        body(GreyImage(unsafePixels: UnsafePointer(background.pixels.baseAddress!), width: background.width, height: background.height, stride: background.width))
    }

    /// Estimates the people in `frame`, a full camera frame of the size given at init.
    @discardableResult
    public func process(_ frame: GreyImage) -> FrameEstimate {
        precondition(frame.width >= area.x + area.width + monitor.maxShift
            && frame.height >= area.y + area.height + monitor.maxShift, "OccupancyEstimator: frame size changed")
        let f = framesProcessed
        monitor.measureFrame(frame)
        monitor.estimateShift()
        let view = frame.cropped(to: self.view)
        // After a scene change: relearn fast, then at `settleRate` while the ghosts of people absorbed by the
        // fast relearning fade (counts are withheld throughout).
        if !lumaRangeGiven && f < parameters.warmupFrames {
            rangeOutside += LumaRange.countOutsideLimited(view)
            rangePixels += view.width * view.height
            lumaRange = LumaRange.judged(outsideLimited: rangeOutside, of: rangePixels)
        }
        let fullRate: UInt8
        if f < parameters.warmupFrames || f < monitor.relearnUntil {
            fullRate = parameters.warmupRate
        } else if f < monitor.untrustedUntil {
            fullRate = parameters.settleRate
        } else {
            fullRate = 1
        }
        // The same speed in this range's levels (a limited-range background that moved a whole level every
        // frame would absorb a person who stops 16% sooner than a full-range one).
        stepCredit += lumaRange.difference(fromFull: Double(fullRate))
        let rate = UInt8(min(stepCredit + 1e-9, 255))
        stepCredit = max(stepCredit - Double(rate), 0)
        // People who stop are held while the background is trusted; a relearning background holds nothing.
        let holding = f >= parameters.warmupFrames && f >= monitor.untrustedUntil && hold.maximumFrames > 0
        if !holding { hold.releaseAll() }
        background.subtract(view, threshold: threshold, rate: rate, into: cells, hold: holding ? hold.cells : nil)
        foregroundFraction = Double(cells.foregroundPixels()) / Double(4 * cells.width * cells.height)
        if f >= parameters.warmupFrames && f >= monitor.relearnUntil
            && (foregroundFraction > parameters.sceneChangeFraction
                || foregroundFraction - monitor.previousForeground > parameters.sceneChangeJump) {
            monitor.relearnUntil = f + 1 + parameters.warmupFrames
            monitor.untrustedUntil = monitor.relearnUntil + parameters.settleFrames
        }
        monitor.previousForeground = foregroundFraction
        if f % max(parameters.statisticsPeriod, 1) == 0 || f == monitor.relearnUntil - 1 {
            monitor.measureBackground(
                UnsafePointer(background.pixels.baseAddress!), width: background.width, height: background.height,
                blankRange: UInt8(lumaRange.difference(fromFull: Double(parameters.blankRange)).rounded()),
                blankLevel: UInt8(lumaRange.level(fromFull: Double(parameters.blankLevel)).rounded()))
        }
        cells.buildConnectivityMask()
        labeler.label(cells, density: density)
        if holding {
            let labels = UnsafePointer(labeler.labels.baseAddress!), counts = UnsafePointer(cells.counts.baseAddress!)
            // Held are people, not the place someone absorbed into the background has left.
            ghosts.classify(
                frame: view, background: UnsafePointer(background.pixels.baseAddress!), backgroundStride: background.width,
                counts: counts, labels: labels, cellsWide: cells.width, cellsHigh: cells.height, blobCount: labeler.blobs.count)
            hold.update(
                labels: labels, foreground: counts, blobs: labeler.blobs, ghosts: ghosts.isGhost,
                minimumPeople: parameters.minimumBlobPeople)
        }
        framesProcessed += 1

        var total = 0.0
        for blob in labeler.blobs where blob.people >= parameters.minimumBlobPeople { total += blob.people }
        if !zoneRaw.isEmpty { accumulateZones() }
        // While the background is relearnt fast after the scene changed, the blobs are the change, not
        // people: the crossing counter sees none (followed blobs coast, then are dropped), so nothing
        // crosses. Once relearnt (settling, counts still withheld) people are followed again.
        if !site.lines.isEmpty { followCrossings(relearning: f >= parameters.warmupFrames && f < monitor.relearnUntil) }

        smoothing.set(total, series: 0)
        for z in 0..<zoneRaw.count { smoothing.set(zoneRaw[z], series: z + 1) }
        smoothing.advance()
        let people = smoothing.median(series: 0)
        for z in 0..<zoneRaw.count {
            zonePeople[z] = smoothing.median(series: z + 1)
            zoneCounts[z] = Self.headCount(zonePeople[z])
        }
        // In place: the arrays were allocated at init and are reused (no allocation per frame while the
        // caller holds no earlier estimate).
        latest.people = people
        latest.count = Self.headCount(people)
        latest.condition = condition(frame: f)
        for z in 0..<zoneCounts.count { latest.zoneCounts[z] = zoneCounts[z] }
        for l in 0..<site.lines.count {
            latest.lineIn[l] = crossings.lastIn[l]
            latest.lineOut[l] = crossings.lastOut[l]
        }
        return latest
    }

    /// The foreground threshold for the scene's current brightness (see `EstimatorParameters.thresholdFraction`),
    /// in the camera's luma range: the parameters are full-range grey levels, and a limited-range camera
    /// shows the same scene with 219/255 of the contrast.
    public var threshold: UInt8 {
        let scaled = brightness * parameters.thresholdFraction
        let full = max(Double(parameters.minimumThreshold), min(Double(parameters.threshold), scaled))
        // Rounded up: a limited-range camera is never more sensitive to noise than a full-range one.
        return UInt8(lumaRange.difference(fromFull: full).rounded(.up))
    }

    /// The background's mean brightness as a full-range grey level.
    public var brightness: Double { lumaRange.fullLevel(monitor.backgroundMean) }

    /// The trust verdict for frame `f`, most fundamental reason first.
    func condition(frame f: Int) -> SceneCondition {
        if f < parameters.warmupFrames { return .learning }
        if f < monitor.untrustedUntil { return .sceneChanged }
        if brightness < parameters.darkLevel { return .tooDark }
        if monitor.blankFraction > parameters.blankFractionLimit { return .obstructed }
        // The camera moved beyond what is followed in two of the last eight frames.
        if (monitor.limitHistory & 0xFF).nonzeroBitCount >= 2 { return .unstable }
        return .ok
    }

    @inline(__always)
    static func headCount(_ people: Double) -> Int { Int((people + 0.5).rounded(.down)) }

    /// Feeds the counted blobs' foot points (full-frame pixels) to the crossing counter: a lone person's is
    /// the blob's bottom centre; a group's blob is cut into as many side-by-side parts of equal weight as it
    /// holds people, each with its own foot point (its weighted centre column, its lowest cell), so people
    /// who walk together and then part, or cross the line side by side, are followed one by one. While
    /// `relearning`, none.
    func followCrossings(relearning: Bool) {
        feet.removeAll(keepingCapacity: true)
        feetCounts.removeAll(keepingCapacity: true)
        let blobs = labeler.blobs
        for b in 0..<blobs.count where !relearning && blobs[b].people >= parameters.minimumBlobPeople {
            let blob = blobs[b]
            let n = max(Self.headCount(blob.people), 1)
            // Side by side, at most as many as fit in its width (a person is about 0.35 of their height
            // wide); people one behind the other share a foot point.
            let footRow = Double(area.y + 2 * (blob.maxY + 1))
            let across = Int((Double(2 * (blob.maxX - blob.minX + 1)) / (0.35 * site.scale.height(atFootRow: footRow))).rounded())
            let parts = min(n, max(across, 1))
            if parts == 1 {
                feet.append(Point(x: Double(area.x) + 2 * blob.centreX + 1, y: footRow))
                feetCounts.append(n)
                continue
            }
            splitGroup(b, into: parts, people: n)
        }
        // Sides seen while the background is first learnt are not trusted (this frame is framesProcessed - 1).
        crossings.update(feet: feet, counts: feetCounts, sidesTrusted: framesProcessed > parameters.warmupFrames)
    }

    /// Appends `n` foot points for group blob `b`, from its columns' weights and lowest cells.
    func splitGroup(_ b: Int, into n: Int, people: Int) {
        let blob = labeler.blobs[b]
        let w = cells.width
        let counts = cells.counts.baseAddress!, labels = labeler.labels.baseAddress!
        let label = Int32(b + 1)
        for x in blob.minX...blob.maxX {
            columnWeight[x] = 0
            columnBottom[x] = -1
        }
        for y in blob.minY...blob.maxY {
            let weight = density.weightPerPixel[y]
            for x in blob.minX...blob.maxX where labels[y * w + x] == label {
                columnWeight[x] += Double(counts[y * w + x]) * weight
                columnBottom[x] = Int32(y)
            }
        }
        let share = blob.people / Double(n)
        var part = 0, weight = 0.0, moment = 0.0, bottom: Int32 = -1, filled = 0.0
        for x in blob.minX...blob.maxX {
            weight += columnWeight[x]
            moment += columnWeight[x] * Double(x)
            bottom = max(bottom, columnBottom[x])
            filled += columnWeight[x]
            if (filled >= share * Double(part + 1) - 1e-9 || x == blob.maxX) && part < n && weight > 0 {
                let cx = moment / weight
                feet.append(Point(x: Double(area.x) + 2 * cx + 1, y: Double(area.y + 2 * (Int(max(bottom, 0)) + 1))))
                // The people are shared out as evenly as whole people go.
                feetCounts.append(people * (part + 1) / n - people * part / n)
                part += 1
                weight = 0
                moment = 0
                bottom = -1
            }
        }
    }

    /// Each counted blob's pixels go to the zones its people's feet are in: scanning each column of the
    /// grid upwards, a group's lowest cell in that column is the foot for every cell of it above; a lone
    /// person's foot is the blob's bottom.
    func accumulateZones() {
        for z in 0..<zoneRaw.count { zoneRaw[z] = 0 }
        let blobs = labeler.blobs
        if columnMark.count < blobs.count {
            columnMark = [Int32](repeating: -1, count: blobs.count * 2)
            columnFoot = [Int32](repeating: 0, count: blobs.count * 2)
        }
        for b in 0..<blobs.count { columnMark[b] = -1 }
        let counts = cells.counts.baseAddress!
        // The labels directly: going through `labeler` per cell costs an exclusivity check each time,
        // which was most of the frame.
        let labels = labeler.labels.baseAddress!
        let w = cells.width
        for x in 0..<w {
            var y = cells.height - 1
            while y >= 0 {
                defer { y -= 1 }
                let label = labels[y * w + x]
                guard label != 0 else { continue }
                let b = Int(label) - 1
                if columnMark[b] != Int32(x) {
                    columnMark[b] = Int32(x)
                    // A lone person's legs often match the pavement and vanish from some columns; their
                    // feet are still at the blob's bottom. Groups are split column by column.
                    columnFoot[b] = Int32(blobs[b].people < 1.5 ? blobs[b].maxY : y)
                }
                let n = counts[y * w + x]
                guard n != 0, blobs[b].people >= parameters.minimumBlobPeople else { continue }
                var rest = density.zoneMask[Int(columnFoot[b]) * w + x]
                let people = Double(n) * density.weightPerPixel[y]
                while rest != 0 {
                    zoneRaw[rest.trailingZeroBitCount] += people
                    rest &= rest - 1
                }
            }
        }
    }
}
