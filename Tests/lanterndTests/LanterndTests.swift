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
        #expect(status == 69)  // EX_UNAVAILABLE
        #expect(stdout.isEmpty)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(stderr.hasPrefix("lanternd: /dev/gpiochip0: "))
        #expect(stderr.contains("Boards/raspberry-pi-4.json"))
    }

    @Test func aMissingSiteOptionIsAUsageError() throws {
        let (status, _, stderr) = try runLanternd(["run", "--replay", "Simulator/sample/frames.y4m"])
        #expect(status == 64)  // EX_USAGE
        #expect(stderr.hasPrefix("lanternd: missing --site FILE"))
    }

    @Test(arguments: [
        (["--ha-discovery"], "lanternd: --ha-discovery needs --mqtt-url URL"),
        (["--ngsi-tenant", "city"], "lanternd: --ngsi-tenant, --ngsi-token-file and --ngsi-context need --ngsi-url URL"),
        (["--ngsi-url", "http://127.0.0.1:9", "--ngsi-context", "ctx.jsonld"], "lanternd: --ngsi-context ctx.jsonld: expected the http:// or https:// URL"),
    ])
    func cityOptionsThatNeedAnotherAreUsageErrors(extra: [String], message: String) throws {
        let (status, stdout, stderr) = try runLanternd(["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m"] + extra)
        #expect(status == 64)
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix(message), "\(stderr)")
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

/// Every subcommand reads its options from one table: `--opt=value` as well as `--opt value`, `--help`
/// from the table, and an unknown option is one line and exit 64.
@Suite struct SubcommandOptionTests {
    static let subcommands = ["run", "check", "aim", "manifest", "provision"]

    @Test(arguments: subcommands) func eachSubcommandPrintsItsHelp(subcommand: String) throws {
        let (status, stdout, stderr) = try runLanternd([subcommand, "--help"])
        #expect(status == 0)
        #expect(stderr.isEmpty)
        #expect(stdout.hasPrefix("USAGE: lanternd \(subcommand) "))
        #expect(stdout.contains("-h, --help"))
    }

    @Test(arguments: subcommands) func anUnknownOptionIsOneLineAndExit64(subcommand: String) throws {
        let (status, stdout, stderr) = try runLanternd([subcommand, "--no-such-option=1"])
        #expect(status == 64)
        #expect(stdout.isEmpty)
        #expect(stderr == "lanternd: unknown option '--no-such-option'; see `lanternd \(subcommand) --help`\n")
    }

    @Test func optionValuesMayFollowAnEqualsSign() throws {
        let (status, stdout, _) = try runLanternd(["manifest", "--site=Simulator/sample/site.json", "--device-id=lamp-eq"])
        #expect(status == 0)
        #expect(stdout.contains("\"device\":\"lamp-eq\""))
        let replay = try runLanternd(["run", "--site=Simulator/sample/site.json", "--replay=Simulator/sample/frames.y4m", "--speed=0", "--interval=5"])
        #expect(replay.0 == 0)
        #expect(replay.1.split(separator: "\n").count == 20)  // 5 intervals: the view, 2 zones, 1 line
        let aim = try runLanternd(["aim", "--site=Simulator/sample/site.json", "--replay=Simulator/sample/frames.y4m", "--frames=10"])
        #expect(aim.0 == 0)
        let check = try runLanternd(["check", "--board=Boards/qemu-virt.json", "--site=Simulator/sample/site.json", "--seconds=1"])
        #expect(check.0 == 1)  // no gpiochip or camera here: FAILs, but the options were taken
        #expect(check.1.contains("PASS  site: Simulator/sample/site.json"))
        let provision = try runLanternd(["provision", "--config-dir=/nonexistent/x/y", "--board=Boards/qemu-virt.json",
                                         "--site=Simulator/sample/site.json", "--device-id=lamp-eq"])
        #expect(provision.0 == 73)  // cannot create the directory
    }

    @Test func anUnknownSubcommandIsAUsageError() throws {
        let (status, _, stderr) = try runLanternd(["fly"])
        #expect(status == 64)
        #expect(stderr.hasPrefix("lanternd: unknown subcommand 'fly'"))
    }
}
