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
        let state = try temporaryDirectory("lanternd-net")
        defer { try? FileManager.default.removeItem(at: state) }
        let probe = ["LANTERND_SELFTEST_CONNECT": "\(listener.port)", "LANTERND_SELFTEST_BIND": "1"]
        // No uplink: no port is allowed.
        let (status, _, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + ["--speed", "0", "--state-dir", state.path], environment: probe)
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("selftest: connect 127.0.0.1:\(listener.port): Permission denied"), "\(stderr)")
        #expect(stderr.contains("selftest: bind 127.0.0.1:0: Permission denied"), "\(stderr)")
        // The broker's port is allowed; binding still is not.
        let (status2, _, stderr2) = try runProcess(builtProduct("lanternd"), sampleReplay + [
            "--speed", "0", "--state-dir", state.path, "--mqtt-url", "mqtt://127.0.0.1:\(listener.port)", "--drain-timeout", "0",
        ], environment: probe)
        #expect(status2 == 0, "\(stderr2)")
        #expect(stderr2.contains("selftest: connect 127.0.0.1:\(listener.port): ok"), "\(stderr2)")
        #expect(stderr2.contains("selftest: bind 127.0.0.1:0: Permission denied"), "\(stderr2)")
    }
}
