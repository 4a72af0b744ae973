import LanternCore
import LanternAgent
import LanternRuntime

/// How the estimator fared under one condition of `lantern-sim evaluate`.
public struct ConditionResult: Equatable {
    public enum Verdict: Equatable {
        /// Counted within the allowed error over the intervals it reported.
        case pass
        /// Every interval was reported unknown: nothing wrong was claimed, but nothing was counted either.
        case passUnknown
        case fail
    }

    /// "clean", or the perturbation's name.
    public var name: String
    /// Trusted frames with truth inside intervals reported as known (the frames scored).
    public var framesScored: Int
    public var intervalsKnown: Int
    public var intervalsTotal: Int
    /// Accuracy over the scored frames of the known intervals.
    public var score: Score
    public var verdict: Verdict
    /// Untrusted scored frames by reason (`SceneCondition.name`), most frequent first.
    public var untrustedReasons: [(String, Int)]
    /// The still scene only: frames of the freeze, those off by more than the tolerance, the frozen frame's
    /// truth and the count furthest from it.
    public var holdFrames: Int?
    public var holdFramesOff: Int?
    public var holdTruth: Int?
    public var holdWorst: Int?

    public static func == (a: ConditionResult, b: ConditionResult) -> Bool {
        a.name == b.name && a.framesScored == b.framesScored && a.intervalsKnown == b.intervalsKnown
            && a.intervalsTotal == b.intervalsTotal && a.score == b.score && a.verdict == b.verdict
            && a.untrustedReasons.elementsEqual(b.untrustedReasons, by: { $0 == $1 })
    }
}

/// The outcome of `lantern-sim evaluate`: the clean clip and each perturbation.
public struct EvaluationReport {
    /// MAE of the clean clip over every scored frame, trusted or not: the reference.
    public var cleanMAE: Double
    /// Allowed MAE in a condition's known intervals (twice the clean MAE).
    public var allowedMAE: Double
    /// Seconds per interval (clip time).
    public var intervalSeconds: Int
    public var rows: [ConditionResult]

    public var passed: Bool { rows.allSatisfy { $0.verdict != .fail } }

    /// The table, one line per condition.
    public var table: String {
        var lines: [String] = []
        lines.append("clean MAE=\(formatFixed(cleanMAE, places: 3)) (all scored frames); a condition passes when its MAE over known "
            + "intervals <= \(formatFixed(allowedMAE, places: 3)); intervals of \(intervalSeconds) s, unknown (as the board reports them) when under half of their time was trusted")
        let header = ["condition", "frames scored", "intervals known/total", "MAE (known)", "bias (known)", "verdict", "untrusted frames by reason"]
        var cells: [[String]] = [header]
        for r in rows {
            var verdict: String
            switch r.verdict {
            case .pass: verdict = "PASS"
            case .passUnknown: verdict = "PASS (unknown: every interval unknown, nothing counted)"
            case .fail: verdict = "FAIL"
            }
            if let frames = r.holdFrames, let off = r.holdFramesOff, let t = r.holdTruth, let worst = r.holdWorst {
                verdict += " (freeze: \(frames) frames, truth \(t), worst \(worst), \(off) off by more than 1)"
            }
            let known = r.intervalsKnown > 0
            cells.append([
                r.name, "\(r.framesScored)", "\(r.intervalsKnown)/\(r.intervalsTotal)",
                known ? formatFixed(r.score.mae, places: 3) : "-",
                known ? formatSigned(r.score.bias, places: 3) : "-",
                verdict,
                r.untrustedReasons.isEmpty ? "-" : r.untrustedReasons.map { "\($0.0) \($0.1)" }.joined(separator: ", "),
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        for (n, row) in cells.enumerated() {
            var line = "|"
            for (i, c) in row.enumerated() { line += " " + c + String(repeating: " ", count: widths[i] - c.count) + " |" }
            lines.append(line)
            if n == 0 { lines.append("|" + widths.map { String(repeating: "-", count: $0 + 2) + "|" }.joined()) }
        }
        return lines.joined(separator: "\n")
    }
}

/// Replays a clip clean and under each `Perturbation` through the board's run loop and agent, and
/// scores the counts of the intervals the agent did not report as unknown: an interval is unknown here
/// exactly when `lanternd run --replay` would report it so (its trusted coverage under half).
public struct Evaluation {
    public var clipPath: String
    public var site: SiteConfig
    public var truth: GroundTruth
    public var parameters: EstimatorParameters
    public var warmup: Int
    /// Seconds per interval (clip time).
    public var intervalSeconds: Int
    public var seed: UInt64
    public var perturbations: [Perturbation]
    /// Whether to add the still-scene row (`StillScene`).
    public var includeStillScene: Bool

    public init(
        clipPath: String, site: SiteConfig, truth: GroundTruth, parameters: EstimatorParameters = EstimatorParameters(),
        warmup: Int = 50, intervalSeconds: Int = 5, seed: UInt64 = 1, perturbations: [Perturbation] = Perturbation.allCases,
        includeStillScene: Bool = true
    ) {
        self.includeStillScene = includeStillScene
        self.clipPath = clipPath
        self.site = site
        self.truth = truth
        self.parameters = parameters
        self.warmup = warmup
        self.intervalSeconds = intervalSeconds
        self.seed = seed
        self.perturbations = perturbations
    }

    /// One replayed frame, as scoring needs it.
    struct FrameOutcome {
        var count: Int
        var condition: SceneCondition
        /// Clip time, microseconds from the origin.
        var micros: Int64
    }

    public func run() throws(SimulatorError) -> EvaluationReport {
        guard intervalSeconds >= 1 && intervalSeconds <= 86_400 else {
            throw SimulatorError("--interval must be from 1 to 86400 seconds (got \(intervalSeconds))", status: .usage)
        }
        let replay = Replay(clipPath: clipPath, site: site, parameters: parameters, warmup: warmup, intervalSeconds: intervalSeconds)
        var frames: [FrameOutcome] = []
        let record = { (frame: ReplayFrame, _: Agent) in
            frames.append(FrameOutcome(count: frame.estimate.count, condition: frame.estimate.condition, micros: frame.micros))
        }
        let clean = try replay.run(truth: truth, onFrame: record)
        let cleanMAE = clean.score.mae
        let allowed = 2 * cleanMAE
        var rows = [score(name: "clean", frames: frames, records: clean.records, allowed: allowed)]
        let frameCount = clean.frames
        for p in perturbations {
            frames.removeAll(keepingCapacity: true)
            let seed = self.seed
            let summary = try replay.run(
                transform: { index, pixels, width, height in
                    p.apply(to: pixels, width: width, height: height, index: index, frameCount: frameCount, seed: seed)
                },
                onFrame: record)
            rows.append(score(name: p.rawValue, frames: frames, records: summary.records, allowed: allowed))
        }
        if includeStillScene { rows.append(try stillSceneRow(allowed: allowed)) }
        return EvaluationReport(cleanMAE: cleanMAE, allowedMAE: allowed, intervalSeconds: intervalSeconds, rows: rows)
    }

    /// Scores the frames of the intervals that hold a scored frame (from `warmup` on): the agent's
    /// whole-view records say which are unknown.
    func score(name: String, frames: [FrameOutcome], records: [IntervalRecord], allowed: Double) -> ConditionResult {
        var result = ConditionResult(
            name: name, framesScored: 0, intervalsKnown: 0, intervalsTotal: 0, score: Score(), verdict: .pass, untrustedReasons: [])
        var reasons: [String: Int] = [:]
        for i in warmup..<max(frames.count, warmup) where frames[i].condition != .ok {
            reasons[frames[i].condition.name, default: 0] += 1
        }
        let origin = ClipTime.defaultOriginSeconds
        var next = 0
        for r in records where r.isWholeView {
            let from = (r.start.secondsSinceEpoch - origin) * 1_000_000, to = (r.end.secondsSinceEpoch - origin) * 1_000_000
            var scored: [Int] = []
            while next < frames.count && frames[next].micros < to {
                if frames[next].micros >= from && next >= warmup { scored.append(next) }
                next += 1
            }
            guard !scored.isEmpty else { continue }
            result.intervalsTotal += 1
            guard r.status != .unknown else { continue }
            result.intervalsKnown += 1
            // The interval's count comes from its trusted frames only, as the agent's does.
            for i in scored where frames[i].condition == .ok {
                guard let expected = truth.counts[i] else { continue }
                result.score.add(predicted: Double(frames[i].count), truth: Double(expected))
            }
        }
        result.framesScored = result.score.scored
        result.untrustedReasons = reasons.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        if result.intervalsKnown == 0 {
            result.verdict = .passUnknown
        } else {
            result.verdict = result.score.mae <= allowed + 1e-9 ? .pass : .fail
        }
        return result
    }
}
