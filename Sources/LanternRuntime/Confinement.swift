import LanternCore
import LanternSystem

/// The agent's self-confinement, once its devices, clip and state directory are open and just before
/// the frame loop: `user` first (root only), then no_new_privs, Landlock and seccomp
/// (LanternSystem/Sandbox.swift). A kernel lacking a layer is one warning on stderr, not a stop;
/// stdout stays the interval lines only.
public struct Confinement {
    /// The user to switch to when started as root.
    public var user: String?
    /// false: `--no-sandbox` (debugging only).
    public var sandbox = true
    /// The only directory the agent may write beneath.
    public var writableDirectory: String?
    /// Print the summary line (the board; a replay prints only warnings).
    public var announce = true
    /// The only TCP ports the agent may connect to (the broker's, the context broker's).
    public var connectPorts: [Int] = []
    /// The device nodes that stay writable (the camera, to reopen it).
    public var devices: [String] = []
    /// The hosts the uplink connects to: UDP (DNS) stays open only when one is a name, not an address.
    public var hosts: [String] = []

    public init(user: String? = nil, sandbox: Bool = true, writableDirectory: String? = nil, announce: Bool = true) {
        self.user = user
        self.sandbox = sandbox
        self.writableDirectory = writableDirectory
        self.announce = announce
    }

    public func apply() throws(Failure) {
        if let user {
            if let writableDirectory { try StateDirectory.handOver(writableDirectory, to: user) }
            do throws(Sandbox.Failure) {
                try Sandbox.switchUser(user)
            } catch {
                throw Failure(error.message, code: .noPermission)
            }
        }
        guard sandbox else {
            Console.warning("sandbox: off (--no-sandbox)")
            return
        }
        let report: Sandbox.Report
        do throws(Sandbox.Failure) {
            var policy = Sandbox.Policy(writableDirectory: writableDirectory, connectPorts: connectPorts, devices: devices)
            policy.datagrams = hosts.contains { Confinement.needsLookup($0) }
            report = try Sandbox.confine(policy)
        } catch {
            throw Failure(error.message, code: .noPermission)
        }
        let warnings = report.warnings
        for line in warnings { Console.warning(line) }
        if warnings.isEmpty && announce { Console.info(report.summary) }
    }

    /// Whether `host` must be looked up by name (DNS): not an IPv4 or IPv6 address, not `localhost`
    /// (which /etc/hosts and libcurl answer).
    public static func needsLookup(_ host: String) -> Bool {
        if host.isEmpty || host == "localhost" { return false }
        var ipv4 = true
        for byte in host.utf8 {
            if byte == 0x3A { return false }  // ':' only in an IPv6 address
            if !(byte == 0x2E || (byte >= 0x30 && byte <= 0x39)) { ipv4 = false }
        }
        return !ipv4
    }
}
