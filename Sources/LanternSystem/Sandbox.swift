import CLantern

/// The agent's self-confinement once its devices, clip and state directory are open: after it, the
/// process can create, change or remove files only beneath the state directory, write no device but
/// its camera, connect over TCP only to its uplink's ports, and make only the system calls the agent
/// makes (`Sources/CLantern/seccomp-allowlist.def`).
///
/// Three layers, each kept by the kernel for the rest of the process's life:
/// - `no_new_privs`: no exec can ever grant privileges (and it unlocks the other two unprivileged).
/// - Landlock: write-type filesystem accesses (write, truncate, create, remove, rename, link, exec)
///   are denied except beneath the state directory (no device nodes there either) and on the
///   camera's device node (so a lost camera can be reopened). Reads are not confined: libcurl's CA
///   bundle, libv4l2's plugins, the resolver's files and a site reload read from places that vary
///   by board. From ABI 4, TCP connect only to `connectPorts`, bind nowhere.
/// - seccomp: a BPF allowlist (`Sources/CLantern/seccomp-allowlist.def`, with argument checks for clone,
///   socket, socketpair, ioctl, kill; see `lantern_install_seccomp_allowlist`); everything else EPERM,
///   the dangerous calls stop the process.
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
            if case .unavailable(let why) = seccomp { lines.append("sandbox: seccomp unavailable (\(why)); system calls are not filtered (no allowlist)") }
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

    /// What the confinement allows.
    public struct Policy: Sendable {
        /// The only directory beneath which files may be written, created or removed (nil: nowhere).
        public var writableDirectory: String?
        /// The only TCP ports connects may go to (Landlock ABI 4 and later): the broker's, the
        /// context broker's.
        public var connectPorts: [Int] = []
        /// Device nodes that stay writable, to be reopened (the camera). One that does not exist yet
        /// is not allowed: a camera appearing later is opened by a restart (see `CameraSource`).
        public var devices: [String] = []
        /// UDP over IPv4/IPv6, for the resolver's DNS queries: only when a host must be looked up by
        /// name (the broker given as `broker.example.org`, not as an address).
        public var datagrams = false
        /// The policy before issue 11 (seccomp denylist, writes to every existing node beneath /dev,
        /// device nodes in the state dir): only for the sandbox probe's `--before` comparison.
        public var before = false

        public init(writableDirectory: String?, connectPorts: [Int] = [], devices: [String] = [], datagrams: Bool = false) {
            self.writableDirectory = writableDirectory
            self.connectPorts = connectPorts
            self.devices = devices
            self.datagrams = datagrams
        }
    }

    /// Applies no_new_privs, Landlock and seccomp. `writableDirectory` nil: no file may be written.
    ///
    /// Network (Landlock ABI 4 and later): TCP connect only to `connectPorts` (the broker's and the
    /// context broker's), TCP bind nowhere. Older kernels leave TCP ports open (the report says so);
    /// UDP is refused by seccomp unless `datagrams` (DNS).
    public static func confine(writableDirectory: String?, connectPorts: [Int] = []) throws(Failure) -> Report {
        try confine(Policy(writableDirectory: writableDirectory, connectPorts: connectPorts))
    }

    public static func confine(_ policy: Policy) throws(Failure) -> Report {
        var report = Report(noNewPrivileges: .unavailable("not tried"), landlock: .unavailable("not tried"), seccomp: .unavailable("not tried"))
        if lantern_set_no_new_privs() == 0 {
            report.noNewPrivileges = .enforced("on")
        } else {
            report.noNewPrivileges = .unavailable("\(Errno.current)")
        }
        report.landlock = try applyLandlock(policy)
        // Swift's backtracer cannot work confined: a crash says what it was in one line instead.
        _ = lantern_install_crash_line()
        if policy.before {
            report.seccomp = lantern_install_seccomp_denylist() == 0 ? .enforced("the old denylist") : .unavailable("\(Errno.current)")
        } else if lantern_install_seccomp_allowlist(policy.datagrams ? 1 : 0) == 0 {
            let udp = policy.datagrams ? "UDP for DNS" : "no UDP"
            report.seccomp = .enforced("allowlist of \(lantern_allowed_syscall_count()) calls and 5 checked (\(udp)), \(lantern_fatal_syscall_count()) fatal, the rest EPERM")
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

    static func applyLandlock(_ policy: Policy) throws(Failure) -> Report.Layer {
        let writableDirectory = policy.writableDirectory, connectPorts = policy.connectPorts
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
        // Everything but execute and device nodes beneath the state directory (SQLite creates,
        // truncates and removes its journal files there; next-seq is replaced by rename).
        if let dir = writableDirectory {
            let allowed = handled & ~lantern_landlock_execute() & (policy.before ? ~0 : ~lantern_landlock_make_devices())
            if dir.withCString({ lantern_landlock_allow_beneath(ruleset, $0, allowed) }) != 0 {
                throw Failure(message: "\(dir): cannot confine writes to the state dir: \(Errno.current); check --state-dir is a directory")
            }
        }
        // The camera's node stays writable (a lost camera is reopened O_RDWR); no other file beneath
        // /dev (not /dev/shm, not a block device). A rule holds the node's inode: a camera unplugged
        // and plugged in again gets a new one, and is reopened by a restart.
        let devices = lantern_landlock_write_file() | (abi >= 5 ? lantern_landlock_ioctl_dev() : 0)
        // A camera absent now (it may appear later, at a path not known yet as an inode): every
        // existing node beneath /dev stays writable, as the report says.
        var everyNode = policy.before
        for device in policy.devices where !policy.before {
            if device.withCString({ lantern_landlock_allow_beneath(ruleset, $0, devices) }) != 0 { everyNode = true }
        }
        if everyNode {
            _ = "/dev".withCString { lantern_landlock_allow_beneath(ruleset, $0, devices) }
        }
        if abi >= 4 {
            for port in connectPorts where port > 0 && port < 65536 {
                if lantern_landlock_allow_port(ruleset, UInt64(port), lantern_landlock_net_connect_tcp()) != 0 {
                    throw Failure(message: "cannot allow TCP connects to port \(port): \(Errno.current)")
                }
            }
        }
        if lantern_landlock_restrict_self(ruleset) != 0 { return .unavailable("restrict_self: \(Errno.current)") }
        var place = writableDirectory.map { "only beneath \($0)" } ?? "nowhere"
        if everyNode { place += " and to every device node (the camera is absent)" } else if !policy.devices.isEmpty { place += " and to the camera's node" }
        var ports = ""
        for port in connectPorts { ports += (ports.isEmpty ? "" : ", ") + "\(port)" }
        let net = abi >= 4 ? "; TCP connect \(ports.isEmpty ? "nowhere" : "to port " + ports), bind nowhere" : "; TCP ports open (Landlock ABI 4 needed)"
        return .enforced("ABI \(abi): writes \(place)\(net)")
    }

    static func environment(_ name: String) -> String? {
        guard let value = name.withCString({ getenv($0) }) else { return nil }
        return String(cString: value)
    }
}
