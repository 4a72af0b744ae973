import Foundation
import LanternTestSupport
import Testing

/// Issue 11, "what it must show" 4: the inputs that trapped (SIGILL) or ran away, in both tools. Each
/// must end with one line on stderr (at most 200 characters, no control character), the project's
/// exit code (65 a bad clip or truth file, 78 a bad site file, 64 a bad option), and no signal.
@Suite struct HostileInputTests {
    static let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func clip(_ name: String, _ w: Int, _ h: Int, rate: String = "F7:1", frames: Int = 3, end: String = "\n") {
            var bytes = Data("YUV4MPEG2 W\(w) H\(h) \(rate) Ip A1:1 Cmono\(end)".utf8)
            for _ in 0..<frames { bytes.append(Data("FRAME\n".utf8)); bytes.append(Data(count: w * h)) }
            try? bytes.write(to: dir.appendingPathComponent(name))
        }
        clip("1x1.y4m", 1, 1)
        clip("1x1000.y4m", 1, 1000)
        clip("1000x1.y4m", 1000, 1)
        clip("day-per-frame.y4m", 16, 16, rate: "F1:86400", frames: 50)
        try? Data("YUV4MPEG2 W16384 H16384 F25:1 Cmono\n".utf8).write(to: dir.appendingPathComponent("16384.y4m"))
        clip("crlf.y4m", 64, 48, end: "\r\n")
        var site = try! String(contentsOf: repositoryRoot.appendingPathComponent("Simulator/sample/site.json"), encoding: .utf8)
        // The sample's 2 zones and 31 more.
        let zones = (0..<31).map { #"{"name":"z\#($0)","points":[[0,0],[10,0],[10,10]]}"# }.joined(separator: ",")
        site = site.replacingOccurrences(of: #""zones": ["#, with: #""zones": [\#(zones),"#)
        try? site.write(to: dir.appendingPathComponent("zones33.json"), atomically: true, encoding: .utf8)
        try? (#"{"name":"x","pad":""# + String(repeating: "a", count: 1 << 20) + #""}"#).write(to: dir.appendingPathComponent("over-1mb.json"), atomically: true, encoding: .utf8)
        try? (#"{""# + String(repeating: "k", count: 500_000) + "\u{1}\":1}").write(to: dir.appendingPathComponent("long-key.json"), atomically: true, encoding: .utf8)
        for (name, value) in [("nan", "nan"), ("inf", "inf"), ("1e300", "1e300")] {
            try? "frame,id,x,y,w,h\n\(value),1,10,10,10,10\n".write(to: dir.appendingPathComponent("boxes-\(name).csv"), atomically: true, encoding: .utf8)
        }
        try? "frame,count\n0,1\n".write(to: dir.appendingPathComponent("counts.csv"), atomically: true, encoding: .utf8)
        return dir
    }()

    struct Case: CustomTestStringConvertible, Sendable {
        var tool: String
        var arguments: [String]
        var status: Int32
        var says: String
        var testDescription: String { "\(tool) \(arguments.joined(separator: " "))" }
    }

    static let site = "Simulator/sample/site.json", clip = "Simulator/sample/frames.y4m"

    static func both(_ clip: String, site: String = HostileInputTests.site, status: Int32, says: String) -> [Case] {
        [Case(tool: "lanternd", arguments: ["run", "--site", site, "--replay", clip, "--speed", "0"], status: status, says: says),
         Case(tool: "lantern-sim", arguments: ["replay", clip, "--site", site, "--quiet"], status: status, says: says)]
    }

    static let cases: [Case] = {
        let d = directory.path + "/"
        var cases: [Case] = []
        cases += both(clip, site: d + "zones33.json", status: 78, says: "zones: at most 32 zones (got 33)")
        cases += both(d + "1x1.y4m", status: 65, says: "frames of 1x1 are too small to analyse (at least 16 pixels per side)")
        cases += both(d + "1x1000.y4m", status: 65, says: "frames of 1x1000 are too small to analyse")
        cases += both(d + "1000x1.y4m", status: 65, says: "frames of 1000x1 are too small to analyse")
        cases += both(d + "day-per-frame.y4m", status: 65, says: "header token 'F1:86400' is not a frame rate from one frame a minute")
        cases += both(d + "16384.y4m", status: 65, says: "header token 'W16384' is too large (at most 4096 pixels per side)")
        for name in ["nan", "inf", "1e300"] {
            cases.append(Case(tool: "lantern-sim", arguments: ["replay", clip, "--site", site, "--truth", d + "counts.csv", "--boxes", d + "boxes-\(name).csv", "--quiet"],
                              status: 65, says: "line 2: column 'frame' must be a whole number within ±1e9 (got \(name))"))
        }
        cases += both(clip, site: d + "over-1mb.json", status: 78, says: "over-1mb.json: ")
        cases += both(clip, site: d + "long-key.json", status: 78, says: "long-key.json: ")
        cases.append(Case(tool: "lanternd", arguments: ["run", "--site", site, "--replay", clip, "--start-time", "9999-12-31T23:59:59Z"],
                          status: 64, says: "--start-time 9999-12-31T23:59:59Z: expected UTC ISO 8601 from 1970 to 8999"))
        return cases
    }()

    @Test(arguments: HostileInputTests.cases)
    func endsWithOneShortLineAndTheProjectsExitCodeNeverASignal(_ c: Case) throws {
        let run = try runBuiltProduct(c.tool, c.arguments, in: repositoryRoot)
        #expect(run.reason == .exit, "ended by signal \(run.status): \(run.stderr)")
        #expect(run.status == c.status, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "\(run.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("\(c.tool): ") && line.contains(c.says), "\(line)")
        #expect(line.count <= 200, "\(line.count) characters")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(run.stdout.isEmpty)
    }

    /// A CRLF header is read (the CR is not part of the colour space): the clip replays.
    @Test(arguments: ["lanternd", "lantern-sim"])
    func aCRLFHeaderIsRead(_ tool: String) throws {
        let clip = HostileInputTests.directory.path + "/crlf.y4m"
        // A site that fits the 64x48 clip (the sample's is drawn on 384x288, which run and replay refuse).
        let site = HostileInputTests.directory.path + "/crlf-site-\(tool).json"
        try #"{"name":"crlf","calibration":{"personHeights":[{"row":0,"height":8},{"row":48,"height":16}]}}"#
            .write(toFile: site, atomically: true, encoding: .utf8)
        let arguments = tool == "lanternd" ? ["run", "--site", site, "--replay", clip, "--speed", "0"] : ["replay", clip, "--site", site, "--quiet"]
        let run = try runBuiltProduct(tool, arguments, in: repositoryRoot)
        #expect(run.reason == .exit && run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("colour space"))
    }

    /// A SIGHUP reload of a site the estimator cannot take (33 zones) keeps the running site: the
    /// agent goes on and ends normally, instead of trapping on every restart.
    @Test func aReloadedSiteWith33ZonesIsRefusedAndTheAgentGoesOn() throws {
        let site = HostileInputTests.directory.appendingPathComponent("reload-site.json")
        try? FileManager.default.removeItem(at: site)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent(HostileInputTests.site), to: site)
        let process = Process()
        // Through a wrapper that restores default signal handling: children of the test process
        // inherit its blocked signals, SIGHUP among them.
        let wrapper = "import os, signal, sys\n"
            + "signal.pthread_sigmask(signal.SIG_SETMASK, [])\n"
            + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]\n"
            + "os.execv(sys.argv[1], sys.argv[1:])\n"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", wrapper, builtProduct("lanternd").path,
                             "run", "--site", site.path, "--replay", HostileInputTests.clip, "--speed", "4", "--interval", "1"]
        process.currentDirectoryURL = repositoryRoot
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        usleep(1_500_000)
        try FileManager.default.removeItem(at: site)
        try FileManager.default.copyItem(at: HostileInputTests.directory.appendingPathComponent("zones33.json"), to: site)
        kill(process.processIdentifier, SIGHUP)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("zones: at most 32 zones (got 33); merge or drop some; fix the site file (kept the previous site)"), "\(stderr)")
    }
}
