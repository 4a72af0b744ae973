import Foundation
import LanternTestSupport
import Testing

/// Runs the built lanternd (the debug build next to this test bundle) and returns (status, stdout, stderr).
func runLanternd(_ arguments: [String]) throws -> (Int32, String, String) {
    let run = try runBuiltProduct("lanternd", arguments, in: repositoryRoot)
    return (run.status, run.stdout, run.stderr)
}

@Suite struct LanterndTests {
    // A missing camera is not fatal (it is reported and reopened: Toolchain/emulate-board's
    // camera-missing scenario); a GPIO chip that does not match the board file is.
    @Test func withoutTheGPIOChipTheBoardRunFailsWithOneLineNamingTheDevice() throws {
        let (status, stdout, stderr) = try runLanternd(["run", "--board", "Boards/raspberry-pi-4.json", "--site", "Simulator/sample/site.json"])
        #expect(status == 1)
        #expect(stdout.isEmpty)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(stderr.hasPrefix("lanternd: /dev/gpiochip0: "))
        #expect(stderr.contains("Boards/raspberry-pi-4.json"))
    }

    @Test func aMissingSiteOptionIsAUsageError() throws {
        let (status, _, stderr) = try runLanternd(["run", "--replay", "Simulator/sample/frames.y4m"])
        #expect(status == 2)
        #expect(stderr.hasPrefix("lanternd: missing --site FILE"))
    }

    @Test func aReplayPrintsOneJSONLinePerRecordAndContinuesItsNumbersFromTheStateDirectory() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("lanternd-test-\(getpid())")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        let args = ["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--speed", "0",
                    "--interval", "10", "--state-dir", state.path, "--device-id", "lamp-7"]
        let (status, stdout, _) = try runLanternd(args)
        #expect(status == 0)
        let lines = stdout.split(separator: "\n")
        #expect(lines.count >= 3)
        #expect(lines[0].hasPrefix(#"{"device":"lamp-7","zone":null,"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:00:10Z","seq":1,"#))
        let (_, again, _) = try runLanternd(args)
        #expect(again.split(separator: "\n").first?.contains("\"seq\":\(lines.count + 1),") == true)
    }

    @Test func aTamperTraceMarksItsIntervalTamper() throws {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("lanternd-trace-\(getpid()).txt")
        try "6 tamper 1\n7 tamper 0\n".write(to: trace, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: trace) }
        let (status, stdout, _) = try runLanternd(["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m",
                                                   "--speed", "0", "--interval", "5", "--gpio-trace", trace.path])
        #expect(status == 0)
        let lines = stdout.split(separator: "\n")
        #expect(lines.filter { $0.contains(#""start":"2026-01-01T00:00:05Z""#) }.allSatisfy { $0.contains(#""status":"tamper""#) })
        #expect(lines.filter { $0.contains(#""start":"2026-01-01T00:00:10Z""#) }.allSatisfy { $0.contains(#""status":"ok""#) })
    }
}
