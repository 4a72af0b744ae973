import Foundation
import LanternCore
import LanternTestSupport
import Testing

/// `lantern-sim studio` and `lantern-sim report` as a developer meets them: in a real headless browser
/// (Debian's chromium and chromium-driver through python3-selenium, installed by Toolchain/test from
/// Toolchain/host-packages; everything offline, the studio on 127.0.0.1). The browser steps are
/// `Tests/Browser/*.py`; each prints one JSON object and exits 0 only when its checks hold.
@Suite(.serialized) struct BrowserTests {
    static let sample = repositoryRoot.appendingPathComponent("Simulator/sample")
    static let python = URL(fileURLWithPath: "/usr/bin/python3")

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-browser-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func browserScript(_ name: String, _ arguments: [String]) throws -> ProductRun {
        try runProgram(
            BrowserTests.python, [repositoryRoot.appendingPathComponent("Tests/Browser/\(name)").path] + arguments,
            environment: ["PYTHONDONTWRITEBYTECODE": "1"])
    }

    /// Starts `lantern-sim studio` on a free port and returns the process and the URL it printed.
    func startStudio(site: String) throws -> (Process, String) {
        let process = Process()
        process.executableURL = builtProduct("lantern-sim")
        process.arguments = ["studio", BrowserTests.sample.appendingPathComponent("frames.y4m").path, "--site", site, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        var text = ""
        // Bounded by lines read, not by time: the server prints its URL once it listens.
        while !text.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("studio: http://127.0.0.1:") else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "studio printed no URL: \(text)"])
        }
        return (process, String(line.dropFirst("studio: ".count)))
    }

    @Test func studioDrawsCalibratesSavesAndTheSiteReplays() throws {
        let dir = try scratch()
        let sitePath = dir.appendingPathComponent("site.json").path
        let (server, url) = try startStudio(site: sitePath)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let screenshot = dir.appendingPathComponent("studio.png").path
        let drive = try browserScript("studio_drive.py", [url, screenshot])
        #expect(drive.status == 0, "browser: \(drive.stdout) \(drive.stderr)")
        #expect(drive.stdout.contains(#""console": []"#), "the page logged nothing: \(drive.stdout)")

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: sitePath)))
        let site = try SiteConfig.parse(json: bytes, source: sitePath)
        #expect(site.name == "studio test")
        #expect(site.zones.map(\.name) == ["plaza"])
        #expect(site.lines.map(\.name) == ["gate"])
        #expect(site.frame == SiteConfig.FrameSize(width: 384, height: 288))
        // Two clicks, one per walker: the annotated boxes there have feet at rows 93 and 174, 33.5 and 47.9 px tall.
        let samples = site.scale.samples
        #expect(samples.count == 2, "\(samples)")
        if samples.count == 2 {
            #expect(abs(samples[0].row - 93) <= 5 && abs(samples[0].height - 33.5) <= 0.15 * 33.5, "\(samples)")
            #expect(abs(samples[1].row - 174) <= 5 && abs(samples[1].height - 47.9) <= 0.15 * 47.9, "\(samples)")
        }

        let replay = try runBuiltProduct("lantern-sim", ["replay", BrowserTests.sample.appendingPathComponent("frames.y4m").path, "--site", sitePath, "--json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        // One JSON object per frame (a summary object may end the stream).
        let frames = replay.stdout.split(separator: "\n").filter { $0.hasPrefix(#"{"frame":"#) }
        #expect(frames.count == 160)
        #expect(frames.allSatisfy { $0.contains(#""zones":{"plaza":"#) })
    }

    @Test func reportRendersWithoutErrorsAndItsPlotIsDrawn() throws {
        let dir = try scratch()
        let page = dir.appendingPathComponent("report.html").path
        let run = try runBuiltProduct("lantern-sim", [
            "report", BrowserTests.sample.appendingPathComponent("frames.y4m").path,
            "--truth", BrowserTests.sample.appendingPathComponent("counts.csv").path,
            "--boxes", BrowserTests.sample.appendingPathComponent("boxes.csv").path, "-o", page,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.utf8.count < 5 << 20)
        for needle in ["Count against truth over time", "north-road", "junction", "still scene", "class=\"frame\"", "data:image/png;base64,", "class=\"ruler\""] {
            #expect(html.contains(needle), "the page shows \(needle)")
        }
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "nothing fetched")
        #expect(!html.contains("<script"), "no script")

        let render = try browserScript("report_render.py", [page, dir.appendingPathComponent("report.png").path])
        #expect(render.status == 0, "browser: \(render.stdout) \(render.stderr)")
        #expect(render.stdout.contains(#""console": []"#))
        #expect(render.stdout.contains(#""frame_images": "#) && !render.stdout.contains(#""frame_images": 0"#))
    }

    @Test func evaluateWritesTheConditionsPage() throws {
        // A small empty scene (64x48, 80 frames of flat grey, nobody in it): every condition's row, quickly.
        let dir = try scratch()
        var clip = Array("YUV4MPEG2 W64 H48 F10:1 Ip A1:1 Cmono\n".utf8)
        for _ in 0..<80 { clip += Array("FRAME\n".utf8) + [UInt8](repeating: 120, count: 64 * 48) }
        let clipPath = dir.appendingPathComponent("empty.y4m").path
        try Data(clip).write(to: URL(fileURLWithPath: clipPath))
        let truth = "frame,count\n" + (0..<80).map { "\($0),0" }.joined(separator: "\n") + "\n"
        try Data(truth.utf8).write(to: dir.appendingPathComponent("counts.csv"))
        let site = #"{"name":"empty","frame":{"width":64,"height":48},"calibration":{"personHeights":[{"row":10,"height":8},{"row":40,"height":20}]}}"#
        try Data(site.utf8).write(to: dir.appendingPathComponent("site.json"))
        let page = dir.appendingPathComponent("evaluate.html").path
        let run = try runBuiltProduct("lantern-sim", [
            "evaluate", clipPath, "--truth", dir.appendingPathComponent("counts.csv").path, "--warmup", "20", "--html", page,
        ])
        #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for needle in ["<table class=\"evaluate\">", "<td>clean</td>", "<td>dusk", "<td>still scene</td>"] { #expect(html.contains(needle), "\(needle)") }
        #expect(!html.contains("<script"))
    }
}
