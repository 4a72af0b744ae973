import CLantern

/// The agent's self-confinement once its devices, clip and state directory are open: after it, the
/// process can create, change or remove files only beneath the state directory, cannot run any
/// program, and cannot make the calls the agent never needs (ptrace, mount, modules, bpf, ...).
///
/// Three layers, each kept by the kernel for the rest of the process's life:
/// - `no_new_privs`: no exec can ever grant privileges (and it unlocks the other two unprivileged).
/// - Landlock: write-type filesystem accesses (write, truncate, create, remove, rename, link, exec)
///   are denied except beneath the state directory; beneath `/dev` only writing to existing device
///   files (so a lost camera can be reopened). Reads are not confined: libcurl's CA bundle, libv4l2's
///   plugins, the resolver's files and a site reload read from places that vary by board.
/// - seccomp: a BPF denylist answering EPERM (see `clantern_sandbox.h` for the list and why it is
///   not an allowlist).
public enum Sandbox {
    /// What the kernel enforced; the parts it lacks are `unavailable` with the reason, never fatal.
    public struct Report: Sendable {
        public enum Layer: Sendable, Equatable {
            case enforced(String)
            case unavailable(String)
        }
        public var noNewPrivileges: Layer
        public var landlock: Layer
        public var seccomp: Layer

        /// One line for the log: `sandbox: no_new_privs on; landlock ABI 6: ...; seccomp: ...`.
        public var summary: String {
            func text(_ layer: Layer) -> String {
                switch layer {
                case .enforced(let what): return what
                case .unavailable(let why): return "OFF (\(why))"
                }
            }
            return "sandbox: no_new_privs \(text(noNewPrivileges)); landlock \(text(landlock)); seccomp \(text(seccomp))"
        }

        /// Warning lines for the layers the kernel could not enforce.
        public var warnings: [String] {
            var lines: [String] = []
            if case .unavailable(let why) = noNewPrivileges { lines.append("sandbox: no_new_privs unavailable (\(why)); running without it") }
            if case .unavailable(let why) = landlock { lines.append("sandbox: Landlock unavailable (\(why)); writes are not confined to the state dir") }
            if case .unavailable(let why) = seccomp { lines.append("sandbox: seccomp unavailable (\(why)); exec and ptrace are not blocked") }
            return lines
        }
    }

    /// A failure that must stop the agent (as opposed to a kernel lacking a layer).
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Switches to `user` (uid, gid, supplementary groups). Only root can; anything else is a failure.
    /// The corresponding C functions are `getpwnam`, `initgroups`, `setgid` and `setuid`.
    public static func switchUser(_ user: String) throws(Failure) {
        let result = user.withCString { lantern_switch_user($0) }
        if result == -2 { throw Failure(message: "--user \(user): no such user; create it (adduser --system --group \(user)) or drop --user") }
        if result != 0 {
            let error = Errno.current
            if lantern_effective_uid() != 0 {
                throw Failure(message: "--user \(user): only root can switch users (running as uid \(lantern_effective_uid())); start lanternd as root or drop --user")
            }
            throw Failure(message: "--user \(user): cannot switch: \(error)")
        }
    }

    /// Applies no_new_privs, Landlock and seccomp. `writableDirectory` nil: no file may be written.
    ///
    /// Network (Landlock ABI 4 and later): TCP connect only to `connectPorts` (the broker's and the
    /// context broker's), TCP bind nowhere. Older kernels leave the network open (the report says so);
    /// UDP (DNS) is not covered by Landlock.
    public static func confine(writableDirectory: String?, connectPorts: [Int] = []) throws(Failure) -> Report {
        var report = Report(noNewPrivileges: .unavailable("not tried"), landlock: .unavailable("not tried"), seccomp: .unavailable("not tried"))
        if lantern_set_no_new_privs() == 0 {
            report.noNewPrivileges = .enforced("on")
        } else {
            report.noNewPrivileges = .unavailable("\(Errno.current)")
        }
        report.landlock = try applyLandlock(writableDirectory: writableDirectory, connectPorts: connectPorts)
        // Swift's backtracer cannot work confined: a crash says what it was in one line instead.
        _ = lantern_install_crash_line()
        if lantern_install_seccomp_denylist() == 0 {
            report.seccomp = .enforced("\(lantern_denied_syscall_count()) calls denied (EPERM)")
        } else {
            report.seccomp = .unavailable("\(Errno.current)")
        }
        return report
    }

    /// The Landlock ABI version the kernel offers, or the reason it offers none.
    public static func landlockABI() -> Result<Int, Errno> {
        let abi = lantern_landlock_abi()
        return abi > 0 ? .success(Int(abi)) : .failure(Errno.current)
    }

    static func applyLandlock(writableDirectory: String?, connectPorts: [Int]) throws(Failure) -> Report.Layer {
        let abi: Int
        switch landlockABI() {
        case .success(let v): abi = v
        case .failure(let error):
            if error.rawValue == ENOSYS { return .unavailable("not in this kernel (ENOSYS)") }
            if error.rawValue == EOPNOTSUPP { return .unavailable("disabled at boot (EOPNOTSUPP); add lsm=landlock to the kernel command line") }
            return .unavailable("\(error)")
        }
        let fileWrites = lantern_landlock_write_file() | (abi >= 3 ? lantern_landlock_truncate() : 0)
        var handled = lantern_landlock_execute() | fileWrites | lantern_landlock_change_tree()
        if abi >= 2 { handled |= lantern_landlock_refer() }
        if abi >= 5 { handled |= lantern_landlock_ioctl_dev() }
        let network = lantern_landlock_net_bind_tcp() | lantern_landlock_net_connect_tcp()
        let ruleset = abi >= 4 ? lantern_landlock_create_ruleset_net(handled, network) : lantern_landlock_create_ruleset(handled)
        if ruleset < 0 { return .unavailable("create_ruleset: \(Errno.current)") }
        defer { _ = close(ruleset) }
        // Everything but execute beneath the state directory (SQLite creates, truncates and removes
        // its journal files there; next-seq is replaced by rename).
        if let dir = writableDirectory {
            let allowed = handled & ~lantern_landlock_execute()
            if dir.withCString({ lantern_landlock_allow_beneath(ruleset, $0, allowed) }) != 0 {
                throw Failure(message: "\(dir): cannot confine writes to the state dir: \(Errno.current); check --state-dir is a directory")
            }
        }
        // Existing device files stay writable (a lost camera is reopened O_RDWR); nothing can be
        // created in /dev (so not in /dev/shm either).
        let devices = lantern_landlock_write_file() | (abi >= 5 ? lantern_landlock_ioctl_dev() : 0)
        _ = "/dev".withCString { lantern_landlock_allow_beneath(ruleset, $0, devices) }
        if abi >= 4 {
            for port in connectPorts where port > 0 && port < 65536 {
                if lantern_landlock_allow_port(ruleset, UInt64(port), lantern_landlock_net_connect_tcp()) != 0 {
                    throw Failure(message: "cannot allow TCP connects to port \(port): \(Errno.current)")
                }
            }
        }
        if lantern_landlock_restrict_self(ruleset) != 0 { return .unavailable("restrict_self: \(Errno.current)") }
        let place = writableDirectory.map { "only beneath \($0)" } ?? "nowhere"
        var ports = ""
        for port in connectPorts { ports += (ports.isEmpty ? "" : ", ") + "\(port)" }
        let net = abi >= 4 ? "; TCP connect \(ports.isEmpty ? "nowhere" : "to port " + ports), bind nowhere" : "; network open (Landlock ABI 4 needed)"
        return .enforced("ABI \(abi): writes \(place)\(net)")
    }

    /// The test-only hook (environment `LANTERND_SELFTEST_WRITE=PATH`, `LANTERND_SELFTEST_EXEC=PATH`,
    /// `LANTERND_SELFTEST_CRASH=1`):
    /// after confinement, tries to create a file or run a program and reports the outcome on stderr
    /// as `selftest: write PATH: ok` or `selftest: exec PATH: <error>`. It only ever tries what the
    /// sandbox must refuse, and it runs only when the variable is set.
    public static func selfTestLines() -> [String] {
        var lines: [String] = []
        if let path = environment("LANTERND_SELFTEST_WRITE") {
            for target in path.split(separator: ":") {
                let p = String(target)
                do throws(Errno) {
                    let fd = try FileDescriptor.open(p, .writeOnly, options: [.create, .truncate, .closeOnExec])
                    _ = try? fd.close()
                    lines.append("selftest: write \(p): ok")
                } catch {
                    lines.append("selftest: write \(p): \(error)")
                }
            }
        }
        if let path = environment("LANTERND_SELFTEST_EXEC") {
            _ = path.withCString { lantern_try_exec($0) }
            lines.append("selftest: exec \(path): \(Errno.current)")
        }
        // `LANTERND_SELFTEST_CONNECT=PORT`: a TCP connect to 127.0.0.1:PORT; `LANTERND_SELFTEST_BIND=1`: a bind.
        if let text = environment("LANTERND_SELFTEST_CONNECT"), let port = Int(text) {
            let rc = lantern_selftest_tcp(Int32(port), 0)
            lines.append("selftest: connect 127.0.0.1:\(port): \(rc == 0 ? "ok" : "\(Errno.current)")")
        }
        if environment("LANTERND_SELFTEST_BIND") != nil {
            let rc = lantern_selftest_tcp(0, 1)
            lines.append("selftest: bind 127.0.0.1:0: \(rc == 0 ? "ok" : "\(Errno.current)")")
        }
        // `LANTERND_SELFTEST_CRASH=1`: a trap while confined, to see the crash line.
        if environment("LANTERND_SELFTEST_CRASH") != nil {
            _ = raise(SIGILL)
        }
        return lines
    }

    static func environment(_ name: String) -> String? {
        guard let value = name.withCString({ getenv($0) }) else { return nil }
        return String(cString: value)
    }
}
