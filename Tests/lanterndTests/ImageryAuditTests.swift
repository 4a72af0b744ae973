import Foundation
import LanternTestSupport
import Testing

/// Reads an `strace -f -e trace=openat,open,creat,write,writev,pwrite64,sendto,sendmsg,send -s 0`
/// log and finds what would break the promise that no imagery leaves the agent: a file opened for
/// writing outside the state directory, or one write or send big enough to carry a frame.
struct ImageryAudit {
    struct Findings: Equatable {
        /// Successful opens for writing (O_WRONLY, O_RDWR, O_CREAT, creat) and their paths.
        var writableOpens: [String] = []
        /// Those outside the state directory and the allowed devices.
        var forbiddenOpens: [String] = []
        /// The largest single write or send, in bytes, and its call.
        var largestWrite = 0
        var largestWriteCall = ""
        var writes = 0
        /// Writes or sends at or above the limit.
        var oversizeWrites: [String] = []
    }

    var stateDirectory: String?
    var allowedPaths: Set<String> = ["/dev/null"]
    /// 10% of a 384x288 8-bit frame: no report line, state file or MQTT message comes near it.
    var writeLimit = 384 * 288 / 10

    static let writeCalls: Set<String> = ["write", "writev", "pwrite64", "pwritev", "sendto", "sendmsg", "send"]
    static let openCalls: Set<String> = ["open", "openat", "creat"]

    func audit(_ log: String) -> Findings {
        var findings = Findings()
        var pending: [String: String] = [:]  // pid -> the first half of an `<unfinished ...>` call
        for raw in log.split(separator: "\n") {
            var line = String(raw)
            // `-f` prefixes the pid; a call interrupted by another thread is split in two lines.
            var pid = ""
            if let space = line.firstIndex(of: " "), line[..<space].allSatisfy(\.isNumber) {
                pid = String(line[..<space])
                line = String(line[line.index(after: space)...].drop { $0 == " " })
            }
            if line.hasSuffix("<unfinished ...>") {
                pending[pid] = String(line.dropLast("<unfinished ...>".count))
                continue
            }
            if line.hasPrefix("<... "), let start = pending.removeValue(forKey: pid), let close = line.range(of: " resumed>") {
                line = start + line[close.upperBound...]
            }
            guard let paren = line.firstIndex(of: "("), let equals = line.range(of: " = ", options: .backwards) else { continue }
            let call = String(line[..<paren])
            let resultText = line[equals.upperBound...].prefix { $0 == "-" || $0.isNumber }
            guard let result = Int(resultText), result >= 0 else { continue }
            if Self.openCalls.contains(call) {
                guard let path = Self.firstQuoted(line) else { continue }
                let flags = line[paren...]
                let writing = call == "creat" || flags.contains("O_WRONLY") || flags.contains("O_RDWR") || flags.contains("O_CREAT")
                guard writing else { continue }
                findings.writableOpens.append(path)
                if !isAllowed(path) { findings.forbiddenOpens.append(path) }
            } else if Self.writeCalls.contains(call) {
                findings.writes += 1
                if result > findings.largestWrite {
                    findings.largestWrite = result
                    findings.largestWriteCall = line
                }
                if result >= writeLimit { findings.oversizeWrites.append(line) }
            }
        }
        return findings
    }

    func isAllowed(_ path: String) -> Bool {
        if allowedPaths.contains(path) { return true }
        guard let dir = stateDirectory else { return false }
        return path.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
    }

    static func firstQuoted(_ line: String) -> String? {
        guard let open = line.firstIndex(of: "\"") else { return nil }
        let rest = line[line.index(after: open)...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }
}

@Suite struct ImageryAuditTests {
    @Test func theAuditFlagsAFrameWrittenToAFileOutsideTheStateDir() {
        let log = """
            4242  openat(AT_FDCWD, "/var/lib/lantern/next-seq.tmp", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 3
            4242 write(3, ""..., 3) = 3
            4242 openat(AT_FDCWD, "/usr/share/zoneinfo/UTC", O_RDONLY|O_CLOEXEC) = 4
            4242 openat(AT_FDCWD, "/tmp/frame.raw", O_RDWR|O_CREAT, 0644) = 5
            4242 write(5, ""..., 110592 <unfinished ...>
            4243 write(1, ""..., 300) = 300
            4242 <... write resumed>) = 110592
            4242 sendto(6, ""..., 20000, MSG_NOSIGNAL, NULL, 0) = 20000
            4242 openat(AT_FDCWD, "/etc/shadow", O_WRONLY) = -1 EACCES (Permission denied)
            """
        let findings = ImageryAudit(stateDirectory: "/var/lib/lantern").audit(log)
        #expect(findings.writableOpens == ["/var/lib/lantern/next-seq.tmp", "/tmp/frame.raw"])
        #expect(findings.forbiddenOpens == ["/tmp/frame.raw"])
        #expect(findings.largestWrite == 110592)
        #expect(findings.oversizeWrites.count == 2)
        #expect(findings.writes == 4)
    }

    @Test func theStateDirPrefixDoesNotAdmitASiblingDirectory() {
        let findings = ImageryAudit(stateDirectory: "/var/lib/lantern")
            .audit(#"1 openat(AT_FDCWD, "/var/lib/lantern-evil/x", O_WRONLY|O_CREAT, 0600) = 3"#)
        #expect(findings.forbiddenOpens == ["/var/lib/lantern-evil/x"])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")))
    func aReplayOpensNothingForWritingOutsideTheStateDirAndWritesNothingFrameSized() throws {
        let state = try temporaryDirectory("lanternd-audit-state")
        let logDir = try temporaryDirectory("lanternd-audit-log")
        defer {
            try? FileManager.default.removeItem(at: state)
            try? FileManager.default.removeItem(at: logDir)
        }
        let log = logDir.appendingPathComponent("strace.log").path
        let (status, stdout, stderr) = try runProcess(
            URL(fileURLWithPath: "/usr/bin/strace"),
            ["-f", "-e", "trace=openat,open,creat,write,writev,pwrite64,sendto,sendmsg,send", "-s", "0", "-o", log,
             builtProduct("lanternd").path] + sampleReplay + ["--speed", "0", "--state-dir", state.path])
        #expect(status == 0, "\(stderr)")
        let records = stdout.split(separator: "\n").count
        #expect(records > 10)
        let findings = ImageryAudit(stateDirectory: state.path).audit(try String(contentsOfFile: log, encoding: .utf8))
        #expect(!findings.writableOpens.isEmpty, "the audit saw no state-file write: is the log being parsed?")
        #expect(findings.forbiddenOpens == [])
        #expect(findings.oversizeWrites == [])
        #expect(findings.writes >= records)
        print("imagery audit: \(records) records, \(findings.writableOpens.count) opens for writing (all under the state dir), \(findings.writes) writes, largest \(findings.largestWrite) bytes (limit \(ImageryAudit().writeLimit))")
    }
}
