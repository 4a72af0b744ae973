import LanternAgent
import LanternCore
import Testing

/// The density path inside the agent: made with the estimator when the site asks for it, stepped on the
/// frames' own times (every 15 s until it counts, then at the site's rate; a busy scene, or one whose
/// map holds people beyond its walkers, gathers the gate's evidence at the site's rate), one model run a
/// step, and
/// adding nothing where it sees nobody.
@Suite struct DensityPathTests {
    func site(rateHz: Double) -> SiteConfig {
        var site = testSite
        site.density = SiteConfig.DensityRate(hertz: rateHz)
        return site
    }

    /// Fusion parameters under which any response counts fully as soon as there is any evidence: the
    /// density path counts from its first step with a walker in view.
    var countingAtOnce: DensityFusion.Parameters {
        var p = DensityFusion.Parameters()
        p.minimumEvidence = 0
        p.responseOff = -100
        p.responseFull = -99
        return p
    }

    @Test func whileItCountsStepsRunAtTheSiteRateOnFrameTime() {
        for (rate, gap) in [(1.0, 10), (2.0, 5)] {
            let site = site(rateHz: rate)
            let estimator = OccupancyEstimator(site: site, frameWidth: 64, frameHeight: 48, framesPerSecond: 10)
            let path = DensityPath(site: site, estimator: estimator, parameters: countingAtOnce)!
            // The frames each step ran at, and whether the density path counted after it.
            var steps: [(frame: Int, counting: Bool)] = []
            walkerFrames(count: 300) { i, image in  // 30 s at 10 fps
                let estimate = estimator.process(image)
                if path.frame(image, atMicros: Int64(i) * 100_000, estimator: estimator, estimate: estimate) {
                    steps.append((i, path.fusion.weight > 0))
                }
            }
            // The first step, once the background is learnt, runs the model on the background (no evidence:
            // weight 0), so the next is 15 s later; from then on it counts, at the site's rate.
            #expect(steps.first?.frame == 30 && steps.first?.counting == false, "at \(rate) Hz: \(steps)")
            #expect(steps.count > 2 && steps.dropFirst().allSatisfy(\.counting), "at \(rate) Hz: \(steps)")
            let frames = steps.map(\.frame)
            #expect(frames.dropFirst().first == 180, "at \(rate) Hz: \(frames)")
            #expect(zip(frames.dropFirst(), frames.dropFirst(2)).allSatisfy { $1 - $0 == gap }, "at \(rate) Hz: \(frames)")
            #expect(frames.last! >= 300 - gap, "at \(rate) Hz: \(frames)")
            // One model run per step: every 8th, the first included, is the background's instead of the frame's.
            let backgroundSteps = (path.steps + path.backgroundEvery - 1) / path.backgroundEvery
            #expect(path.fusion.steps == path.steps - backgroundSteps, "at \(rate) Hz: \(path.steps) steps")
        }
    }

    @Test func theModelIsEnlargedToItsPersonSizeOnlyWithinThePixelsOfTheBudgetFrame() {
        #expect(DensityPath.maximumUpscale(PixelRect(x: 0, y: 0, width: 640, height: 480)) == 1)
        #expect(DensityPath.maximumUpscale(PixelRect(x: 0, y: 0, width: 1280, height: 720)) == 1)
        #expect(DensityPath.maximumUpscale(PixelRect(x: 0, y: 0, width: 320, height: 240)) == 2)
        // The dev clip's analysed area: up to 1.708 times (about 642x478).
        let devClip = DensityPath.maximumUpscale(PixelRect(x: 4, y: 4, width: 376, height: 280))
        #expect(abs(devClip - 1.708) < 0.001)
        #expect(376 * 280 * devClip * devClip <= 640 * 480 + 1e-6)
        // A tiny area: no more than 4 times, whatever the budget would allow.
        #expect(DensityPath.maximumUpscale(PixelRect(x: 0, y: 0, width: 64, height: 48)) == DensityPath.largestUpscale)
        // What the agent's counter is given.
        let site = site(rateHz: 1)
        let estimator = OccupancyEstimator(site: site, frameWidth: 384, frameHeight: 288, framesPerSecond: 10)
        let path = DensityPath(site: site, estimator: estimator)!
        #expect(path.counter.maximumUpscale == DensityPath.maximumUpscale(estimator.area))
        #expect(path.counter.maximumUpscale > 1)
    }

    @Test func rateZeroTurnsTheDensityPathOff() {
        let agent = Agent(site: site(rateHz: 0), framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        _ = feedFrames(agent, count: 40, fromMicros: 0)
        #expect(agent.estimator != nil)
        #expect(agent.densityPath == nil)
    }

    @Test func aDensityPathThatAddsNobodyLeavesTheRecordsAsTheMotionPathMadeThem() {
        func records(rateHz: Double) -> [IntervalRecord] {
            let agent = Agent(site: site(rateHz: rateHz), framePeriodMicros: 100_000)
            // 60 s: the background's map at 3 s, the frame's at 18, 33 and 48 s.
            return agent.start(atMicros: 0) + feedFrames(agent, count: 600, fromMicros: 0) + agent.finish()
        }
        let on = records(rateHz: 2), off = records(rateHz: 0)
        #expect(on.count >= 3)
        #expect(on == off)
    }

    @Test func theSameFramesGiveTheSameDensitySteps() {
        func run() -> (Int, Double, Double) {
            let agent = Agent(site: site(rateHz: 2), framePeriodMicros: 100_000)
            _ = agent.start(atMicros: 0)
            _ = feedFrames(agent, count: 200, fromMicros: 0)
            let path = agent.densityPath!
            return (path.steps, path.lastModelCount, path.fusion.unseenPeople)
        }
        let a = run(), b = run()
        #expect(a == b)
        // The background's map at 3 s, the frame's at 18 s (the model sees the flat grey as something).
        #expect(a.0 == 2 && a.1 != 0)
    }
}

extension DensityPathTests {
    /// `count` 64x48 frames (10 fps) of a bright block (a walker to the motion path, not a person to the
    /// model) moving back and forth across a flat grey view.
    func walkerFrames(count: Int, _ body: (Int, GreyImage) -> Void) {
        var pixels = [UInt8](repeating: 100, count: 64 * 48)
        for i in 0..<count {
            for p in pixels.indices { pixels[p] = 100 }
            let phase = i % 40, x0 = 4 + (phase < 20 ? phase : 40 - phase) * 2
            for y in 16..<40 { for x in x0..<(x0 + 10) { pixels[y * 64 + x] = 200 } }
            pixels.withUnsafeBufferPointer { buffer in
                body(i, GreyImage(unsafePixels: buffer.baseAddress!, width: 64, height: 48, stride: 64))
            }
        }
    }

    func feedWalker(_ agent: Agent, count: Int, afterFrame: (Int) -> Void = { _ in }) {
        walkerFrames(count: count) { i, image in
            _ = agent.frame(image, atMicros: Int64(i) * 100_000)
            afterFrame(i)
        }
    }

    @Test func aBusySceneGathersTheGatesEvidenceAtTheSiteRate() {
        // A gate that asks for 5 people of evidence: the one walker in view is a tenth of it, a busy scene.
        // The model never counts here (its response is far below `responseOff`), so once the evidence is
        // in, the steps fall back to every 15 s.
        var parameters = DensityFusion.Parameters()
        parameters.minimumEvidence = 5
        parameters.responseOff = 100
        parameters.responseFull = 101
        let site = site(rateHz: 1)
        let estimator = OccupancyEstimator(site: site, frameWidth: 64, frameHeight: 48, framesPerSecond: 10)
        let path = DensityPath(site: site, estimator: estimator, parameters: parameters)!
        var steps: [(frame: Int, evidence: Double)] = []
        walkerFrames(count: 600) { i, image in  // 60 s
            let estimate = estimator.process(image)
            if path.frame(image, atMicros: Int64(i) * 100_000, estimator: estimator, estimate: estimate) {
                steps.append((i, path.fusion.responseEvidence))
            }
        }
        let frames = steps.map(\.frame)
        let complete = steps.firstIndex { $0.evidence >= 5 }
        #expect(frames.first == 30, "\(frames)")
        #expect(complete != nil && complete! >= 5, "\(steps)")
        guard let complete, complete + 2 < frames.count else { return }
        // 1 s apart (the site's rate) while gathering, 15 s apart once the evidence is in.
        #expect(zip(frames[...complete], frames[1...complete]).allSatisfy { $1 - $0 == 10 }, "\(frames)")
        #expect(zip(frames[complete...], frames[(complete + 1)...]).allSatisfy { $1 - $0 == 150 }, "\(frames)")
        #expect(path.fusion.weight == 0)
    }

    @Test func aSparseSceneWhoseMapHoldsMoreThanItsWalkersGathersAtTheSiteRate() {
        // A gate that asks for 50 people of evidence: the one walker is not a tenth of it, a sparse scene.
        // Whether its steps come at the site's rate or every 15 s is then up to what the map holds beyond
        // the walker: here set by the threshold (any map at all, or none), as the model's own map of
        // these frames is not a scene with people standing in it.
        var parameters = DensityFusion.Parameters()
        parameters.minimumEvidence = 50
        parameters.responseOff = 100
        parameters.responseFull = 101
        var gaps: [Double: [Int]] = [:]
        for threshold in [-1_000.0, 1_000] {
            let site = site(rateHz: 1)
            let estimator = OccupancyEstimator(site: site, frameWidth: 64, frameHeight: 48, framesPerSecond: 10)
            let path = DensityPath(site: site, estimator: estimator, unseenWorthGathering: threshold, parameters: parameters)!
            var frames: [Int] = []
            walkerFrames(count: 600) { i, image in  // 60 s
                let estimate = estimator.process(image)
                if path.frame(image, atMicros: Int64(i) * 100_000, estimator: estimator, estimate: estimate) { frames.append(i) }
            }
            #expect(path.fusion.responseEvidence < 50 && path.fusion.weight == 0, "\(path.fusion.responseEvidence)")
            gaps[threshold] = zip(frames, frames.dropFirst()).map { $1 - $0 }
        }
        // 1 s apart from the first step (the background's) on, or 15 s.
        #expect(gaps[-1_000]!.allSatisfy { $0 == 10 }, "\(gaps[-1_000]!)")
        #expect(gaps[-1_000]!.count > 30, "\(gaps[-1_000]!)")
        #expect(gaps[1_000]! == [150, 150, 150], "\(gaps[1_000]!)")
    }

    @Test func untilItCountsTheDensityPathStepsOnlyEvery15Seconds() {
        let agent = Agent(site: site(rateHz: 1), framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        // The frame each step ran at: the first once the background is learnt (frame 30), then every 15 s.
        var stepFrames: [Int] = []
        feedWalker(agent, count: 600) { i in  // 60 s
            if agent.densityPath!.steps > stepFrames.count { stepFrames.append(i) }
        }
        let path = agent.densityPath!
        #expect(path.fusion.weight == 0)
        #expect(path.fusion.addedPeople == 0)
        #expect(path.fusion.responseEvidence > 0)
        #expect(stepFrames == [30, 180, 330, 480], "steps at frames \(stepFrames)")
    }
}
