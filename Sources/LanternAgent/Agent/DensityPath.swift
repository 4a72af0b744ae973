import LanternCore
import LanternDensity

/// The density path of one stream: the density model (`DensityCounter`, weights compiled in) run on the
/// analysed area every `1 / site.density.hertz` seconds of frame time while it counts or a scene worth it
/// gathers the gate's evidence (every `idlePeriodMicros` otherwise), and `DensityFusion`, which turns its
/// map and the motion path's foreground into the people the motion path does not see. Made with the estimator (once per stream):
/// every buffer is allocated here or on the first step, never per frame.
///
/// Steps are scheduled on the frames' own timestamps (the first frame after each due time), so a replay
/// gives the same steps and the same counts on every machine and at every speed.
public final class DensityPath {
    public let counter: DensityCounter
    public let fusion: DensityFusion
    public let periodMicros: Int64
    /// Every this many steps (at least 2), the first included, the model runs on the background instead of
    /// the frame: the background changes slowly, and its map costs as much as the frame's.
    public let backgroundEvery: Int
    /// While the density path adds nothing (weight 0: not yet evidence enough that the model sees this
    /// scene's people, or evidence that it does not), it only measures its response, one step this often
    /// (microseconds of frame time): what the model sees changes with the light and the crowd, over
    /// minutes, not seconds. The site's rate applies while the density path counts (weight above 0), and
    /// while a busy scene gathers the gate's evidence (`gathersAtSiteRate`).
    public let idlePeriodMicros: Int64
    /// People the model's map holds beyond the motion path's (`DensityFusion.unseenPeople`, at the last
    /// step) from which the gate's evidence is worth gathering at the site's rate even in a sparse scene:
    /// there may be people standing still whom only the density path can count. On the dev clip the
    /// map holds -0.4 to 0.7 beyond its walkers; with six people standing among them, 3.9 to 5.1.
    public let unseenWorthGathering: Double
    /// The motion path's people at the last step.
    private var lastMotionPeople = 0.0
    private var nextDueMicros: Int64?
    private var backgroundMap: [Float] = []
    private var hasBackgroundMap = false
    /// Steps run (one model run each: a frame's, or the background's).
    public private(set) var steps = 0
    /// The last frame step's density model count of the whole analysed area (the map's sum), for logs.
    public private(set) var lastModelCount = 0.0

    /// The frame of the board's density budget: the density path at 2 Hz on 640x480 within 15% of one
    /// Cortex-A72 core (`lantern-sim bench --density` prints the estimate).
    public static let budgetFrame = (width: 640, height: 480)

    /// How much the calibration may enlarge the analysed area for the model: as far as it takes to bring
    /// people to the model's size (`DensityCounter.scale`), but not beyond the budget frame's pixels, nor
    /// more than `largestUpscale` times. The model takes people far smaller than its own for texture, and
    /// texture for people: on the dev clip's 376x280 area (people 28 to 55 px, the model's 80), away from
    /// everyone, it counts 6.3 people of lawn and building in the frame as it is, and 0.1 in the frame
    /// enlarged 1.7 times. A 640x480 or larger area is never enlarged, and enlarging never makes a step
    /// cost more than about one at 640x480.
    public static func maximumUpscale(_ area: PixelRect) -> Double {
        let budget = Double(budgetFrame.width * budgetFrame.height)
        return min(max(1, (budget / Double(max(area.width * area.height, 1))).squareRoot()), largestUpscale)
    }

    /// The most any area is enlarged: further, a person is a blur the model never saw in training (it saw
    /// people enlarged at most 1.4 times).
    public static let largestUpscale = 4.0

    /// The bundled weights, parsed once (nil if they do not parse: the density path is then off).
    static let bundledWeights: DensityWeights? = {
        do throws(DensityWeightsError) {
            return try DensityWeights.bundled()
        } catch {
            return nil
        }
    }()

    /// Nil when the site turns the density path off or the bundled weights are unusable.
    public init?(site: SiteConfig, estimator: OccupancyEstimator, backgroundEvery: Int = 8, idlePeriodMicros: Int64 = 15_000_000,
        unseenWorthGathering: Double = 2, parameters: DensityFusion.Parameters = DensityFusion.Parameters()) {
        guard site.density.isOn, let weights = DensityPath.bundledWeights else { return nil }
        let area = estimator.area
        counter = DensityCounter(
            weights: weights, maxWidth: area.width, maxHeight: area.height, maximumUpscale: Self.maximumUpscale(area))
        fusion = DensityFusion(
            cellsWide: area.width / 2, cellsHigh: area.height / 2, origin: (area.x, area.y), scale: site.scale, zones: site.zones,
            parameters: parameters)
        periodMicros = max(Int64((1_000_000 / site.density.hertz).rounded()), 1)
        self.backgroundEvery = max(backgroundEvery, 2)
        self.idlePeriodMicros = idlePeriodMicros
        self.unseenWorthGathering = unseenWorthGathering
    }

    /// Runs a density step when one is due at `t` (the frame's time), after the estimator analysed `frame`.
    /// Returns whether it ran.
    @discardableResult
    public func frame(_ frame: GreyImage, atMicros t: Int64, estimator: OccupancyEstimator, estimate: FrameEstimate) -> Bool {
        // While the background is first learnt its foreground means nothing.
        guard estimate.condition != .learning else { return false }
        if let due = nextDueMicros, t < due { return false }

        // One model run per step, so the site's rate is what the model costs (the budget: 2 Hz on 640x480):
        // every `backgroundEvery`-th step, the first included, runs it on the background instead of the
        // frame, and the count stays as the last frame step left it.
        if steps % backgroundEvery == 0 {
            mapBackground(estimator: estimator)
        } else {
            countFrame(frame, estimator: estimator, estimate: estimate)
        }
        steps += 1
        lastMotionPeople = estimate.people
        // The next step by this one's verdict: the site's rate once the density path counts.
        let period = fusion.weight == 0 && !gathersAtSiteRate ? max(periodMicros, idlePeriodMicros) : periodMicros
        var due = (nextDueMicros ?? t) + period
        if due <= t { due = t + period }
        nextDueMicros = due
        return true
    }

    /// Whether the gate's evidence is gathered at the site's rate rather than the idle one: while it is
    /// incomplete, and either the last step alone brought a tenth of it (a busy scene, whose gate then
    /// decides within about ten steps instead of minutes) or the model's map held `unseenWorthGathering`
    /// people beyond the motion path's (people who stand still may be there, and a sparse scene's gate
    /// then decides within a minute or two, not five). Otherwise a sparse scene's steps would cost the
    /// motion path's speed for nothing: its gate would open onto no one.
    var gathersAtSiteRate: Bool {
        let needed = fusion.parameters.minimumEvidence
        guard fusion.responseEvidence < needed else { return false }
        return lastMotionPeople >= needed / 10 || fusion.unseenPeople >= unseenWorthGathering
    }

    /// A background step: the background's map, kept for the frame steps' response.
    private func mapBackground(estimator: OccupancyEstimator) {
        _ = estimator.withBackgroundPixels { background in
            counter.count(background, personScale: estimator.site.scale, frameRowOffset: estimator.area.y)
        }
        counter.withDensityMap { map in
            if backgroundMap.count != map.values.count {
                backgroundMap = [Float](repeating: 0, count: map.values.count)
            }
            var total = 0.0
            for i in 0..<map.values.count {
                backgroundMap[i] = map.values[i]
                total += Double(map.values[i])
            }
            fusion.background(total: total)
        }
        hasBackgroundMap = true
    }

    /// A frame step: the frame's map, fused with the motion path's foreground.
    private func countFrame(_ frame: GreyImage, estimator: OccupancyEstimator, estimate: FrameEstimate) {
        let view = frame.cropped(to: estimator.view)
        lastModelCount = counter.count(view, personScale: estimator.site.scale, frameRowOffset: estimator.area.y)
        let trusted = estimate.trusted
        counter.withDensityMap { map in
            estimator.withForegroundCells { cells, _, _ in
                backgroundMap.withUnsafeBufferPointer { background in
                    fusion.step(
                        map: map.values, mapWidth: map.width, mapHeight: map.height, cellWidth: map.cellWidth,
                        cellHeight: map.cellHeight, background: hasBackgroundMap && background.count == map.values.count ? background : nil,
                        foreground: cells.baseAddress!, motionPeople: estimate.people, zoneMotionPeople: estimator.zonePeople,
                        trusted: trusted)
                }
            }
        }
    }
}
