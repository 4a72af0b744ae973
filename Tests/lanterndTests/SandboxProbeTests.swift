import Foundation
import LanternTestSupport
import Testing

/// Issue 11, defect 5: every escape the adversarial tester found, tried by `lantern-sandbox-probe`,
/// which applies lanternd's own confinement (LanternSystem's `Sandbox`, the same steps and policy)
/// and tries one item per confined child. As the unit runs lanternd (root, `--user`) and as root
/// without `--user`; and with `--before` (the denylist it replaced), to show the probe does catch them.
@Suite(.serialized) struct SandboxProbeTests {
    /// What the tester could do while confined (both as `nobody` and as root).
    static let escapes = [
        "udp-send", "tcp-connect-other", "bind-listen", "clone-newuser-newnet", "clone3-newuser", "unshare-newuser",
        "io-uring-setup", "memfd-create", "chmod-outside", "fchmod-outside", "chown-outside", "setxattr-outside",
        "write-outside", "shm-write", "mknod-state", "af-packet", "sethostname", "exec",
    ]
    /// What the confined agent must still do.
    static let needed = ["tcp-connect-broker", "write-state"]

    /// A loopback TCP listener on a free port (the "broker" and "another service").
    final class Listener {
        let fd: Int32
        let port: Int
        init() {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            listen(fd, 16)
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(fd) }
    }

    /// The files and listeners the items aim at, owned by `user` so that only the sandbox refuses.
    final class Targets {
        let directory: URL
        let state: URL
        let outside: URL
        let shm: String
        let broker = Listener()
        let other = Listener()
        var loopDevice: String?
        let backing: URL

        init(owner user: String?) throws {
            directory = try temporaryDirectory("lantern-probe")
            state = directory.appendingPathComponent("state")
            outside = directory.appendingPathComponent("outside.txt")
            backing = directory.appendingPathComponent("disk.img")
            shm = "/dev/shm/lantern-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            try Data("outside".utf8).write(to: outside)
            FileManager.default.createFile(atPath: shm, contents: Data("shm".utf8), attributes: [.posixPermissions: 0o666])
            chmod(shm, 0o666)
            chmod(directory.path, 0o755)
            if let user, let entry = getpwnam(user) {
                for path in [state.path, outside.path, shm] { chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) }
            }
        }

        /// A loop device over a 1 MB file in the temporary directory: a block device that is safe to write.
        func attachLoopDevice() -> String? {
            FileManager.default.createFile(atPath: backing.path, contents: Data(count: 1 << 20))
            guard let run = try? runProgram(URL(fileURLWithPath: "/sbin/losetup"), ["-f", "--show", backing.path]), run.status == 0 else { return nil }
            loopDevice = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return loopDevice
        }

        deinit {
            if let loopDevice { _ = try? runProgram(URL(fileURLWithPath: "/sbin/losetup"), ["-d", loopDevice]) }
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: shm)
        }

        func arguments(user: String?) -> [String] {
            var arguments = [
                "--state-dir", state.path, "--broker-port", "\(broker.port)", "--other-port", "\(other.port)",
                "--outside", outside.path, "--shm", shm,
            ]
            if let user { arguments += ["--user", user] }
            if let loopDevice { arguments += ["--block", loopDevice] }
            return arguments
        }
    }

    /// `item: outcome` lines of the probe.
    func probe(_ arguments: [String]) throws -> [String: String] {
        let run = try runBuiltProduct("lantern-sandbox-probe", arguments)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        var outcomes: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            outcomes[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
        return outcomes
    }

    func expectConfined(_ outcomes: [String: String], items: [String]) {
        for item in items {
            #expect(outcomes[item]?.hasPrefix("refused") == true, "\(item): \(outcomes[item] ?? "no line")")
        }
        for item in Self.needed {
            #expect(outcomes[item] == "allowed", "\(item): \(outcomes[item] ?? "no line")")
        }
    }

    @Test(.enabled(if: getuid() == 0 && kernelLandlockABI() >= 4))
    func asTheUnitRunsIt_rootSwitchingToAUser_everyEscapeIsRefused() throws {
        let targets = try Targets(owner: "nobody")
        let outcomes = try probe(targets.arguments(user: "nobody") + Self.escapes + Self.needed)
        expectConfined(outcomes, items: Self.escapes)
        // The calls that stop the process rather than fail.
        #expect(outcomes["unshare-newuser"] == "refused (stopped by SIGSYS)")
        #expect(outcomes["io-uring-setup"] == "refused (stopped by SIGSYS)")
        // clone3 cannot be filtered by its flags: ENOSYS, so glibc falls back to clone, which can.
        #expect(outcomes["clone3-newuser"] == "refused (Function not implemented)")
        #expect(outcomes["tcp-connect-other"] == "refused (Permission denied)")  // Landlock
        #expect(outcomes["shm-write"] == "refused (Permission denied)")  // Landlock: no node beneath /dev but the camera's
    }

    @Test(.enabled(if: getuid() == 0 && kernelLandlockABI() >= 4))
    func asRootWithoutUser_everyEscapeIsRefused_blockDevicesToo() throws {
        let targets = try Targets(owner: nil)
        var items = Self.escapes
        if targets.attachLoopDevice() != nil { items.append("block-write") }
        let outcomes = try probe(targets.arguments(user: nil) + items + Self.needed)
        expectConfined(outcomes, items: items)
        // As root, only the sandbox stands between the agent and these.
        #expect(outcomes["af-packet"] == "refused (Operation not permitted)")
        #expect(outcomes["sethostname"] == "refused (Operation not permitted)")
        #expect(outcomes["mknod-state"] == "refused (Operation not permitted)")
        #expect(outcomes["chown-outside"] == "refused (Operation not permitted)")
        if targets.loopDevice != nil { #expect(outcomes["block-write"] == "refused (Permission denied)") }
        let outside = try String(contentsOf: targets.outside, encoding: .utf8)
        #expect(outside == "outside")
        let shm = try String(contentsOfFile: targets.shm, encoding: .utf8)
        #expect(shm == "shm")
    }

    /// The probe can fail: with the policy before issue 11 it finds what the tester found.
    @Test(.enabled(if: getuid() == 0 && kernelLandlockABI() >= 4))
    func theOldDenylistLetsTheEscapesThrough() throws {
        let targets = try Targets(owner: nil)
        var items = Self.escapes
        if targets.attachLoopDevice() != nil { items.append("block-write") }
        let outcomes = try probe(["--before"] + targets.arguments(user: nil) + items + Self.needed)
        var through = ["udp-send", "clone-newuser-newnet", "clone3-newuser", "io-uring-setup", "memfd-create", "chmod-outside",
                       "fchmod-outside", "chown-outside", "setxattr-outside", "shm-write", "mknod-state", "af-packet", "sethostname"]
        if targets.loopDevice != nil { through.append("block-write") }
        for item in through {
            #expect(outcomes[item] == "allowed", "\(item): \(outcomes[item] ?? "no line")")
        }
    }

    /// A broker given by name needs DNS: then, and only then, UDP stays open (Landlock has no UDP rules).
    @Test(.enabled(if: getuid() == 0))
    func udpIsOpenOnlyForAResolver() throws {
        let targets = try Targets(owner: nil)
        let outcomes = try probe(targets.arguments(user: nil) + ["--datagrams", "udp-send", "af-packet"])
        #expect(outcomes["udp-send"] == "allowed")
        #expect(outcomes["af-packet"] == "refused (Operation not permitted)")
    }

    /// Under the sandbox a trap says what crashed, in one line, and still ends by its signal.
    @Test func aCrashUnderTheSandboxSaysWhatCrashed() throws {
        let run = try runBuiltProduct("lantern-sandbox-probe", ["crash"])
        #expect(run.stdout == "crash: refused (stopped by SIGILL)\n")
        #expect(run.stderr.contains("lanternd: crashed with SIGILL (a trap: a failed check in lanternd, a bug)"), "\(run.stderr)")
    }

    /// systemd's watchdog stops a hung agent with SIGABRT from PID 1: that is said as such, not as a crash
    /// to report.
    @Test func aSignalFromAnotherProcessIsNotCalledACrash() throws {
        let run = try runBuiltProduct("lantern-sandbox-probe", ["abort-from-outside"])
        #expect(run.stdout == "abort-from-outside: refused (stopped by SIGABRT)\n")
        #expect(run.stderr.contains("lanternd: stopped by SIGABRT sent by process "), "\(run.stderr)")
        #expect(run.stderr.contains("not a crash: systemd's watchdog sends SIGABRT"), "\(run.stderr)")
        #expect(!run.stderr.contains("crashed with"), "\(run.stderr)")
    }

    /// A forbidden call that stops the process names itself.
    @Test func aFatalCallSaysWhichOne() throws {
        let run = try runBuiltProduct("lantern-sandbox-probe", ["unshare-newuser"])
        #expect(run.stdout == "unshare-newuser: refused (stopped by SIGSYS)\n")
        #if arch(x86_64)
        let unshare = 272
        #else
        let unshare = 97  // aarch64 (generic table)
        #endif
        #expect(run.stderr.contains("lanternd: crashed with SIGSYS (system call \(unshare), which the sandbox forbids"), "\(run.stderr)")
    }
}
