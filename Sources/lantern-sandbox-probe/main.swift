// lantern-sandbox-probe: applies lanternd's confinement (the same `Sandbox` steps from LanternSystem:
// `--user`, no_new_privs, Landlock, seccomp) and tries what the confined agent must not be able to do,
// one line per item. Each item runs in its own child, confined afresh, so a call that stops the
// process (seccomp's fatal list) is reported as well. Host-only test tool (Tests/lanterndTests/
// SandboxProbeTests.swift); not shipped, not in lanternd.
//
//   lantern-sandbox-probe [--user NAME] [--state-dir DIR] [--broker-port P] [--other-port P]
//       [--udp-port P] [--outside FILE] [--shm FILE] [--block DEVICE] [--datagrams] [--before] ITEM...
//
// Lines: `ITEM: refused (<errno or signal>)`, `ITEM: allowed`, or `ITEM: skipped (<why>)`.
import CLanternSandboxProbe
import LanternSystem

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var user: String?
    var stateDirectory: String?
    var brokerPort = 0
    var otherPort = 0
    var udpPort = 9
    var outside: String?
    var shm: String?
    var block: String?
    var datagrams = false
    var before = false
    var items: [String] = []
}

func fail(_ message: String) -> Never {
    _ = probe_write_stdout("lantern-sandbox-probe: \(message)\n")
    exit(64)
}

func parse(_ arguments: [String]) -> Options {
    var o = Options()
    var i = 0
    func value() -> String {
        i += 1
        guard i < arguments.count else { fail("\(arguments[i - 1]) needs a value") }
        return arguments[i]
    }
    while i < arguments.count {
        switch arguments[i] {
        case "--user": o.user = value()
        case "--state-dir": o.stateDirectory = value()
        case "--broker-port": o.brokerPort = Int(value()) ?? 0
        case "--other-port": o.otherPort = Int(value()) ?? 0
        case "--udp-port": o.udpPort = Int(value()) ?? 9
        case "--outside": o.outside = value()
        case "--shm": o.shm = value()
        case "--block": o.block = value()
        case "--datagrams": o.datagrams = true
        case "--before": o.before = true
        default: o.items.append(arguments[i])
        }
        i += 1
    }
    return o
}

/// Runs `item` (already confined); the result: nil when it worked, else why not.
func attempt(_ item: String, _ o: Options) -> String? {
    func result(_ rc: Int32) -> String? { rc == 0 ? nil : String(cString: probe_strerror(probe_errno())) }
    func needs(_ path: String?, _ option: String, _ body: (String) -> Int32) -> String? {
        guard let path else { fail("\(item) needs \(option)") }
        return result(body(path))
    }
    switch item {
    case "udp-send": return result(probe_udp_send(Int32(o.udpPort), 110_592 / 2))
    case "tcp-connect-broker": return result(probe_tcp_connect(Int32(o.brokerPort)))
    case "tcp-connect-other": return result(probe_tcp_connect(Int32(o.otherPort)))
    case "bind-listen": return result(probe_tcp_bind_listen())
    case "clone-newuser-newnet": return result(probe_clone_namespaces())
    case "clone3-newuser": return result(probe_clone3())
    case "unshare-newuser": return result(probe_unshare())
    case "io-uring-setup": return result(probe_io_uring_setup())
    case "memfd-create": return result(probe_memfd_create())
    case "chmod-outside": return needs(o.outside, "--outside") { probe_chmod($0) }
    case "fchmod-outside": return needs(o.outside, "--outside") { probe_fchmod($0) }
    case "chown-outside": return needs(o.outside, "--outside") { probe_chown($0) }
    case "setxattr-outside": return needs(o.outside, "--outside") { probe_setxattr($0) }
    case "write-outside": return needs(o.outside, "--outside") { probe_write_file($0 + ".new", 110_592, 1) }
    case "write-state": return needs(o.stateDirectory, "--state-dir") { probe_write_file($0 + "/probe", 16, 1) }
    case "shm-write": return needs(o.shm, "--shm") { probe_write_file($0, 110_592, 0) }
    case "block-write": return needs(o.block, "--block") { probe_write_file($0, 512, 0) }
    case "mknod-state": return needs(o.stateDirectory, "--state-dir") { probe_mknod($0 + "/probe-node") }
    case "af-packet": return result(probe_af_packet())
    case "sethostname": return result(probe_sethostname())
    case "exec": return result(probe_exec("/bin/true"))
    case "crash":
        probe_crash()
        return "did not crash"
    case "abort-from-outside":
        probe_ready_then_wait()
        return "was not stopped"
    default: fail("unknown item \(item)")
    }
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
if options.items.isEmpty { fail("name the items to try (udp-send, tcp-connect-other, bind-listen, ...)") }
for item in options.items {
    if item == "abort-from-outside", probe_outside_signal_pipe() != 0 { fail("pipe: \(String(cString: probe_strerror(probe_errno())))") }
    let pid = probe_fork()
    if pid < 0 { fail("fork: \(String(cString: probe_strerror(probe_errno())))") }
    if pid == 0 {
        do throws(Sandbox.Failure) {
            if let user = options.user { try Sandbox.switchUser(user) }
            var policy = Sandbox.Policy(writableDirectory: options.stateDirectory,
                                        connectPorts: options.brokerPort > 0 ? [options.brokerPort] : [])
            policy.datagrams = options.datagrams
            policy.before = options.before
            let report = try Sandbox.confine(policy)
            if case .unavailable(let why) = report.seccomp { _ = probe_write_stdout("\(item): skipped (seccomp unavailable: \(why))\n"); probe_exit(0) }
        } catch {
            _ = probe_write_stdout("\(item): skipped (\(error.message))\n")
            probe_exit(0)
        }
        if let why = attempt(item, options) {
            _ = probe_write_stdout("\(item): refused (\(why))\n")
        } else {
            _ = probe_write_stdout("\(item): allowed\n")
        }
        probe_exit(0)
    }
    if item == "abort-from-outside", probe_signal_when_ready(pid, SIGABRT) != 0 {
        fail("kill: \(String(cString: probe_strerror(probe_errno())))")
    }
    let status = probe_wait(pid)
    if status >= 1000 {
        let signal = status - 1000
        let name = signal == Int32(SIGSYS) ? "SIGSYS" : signal == Int32(SIGILL) ? "SIGILL" : signal == Int32(SIGABRT) ? "SIGABRT" : "signal \(signal)"
        _ = probe_write_stdout("\(item): refused (stopped by \(name))\n")
    }
}
