import Foundation
import LanternTestSupport
import Testing

/// Secret files (`--mqtt-password-file`, `--ngsi-token-file`): one that every user may read is used,
/// with one warning naming it and the fix (issue 11: it was accepted without a word).
@Suite struct SecretFileTests {
    /// `lanternd run` with an MQTT password file of `passwordMode`; the run, and the file's path.
    func run(passwordMode: Int) throws -> (run: ProductRun, password: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-secret-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let password = dir.appendingPathComponent("password")
        try "s3cret\n".write(to: password, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: passwordMode], ofItemAtPath: password.path)
        // Nothing listens on port 1: the replay runs, its records stay in the journal.
        let run = try runBuiltProduct("lanternd", [
            "run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--speed", "0", "--interval", "10",
            "--state-dir", dir.appendingPathComponent("state").path, "--mqtt-url", "mqtt://127.0.0.1:1",
            "--mqtt-user", "lamp", "--mqtt-password-file", password.path, "--drain-timeout", "0", "--no-sandbox",
        ], in: repositoryRoot)
        return (run, password.path)
    }

    @Test func aPasswordFileEveryUserMayReadIsUsedWithOneWarning() throws {
        let (open, path) = try run(passwordMode: 0o644)
        #expect(open.status == 0, "\(open.stderr)")
        let warnings = open.stderr.split(separator: "\n").filter { $0.contains("readable by every user") }
        #expect(warnings == ["lanternd: \(path): the MQTT password file is readable by every user (mode 0644); chmod 600 \(path)"], "\(open.stderr)")
        let (closed, _) = try run(passwordMode: 0o600)
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(!closed.stderr.contains("readable by every user"), "\(closed.stderr)")
    }
}
