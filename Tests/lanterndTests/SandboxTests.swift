import Foundation
import LanternTestSupport
import Testing


/// Runs `executable arguments` in the repository with extra environment; returns (status, stdout, stderr).
func runProcess(_ executable: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    // stderr into a file, stdout through a pipe: neither can fill up and block the child.
    let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("lanternd-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    FileManager.default.createFile(atPath: errPath.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errPath) }
    let out = Pipe()
    let err = try FileHandle(forWritingTo: errPath)
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? err.close()
    let errData = (try? Data(contentsOf: errPath)) ?? Data()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

func temporaryDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

let sampleReplay = ["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--interval", "5"]

/// How many lines `sampleReplay` prints: those of the sample's expected replay (the same run).
let sampleReplayLines = ((try? String(contentsOf: repositoryRoot.appendingPathComponent("Simulator/sample/expected-replay.jsonl"), encoding: .utf8)) ?? "")
    .split(separator: "\n").count

/// Whether this kernel enforces Landlock (ENOSYS/EOPNOTSUPP kernels get a warning from lanternd and
/// the confinement test has nothing to check). `syscall` is variadic, so Swift cannot call it
/// directly; its integer-argument calling convention is the plain one on x86_64 and aarch64.
func kernelHasLandlock() -> Bool {
    typealias Syscall = @convention(c) (Int, Int, Int, Int) -> Int
    guard let symbol = dlsym(nil, "syscall") else { return false }  // nil: RTLD_DEFAULT
    // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) returns the ABI version.
    return unsafeBitCast(symbol, to: Syscall.self)(444, 0, 0, 1) > 0
}

@Suite struct SandboxTests {
    @Test(.enabled(if: kernelHasLandlock()))
    func theConfinedAgentCannotCreateAFileOutsideItsStateDirButCanInside() throws {
        let state = try temporaryDirectory("lanternd-state")
        let outside = try temporaryDirectory("lanternd-outside")
        defer {
            try? FileManager.default.removeItem(at: state)
            try? FileManager.default.removeItem(at: outside)
        }
        let marker = outside.appendingPathComponent("marker")
        try Data("x".utf8).write(to: marker)
        let run = try runBuiltProduct("lantern-sandbox-probe", ["--state-dir", state.path, "--outside", marker.path, "write-outside", "write-state"])
        #expect(run.stdout == "write-outside: refused (Permission denied)\nwrite-state: allowed\n", "\(run.stdout)\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker.path + ".new"))
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("probe").path))
        // The agent itself, under the allowlist, still writes its state file there.
        let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + ["--speed", "0", "--state-dir", state.path])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.split(separator: "\n").count == sampleReplayLines)
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("next-seq").path))
    }

    @Test func theConfinedAgentCannotRunAProgram() throws {
        let run = try runBuiltProduct("lantern-sandbox-probe", ["exec"])
        #expect(run.stdout == "exec: refused (Operation not permitted)\n", "\(run.stdout)\(run.stderr)")
    }

    /// lanternd has no test hooks any more (the probe is a separate program): the variables that once
    /// made the confined agent write, exec or crash do nothing.
    @Test func theOldSelfTestVariablesDoNothing() throws {
        let outside = try temporaryDirectory("lanternd-outside")
        defer { try? FileManager.default.removeItem(at: outside) }
        let path = outside.appendingPathComponent("x").path
        for sandbox in [[], ["--no-sandbox"]] {
            let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + ["--speed", "0"] + sandbox, environment: [
                "LANTERND_SELFTEST_WRITE": path, "LANTERND_SELFTEST_EXEC": "/bin/true", "LANTERND_SELFTEST_CRASH": "1",
                "LANTERND_SELFTEST_CONNECT": "1", "LANTERND_SELFTEST_BIND": "1",
            ])
            #expect(status == 0, "\(stderr)")
            #expect(stdout.split(separator: "\n").count == sampleReplayLines)
            #expect(!stderr.contains("selftest"))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func whileReplayingTheAgentRunsWithNoNewPrivsAndASeccompFilter() throws {
        let process = Process()
        process.executableURL = builtProduct("lanternd")
        process.arguments = sampleReplay + ["--speed", "1"]
        process.currentDirectoryURL = repositoryRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var status = ""
        for _ in 0..<600 {  // up to 30 s on a loaded machine; usually the first look
            status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
            if status.contains("Seccomp:\t2") { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let lines = status.split(separator: "\n").filter { $0.hasPrefix("NoNewPrivs:") || $0.hasPrefix("Seccomp:") }
        #expect(lines == ["NoNewPrivs:\t1", "Seccomp:\t2"])
        #expect(process.isRunning)
    }

    @Test func anUnknownUserIsRefusedWithWhatToDo() throws {
        let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + ["--speed", "0", "--user", "no-such-lantern-user"])
        #expect(status == 77)  // EX_NOPERM
        #expect(stdout.isEmpty)
        #expect(stderr == "lanternd: --user no-such-lantern-user: no such user; create it (adduser --system --group no-such-lantern-user) or drop --user\n")
    }

    @Test(.enabled(if: getuid() == 0))
    func startedAsRootWithUserTheAgentRunsAsThatUser() throws {
        let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + ["--speed", "0", "--user", "nobody"])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.split(separator: "\n").count > 3)
    }
}
