import Testing
@testable import LanternCore

@Suite struct GeometryTests {
    // MARK: Polygon

    let square = Polygon(points: [Point(x: 0, y: 0), Point(x: 10, y: 0), Point(x: 10, y: 10), Point(x: 0, y: 10)])
    /// An L: the square above with its top-right quarter (x > 5, y < 5) cut away.
    let ell = Polygon(points: [
        Point(x: 0, y: 0), Point(x: 5, y: 0), Point(x: 5, y: 5), Point(x: 10, y: 5), Point(x: 10, y: 10), Point(x: 0, y: 10),
    ])

    @Test func polygonContainsPointsInsideAndNotOutside() {
        #expect(square.contains(Point(x: 5, y: 5)))
        #expect(square.contains(Point(x: 0.1, y: 9.9)))
        #expect(!square.contains(Point(x: -0.1, y: 5)))
        #expect(!square.contains(Point(x: 5, y: 10.1)))
        #expect(!square.contains(Point(x: 20, y: 20)))
    }

    @Test func concavePolygonExcludesItsNotch() {
        #expect(ell.contains(Point(x: 2, y: 2)))
        #expect(ell.contains(Point(x: 8, y: 8)))
        #expect(!ell.contains(Point(x: 8, y: 2)))
    }

    @Test func polygonAreaIsPositiveInEitherWinding() {
        #expect(square.area == 100)
        #expect(Polygon(points: square.points.reversed()).area == 100)
        #expect(ell.area == 75)
        #expect(Polygon(points: [Point(x: 0, y: 0), Point(x: 1, y: 1), Point(x: 2, y: 2)]).area == 0)
    }

    // MARK: CountingLine

    /// Runs down the image from (0, 0) to (0, 10): its left, as a walker along it sees it, is +x.
    let line = CountingLine(name: "door", from: Point(x: 0, y: 0), to: Point(x: 0, y: 10))

    @Test func crossingTowardsTheLeftCountsIn() {
        #expect(line.crossing(from: Point(x: -1, y: 5), to: Point(x: 1, y: 5)) == .into)
    }

    @Test func crossingTowardsTheRightCountsOut() {
        #expect(line.crossing(from: Point(x: 1, y: 5), to: Point(x: -1, y: 5)) == .outOf)
    }

    @Test func swappingTheEndPointsSwapsTheDirections() {
        let reversed = CountingLine(name: "door", from: line.to, to: line.from)
        #expect(reversed.crossing(from: Point(x: -1, y: 5), to: Point(x: 1, y: 5)) == .outOf)
        #expect(reversed.crossing(from: Point(x: 1, y: 5), to: Point(x: -1, y: 5)) == .into)
    }

    @Test func crossingTheLinesExtensionBesideTheSegmentIsNotCounted() {
        #expect(line.crossing(from: Point(x: -1, y: 12), to: Point(x: 1, y: 12)) == nil)
        #expect(line.crossing(from: Point(x: -1, y: -0.5), to: Point(x: 1, y: -0.5)) == nil)
    }

    @Test func stepsThatStayOnOneSideAreNotCounted() {
        #expect(line.crossing(from: Point(x: -3, y: 5), to: Point(x: -1, y: 5)) == nil)
        #expect(line.crossing(from: Point(x: 1, y: 2), to: Point(x: 2, y: 8)) == nil)
    }

    @Test func aDiagonalStepThroughTheSegmentIsCounted() {
        #expect(line.crossing(from: Point(x: -2, y: 1), to: Point(x: 2, y: 9)) == .into)
    }

    // MARK: PersonScale

    let scale = PersonScale(samples: [.init(row: 280, height: 76), .init(row: 80, height: 36)])

    @Test func personScaleSortsItsSamplesByRow() {
        #expect(scale.samples.map(\.row) == [80, 280])
    }

    @Test func personScaleMatchesItsSamplesAndInterpolatesBetweenThem() {
        #expect(scale.height(atFootRow: 80) == 36)
        #expect(scale.height(atFootRow: 280) == 76)
        #expect(scale.height(atFootRow: 180) == 56)
        #expect(scale.height(atFootRow: 130) == 46)
    }

    @Test func personScaleExtrapolatesAlongTheEndSegments() {
        #expect(scale.height(atFootRow: 380) == 96)
        #expect(scale.height(atFootRow: 0) == 20)
    }

    @Test func personScaleNeverFallsBelowTheMinimumHeight() {
        #expect(scale.height(atFootRow: -1000) == PersonScale.minimumHeight)
    }

    @Test func personScaleUsesTheSegmentAroundTheRow() {
        // Steeper below row 100 than above it.
        let bent = PersonScale(samples: [.init(row: 0, height: 10), .init(row: 100, height: 20), .init(row: 200, height: 60)])
        #expect(bent.height(atFootRow: 50) == 15)
        #expect(bent.height(atFootRow: 150) == 40)
        #expect(bent.height(atFootRow: 300) == 100)
    }

    @Test func centreRowHeightSolvesForTheFootBelowIt() {
        // Foot row f with f - h(f)/2 == c: for c = 152, f = 180 (h = 56, 180 - 28 = 152).
        #expect(abs(scale.height(atCentreRow: 152) - 56) < 0.01)
    }
}
