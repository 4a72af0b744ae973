import LanternAgent
import LanternCore
import LanternDensity
import LanternRuntime

/// What `lantern-sim report` shows, gathered from replays of the clip through the board's run loop and
/// agent (`Replay`): the count of every frame against the truth, the zones and lines against the truth
/// of the boxes, the `evaluate` table, and a few frames (the worst ones when there is truth) with what
/// the estimator saw in them.
public struct AccuracyReport {
    /// One replayed frame.
    public struct FrameRow {
        public var index: Int
        public var count: Int
        public var people: Double
        public var trusted: Bool
        public var truth: Int?
        public var zoneCounts: [Int]
        public var zoneTruth: [Int]?
    }

    public struct ZoneRow {
        public var name: String
        public var score: Score
    }

    public struct LineRow {
        public var name: String
        public var countedIn: Int, countedOut: Int
        public var truthIn: Int?, truthOut: Int?
    }

    public var clipName: String
    public var siteName: String
    public var site: SiteConfig
    public var frameWidth = 0
    public var frameHeight = 0
    public var warmup: Int
    public var frames: [FrameRow] = []
    public var score = Score()
    public var zones: [ZoneRow] = []
    public var lines: [LineRow] = []
    public var evaluation: EvaluationReport?
    public var snapshots: [FrameSnapshot] = []
    /// Whether `snapshots` are the frames with the largest error (there was truth) or evenly spread.
    public var snapshotsAreWorst = false

    /// Replays the clip (twice: once to score it, once to keep the chosen frames' pixels).
    /// - Parameters:
    ///   - snapshotCount: how many frames to show.
    ///   - evaluate: whether to run `Evaluation` too (needs `truth`).
    public static func make(
        clipPath: String, site: SiteConfig, siteName: String, truth: GroundTruth?, boxes: [TruthBox]?, warmup: Int = 50,
        snapshotCount: Int = 4, evaluate: Bool = true, evaluationIntervalSeconds: Int = 5
    ) throws(SimulatorError) -> AccuracyReport {
        var report = AccuracyReport(clipName: clipPath, siteName: siteName, site: site, warmup: warmup)
        let zoneTruth = boxes.map { ZoneAndLineTruth(boxes: $0, site: site, firstFrame: warmup) }
        var replay = Replay(clipPath: clipPath, site: site, warmup: warmup)
        replay.siteName = siteName
        var zoneScores = [Score](repeating: Score(), count: site.zones.count)
        var totalIn = [Int](repeating: 0, count: site.lines.count), totalOut = totalIn
        var rows: [FrameRow] = []
        let summary = try replay.run(truth: truth, onFrame: { frame, _ in
            let expected = truth?.counts[frame.index]
            var zoneExpected: [Int]?
            if let zoneTruth {
                zoneExpected = zoneTruth.zoneCounts[frame.index] ?? [Int](repeating: 0, count: site.zones.count)
            }
            if frame.index >= warmup {
                if let zoneExpected {
                    for z in 0..<site.zones.count { zoneScores[z].add(predicted: Double(frame.zoneCounts[z]), truth: Double(zoneExpected[z])) }
                }
                for l in 0..<frame.estimate.lineIn.count {
                    totalIn[l] += frame.estimate.lineIn[l]
                    totalOut[l] += frame.estimate.lineOut[l]
                }
            }
            rows.append(FrameRow(
                index: frame.index, count: frame.estimate.count, people: frame.estimate.people, trusted: frame.estimate.trusted,
                truth: expected, zoneCounts: frame.zoneCounts, zoneTruth: zoneExpected))
        })
        report.frames = rows
        report.score = summary.score
        if zoneTruth != nil {
            report.zones = site.zones.enumerated().map { ZoneRow(name: $0.element.name, score: zoneScores[$0.offset]) }
        }
        report.lines = site.lines.enumerated().map { l, line in
            LineRow(name: line.name, countedIn: totalIn[l], countedOut: totalOut[l], truthIn: zoneTruth?.crossingsIn[l], truthOut: zoneTruth?.crossingsOut[l])
        }
        let chosen = report.chooseSnapshotFrames(count: snapshotCount)
        report.snapshotsAreWorst = truth != nil
        report.snapshots = try report.capture(frames: chosen, replay: replay)
        if let first = report.snapshots.first {
            report.frameWidth = first.width
            report.frameHeight = first.height
        }
        if evaluate, let truth {
            report.evaluation = try Evaluation(
                clipPath: clipPath, site: site, truth: truth, warmup: warmup, intervalSeconds: evaluationIntervalSeconds
            ).run()
        }
        return report
    }

    /// The scored frames with the largest error, at least a second of frames apart; without truth,
    /// frames spread evenly after the warm-up.
    func chooseSnapshotFrames(count: Int) -> [Int] {
        guard count > 0, !frames.isEmpty else { return [] }
        let scored = frames.filter { $0.index >= warmup && $0.truth != nil }
        if scored.isEmpty {
            let first = min(warmup, frames.count - 1)
            let span = frames.count - first
            return Array(Set((0..<count).map { first + $0 * span / count })).sorted()
        }
        let ranked = scored.sorted {
            let a = abs($0.count - $0.truth!), b = abs($1.count - $1.truth!)
            return a != b ? a > b : $0.index < $1.index
        }
        var picked: [Int] = []
        let gap = 10
        for row in ranked where picked.allSatisfy({ abs($0 - row.index) >= gap }) {
            picked.append(row.index)
            if picked.count == count { break }
        }
        return picked.sorted()
    }

    /// Replays the clip again and keeps the pixels, foreground cells and density map of `frames`.
    func capture(frames wanted: [Int], replay: Replay) throws(SimulatorError) -> [FrameSnapshot] {
        guard !wanted.isEmpty else { return [] }
        let wantedSet = Set(wanted)
        var pixels: [Int: (width: Int, height: Int, data: [UInt8])] = [:]
        var snapshots: [FrameSnapshot] = []
        let rows = frames
        _ = try replay.run(
            transform: { index, buffer, width, height in
                if wantedSet.contains(index) { pixels[index] = (width, height, Array(buffer)) }
            },
            onFrame: { frame, agent in
                guard let p = pixels.removeValue(forKey: frame.index), let estimator = agent.estimator else { return }
                var snapshot = estimator.withForegroundCells { cells, wide, high in
                    FrameSnapshot(
                        index: frame.index, width: p.width, height: p.height, pixels: p.data, foregroundCells: Array(cells),
                        cellsWide: wide, cellsHigh: high, area: estimator.area, count: frame.estimate.count,
                        truth: rows[frame.index].truth, condition: frame.estimate.condition.name)
                }
                snapshot.pixels = p.data
                snapshots.append(snapshot)
            })
        if let first = snapshots.first, let weights = try? DensityWeights.bundled() {
            let counter = DensityCounter(weights: weights, maxWidth: first.width, maxHeight: first.height)
            for i in snapshots.indices { snapshots[i].addDensity(counter: counter, site: site) }
        }
        return snapshots
    }
}
