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

    /// While the background is relearnt after the lighting changed, the blobs are the change, not people
    /// (on the dev clip dimmed to 0.6, 15 to 34 blobs a frame instead of 8): nothing crosses, not even
    /// someone walking across then (that time is untrusted, its counts withheld). Once trusted, they count.
    @Test func nothingCrossesWhileTheBackgroundIsRelearnt() {
        let estimator = warmedUp()
        func dimmed(personAt x: Int?) -> SyntheticScene {
            var scene = SyntheticScene()
            for i in scene.pixels.indices { scene.pixels[i] = UInt8(Double(scene.pixels[i]) * 0.6) }
            if let x { scene.drawPerson(x: x, footRow: 160, shade: 18) }
            return scene
        }
        #expect(dimmed(personAt: nil).feed(estimator).condition == .sceneChanged)
        for step in 0...20 { _ = dimmed(personAt: 140 + 6 * step).feed(estimator) }
        #expect(estimator.latest.condition == .sceneChanged)
        #expect(estimator.totalCrossingsIn == [0])
        for _ in 0..<100 where !estimator.latest.trusted { _ = dimmed(personAt: nil).feed(estimator) }
        #expect(estimator.latest.trusted)
        for step in 0...20 { _ = dimmed(personAt: 140 + 6 * step).feed(estimator) }
        #expect(estimator.totalCrossingsIn == [1])
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

    /// Someone first seen on the line itself (a group's blob re-split there, or they came out from behind
    /// someone) came from the side their foot is on: walking on clearly across, they crossed. (On the
    /// dev clip this was a crossing lost in every group that re-split at a line.)
    @Test func someoneFirstSeenOnTheLineWhoWalksAcrossHasCrossed() {
        let site = SyntheticScene.site
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        // The line is x = 200; the margin at row 135 is a tenth of a person's height, several pixels.
        let margin = 0.1 * site.scale.height(atFootRow: 135)
        #expect(margin > 2)
        for x in [200 + margin / 2, 200 - margin / 3, 200 - margin - 2, 200 - margin - 6, 200 - margin - 10] {
            counter.update(feet: [Point(x: x, y: 135)], counts: [1])
        }
        #expect(counter.totalOut == [1] && counter.totalIn == [0])
        // And one who stays within the margin, wobbling, never crosses.
        var still = CrossingCounter(lines: site.lines, scale: site.scale)
        for step in 0..<20 { still.update(feet: [Point(x: 200 + (step % 2 == 0 ? 1 : -1) * margin / 2, y: 135)], counts: [1]) }
        #expect(still.totalOut == [0] && still.totalIn == [0])
    }

    /// Two people who meet while the background is first learnt swap tracks (on the dev clip, the pair
    /// standing on the junction line from the start): the track left on the one who stays carries the
    /// side the other came from. Seen clearly on the other side once sides are trusted, it has not
    /// crossed; once its side has been seen since, it crosses as usual.
    @Test func aSideSeenOnlyWhileTheBackgroundIsLearntIsNoCrossing() {
        let site = SyntheticScene.site
        // The line is x = 200, `in` on the right.
        let margin = 0.1 * site.scale.height(atFootRow: 135)
        func warmUpOnTheOutSide(_ counter: inout CrossingCounter) {
            for d in [30.0, 24, 18, 12] {
                counter.update(feet: [Point(x: 200 - margin - d, y: 135)], counts: [1], sidesTrusted: false)
            }
        }
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        warmUpOnTheOutSide(&counter)
        for _ in 0..<10 { counter.update(feet: [Point(x: 200 + margin / 2, y: 135)], counts: [1]) }
        for _ in 0..<3 { counter.update(feet: [Point(x: 200 + margin + 3, y: 135)], counts: [1]) }
        #expect(counter.totalIn == [0] && counter.totalOut == [0])
        for d in [3.0, 6, 9] { counter.update(feet: [Point(x: 200 - margin - d, y: 135)], counts: [1]) }
        #expect(counter.totalIn == [0] && counter.totalOut == [1])

        // Seen on its side for two frames once trusted: the same steps across count.
        var seen = CrossingCounter(lines: site.lines, scale: site.scale)
        warmUpOnTheOutSide(&seen)
        for _ in 0..<2 { seen.update(feet: [Point(x: 200 - margin - 12, y: 135)], counts: [1]) }
        for _ in 0..<10 { seen.update(feet: [Point(x: 200 + margin / 2, y: 135)], counts: [1]) }
        for _ in 0..<3 { seen.update(feet: [Point(x: 200 + margin + 3, y: 135)], counts: [1]) }
        #expect(seen.totalIn == [1] && seen.totalOut == [0])

        // One frame there is not enough (on the dev clip, a passer-by merged with the pair for a frame).
        var once = CrossingCounter(lines: site.lines, scale: site.scale)
        warmUpOnTheOutSide(&once)
        once.update(feet: [Point(x: 200 - margin - 12, y: 135)], counts: [1])
        for _ in 0..<10 { once.update(feet: [Point(x: 200 + margin / 2, y: 135)], counts: [1]) }
        for _ in 0..<3 { once.update(feet: [Point(x: 200 + margin + 3, y: 135)], counts: [1]) }
        #expect(once.totalIn == [0] && once.totalOut == [0])

        // A blob first seen once sides are trusted needs no more than before.
        var fresh = CrossingCounter(lines: site.lines, scale: site.scale)
        fresh.update(feet: [Point(x: 200 - margin - 12, y: 135)], counts: [1])
        for _ in 0..<3 { fresh.update(feet: [Point(x: 200 + margin + 3, y: 135)], counts: [1]) }
        #expect(fresh.totalIn == [1])
    }
}

/// Following blobs where they are going: people who pass each other, hide, and part from a group.
@Suite struct CrossingCounterFollowingTests {
    /// The line is x = 200, its margin at row 160 five and a half pixels.
    let site = SyntheticScene.site

    /// Two people pass each other on the line, 6 px a frame, rows 4 px apart: one in, one out. (Matched
    /// to their last foot points, each track took the other person at the pass and both turned back:
    /// nothing counted.)
    @Test func twoPeoplePassingEachOtherOnTheLineCountOneInOneOut() {
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        for k in 0..<17 {
            counter.update(feet: [Point(x: Double(150 + 6 * k), y: 160), Point(x: Double(251 - 6 * k), y: 164)], counts: [1, 1])
        }
        #expect(counter.totalIn == [1] && counter.totalOut == [1])
    }

    /// Someone walks across, unseen for five frames (behind a post) while they cross: found again where
    /// they walked to, they crossed. (Dropped after three unseen frames, they came back as someone new
    /// already on the far side: nothing counted.)
    @Test func someoneHiddenWhileCrossingHasCrossedWhenSeenAgain() {
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        for k in 0..<20 {
            let hidden = (7...11).contains(k)
            counter.update(feet: hidden ? [] : [Point(x: Double(160 + 5 * k), y: 160)], counts: hidden ? [] : [1])
        }
        #expect(counter.totalIn == [1] && counter.totalOut == [0])
    }

    /// A blob standing on the line's in side (someone standing there, and a walker merged with them)
    /// splits: the walker comes out clearly across, then merges with the stander again for two frames,
    /// the merged blob's foot point dragging the stander's track across, and walks on. The walker crossed;
    /// the stander did not. (On the dev clip's junction: one walker counted at frames 224 and 225.)
    func splitOnTheLine(groupPeople n: Int) -> CrossingCounter {
        var counter = CrossingCounter(lines: site.lines, scale: site.scale)
        for _ in 0..<6 { counter.update(feet: [Point(x: 203, y: 160)], counts: [n]) }
        counter.update(feet: [Point(x: 203, y: 160), Point(x: 190, y: 148)], counts: [1, 1])
        counter.update(feet: [Point(x: 192, y: 160)], counts: [n])
        counter.update(feet: [Point(x: 191, y: 160)], counts: [n])
        for k in 0..<6 { counter.update(feet: [Point(x: Double(182 - 6 * k), y: 148)], counts: [1]) }
        return counter
    }

    @Test func aGroupThatSplitsOnTheLineCountsItsPeopleOnce() {
        let one = splitOnTheLine(groupPeople: 1)
        #expect(one.totalOut == [1] && one.totalIn == [0])
        // A group of two that parts the same way: both crossed, no more.
        let two = splitOnTheLine(groupPeople: 2)
        #expect(two.totalOut == [2] && two.totalIn == [0])
    }
}

/// People who stop stay counted; the place someone left who was there from the start does not.
@Suite struct StillnessHoldTests {
    static let framesPerSecond = 10.0

    func warmedUp(_ scene: SyntheticScene = SyntheticScene(), parameters: EstimatorParameters = EstimatorParameters()) -> OccupancyEstimator {
        let estimator = OccupancyEstimator(
            site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height,
            parameters: parameters, framesPerSecond: Self.framesPerSecond)
        for _ in 0..<40 { _ = scene.feed(estimator) }
        return estimator
    }

    /// Walks a person in from the left to `x`, then keeps them standing there for `seconds`.
    func walkInAndStand(_ estimator: OccupancyEstimator, at x: Int, seconds: Double) -> [Int] {
        for step in stride(from: 10, to: x, by: 5) {
            var scene = SyntheticScene()
            scene.drawPerson(x: step, footRow: 160)
            _ = scene.feed(estimator)
        }
        var scene = SyntheticScene()
        scene.drawPerson(x: x, footRow: 160)
        return (0..<Int(seconds * Self.framesPerSecond)).map { _ in scene.feed(estimator).count }
    }

    @Test func someoneWhoStopsStaysCountedForAMinute() {
        let counts = walkInAndStand(warmedUp(), at: 100, seconds: 60)
        #expect(counts.allSatisfy { $0 == 1 }, "counts fell to \(counts.min()!)")
    }

    @Test func withoutTheHoldTheyFadeWithinSeconds() {
        var parameters = EstimatorParameters()
        parameters.stillHoldSeconds = 0
        let counts = walkInAndStand(warmedUp(parameters: parameters), at: 100, seconds: 60)
        #expect(counts.last == 0)
    }

    @Test func theHoldEndsAndTheBackgroundAbsorbsWhatStays() {
        var parameters = EstimatorParameters()
        parameters.stillHoldSeconds = 20
        let estimator = warmedUp(parameters: parameters)
        let counts = walkInAndStand(estimator, at: 100, seconds: 40)
        #expect(counts[Int(15 * Self.framesPerSecond)] == 1)
        #expect(counts.last == 0 && estimator.heldCells == 0)
    }

    @Test func theGhostOfSomeoneWhoWasThereFromTheStartIsNotHeld() {
        // Someone stands at x = 100 while the background is learnt, then walks off to the right. (Had they
        // stayed half a second more, the background would have looked like empty ground there: see README.)
        var start = SyntheticScene()
        start.drawPerson(x: 100, footRow: 160)
        let estimator = OccupancyEstimator(
            site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height,
            framesPerSecond: Self.framesPerSecond)
        for _ in 0..<EstimatorParameters().warmupFrames { _ = start.feed(estimator) }
        var counts: [Int] = []
        for step in 1...200 {
            var scene = SyntheticScene()
            if 100 + 6 * step < SyntheticScene.width { scene.drawPerson(x: 100 + 6 * step, footRow: 160) }
            counts.append(scene.feed(estimator).count)
        }
        // The place they left differs from the background for a while, then is absorbed: nothing stays counted.
        #expect(counts.suffix(20).allSatisfy { $0 == 0 }, "\(counts.suffix(20))")
    }

    @Test func theGhostOfSomeoneWhoStoodThroughTheWarmUpAndBeyondIsNotHeld() {
        // Someone stands at x = 100 while the background is learnt and 10 s more (their place has looked
        // like empty ground for longer than stillEmptySeconds), then walks off to the right. The place
        // they left is foreground on ground "seen empty", but it is the background that stands out there,
        // not the frame (GhostTest): it is not held, and fades as the background absorbs it, well before
        // stillHoldSeconds.
        var start = SyntheticScene()
        start.drawPerson(x: 100, footRow: 160)
        let estimator = OccupancyEstimator(
            site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height,
            framesPerSecond: Self.framesPerSecond)
        for _ in 0..<(EstimatorParameters().warmupFrames + Int(10 * Self.framesPerSecond)) { _ = start.feed(estimator) }
        var counts: [Int] = []
        for step in 1...300 {
            var scene = SyntheticScene()
            if 100 + 6 * step < SyntheticScene.width { scene.drawPerson(x: 100 + 6 * step, footRow: 160) }
            counts.append(scene.feed(estimator).count)
        }
        #expect(counts.suffix(20).allSatisfy { $0 == 0 }, "\(counts.suffix(20))")
        #expect(estimator.heldCells == 0)
    }

    @Test func someoneWhoStopsWhereAGhostHasFadedIsHeld() {
        // The ghost's ground is seen empty again once it has faded: someone who then walks in and stops
        // on it stays counted for the minute.
        var start = SyntheticScene()
        start.drawPerson(x: 250, footRow: 160)
        let estimator = OccupancyEstimator(
            site: SyntheticScene.site, frameWidth: SyntheticScene.width, frameHeight: SyntheticScene.height,
            framesPerSecond: Self.framesPerSecond)
        for _ in 0..<(EstimatorParameters().warmupFrames + Int(10 * Self.framesPerSecond)) { _ = start.feed(estimator) }
        let empty = SyntheticScene()
        for _ in 0..<200 { _ = empty.feed(estimator) }
        let counts = walkInAndStand(estimator, at: 250, seconds: 60)
        #expect(counts.allSatisfy { $0 == 1 }, "counts fell to \(counts.min()!)")
    }
}
