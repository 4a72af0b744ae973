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
            report = try Sandbox.confine(writableDirectory: writableDirectory, connectPorts: connectPorts)
        } catch {
            throw Failure(error.message, code: .noPermission)
        }
        let warnings = report.warnings
        for line in warnings { Console.warning(line) }
        if warnings.isEmpty && announce { Console.info(report.summary) }
        for line in Sandbox.selfTestLines() { Console.info(line) }
    }
}
