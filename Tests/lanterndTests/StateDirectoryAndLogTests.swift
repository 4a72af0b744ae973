import Foundation
import LanternTestSupport
import Testing

/// The state directory made or refused in one line, and stderr lines with journald priorities.
@Suite struct StateDirectoryAndLogTests {
    static let replay = ["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--speed", "0", "--interval", "10"]

    func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lantern-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// It used to refuse a state dir that did not exist yet.
    @Test func aMissingStateDirectoryIsCreated0750() throws {
        let parent = temporary("state-parent")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let state = parent.appendingPathComponent("lantern")
        let run = try runBuiltProduct("lanternd", Self.replay + ["--state-dir", state.path], in: repositoryRoot)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("lanternd: created the state directory \(state.path) (mode 0750)\n"))
        let attributes = try FileManager.default.attributesOfItem(atPath: state.path)
        #expect(attributes[.posixPermissions] as? Int == 0o750)
        #expect(run.stdout.split(separator: "\n").count == 12)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to switch users")) func aStateDirectoryOfAnotherUserIsRefusedInOneLine() throws {
        let state = temporary("state-root")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        let run = try runBuiltProduct("lanternd", Self.replay + ["--state-dir", state.path, "--user", "nobody"], in: repositoryRoot)
        #expect(run.status == 77)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "lanternd: \(state.path): the state directory belongs to root, but lanternd runs as nobody; chown -R nobody: \(state.path)\n")
    }

    /// Found on the emulated Debian board: after a watchdog restart, lanternd (root, then `--user
    /// lantern`) said `next-seq: cannot save the record number: Permission denied`, because the run
    /// before had created the file as root before switching. The files root makes in the state
    /// directory are now handed to the user before the switch, so every later run can rewrite them.
    @Test(.enabled(if: getuid() == 0, "needs root to switch users")) func stateFilesMadeAsRootBelongToTheUserAfterTheSwitch() throws {
        let parent = temporary("state-handover")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: parent.path)
        defer { try? FileManager.default.removeItem(at: parent) }
        let state = parent.appendingPathComponent("state")
        for run in 1...2 {
            let result = try runBuiltProduct(
                "lanternd", Self.replay + ["--state-dir", state.path, "--user", "nobody", "--start-time", "\(run * 1000)"], in: repositoryRoot)
            #expect(result.status == 0, "run \(run): \(result.stderr)")
            #expect(!result.stderr.contains("cannot save"), "run \(run): \(result.stderr)")
            let owner = try FileManager.default.attributesOfItem(atPath: state.appendingPathComponent("next-seq").path)[.ownerAccountName] as? String
            #expect(owner == "nobody", "run \(run)")
        }
        // The numbering went on across the two runs (12 records each: view, two zones, one line, 3 intervals).
        let mark = try String(contentsOf: state.appendingPathComponent("next-seq"), encoding: .utf8)
        #expect(mark.hasPrefix("25 ") || mark.hasPrefix("25\n"), "\(mark)")
    }

    @Test func underTheJournalEachStderrLineCarriesItsPriority() throws {
        let state = temporary("state-journal")
        defer { try? FileManager.default.removeItem(at: state) }
        let run = try shell("JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \(lanternd) " + (Self.replay + ["--state-dir", state.path, "--no-sandbox"]).joined(separator: " "))
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("<6>lanternd: created the state directory \(state.path) (mode 0750)"), "\(lines)")
        #expect(lines.contains("<4>lanternd: sandbox: off (--no-sandbox)"), "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("<3>") || $0.hasPrefix("<4>") || $0.hasPrefix("<6>") || $0.hasPrefix("<7>") })
        // Stdout (the records) never carries a priority.
        #expect(run.stdout.hasPrefix("{"))
        let error = try shell("JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \(lanternd) run --site /nonexistent/site.json --replay Simulator/sample/frames.y4m")
        #expect(error.status == 66)
        #expect(error.stderr.hasPrefix("<3>lanternd: /nonexistent/site.json: cannot read the site file"))
        // A JOURNAL_STREAM that is not this stderr (inherited, then redirected): no priorities.
        let other = try shell("JOURNAL_STREAM=1:1 exec \(lanternd) run --site /nonexistent/site.json --replay Simulator/sample/frames.y4m")
        #expect(other.stderr.hasPrefix("lanternd: /nonexistent/site.json"))
    }

    @Test func quietKeepsWarningsAndVerboseAddsDebugLines() throws {
        let quiet = try runBuiltProduct("lanternd", Self.replay + ["--no-sandbox", "--quiet", "--state-dir", temporary("q").path], in: repositoryRoot)
        #expect(quiet.status == 0)
        #expect(quiet.stderr == "lanternd: sandbox: off (--no-sandbox)\n")
        let verbose = try runBuiltProduct("lanternd", Self.replay + ["--verbose"], in: repositoryRoot)
        #expect(verbose.status == 0)
        #expect(verbose.stderr.contains("lanternd: site Simulator/sample/site.json: "), "\(verbose.stderr)")
        let plain = try runBuiltProduct("lanternd", Self.replay, in: repositoryRoot)
        #expect(!plain.stderr.contains("lanternd: site Simulator/sample/site.json: "))
        #expect(verbose.stdout == plain.stdout)
    }

    var lanternd: String { "'" + builtProduct("lanternd").path + "'" }

    func shell(_ script: String) throws -> ProductRun {
        try runProgram(URL(fileURLWithPath: "/bin/bash"), ["-c", script], in: repositoryRoot)
    }
}
