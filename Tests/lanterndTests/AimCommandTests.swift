import Foundation
import LanternTestSupport
import Testing

@Suite struct AimCommandTests {
    /// Not a terminal: the final map once, no ANSI; motion on the walkway (zone B), where the sample's
    /// walkers are, and none in the sky rows of zone A above it.
    @Test func aimOnAClipPrintsTheFinalMapOnceWithTheZonesAndTheLine() throws {
        let (status, stdout, stderr) = try runLanternd([
            "aim", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--frames", "100",
        ])
        #expect(status == 0, "\(stderr)")
        #expect(!stdout.contains("\u{1B}"))
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 18)
        #expect(lines.allSatisfy { $0.count <= 42 || $0.hasPrefix("motion:") })
        #expect(lines.last == "motion: . : o O @ (more)  A north-road  B walkway  line junction")
        let motion = { (line: String) in line.filter { ".:oO@".contains($0) }.count }
        let walkway = lines[6...15].map(motion).reduce(0, +)
        #expect(walkway > 20)
        #expect(lines[1...5].allSatisfy { $0.contains("|") || $0.contains("A") })
    }
}
