import Foundation
import LanternTestSupport
import Testing

/// The Landlock ABI of this kernel (0: none).
func kernelLandlockABI() -> Int {
    typealias Syscall = @convention(c) (Int, Int, Int, Int) -> Int
    guard let symbol = dlsym(nil, "syscall") else { return 0 }
    return max(0, unsafeBitCast(symbol, to: Syscall.self)(444, 0, 0, 1))
}

/// Issue 11, defect 5 (network part): confined, the agent may connect over TCP only to the ports its
/// uplink names, and bind nowhere (Landlock ABI 4 and later).
@Suite struct SandboxNetworkTests {
    /// A loopback TCP listener on a free port.
    final class Listener {
        let fd: Int32
        let port: Int
        init() {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            listen(fd, 16)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(fd) }
    }

    @Test(.enabled(if: kernelLandlockABI() >= 4))
    func confinedTCPConnectsGoOnlyToTheUplinksPortsAndNothingBinds() throws {
        let listener = Listener()
        // No uplink: no port is allowed.
        let none = try runBuiltProduct("lantern-sandbox-probe", ["--other-port", "\(listener.port)", "tcp-connect-other", "bind-listen"])
        #expect(none.stdout.contains("tcp-connect-other: refused (Permission denied)"), "\(none.stdout)")
        #expect(none.stdout.contains("bind-listen: refused"), "\(none.stdout)")
        // The broker's port is allowed; binding still is not.
        let broker = try runBuiltProduct("lantern-sandbox-probe", ["--broker-port", "\(listener.port)", "tcp-connect-broker", "bind-listen"])
        #expect(broker.stdout.contains("tcp-connect-broker: allowed"), "\(broker.stdout)")
        #expect(broker.stdout.contains("bind-listen: refused"), "\(broker.stdout)")
    }

    /// lanternd gives the sandbox its uplink's ports: a replay with a broker URL on the listener's port
    /// connects (the broker does not answer MQTT: the agent says so and exits at the drain timeout).
    @Test(.enabled(if: kernelLandlockABI() >= 4))
    func lanterndAllowsItsBrokersPort() throws {
        let listener = Listener()
        let state = try temporaryDirectory("lanternd-net")
        defer { try? FileManager.default.removeItem(at: state) }
        let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + [
            "--speed", "0", "--state-dir", state.path, "--mqtt-url", "mqtt://127.0.0.1:\(listener.port)", "--drain-timeout", "0",
        ])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.split(separator: "\n").count == sampleReplayLines)
        #expect(!stderr.contains("Permission denied"), "\(stderr)")
    }
}
