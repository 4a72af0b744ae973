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

    @Test func aNarrowCropAtTheFramesEdgeStillAnalysesACell() {
        var site = SyntheticScene.site
        site.crop = PixelRect(x: SyntheticScene.width - 3, y: 0, width: 3, height: SyntheticScene.height)
        let estimator = OccupancyEstimator(site: site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        #expect(estimator.area.x + estimator.area.width <= SyntheticScene.width)
        #expect(estimator.area.width >= 2)
        #expect(SyntheticScene().feed(estimator).count == 0)
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

@Suite struct SceneConditionTests {
    func warmedUp() -> OccupancyEstimator {
        let estimator = OccupancyEstimator(site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        for _ in 0..<40 { _ = SyntheticScene().feed(estimator) }
        return estimator
    }

    @Test func theStartIsLearningThenTrusted() {
        let estimator = OccupancyEstimator(site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        #expect(SyntheticScene().feed(estimator).condition == .learning)
        for _ in 0..<40 { _ = SyntheticScene().feed(estimator) }
        #expect(estimator.latest.trusted)
    }

    @Test func aSuddenLightingChangeIsUntrustedThenRecovers() {
        let estimator = warmedUp()
        var lit = SyntheticScene()
        for i in lit.pixels.indices { lit.pixels[i] = UInt8(Double(lit.pixels[i]) * 0.6) }
        lit.drawPerson(x: 60, footRow: 150, shade: 18)
        let first = lit.feed(estimator)
        #expect(first.condition == .sceneChanged)
        var recoveredAt: Int?
        for n in 1...80 {
            let e = lit.feed(estimator)
            if e.trusted && recoveredAt == nil { recoveredAt = n }
            if recoveredAt == nil { #expect(e.condition == .sceneChanged) }
        }
        // Relearning (warm-up frames) plus settling, then trusted again.
        let p = EstimatorParameters()
        #expect(recoveredAt != nil && recoveredAt! <= p.warmupFrames + p.settleFrames + 1)
        // The standing person was absorbed by the relearning; a new one walking in is counted.
        var scene = SyntheticScene()
        for i in scene.pixels.indices { scene.pixels[i] = UInt8(Double(scene.pixels[i]) * 0.6) }
        scene.drawPerson(x: 60, footRow: 150, shade: 18)
        scene.drawPerson(x: 230, footRow: 200, shade: 18)
        for _ in 0..<3 { _ = scene.feed(estimator) }
        #expect(estimator.latest.trusted)
        #expect(estimator.latest.count == 1)
    }

    @Test func peopleWalkingInAreNotASceneChange() {
        let estimator = warmedUp()
        var scene = SyntheticScene()
        for i in 0..<6 {
            scene.drawPerson(x: 10 + 45 * i, footRow: 150 + 10 * (i % 3))
            _ = scene.feed(estimator)
            #expect(estimator.latest.condition == .ok)
        }
    }

    @Test func aDarkSceneIsTooDark() {
        let estimator = OccupancyEstimator(site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        var dark = SyntheticScene()
        for i in dark.pixels.indices { dark.pixels[i] = 25 }
        for _ in 0..<40 { _ = dark.feed(estimator) }
        #expect(estimator.latest.condition == .tooDark)
    }

    @Test func aSmallCameraShakeIsFollowed() {
        // A textured scene (a checkerboard of 9 x 6 pixel tiles), shifted by a pixel or two each frame.
        var base = SyntheticScene()
        for y in 0..<SyntheticScene.height {
            for x in 0..<SyntheticScene.width { base.pixels[y * SyntheticScene.width + x] = UInt8(80 + ((x / 9) % 2) * 40 + ((y / 6) % 2) * 40) }
        }
        let estimator = OccupancyEstimator(site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height)
        func shifted(_ s: SyntheticScene, _ dx: Int, _ dy: Int) -> SyntheticScene {
            var out = s
            let w = SyntheticScene.width, h = SyntheticScene.height
            for y in 0..<h { for x in 0..<w { out.pixels[y * w + x] = s.pixels[min(max(y - dy, 0), h - 1) * w + min(max(x - dx, 0), w - 1)] } }
            return out
        }
        let shakes = [(1, 0), (0, -2), (-1, 1), (2, 2), (-2, 0), (0, 1)]
        for i in 0..<60 { _ = shifted(base, shakes[i % 6].0, shakes[i % 6].1).feed(estimator) }
        var person = base
        person.drawPerson(x: 60, footRow: 150)
        for i in 0..<3 { _ = shifted(person, shakes[i % 6].0, shakes[i % 6].1).feed(estimator) }
        #expect(estimator.latest.trusted)
        #expect(estimator.latest.count == 1)
    }
}
