import LanternAgent
import LanternCore
import Testing

/// The density path inside the agent: made with the estimator when the site asks for it, stepped on the
/// frames' own times at the site's rate, and adding nothing where it sees nobody.
@Suite struct DensityPathTests {
    func site(rateHz: Double) -> SiteConfig {
        var site = testSite
        site.density = SiteConfig.DensityRate(hertz: rateHz)
        return site
    }

    @Test func stepsRunAtTheSiteRateOnFrameTimeOnceTheBackgroundIsLearnt() {
        for (rate, expected) in [(1.0, 7), (2.0, 14)] {
            let agent = Agent(site: site(rateHz: rate), framePeriodMicros: 100_000)
            _ = agent.start(atMicros: 0)
            // 100 frames at 10 fps: learning for 30 (3 s), then steps at 3.0, 4.0, ... 9.0 s (1 Hz).
            _ = feedFrames(agent, count: 100, fromMicros: 0)
            #expect(agent.densityPath?.steps == expected, "at \(rate) Hz")
        }
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
            return agent.start(atMicros: 0) + feedFrames(agent, count: 250, fromMicros: 0) + agent.finish()
        }
        let on = records(rateHz: 2), off = records(rateHz: 0)
        #expect(on.count >= 3)
        #expect(on == off)
    }

    @Test func theSameFramesGiveTheSameDensitySteps() {
        func run() -> (Int, Double, Double) {
            let agent = Agent(site: site(rateHz: 2), framePeriodMicros: 100_000)
            _ = agent.start(atMicros: 0)
            _ = feedFrames(agent, count: 80, fromMicros: 0)
            let path = agent.densityPath!
            return (path.steps, path.lastModelCount, path.fusion.unseenPeople)
        }
        let a = run(), b = run()
        #expect(a == b)
        #expect(a.0 > 0)
    }
}

extension DensityPathTests {
    /// 10 fps frames of a bright block (a walker to the motion path, not a person to the model) moving
    /// back and forth across a flat grey view.
    func feedWalker(_ agent: Agent, count: Int, afterFrame: (Int) -> Void = { _ in }) {
        var pixels = [UInt8](repeating: 100, count: 64 * 48)
        for i in 0..<count {
            for p in pixels.indices { pixels[p] = 100 }
            let phase = i % 40, x0 = 4 + (phase < 20 ? phase : 40 - phase) * 2
            for y in 16..<40 { for x in x0..<(x0 + 10) { pixels[y * 64 + x] = 200 } }
            pixels.withUnsafeBufferPointer { buffer in
                let image = GreyImage(unsafePixels: buffer.baseAddress!, width: 64, height: 48, stride: 64)
                _ = agent.frame(image, atMicros: Int64(i) * 100_000)
            }
            afterFrame(i)
        }
    }

    @Test func aDensityPathThatSeesNoPeopleHereStepsOnlyEvery15SecondsOnceItKnows() {
        let agent = Agent(site: site(rateHz: 1), framePeriodMicros: 100_000)
        _ = agent.start(atMicros: 0)
        // Steps once a second until the evidence is in, then every 15 s: the frame each step ran at.
        var stepFrames: [Int] = [], knownAt: Int?
        feedWalker(agent, count: 600) { i in  // 60 s
            let path = agent.densityPath!
            if path.steps > stepFrames.count { stepFrames.append(i) }
            if knownAt == nil && path.fusion.responseEvidence >= path.fusion.parameters.idleEvidence { knownAt = i }
        }
        let path = agent.densityPath!
        #expect(path.fusion.weight == 0)
        #expect(path.fusion.addedPeople == 0)
        let known = try! #require(knownAt)
        let gaps = zip(stepFrames, stepFrames.dropFirst()).map { $1 - $0 }
        #expect(zip(stepFrames, gaps).allSatisfy { $0 <= known ? $1 == 10 : $1 == 150 }, "steps at frames \(stepFrames), evidence at \(known)")
        #expect(stepFrames.last! > known)
    }
}
