import Foundation
import LanternTestSupport
import Testing

/// Issue 11, defect 7: a world-readable `--mqtt-password-file` is accepted, with one warning line.
@Suite struct PasswordFileTests {
    @Test func aWorldReadablePasswordFileIsAcceptedWithAWarning() throws {
        let dir = try temporaryDirectory("lanternd-password")
        defer { try? FileManager.default.removeItem(at: dir) }
        let password = dir.appendingPathComponent("password")
        try Data("secret\n".utf8).write(to: password)
        for mode in [0o644, 0o600] {
            chmod(password.path, mode_t(mode))
            let state = dir.appendingPathComponent("state-\(mode)")
            // Port 1 on loopback: nothing listens, the connect is refused at once.
            let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), sampleReplay + [
                "--speed", "0", "--state-dir", state.path, "--mqtt-url", "mqtt://127.0.0.1:1",
                "--mqtt-user", "lamp", "--mqtt-password-file", password.path, "--drain-timeout", "0",
            ])
            #expect(status == 0, "\(stderr)")
            #expect(stdout.split(separator: "\n").count == sampleReplayLines)
            let warning = "lanternd: \(password.path): the MQTT password file is readable by every user (mode 644); chmod 600 it (or 640 with lanternd's group)"
            #expect(stderr.contains(warning) == (mode == 0o644), "\(stderr)")
        }
    }
}
