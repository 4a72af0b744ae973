@testable import LanternCore
import LanternSim
import Testing

/// `BlobCheck`: annotated people put in the blobs that hold their box centres, and the blobs grouped by
/// how many they hold.
@Suite struct BlobCheckTests {
    /// An analysed area starting at (10, 20): cell (cx, cy) covers pixels x 10 + 2cx ... 11 + 2cx.
    static var area: PixelRect { PixelRect(x: 10, y: 20, width: 200, height: 100) }

    static func blob(_ minX: Int, _ minY: Int, _ maxX: Int, _ maxY: Int, people: Double) -> Blob {
        Blob(people: people, minX: minX, minY: minY, maxX: maxX, maxY: maxY, centreX: Double(minX + maxX) / 2)
    }

    static func box(frame: Int = 7, id: Int, centre x: Double, _ y: Double) -> TruthBox {
        TruthBox(frame: frame, id: id, x: x - 4, y: y - 10, width: 8, height: 20)
    }

    @Test func eachPersonGoesToTheBlobAroundTheirBoxAndBlobsAreGroupedByThePeopleTheyHold() {
        var check = BlobCheck(boxes: [
            Self.box(id: 1, centre: 15, 30),  // in the lone blob (pixels 10...29, 20...49)
            Self.box(id: 2, centre: 60, 40), Self.box(id: 3, centre: 70, 40),  // the pair's blob (50...89)
            Self.box(id: 4, centre: 200, 110),  // in no blob
            Self.box(id: 5, centre: 131, 31),  // in the small blob under the threshold: in no counted blob
            Self.box(id: 6, centre: 300, 50),  // outside the analysed area (pixels 10...209, 20...119): left out
            Self.box(frame: 8, id: 1, centre: 15, 30),  // another frame
        ])
        let blobs = [
            Self.blob(0, 0, 9, 14, people: 0.9),
            Self.blob(20, 5, 39, 20, people: 1.7),
            Self.blob(50, 30, 59, 40, people: 0.6),  // nobody (pixels 110...129, 80...101)
            Self.blob(60, 5, 61, 6, people: 0.3),  // under the threshold
        ]
        check.add(frame: 7, blobs: blobs, view: Self.area, minimumPeople: 0.5)
        #expect(check.frames == 1)
        #expect(check.groups[1] == BlobCheck.Group(blobs: 1, people: 0.9, truth: 1))
        #expect(check.groups[2] == BlobCheck.Group(blobs: 1, people: 1.7, truth: 2))
        #expect(check.groups[0] == BlobCheck.Group(blobs: 1, people: 0.6, truth: 0))
        #expect(check.groups[3] == BlobCheck.Group())
        #expect(check.peopleOutside == 2)
        #expect(check.groups[2].perPerson == 0.85)
        #expect(check.line == "blobs: 1 person 0.900 per person (1 blobs), 2 people 0.850 (1), 3 or more - (0); "
            + "nobody 1 blobs worth 0.600 each; 2 people in no blob")
    }

    @Test func aPersonInsideAGroupsBoxButInTheirOwnBlobIsTheirs() {
        // A lone walker's blob (pixels 40...49) lies inside the bounding box of a U-shaped group (10...89).
        var check = BlobCheck(boxes: [Self.box(id: 1, centre: 44, 40), Self.box(id: 2, centre: 14, 40), Self.box(id: 3, centre: 84, 40)])
        check.add(
            frame: 7, blobs: [Self.blob(0, 0, 39, 20, people: 2.1), Self.blob(15, 5, 19, 15, people: 1.0)], view: Self.area,
            minimumPeople: 0.5)
        #expect(check.groups[1] == BlobCheck.Group(blobs: 1, people: 1.0, truth: 1))
        #expect(check.groups[2] == BlobCheck.Group(blobs: 1, people: 2.1, truth: 2))
        #expect(check.peopleOutside == 0)
    }

    @Test func groupsOfThreeOrMoreShareTheLastRow() {
        var check = BlobCheck(boxes: (0..<4).map { Self.box(id: $0, centre: 20 + 10 * Double($0), 40) })
        check.add(frame: 7, blobs: [Self.blob(0, 0, 39, 20, people: 3.2)], view: Self.area, minimumPeople: 0.5)
        check.add(frame: 9, blobs: [Self.blob(0, 0, 39, 20, people: 0.7)], view: Self.area, minimumPeople: 0.5)
        #expect(check.groups[3] == BlobCheck.Group(blobs: 1, people: 3.2, truth: 4))
        #expect(check.groups[0] == BlobCheck.Group(blobs: 1, people: 0.7, truth: 0))
        #expect(check.frames == 2)
    }
}
