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
