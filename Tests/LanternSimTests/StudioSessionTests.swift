import Foundation
import LanternCore
import LanternSim
import LanternTestSupport
import Testing

/// What the studio's page asks the server, without the browser: the real parser's verdict with the key
/// path of the shape at fault, the save, and the replay of a drawn site.
@Suite struct StudioSessionTests {
    static let sample = repositoryRoot.appendingPathComponent("Simulator/sample")

    func session(site: String? = nil) throws -> StudioSession {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-studio-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("site.json").path
        if let site { try Data(site.utf8).write(to: URL(fileURLWithPath: path)) }
        return try StudioSession(clipPath: StudioSessionTests.sample.appendingPathComponent("frames.y4m").path, sitePath: path)
    }

    func site(zones: String = #"[{"name":"plaza","points":[[0,100],[384,100],[384,288]]}]"#, frame: String = #"{"width":384,"height":288}"#) -> [UInt8] {
        Array(#"{"name":"t","frame":\#(frame),"calibration":{"personHeights":[{"row":80,"height":28},{"row":200,"height":55}]},"zones":\#(zones),"lines":[{"name":"gate","from":[192,40],"to":[192,288]}]}"#.utf8)
    }

    /// One click per person: clicked at the middle of each annotated walker who stands apart in the bundled
    /// sample, the person found has the box's height and feet row.
    @Test func aClickOnAWalkerFindsTheirFeetAndHead() throws {
        let s = try session()
        let boxes = try TruthBox.load(boxesCSV: StudioSessionTests.sample.appendingPathComponent("boxes.csv").path)
        func apart(_ b: TruthBox) -> Bool {
            boxes.allSatisfy { o in
                o.frame != b.frame || o.id == b.id || o.x > b.x + b.width + 8 || o.x + o.width < b.x - 8
                    || o.y > b.y + b.height + 8 || o.y + o.height < b.y - 8
            }
        }
        let walkers = boxes.filter { b in
            b.frame < s.frameCount && b.x >= 0 && b.y >= 0 && b.x + b.width <= 384 && b.y + b.height <= 288 && b.height >= 20 && apart(b)
        }
        #expect(walkers.count >= 100, "\(walkers.count) lone walkers in the sample")
        var good = 0
        var found = 0
        for b in walkers {
            let json = s.personJSON(frame: b.frame, x: Int(b.x + b.width / 2), y: Int(b.y + b.height / 2))
            guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], object["ok"] as? Bool == true,
                  let row = object["row"] as? Int, let height = object["height"] as? Int else { continue }
            found += 1
            if abs(Double(height) - b.height) <= 0.15 * b.height && abs(Double(row) - (b.y + b.height)) <= 0.1 * b.height { good += 1 }
        }
        print("person finder: \(found) of \(walkers.count) lone walkers found, \(good) within 15% of the box height")
        #expect(Double(good) >= 0.8 * Double(walkers.count), "\(good) of \(walkers.count) measured within 15% (\(found) found)")
        // Nobody there: one line that says what to do.
        #expect(s.personJSON(frame: 0, x: 5, y: 5).contains("no person found at (5, 5) in frame 0"))
        #expect(s.personJSON(frame: 999, x: 5, y: 5).contains("frame 999 is not one of the 160 frames shown"))
    }

    @Test func framesAndInfo() throws {
        let s = try session()
        #expect(s.width == 384 && s.height == 288 && s.frameCount == 160)
        #expect(s.framePNG(0)?.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        #expect(s.framePNG(160) == nil)
        #expect(s.infoJSON.contains(#""siteText":null"#))
    }

    @Test func errorsNameTheShape() throws {
        let s = try session()
        guard case .valid(let good) = s.check(site()) else { Issue.record("the drawn site should pass"); return }
        #expect(good.zones.map(\.name) == ["plaza"])
        guard case .invalid(let message, let path) = s.check(site(zones: #"[{"name":"a","points":[[0,0],[10,0],[10,10]]},{"name":"b","points":[[0,0],[5,5]]}]"#)) else {
            Issue.record("a two-point zone must fail"); return
        }
        #expect(path == "zones[1].points", "\(message)")
        guard case .invalid(_, let framePath) = s.check(site(frame: #"{"width":640,"height":480}"#)) else { Issue.record("wrong frame size must fail"); return }
        #expect(framePath == "frame")
        #expect(s.checkJSON(Array("{".utf8)).contains(#""ok":false"#))
    }

    @Test func saveWritesOnlyAValidSite() throws {
        let s = try session()
        #expect(s.save(site(zones: #"[{"name":"b","points":[[0,0],[5,5]]}]"#)).contains(#""ok":false"#))
        #expect(!FileManager.default.fileExists(atPath: s.sitePath))
        #expect(s.save(site()).contains(#""saved""#))
        let saved = try SiteConfig.parse(json: [UInt8](Data(contentsOf: URL(fileURLWithPath: s.sitePath))), source: "saved")
        #expect(saved.lines.map(\.name) == ["gate"])
    }

    @Test func replayOfTheDrawnSiteGivesOneEstimatePerFrame() throws {
        let s = try session()
        let json = s.replayJSON(site())
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        guard let frames = root?["frames"] as? [[String: Any]] else { Issue.record("no frames: \(json.prefix(200))"); return }
        #expect(frames.count == 160)
        #expect(json.contains(#""zones":["#) && json.contains(#""in":["#))
    }
}
