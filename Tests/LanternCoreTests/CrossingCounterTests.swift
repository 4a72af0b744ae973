import LanternCore
import Testing

/// Counting lines with people who walk together, part, and pass behind others.
@Suite struct CrossingCounterTests {
    func warmedUp() -> OccupancyEstimator {
        let estimator = OccupancyEstimator(site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        for _ in 0..<40 { _ = SyntheticScene().feed(estimator) }
        return estimator
    }

    @Test func aPairThatCrossesTogetherAndPartsCountsEachOnce() {
        // The line is x = 200; two people shoulder to shoulder cross it (in), then one turns back (out)
        // while the other walks on.
        let estimator = warmedUp()
        let w = Int((0.24 * SyntheticScene.site.scale.height(atFootRow: 160)).rounded())
        var x = 140
        while x <= 240 {
            var scene = SyntheticScene()
            scene.drawPerson(x: x, footRow: 160)
            scene.drawPerson(x: x + w, footRow: 160)
            _ = scene.feed(estimator)
            x += 4
        }
        #expect(estimator.totalCrossingsIn == [2])
        for step in 1...30 {
            var scene = SyntheticScene()
            scene.drawPerson(x: 240 - 4 * step, footRow: 160)
            scene.drawPerson(x: min(240 + w + 3 * step, SyntheticScene.width - w), footRow: 160)
            _ = scene.feed(estimator)
        }
        #expect(estimator.totalCrossingsIn == [2])
        #expect(estimator.totalCrossingsOut == [1])
    }

    @Test func someoneWhoComesOutFromBehindAGroupOnTheFarSideHasCrossed() {
        // A group stands on the in side (x > 200) of the line; a blob splits off it already on the out
        // side and walks on: it was in the group, so it crossed.
        let site = SyntheticScene.site
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        let group = Point(x: 215, y: 160)
        for _ in 0..<5 { counter.update(feet: [group], counts: [3]) }
        counter.update(feet: [group, Point(x: 188, y: 135)], counts: [2, 1])
        counter.update(feet: [group, Point(x: 182, y: 135)], counts: [2, 1])
        counter.update(feet: [group, Point(x: 176, y: 135)], counts: [2, 1])
        #expect(counter.totalOut == [1] && counter.totalIn == [0])
    }

    @Test func someoneWhoAppearsFarFromAnyoneHasNotCrossed() {
        let site = SyntheticScene.site
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        let group = Point(x: 280, y: 160)
        for _ in 0..<5 { counter.update(feet: [group], counts: [3]) }
        for x in [150.0, 146, 142, 138] { counter.update(feet: [group, Point(x: x, y: 135)], counts: [2, 1]) }
        #expect(counter.totalOut == [0] && counter.totalIn == [0])
    }
}
