import Testing
@testable import LanternCore

@Suite struct AimMapTests {
    /// A 400x300 view: 40x15 characters of 10x20 pixels each.
    let site = try! SiteConfig.parse(json: Array("""
        {"name": "aim", "frame": {"width": 400, "height": 300},
         "calibration": {"personHeights": [{"row": 50, "height": 30}, {"row": 250, "height": 60}]},
         "zones": [{"name": "door", "points": [[100, 100], [200, 100], [200, 200], [100, 200]]}],
         "lines": [{"name": "gate", "from": [305, 0], "to": [305, 300]}]}
        """.utf8), source: "aim.json")
    let area = PixelRect(x: 0, y: 0, width: 400, height: 300)

    @Test func theMapKeepsTheViewsShapeWithinFortyByFifteen() {
        #expect((AimMap(area: area).columns, AimMap(area: area).rows) == (40, 15))
        let wide = AimMap(area: PixelRect(x: 0, y: 0, width: 640, height: 160))
        #expect((wide.columns, wide.rows) == (40, 5))
        let tall = AimMap(area: PixelRect(x: 0, y: 0, width: 300, height: 600))
        #expect(tall.rows == 15 && tall.columns <= 40)
    }

    @Test func aZoneIsOutlinedWithItsLetterAndALineIsDrawnWhereTheyAre() {
        let lines = AimMap(area: area).render(site: site)
        #expect(lines.count == 15 + 3)
        #expect(lines[0] == "+" + String(repeating: "-", count: 40) + "+")
        func at(_ column: Int, _ row: Int) -> Character {
            let line = Array(lines[row + 1])
            return line[column + 1]
        }
        // The zone's cells: columns 10...19 (centres 105...195), rows 5...9 (centres 110...190).
        for c in 10...19 { #expect(at(c, 5) == "A"); #expect(at(c, 9) == "A") }
        for r in 5...9 { #expect(at(10, r) == "A"); #expect(at(19, r) == "A") }
        #expect(at(15, 7) == " ")  // inside, not the outline
        #expect(at(9, 7) == " " && at(20, 7) == " " && at(15, 4) == " " && at(15, 10) == " ")
        for r in 0..<15 { #expect(at(30, r) == "|") }
        #expect(lines.last!.contains("A door") && lines.last!.contains("line gate"))
    }

    @Test func motionShowsWhereTheBlobWasAndFadesElsewhere() {
        var map = AimMap(area: area)
        // Foreground per 2x2 cell (200x150): a person-sized blob at pixels x 120...139, y 220...259.
        var cells = [UInt8](repeating: 0, count: 200 * 150)
        for y in 110..<130 { for x in 60..<70 { cells[y * 200 + x] = 4 } }
        cells.withUnsafeBufferPointer { buffer in
            for _ in 0..<60 { map.add(cells: buffer, cellsWide: 200, cellsHigh: 150) }
        }
        let lines = map.render(site: site)
        let row11 = Array(lines[11 + 1]), row12 = Array(lines[12 + 1])
        #expect(row11[12 + 1] == "@" && row11[13 + 1] == "@" && row12[12 + 1] == "@")
        // Nothing anywhere else (apart from the zone outline and the line).
        let marks = lines.dropFirst().prefix(15).map { $0.filter { "._:oO@".contains($0) }.count }.reduce(0, +)
        #expect(marks == 4)
        // With no motion the map decays back to blank.
        let empty = [UInt8](repeating: 0, count: 200 * 150)
        empty.withUnsafeBufferPointer { buffer in
            for _ in 0..<200 { map.add(cells: buffer, cellsWide: 200, cellsHigh: 150) }
        }
        #expect(!map.render(site: site).dropFirst().prefix(15).contains { $0.contains("@") || $0.contains(".") })
    }
}
