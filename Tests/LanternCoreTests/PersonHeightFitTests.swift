@testable import LanternCore
import Testing

/// The self-calibration's fit: a line through people's heights at the rows of their feet, robust to
/// split and merged blobs, with an uncertainty that grows when there are fewer walkers.
@Suite struct PersonHeightFitTests {
    /// `walkers` walkers on h = 10 + 0.2 * row, each seen at `perWalker` rows between 60 and 260, their own
    /// height off by up to ±6% (people differ), and every fifth sample an outlier (half or 1.8 times).
    static func samples(walkers: Int, perWalker: Int, outliers: Bool = true, seed: UInt64 = 3) -> [PersonHeightSample] {
        var random = SplitMix64(seed: seed)
        func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        var samples: [PersonHeightSample] = []
        for w in 0..<walkers {
            let stature = 1 + 0.12 * (unit() - 0.5)
            for k in 0..<perWalker {
                let row = 60 + 200 * unit()
                var h = (10 + 0.2 * row) * stature
                if outliers && (w * perWalker + k) % 5 == 0 { h *= (k % 2 == 0 ? 0.5 : 1.8) }
                samples.append(PersonHeightSample(row: row, height: h, walker: 100 + w))
            }
        }
        return samples
    }

    @Test func aLineIsRecoveredDespiteOneSampleInFiveBeingAnOutlier() throws {
        let fit = try PersonHeightFit.fit(Self.samples(walkers: 20, perWalker: 15), minimumRowSpan: 50)
        for row in [80.0, 200.0] {
            let truth = 10 + 0.2 * row
            #expect(abs(fit.height(atRow: row) - truth) <= 0.03 * truth, "row \(row): \(fit.height(atRow: row)) for \(truth)")
            #expect(fit.standardError(atRow: row) > 0 && fit.standardError(atRow: row) < 0.05 * truth)
        }
        // The outliers (a fifth) are set aside, the rest kept.
        #expect(fit.inliers <= fit.samples * 81 / 100 + 2 && fit.inliers >= fit.samples * 7 / 10, "\(fit.inliers) of \(fit.samples)")
        #expect(fit.walkers == 20)
    }

    @Test func fewerWalkersGiveAWiderUncertainty() throws {
        let many = try PersonHeightFit.fit(Self.samples(walkers: 40, perWalker: 10, outliers: false), minimumRowSpan: 50)
        let few = try PersonHeightFit.fit(Self.samples(walkers: 4, perWalker: 10, outliers: false), minimumRowSpan: 50)
        #expect(few.standardError(atRow: 200) > many.standardError(atRow: 200))
    }

    @Test func theSameSamplesGiveTheSameFit() throws {
        let samples = Self.samples(walkers: 12, perWalker: 8)
        #expect(try PersonHeightFit.fit(samples) == PersonHeightFit.fit(samples))
    }

    @Test func oneLongTrackDoesNotOutweighTheOthers() throws {
        // A ghost: one "walker" standing at row 100 for 2000 frames at twice a person's height.
        var samples = Self.samples(walkers: 10, perWalker: 10, outliers: false)
        for _ in 0..<2000 { samples.append(PersonHeightSample(row: 100, height: 60, walker: 1)) }
        let fit = try PersonHeightFit.fit(samples, minimumRowSpan: 50)
        #expect(abs(fit.height(atRow: 100) - 30) <= 1.5, "\(fit.height(atRow: 100))")
    }

    @Test func tooFewWalkersOrRowsAreOneClearError() {
        #expect(throws: PersonHeightFitError.tooFewWalkers(found: 2, needed: 3)) {
            try PersonHeightFit.fit(Self.samples(walkers: 2, perWalker: 10))
        }
        let flat = (0..<30).map { PersonHeightSample(row: 100 + Double($0 % 3), height: 30, walker: $0 % 6) }
        #expect(throws: PersonHeightFitError.self) { try PersonHeightFit.fit(flat, minimumRowSpan: 28.8) }
        #expect(PersonHeightFitError.tooFewWalkers(found: 2, needed: 3).description.contains("watch longer"))
    }

    @Test func theProposedPersonHeightsParseAsASiteFile() throws {
        let fit = try PersonHeightFit.fit(Self.samples(walkers: 20, perWalker: 15), minimumRowSpan: 50)
        let text = SiteSkeleton.json(name: "street", width: 384, height: 288, scale: fit.personScale)
        let site = try SiteConfig.parse(json: Array(text.utf8), source: "skeleton.json")
        #expect(site.frame == SiteConfig.FrameSize(width: 384, height: 288))
        #expect(site.zones.map(\.name) == ["ground"])
        #expect(abs(site.scale.height(atFootRow: 150) - fit.height(atRow: 150)) < 0.2)
        #expect(SiteSkeleton.personHeightsLine(fit.personScale).hasPrefix("\"personHeights\": [ { \"row\": "))
    }
}

/// Lone walkers found among blobs: whole, person-shaped, alone, followed and moving.
@Suite struct WalkerTrackerTests {
    static let wide = 100, high = 80

    /// A grid with the given boxes (cell coordinates) filled, and their blobs.
    static func frame(_ boxes: [(x: Int, y: Int, w: Int, h: Int)]) -> ([UInt8], [Blob]) {
        var cells = [UInt8](repeating: 0, count: wide * high)
        var blobs: [Blob] = []
        for b in boxes {
            for y in b.y..<(b.y + b.h) { for x in b.x..<(b.x + b.w) { cells[y * wide + x] = 3 } }
            blobs.append(Blob(people: 1, minX: b.x, minY: b.y, maxX: b.x + b.w - 1, maxY: b.y + b.h - 1, centreX: Double(b.x) + Double(b.w) / 2))
        }
        return (cells, blobs)
    }

    static func watch(_ frames: [[(x: Int, y: Int, w: Int, h: Int)]]) -> WalkerTracker {
        var tracker = WalkerTracker(area: PixelRect(x: 4, y: 4, width: 2 * wide, height: 2 * high))
        for boxes in frames {
            let (cells, blobs) = frame(boxes)
            cells.withUnsafeBufferPointer { tracker.observe(blobs: blobs, cells: $0, cellsWide: wide, cellsHigh: high) }
        }
        return tracker
    }

    @Test func aLoneWalkerIsSampledAtTheRowOfTheirFeetOnceFollowed() {
        // 6 cells wide, 16 high (12 x 32 pixels), walking right 2 cells a frame.
        let tracker = Self.watch((0..<8).map { [(x: 10 + 2 * $0, y: 30, w: 6, h: 16)] })
        #expect(tracker.samples.count >= 4)
        #expect(tracker.samples.allSatisfy { $0.row == Double(4 + 2 * 46) && $0.height == 32 })
        #expect(tracker.walkersSampled == 1)
    }

    @Test func standingStillNeighboursAndWideBlobsGiveNoSample() {
        let still = Self.watch((0..<8).map { _ in [(x: 10, y: 30, w: 6, h: 16)] })
        #expect(still.samples.isEmpty, "a blob that never moves is not a walker")
        let pair = Self.watch((0..<8).map { [(x: 10 + 2 * $0, y: 30, w: 6, h: 16), (x: 17 + 2 * $0, y: 31, w: 6, h: 15)] })
        #expect(pair.samples.isEmpty, "two walkers side by side are not alone")
        let wide = Self.watch((0..<8).map { [(x: 10 + 2 * $0, y: 30, w: 14, h: 16)] })
        #expect(wide.samples.isEmpty, "wider than a person")
        let edge = Self.watch((0..<8).map { [(x: 10 + 2 * $0, y: 0, w: 6, h: 16)] })
        #expect(edge.samples.isEmpty, "cut by the area's edge")
    }

    /// Foreground per cell row of a person 3 cells wide: a head row, 7 body rows, 6 leg rows.
    static let person = [6, 8] + [Int](repeating: 12, count: 7) + [Int](repeating: 8, count: 6)

    @Test func aPersonsHeightRunsFromTheTopOfTheHeadToTheFeet() {
        var scratch: [Int] = []
        let whole = WalkerTracker.measure(rowFill: Self.person, sorted: &scratch, feetFill: 0.5)
        // The head fills 6 of the 8 pixels the row below does: 1.5 of its cell's 2 pixel rows.
        #expect(whole.feet == Self.person.count - 1 && whole.height == Double(2 * (Self.person.count - 1)) + 1.5)
    }

    @Test func aThinTailBelowTheFeetIsAShadowNotThePerson() {
        var scratch: [Int] = []
        let shadowed = WalkerTracker.measure(rowFill: Self.person + [3, 2], sorted: &scratch, feetFill: 0.5)
        let whole = WalkerTracker.measure(rowFill: Self.person, sorted: &scratch, feetFill: 0.5)
        #expect(shadowed == whole, "\(shadowed) against \(whole)")
        // Feet as full as the legs are the person's.
        let longer = WalkerTracker.measure(rowFill: Self.person + [8], sorted: &scratch, feetFill: 0.5)
        #expect(longer.feet == Self.person.count && longer.height == whole.height + 2)
    }

    @Test func aWalkerIsSampledAtTheirFeetNotAtTheirShadowsEnd() {
        // The frame helper's box of 16 rows, and below it two rows with one half-filled cell (a shadow).
        var tracker = WalkerTracker(area: PixelRect(x: 4, y: 4, width: 2 * Self.wide, height: 2 * Self.high))
        for i in 0..<8 {
            var (cells, blobs) = Self.frame([(x: 10 + 2 * i, y: 30, w: 6, h: 16)])
            for y in 46..<48 { cells[y * Self.wide + 12 + 2 * i] = 2 }
            blobs[0].maxY = 47
            cells.withUnsafeBufferPointer { tracker.observe(blobs: blobs, cells: $0, cellsWide: Self.wide, cellsHigh: Self.high) }
        }
        #expect(tracker.samples.count >= 4)
        #expect(tracker.samples.allSatisfy { $0.row == Double(4 + 2 * 46) && $0.height == 32 }, "\(tracker.samples)")
    }

    @Test func aHeightThatJumpsStartsANewWalker() {
        let frames = (0..<8).map { [(x: 10 + 2 * $0, y: $0 < 4 ? 30 : 38, w: $0 < 4 ? 6 : 4, h: $0 < 4 ? 16 : 8)] }
        let tracker = Self.watch(frames)
        #expect(tracker.walkersSampled == 2, "\(tracker.samples)")
        for walker in Set(tracker.samples.map(\.walker)) {
            #expect(Set(tracker.samples.filter { $0.walker == walker }.map(\.height)).count == 1, "one height per walker: \(tracker.samples)")
        }
    }
}
