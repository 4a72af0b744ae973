import Testing
@testable import LanternCore

/// `DensityFusion` on synthetic maps: an 80x60-pixel area (40x30 foreground cells of 2x2 pixels), people
/// 20 px tall everywhere, a density map of 8-pixel cells (10x7).
@Suite struct DensityFusionTests {
    static var scale: PersonScale { PersonScale(samples: [.init(row: 0, height: 20), .init(row: 100, height: 20)]) }
    static let mapWidth = 10, mapHeight = 7
    /// The area's upper and lower halves.
    static var upperAndLower: [SiteConfig.Zone] { [
        SiteConfig.Zone(name: "upper", area: Polygon(points: [Point(x: 0, y: 0), Point(x: 80, y: 0), Point(x: 80, y: 30), Point(x: 0, y: 30)])),
        SiteConfig.Zone(name: "lower", area: Polygon(points: [Point(x: 0, y: 30), Point(x: 80, y: 30), Point(x: 80, y: 60), Point(x: 0, y: 60)])),
    ] }

    /// A scene: density per map cell, foreground per 2x2 cell.
    struct Scene {
        var map = [Float](repeating: 0, count: DensityFusionTests.mapWidth * DensityFusionTests.mapHeight)
        var background = [Float](repeating: 0, count: DensityFusionTests.mapWidth * DensityFusionTests.mapHeight)
        var foreground = [UInt8](repeating: 0, count: 40 * 30)

        /// One person's worth of density at map cell (x, y).
        mutating func person(mapX x: Int, y: Int, worth: Float = 1) { map[y * DensityFusionTests.mapWidth + x] += worth }

        /// Foreground over the pixels of map cell (x, y) (a walker the motion path sees there).
        mutating func walker(mapX x: Int, y: Int) {
            for cy in (4 * y)..<(4 * y + 4) { for cx in (4 * x)..<(4 * x + 4) { foreground[cy * 40 + cx] = 4 } }
        }
    }

    func fusion(zones: [SiteConfig.Zone] = []) -> DensityFusion {
        DensityFusion(cellsWide: 40, cellsHigh: 30, origin: (0, 0), scale: Self.scale, zones: zones)
    }

    func step(
        _ fusion: DensityFusion, _ scene: Scene, motionPeople: Double, zoneMotionPeople: [Double] = [], trusted: Bool = true,
        background: Bool = true
    ) {
        scene.map.withUnsafeBufferPointer { map in
            scene.background.withUnsafeBufferPointer { bg in
                scene.foreground.withUnsafeBufferPointer { fg in
                    fusion.step(
                        map: map, mapWidth: Self.mapWidth, mapHeight: Self.mapHeight, cellWidth: 8, cellHeight: 8,
                        background: background ? bg : nil, foreground: fg.baseAddress!, motionPeople: motionPeople,
                        zoneMotionPeople: zoneMotionPeople, trusted: trusted)
                }
            }
        }
    }

    /// Steps with one walker the model sees as one person, until the response is established.
    func learnResponse(_ fusion: DensityFusion, worth: Float, steps: Int = 110) {
        var scene = Scene()
        scene.walker(mapX: 2, y: 2)
        scene.person(mapX: 2, y: 2, worth: worth)
        for _ in 0..<steps { step(fusion, scene, motionPeople: 1) }
    }

    @Test func aWalkerBothPathsSeeIsCountedOnceByTheMotionPath() {
        let f = fusion()
        learnResponse(f, worth: 1)
        #expect(f.weight == 1)
        #expect(f.addedPeople == 0)
        #expect(f.unseenPeople == 0)
    }

    @Test func densitySpreadAroundAWalkerWithinTheMarginIsTheirs() {
        let f = fusion()
        learnResponse(f, worth: 1)
        var scene = Scene()
        scene.walker(mapX: 5, y: 3)
        // Half of the person's density lands in the next cell (the head above the blob).
        scene.person(mapX: 5, y: 3, worth: 0.5)
        scene.person(mapX: 5, y: 2, worth: 0.5)
        for _ in 0..<3 { step(f, scene, motionPeople: 1) }
        #expect(f.addedPeople == 0)
    }

    @Test func aPersonTheMotionPathDoesNotSeeIsAdded() {
        let f = fusion()
        learnResponse(f, worth: 1)
        var scene = Scene()
        scene.walker(mapX: 1, y: 1)
        scene.person(mapX: 1, y: 1)
        scene.person(mapX: 8, y: 5)  // standing still since before the background was learnt
        step(f, scene, motionPeople: 1)
        #expect(f.unseenPeople == 1)
        step(f, scene, motionPeople: 1)
        #expect(abs(f.addedPeople - 1) < 1e-9)
    }

    @Test func aModelThatAnswersTextureRatherThanPeopleAddsNothing() {
        let f = fusion()
        // Walkers raise the map over the background by a tenth of a person each; texture elsewhere.
        learnResponse(f, worth: 0.1)
        var scene = Scene()
        for x in 0..<10 { scene.person(mapX: x, y: 6, worth: 0.8) }
        for _ in 0..<3 { step(f, scene, motionPeople: 0) }
        // 8 of density; at a response of 0.1 (counted as 0.3, `responseOff`) that would be 26.7 people.
        #expect(abs(f.unseenPeople - 8 / 0.3) < 1e-4)
        #expect(f.weight == 0)
        #expect(f.addedPeople == 0)
    }

    @Test func aStillPersonNextToAWalkerIsAdded() {
        let f = fusion()
        learnResponse(f, worth: 1)
        var scene = Scene()
        scene.walker(mapX: 5, y: 3)
        scene.person(mapX: 5, y: 3)
        // Standing just above the walker's blob, within the margin, since before the background was learnt:
        // in the background's map too, and never foreground.
        scene.person(mapX: 5, y: 2)
        scene.background[2 * Self.mapWidth + 5] = 1
        for _ in 0..<3 { step(f, scene, motionPeople: 1) }
        #expect(f.response == 1)
        #expect(abs(f.addedPeople - 1) < 1e-9)
    }

    @Test func peopleAGroupsBlobHidesAreAdded() throws {
        let f = fusion()
        learnResponse(f, worth: 1)
        var scene = Scene()
        scene.walker(mapX: 4, y: 3)
        scene.walker(mapX: 5, y: 3)
        scene.person(mapX: 4, y: 3, worth: 1.5)
        scene.person(mapX: 5, y: 3, worth: 1.5)
        for _ in 0..<3 { step(f, scene, motionPeople: 2) }  // three people, the blob's area worth two
        // The group raises the response a little (3 of density for 2 people, 3 times over 110 steps), so
        // the added people are a little under one: the median of three steps, each at its own response.
        let r = try #require(f.response)
        #expect(abs(f.addedPeople - (3 - 2 * r) / r) < 0.03)
        #expect(f.addedPeople > 0.9 && f.addedPeople < 1)
    }

    @Test func addedDensityIsCountedInPeopleOfThisScene() {
        let f = fusion()
        learnResponse(f, worth: 0.8)  // this camera's people make 0.8 of density each: weight 1
        #expect(f.weight == 1)
        var scene = Scene()
        scene.walker(mapX: 1, y: 1)
        scene.person(mapX: 1, y: 1, worth: 0.8)
        scene.person(mapX: 8, y: 5, worth: 0.8)
        for _ in 0..<3 { step(f, scene, motionPeople: 1) }
        #expect(abs(f.addedPeople - 1) < 1e-6)
    }

    @Test func aZoneGetsNoMoreFromTheDensityPathThanTheView() {
        // Texture: 2 people of density at the top of the view, -2 at the bottom. The view nets to nobody,
        // and neither zone gets anyone (by each zone's own density, the upper one had got 2).
        let f = fusion(zones: Self.upperAndLower)
        learnResponse(f, worth: 1)
        var scene = Scene()
        scene.person(mapX: 7, y: 0, worth: 2)
        scene.person(mapX: 7, y: 4, worth: -2)
        for _ in 0..<3 { step(f, scene, motionPeople: 0, zoneMotionPeople: [0, 0]) }
        #expect(f.addedPeople == 0)
        #expect(f.addedZonePeople == [0, 0])
    }

    @Test func theWeightRampsWithTheResponse() {
        let f = fusion()
        learnResponse(f, worth: 0.4)  // halfway between responseOff 0.3 and responseFull 0.5
        #expect(abs(f.weight - 0.5) < 1e-6)
        let full = fusion()
        learnResponse(full, worth: 0.5)  // a model that sees a person as half of one, confirmed: all of it
        #expect(abs(full.weight - 1) < 1e-6)
    }

    @Test func aResponseMeasuredAgainstABackgroundThatHeldPeopleIsMeasuredAgain() {
        let f = fusion()
        // The first background was learnt while two people stood where the walkers pass (the model sees
        // each at 0.6): against it, a walker there reads less than nothing, and the gate stays shut.
        var scene = Scene()
        scene.walker(mapX: 2, y: 2)
        scene.person(mapX: 2, y: 2, worth: 0.6)
        scene.background[2 * Self.mapWidth + 2] = 1.2
        f.background(total: 1.2)
        for _ in 0..<110 { step(f, scene, motionPeople: 1) }
        #expect(f.weight == 0 && f.response! < 0)
        // A map that holds as much or more (someone came to stand) changes nothing.
        f.background(total: 1.5)
        #expect(f.responseEvidence == 110)
        // They have left: the next map holds 1.5 less, and the response is measured again from nothing.
        scene.background[2 * Self.mapWidth + 2] = 0
        f.background(total: 0)
        #expect(f.responseEvidence == 0 && f.response == nil)
        for _ in 0..<110 { step(f, scene, motionPeople: 1) }
        #expect(abs(f.response! - 0.6) < 1e-6 && f.weight == 1)
    }

    @Test func aCountingDensityPathIsNotStoppedToMeasureAgain() {
        let f = fusion()
        learnResponse(f, worth: 1)
        f.background(total: 3)
        f.background(total: 0)
        #expect(f.responseEvidence == 110 && f.weight == 1)
    }

    @Test func nothingIsAddedBeforeEnoughPeopleWereSeen() {
        let f = fusion()
        learnResponse(f, worth: 1, steps: 99)  // 99 motion people: under minimumEvidence (100)
        #expect(f.weight == 0)
        var scene = Scene()
        scene.person(mapX: 8, y: 5)
        step(f, scene, motionPeople: 0)
        #expect(f.addedPeople == 0)
    }

    @Test func untrustedFramesAndStepsWithoutABackgroundMapAddNoEvidence() {
        let f = fusion()
        var scene = Scene()
        scene.walker(mapX: 2, y: 2)
        scene.person(mapX: 2, y: 2)
        for _ in 0..<30 { step(f, scene, motionPeople: 1, trusted: false) }
        for _ in 0..<30 { step(f, scene, motionPeople: 1, background: false) }
        #expect(f.responseEvidence == 0)
        #expect(f.weight == 0)
    }

    @Test func aWalkerWhoStopsIsHandedOverWithoutAJump() {
        let f = fusion()
        learnResponse(f, worth: 1)
        var scene = Scene()
        scene.walker(mapX: 6, y: 4)
        scene.person(mapX: 6, y: 4)
        // Walking, then standing and held: foreground all along, one person, by the motion path.
        for _ in 0..<5 {
            step(f, scene, motionPeople: 1)
            #expect(f.addedPeople == 0)
        }
        // The hold ends and the background absorbs them: the motion path no longer sees them, the density
        // path does (after its median), so the sum goes from 1 + 0 to at most 1 + 1 and settles at 0 + 1.
        scene.foreground = [UInt8](repeating: 0, count: 40 * 30)
        step(f, scene, motionPeople: 0)
        #expect(f.addedPeople == 0)  // one step of a median of three
        step(f, scene, motionPeople: 0)
        #expect(abs(f.addedPeople - 1) < 1e-9)
    }

    @Test func theDensityPathNeverSubtractsPeople() {
        let f = fusion()
        learnResponse(f, worth: 1)
        var scene = Scene()
        for x in 0..<10 { scene.person(mapX: x, y: 6, worth: -0.2) }
        for _ in 0..<3 { step(f, scene, motionPeople: 0) }
        #expect(f.unseenPeople < 0)
        #expect(f.addedPeople == 0)
    }

    @Test func zonesShareTheAddedPeopleAsTheyShareTheMotionPathsPeople() {
        let f = fusion(zones: Self.upperAndLower)
        learnResponse(f, worth: 1)
        var scene = Scene()
        for x in 0..<4 {
            scene.walker(mapX: 2 * x, y: 4)
            scene.person(mapX: 2 * x, y: 4)
        }
        scene.person(mapX: 9, y: 1, worth: 2)  // two people the motion path does not see
        for _ in 0..<3 { step(f, scene, motionPeople: 4, zoneMotionPeople: [1, 3]) }
        #expect(abs(f.addedPeople - 2) < 1e-9)
        #expect(abs(f.addedZonePeople[0] - 0.5) < 1e-9 && abs(f.addedZonePeople[1] - 1.5) < 1e-9, "\(f.addedZonePeople)")
        // With nobody walking, the view still gets them, and no zone does.
        var still = Scene()
        still.person(mapX: 9, y: 1, worth: 2)
        for _ in 0..<3 { step(f, still, motionPeople: 0, zoneMotionPeople: [0, 0]) }
        #expect(abs(f.addedPeople - 2) < 1e-9)
        #expect(f.addedZonePeople == [0, 0])
    }
}
