import Foundation
import LanternTestSupport
import Testing

/// `lanternd check --calibrate`: the self-calibration on the board, here from the bundled clip through
/// the run loop (`--replay`), proposing the `personHeights` line and comparing it with the site's.
@Suite struct CheckCalibrationTests {
    @Test func theSampleClipGivesAFitAndTheLineToPaste() throws {
        let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), [
            "check", "--calibrate", "--replay", "Simulator/sample/frames.y4m", "--site", "Simulator/sample/site.json",
        ])
        #expect(status == 0, "\(stdout) \(stderr)")
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("PASS  calibration: height = ") }, "\(stdout)")
        // Each proposed row, compared with the site file: within 10% of the calibration measured from boxes.
        let compared = lines.filter { $0.contains("(the site file says ") }
        #expect(compared.count == 2, "\(stdout)")
        for line in compared {
            let percent = line.split(separator: ",").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces).dropLast(2)) }
            #expect(percent.map { abs($0) <= 10 } == true, "\(line)")
        }
        #expect(lines.last?.hasPrefix("paste into the site file's \"calibration\": \"personHeights\": [ { \"row\": ") == true)
    }

    @Test func aClipWithTooFewWalkersIsAFail() throws {
        let dir = try temporaryDirectory("lanternd-calibrate")
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = Array("YUV4MPEG2 W64 H48 F7:1 Ip A1:1 Cmono\n".utf8)
        for _ in 0..<60 { bytes += Array("FRAME\n".utf8) + [UInt8](repeating: 90, count: 64 * 48) }
        let clip = dir.appendingPathComponent("empty.y4m")
        try Data(bytes).write(to: clip)
        let (status, stdout, _) = try runProcess(builtProduct("lanternd"), ["check", "--calibrate", "--replay", clip.path])
        #expect(status == 1)
        #expect(stdout.contains("FAIL  calibration: 0 walkers seen alone, 3 needed; watch longer"), "\(stdout)")
    }
}

/// `lanternd --completion-script bash`: made from the option tables, so it offers what the parser takes.
@Suite struct CompletionScriptTests {
    @Test func theBashScriptParsesAndCompletesSubcommandsAndOptions() throws {
        let dir = try temporaryDirectory("lanternd-completion")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, script, _) = try runProcess(builtProduct("lanternd"), ["--completion-script", "bash"])
        #expect(status == 0)
        let file = dir.appendingPathComponent("lanternd.bash")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let probe = """
            source '\(file.path)'
            COMP_WORDS=(lanternd ch); COMP_CWORD=1; _lanternd; echo "${COMPREPLY[*]}"
            COMP_WORDS=(lanternd check --cal); COMP_CWORD=2; _lanternd; echo "${COMPREPLY[*]}"
            """
        let (probeStatus, out, err) = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", probe])
        #expect(probeStatus == 0, "\(err)")
        #expect(out == "check\n--calibrate\n", "\(out)")
        let (badStatus, _, badErr) = try runProcess(builtProduct("lanternd"), ["--completion-script", "fish"])
        #expect(badStatus == 64 && badErr.contains("only bash"))
    }
}
