import LanternCore
import Testing

/// A synthetic scene: flat grey ground, people drawn as dark upright rectangles of the size the
/// site's perspective expects at their foot row.
struct SyntheticScene {
    static let width = 320, height = 240
    static var site: SiteConfig { SiteConfig(
        name: "synthetic",
        scale: PersonScale(samples: [.init(row: 60, height: 30), .init(row: 220, height: 70)]),
        zones: [
            .init(name: "left", area: Polygon(points: [Point(x: 0, y: 0), Point(x: 160, y: 0), Point(x: 160, y: 240), Point(x: 0, y: 240)])),
            .init(name: "right", area: Polygon(points: [Point(x: 160, y: 0), Point(x: 320, y: 0), Point(x: 320, y: 240), Point(x: 160, y: 240)])),
        ],
        lines: [CountingLine(name: "middle", from: Point(x: 200, y: 0), to: Point(x: 200, y: 240))]
    ) }

    var pixels = [UInt8](repeating: 120, count: width * height)

    /// A person with feet at (x, footRow), as wide as the estimator's idea of a person's area implies.
    mutating func drawPerson(x: Int, footRow: Int, shade: UInt8 = 30) {
        let h = Int(Self.site.scale.height(atFootRow: Double(footRow)).rounded())
        let w = Int((0.24 * Double(h)).rounded())
        for y in max(footRow - h, 0)..<min(footRow, Self.height) {
            for dx in 0..<w where x + dx < Self.width { pixels[y * Self.width + x + dx] = shade }
        }
    }

    func feed(_ estimator: OccupancyEstimator) -> FrameEstimate {
        pixels.withUnsafeBufferPointer { buffer in
            estimator.process(GreyImage(unsafePixels: buffer.baseAddress!, width: Self.width, height: Self.height, stride: Self.width))
        }
    }
}

@Suite struct OccupancyEstimatorTests {
    func warmedUp() -> OccupancyEstimator {
        let estimator = OccupancyEstimator(site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        let empty = SyntheticScene()
        for _ in 0..<40 { _ = empty.feed(estimator) }
        return estimator
    }

    @Test func anEmptySceneHasNobody() {
        let estimator = warmedUp()
        #expect(estimator.latest.count == 0)
        #expect(estimator.zoneCounts == [0, 0])
    }

    @Test func oneStandingPersonCountsAsOne() {
        let estimator = warmedUp()
        var scene = SyntheticScene()
        scene.drawPerson(x: 60, footRow: 150)
        var last = FrameEstimate(people: 0, count: 0)
        for _ in 0..<3 { last = scene.feed(estimator) }
        #expect(last.count == 1)
        #expect(abs(last.people - 1) < 0.25)
    }

    @Test func twoPeopleWalkingTogetherAreTwoNotOneBlob() {
        let estimator = warmedUp()
        var scene = SyntheticScene()
        let h = SyntheticScene.site.scale.height(atFootRow: 150)
        scene.drawPerson(x: 60, footRow: 150)
        scene.drawPerson(x: 60 + Int(0.24 * h), footRow: 150)  // shoulder to shoulder: one blob
        for _ in 0..<3 { _ = scene.feed(estimator) }
        #expect(estimator.blobs.filter { $0.people >= 0.5 }.count == 1)
        #expect(estimator.latest.count == 2)
    }

    @Test func aGroupFarAwayCountsLikeAGroupNearby() {
        // Perspective: five people at row 80 are far fewer pixels than five at row 220, same count.
        for row in [80, 220] {
            let estimator = warmedUp()
            var scene = SyntheticScene()
            let w = Int((0.24 * SyntheticScene.site.scale.height(atFootRow: Double(row))).rounded())
            for i in 0..<5 { scene.drawPerson(x: 20 + i * w, footRow: row) }
            for _ in 0..<3 { _ = scene.feed(estimator) }
            #expect(estimator.latest.count == 5, "row \(row)")
        }
    }

    @Test func peopleAreCountedInTheZoneTheirFeetAreIn() {
        let estimator = warmedUp()
        var scene = SyntheticScene()
        scene.drawPerson(x: 40, footRow: 120)
        scene.drawPerson(x: 230, footRow: 200)
        scene.drawPerson(x: 280, footRow: 100)
        for _ in 0..<3 { _ = scene.feed(estimator) }
        #expect(estimator.zoneCounts == [1, 2])
        #expect(estimator.latest.count == 3)
    }

    @Test func aSingleFrameFlickerIsSmoothedAway() {
        let estimator = warmedUp()
        var scene = SyntheticScene()
        scene.drawPerson(x: 40, footRow: 120)
        _ = scene.feed(estimator)
        let after = SyntheticScene().feed(estimator)
        #expect(after.count == 0)
    }

    @Test func crossingTheLineLeftToRightAndBackCountsOutThenIn() {
        // The line runs top to bottom at x = 200: its left (the "in" side) is x > 200 in image terms.
        let estimator = warmedUp()
        for x in stride(from: 150, through: 250, by: 4) {
            var scene = SyntheticScene()
            scene.drawPerson(x: x, footRow: 160)
            _ = scene.feed(estimator)
        }
        #expect(estimator.totalCrossingsIn == [1])
        #expect(estimator.totalCrossingsOut == [0])
        for x in stride(from: 250, through: 150, by: -4) {
            var scene = SyntheticScene()
            scene.drawPerson(x: x, footRow: 160)
            _ = scene.feed(estimator)
        }
        #expect(estimator.totalCrossingsIn == [1])
        #expect(estimator.totalCrossingsOut == [1])
    }

    @Test func aPairCrossingTogetherCountsTwo() {
        let estimator = warmedUp()
        let w = Int((0.24 * SyntheticScene.site.scale.height(atFootRow: 160)).rounded())
        for x in stride(from: 140, through: 250, by: 4) {
            var scene = SyntheticScene()
            scene.drawPerson(x: x, footRow: 160)
            scene.drawPerson(x: x + w, footRow: 160)
            _ = scene.feed(estimator)
        }
        #expect(estimator.totalCrossingsIn == [2])
    }

    @Test func aCropExcludesWhatLiesOutsideIt() {
        var site = SyntheticScene.site
        site.crop = PixelRect(x: 0, y: 0, width: 160, height: 240)
        let estimator = OccupancyEstimator(site: site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        for _ in 0..<40 { _ = SyntheticScene().feed(estimator) }
        var scene = SyntheticScene()
        scene.drawPerson(x: 40, footRow: 150)
        scene.drawPerson(x: 250, footRow: 150)
        for _ in 0..<3 { _ = scene.feed(estimator) }
        #expect(estimator.latest.count == 1)
    }
}
