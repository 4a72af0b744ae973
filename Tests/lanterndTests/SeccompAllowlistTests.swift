import Foundation
import LanternTestSupport
import Testing

/// The seccomp allowlist (Sources/CLantern/seccomp-allowlist.def) is the one list: the systemd unit's
/// SystemCallFilter= is generated from it, and the agent's own calls pass it.
@Suite struct SeccompAllowlistTests {
    let generator = repositoryRoot.appendingPathComponent("Toolchain/seccomp-filter-line")
    let unit = repositoryRoot.appendingPathComponent("Toolchain/debian/lanternd.service")

    @Test func theUnitsSystemCallFilterIsTheAllowlist() throws {
        let check = try runProgram(generator, ["--check", unit.path])
        #expect(check.status == 0, "\(check.stderr)")
        // The check can fail: a unit missing one call is reported.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("lanternd-\(getpid()).service")
        defer { try? FileManager.default.removeItem(at: copy) }
        let text = try String(contentsOf: unit, encoding: .utf8)
        try text.replacingOccurrences(of: " renameat2 ", with: " ").write(to: copy, atomically: true, encoding: .utf8)
        let broken = try runProgram(generator, ["--check", copy.path])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("SystemCallFilter= differs"), "\(broken.stderr)")
        // Every name of the list is in the unit; the fatal ones are not.
        let lines = try runProgram(generator, []).stdout
        #expect(lines.contains("=ioctl\n") && lines.contains(" landlock_restrict_self") && lines.contains(" mmap2"))
        #expect(!lines.contains("ptrace") && !lines.contains("io_uring") && !lines.contains("unshare") && !lines.contains("memfd"))
    }

    /// Under strace, a replay with a journal: no call after the filter is installed fails with EPERM
    /// (a call the agent needs but the list lacks), and none is stopped.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")))
    func aReplayMakesNoCallTheListRefuses() throws {
        let state = try temporaryDirectory("lanternd-seccomp")
        defer { try? FileManager.default.removeItem(at: state) }
        let log = state.appendingPathComponent("strace.log").path
        let run = try runProgram(URL(fileURLWithPath: "/usr/bin/strace"), ["-f", "-qq", "-o", log, builtProduct("lanternd").path]
            + sampleReplay + ["--speed", "0", "--state-dir", state.appendingPathComponent("s").path], in: repositoryRoot)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == sampleReplayLines)
        let trace = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        guard let installed = trace.firstIndex(where: { $0.contains("PR_SET_SECCOMP") }) else {
            Issue.record("no seccomp filter installed")
            return
        }
        #expect(trace[installed].hasSuffix("= 0"), "\(trace[installed])")
        let refused = trace[(installed + 1)...].filter { $0.contains("EPERM") || $0.contains("SIGSYS") }
        #expect(refused.isEmpty, "\(refused.joined(separator: "\n"))")
    }
}
