/// Why person heights could not be fitted, in one clause with what to do.
public enum PersonHeightFitError: Error, Equatable {
    /// Fewer distinct walkers than the fit needs (after outliers were set aside).
    case tooFewWalkers(found: Int, needed: Int)
    /// The walkers' feet were all seen at nearly the same rows: the slope is unknown.
    case rowsTooClose(span: Double, needed: Double)

    public var description: String {
        switch self {
        case .tooFewWalkers(let found, let needed):
            return "\(found) walker\(found == 1 ? "" : "s") seen alone, \(needed) needed; watch longer, or at a busier time"
        case .rowsTooClose(let span, let needed):
            return "the walkers' feet spanned \(formatFixed(span, places: 0)) rows, \(formatFixed(needed, places: 0)) needed; watch longer, until people have walked near and far"
        }
    }
}

/// The scene's perspective fitted from observed people: a person whose feet are at image row `r` is
/// `intercept + slope * r` pixels tall (a level ground plane seen by a pinhole camera gives exactly a
/// line), with its uncertainty.
///
/// The fit is robust: a consensus search over pairs of walkers (RANSAC, seeded, so the same samples give
/// the same fit) keeps the samples within `tolerance` of a line (people vary about ±10% in height; split or
/// merged blobs, shadows and people one behind the other fall outside), then weighted least squares on
/// those, repeated until the inliers settle. Each walker weighs at most as much as `walkerCap` samples, so
/// one long track (or a ghost that never moves) cannot pull the line. The uncertainty is a bootstrap over
/// walkers (a walker's samples are not independent): the covariance of the line's two coefficients over
/// `resamples` refits of walkers drawn with replacement.
///
/// Pure: samples in, numbers out; no image ever reaches it.
public struct PersonHeightFit: Equatable {
    public struct Options: Equatable {
        /// A sample is an inlier when within this fraction of the line's height at its row.
        public var tolerance = 0.15
        /// Consensus hypotheses tried (pairs of samples from different walkers).
        public var hypotheses = 400
        /// Least-squares rounds after the consensus (each re-selects the inliers).
        public var refinements = 4
        /// A walker's samples together weigh at most this many samples.
        public var walkerCap = 20.0
        /// Distinct walkers needed among the inliers.
        public var minimumWalkers = 3
        /// Bootstrap resamples of walkers for the uncertainty.
        public var resamples = 200
        /// The generator's seed (hypotheses and resamples).
        public var seed: UInt64 = 14

        public init() {}
    }

    /// Height at row 0, pixels.
    public var intercept: Double
    /// Height gained per row down the image.
    public var slope: Double
    /// Samples given, samples kept (inliers), and the walkers among the inliers.
    public var samples: Int
    public var inliers: Int
    public var walkers: Int
    /// The rows the inliers' feet spanned (the fit is measured there; beyond, it is extrapolated).
    public var firstRow: Double
    public var lastRow: Double
    /// Bootstrap (co)variances of the intercept and slope.
    public var interceptVariance: Double
    public var slopeVariance: Double
    public var covariance: Double
    /// Root mean square of the inliers' residuals, as a fraction of the fitted height.
    public var relativeSpread: Double

    /// The fitted height of a person whose feet are at `row`.
    @inlinable
    public func height(atRow row: Double) -> Double { intercept + slope * row }

    /// The standard error of `height(atRow:)` (one standard deviation over the bootstrap).
    public func standardError(atRow row: Double) -> Double {
        let v = interceptVariance + row * row * slopeVariance + 2 * row * covariance
        return max(v, 0).squareRoot()
    }

    /// Two rows to state the fit at in a site file: a tenth of the inliers' span in from each end,
    /// rounded to whole rows (any two rows give the same line; these are where it was measured).
    public var proposedRows: (Double, Double) {
        let span = lastRow - firstRow
        var a = (firstRow + 0.1 * span).rounded(), b = (lastRow - 0.1 * span).rounded()
        if b <= a { a = firstRow.rounded(.down); b = max(lastRow.rounded(.up), a + 1) }
        return (a, b)
    }

    /// The fit as the site file's `personHeights`, at `proposedRows` (heights to one decimal).
    public var personScale: PersonScale {
        let (a, b) = proposedRows
        return PersonScale(samples: [
            PersonScale.Sample(row: a, height: (height(atRow: a) * 10).rounded() / 10),
            PersonScale.Sample(row: b, height: (height(atRow: b) * 10).rounded() / 10),
        ])
    }

    public init(
        intercept: Double, slope: Double, samples: Int, inliers: Int, walkers: Int, firstRow: Double, lastRow: Double,
        interceptVariance: Double = 0, slopeVariance: Double = 0, covariance: Double = 0, relativeSpread: Double = 0
    ) {
        self.intercept = intercept
        self.slope = slope
        self.samples = samples
        self.inliers = inliers
        self.walkers = walkers
        self.firstRow = firstRow
        self.lastRow = lastRow
        self.interceptVariance = interceptVariance
        self.slopeVariance = slopeVariance
        self.covariance = covariance
        self.relativeSpread = relativeSpread
    }

    /// Fits the line to `samples`. `minimumRowSpan`: how many rows the inliers' feet must span (the caller
    /// knows the frame: a tenth of its height is a fair demand).
    public static func fit(
        _ samples: [PersonHeightSample], minimumRowSpan: Double = 1, options: Options = Options()
    ) throws(PersonHeightFitError) -> PersonHeightFit {
        let n = samples.count
        // Walkers as dense indices, and each sample's weight (a walker weighs at most `walkerCap`).
        var walkerIndex = [Int](repeating: 0, count: n)
        var ids: [Int] = []
        var perWalker: [Int] = []
        for i in 0..<n {
            let id = samples[i].walker
            var k = 0
            while k < ids.count && ids[k] != id { k += 1 }
            if k == ids.count {
                ids.append(id)
                perWalker.append(0)
            }
            walkerIndex[i] = k
            perWalker[k] += 1
        }
        guard ids.count >= options.minimumWalkers else {
            throw .tooFewWalkers(found: ids.count, needed: options.minimumWalkers)
        }
        var weight = [Double](repeating: 1, count: n)
        for i in 0..<n { weight[i] = min(1, options.walkerCap / Double(perWalker[walkerIndex[i]])) }

        // Each walker's samples, contiguous (so a hypothesis draws walkers first: a walker seen a thousand
        // times is no likelier to be drawn than one seen ten times).
        var firstOfWalker = [Int](repeating: 0, count: ids.count + 1)
        for k in 0..<ids.count { firstOfWalker[k + 1] = firstOfWalker[k] + perWalker[k] }
        var byWalker = [Int](repeating: 0, count: n)
        var filled = firstOfWalker
        for i in 0..<n {
            byWalker[filled[walkerIndex[i]]] = i
            filled[walkerIndex[i]] += 1
        }
        // Consensus: the line through two samples of different walkers that gathers the most weight.
        var random = SplitMix64(seed: options.seed)
        func draw(_ walker: Int) -> Int {
            let count = UInt64(perWalker[walker])
            return byWalker[firstOfWalker[walker] + Int(random.next() % count)]
        }
        var bestScore = -1.0
        var best = (intercept: 0.0, slope: 0.0)
        var tries = 0
        while tries < options.hypotheses {
            tries += 1
            let wi = Int(random.next() % UInt64(ids.count)), wj = Int(random.next() % UInt64(ids.count))
            guard wi != wj else { continue }
            let a = samples[draw(wi)], b = samples[draw(wj)]
            guard abs(a.row - b.row) >= 1 else { continue }
            let slope = (b.height - a.height) / (b.row - a.row)
            let intercept = a.height - slope * a.row
            var score = 0.0
            for k in 0..<n where isInlier(samples[k], intercept, slope, options.tolerance) { score += weight[k] }
            if score > bestScore {
                bestScore = score
                best = (intercept, slope)
            }
        }
        guard bestScore > 0 else { throw .rowsTooClose(span: 0, needed: minimumRowSpan) }

        // Least squares on the inliers, re-selecting them each round.
        var inlier = [Bool](repeating: false, count: n)
        for _ in 0..<max(options.refinements, 1) {
            for k in 0..<n { inlier[k] = isInlier(samples[k], best.intercept, best.slope, options.tolerance) }
            guard let line = leastSquares(samples, weight, inlier, multiplicity: nil, walkerIndex) else { break }
            best = line
        }
        for k in 0..<n { inlier[k] = isInlier(samples[k], best.intercept, best.slope, options.tolerance) }

        var kept = 0, first = Double.infinity, last = -Double.infinity, squares = 0.0
        var walkerSeen = [Bool](repeating: false, count: ids.count)
        for k in 0..<n where inlier[k] {
            kept += 1
            walkerSeen[walkerIndex[k]] = true
            first = min(first, samples[k].row)
            last = max(last, samples[k].row)
            let predicted = best.intercept + best.slope * samples[k].row
            let r = (samples[k].height - predicted) / predicted
            squares += r * r
        }
        var walkers = 0
        for seen in walkerSeen where seen { walkers += 1 }
        guard walkers >= options.minimumWalkers else { throw .tooFewWalkers(found: walkers, needed: options.minimumWalkers) }
        guard last - first >= minimumRowSpan else { throw .rowsTooClose(span: max(last - first, 0), needed: minimumRowSpan) }

        // Bootstrap over walkers: each resample draws as many walkers as there are, with replacement.
        var multiplicity = [Double](repeating: 0, count: ids.count)
        var sumA = 0.0, sumB = 0.0, sumAA = 0.0, sumBB = 0.0, sumAB = 0.0, fits = 0.0
        for _ in 0..<options.resamples {
            for w in 0..<ids.count { multiplicity[w] = 0 }
            for _ in 0..<ids.count { multiplicity[Int(random.next() % UInt64(ids.count))] += 1 }
            guard let line = leastSquares(samples, weight, inlier, multiplicity: multiplicity, walkerIndex) else { continue }
            sumA += line.intercept
            sumB += line.slope
            sumAA += line.intercept * line.intercept
            sumBB += line.slope * line.slope
            sumAB += line.intercept * line.slope
            fits += 1
        }
        var varA = 0.0, varB = 0.0, cov = 0.0
        if fits > 1 {
            let meanA = sumA / fits, meanB = sumB / fits
            varA = (sumAA / fits - meanA * meanA) * fits / (fits - 1)
            varB = (sumBB / fits - meanB * meanB) * fits / (fits - 1)
            cov = (sumAB / fits - meanA * meanB) * fits / (fits - 1)
        }
        return PersonHeightFit(
            intercept: best.intercept, slope: best.slope, samples: n, inliers: kept, walkers: walkers, firstRow: first,
            lastRow: last, interceptVariance: max(varA, 0), slopeVariance: max(varB, 0), covariance: cov,
            relativeSpread: kept > 0 ? (squares / Double(kept)).squareRoot() : 0)
    }

    @inline(__always)
    static func isInlier(_ s: PersonHeightSample, _ intercept: Double, _ slope: Double, _ tolerance: Double) -> Bool {
        let predicted = intercept + slope * s.row
        return predicted > 0 && abs(s.height - predicted) <= tolerance * predicted
    }

    /// Weighted least squares over the inliers (each weighted by its walker's multiplicity in a
    /// resample, when given); nil when the rows do not determine a slope.
    static func leastSquares(
        _ samples: [PersonHeightSample], _ weight: [Double], _ inlier: [Bool], multiplicity: [Double]?, _ walkerIndex: [Int]
    ) -> (intercept: Double, slope: Double)? {
        var sw = 0.0, sx = 0.0, sy = 0.0
        for k in 0..<samples.count where inlier[k] {
            let w = weight[k] * (multiplicity?[walkerIndex[k]] ?? 1)
            sw += w
            sx += w * samples[k].row
            sy += w * samples[k].height
        }
        guard sw > 0 else { return nil }
        let mx = sx / sw, my = sy / sw
        var sxx = 0.0, sxy = 0.0
        for k in 0..<samples.count where inlier[k] {
            let w = weight[k] * (multiplicity?[walkerIndex[k]] ?? 1)
            let dx = samples[k].row - mx
            sxx += w * dx * dx
            sxy += w * dx * (samples[k].height - my)
        }
        guard sxx > 1e-9 * sw else { return nil }
        let slope = sxy / sxx
        return (my - slope * mx, slope)
    }
}
