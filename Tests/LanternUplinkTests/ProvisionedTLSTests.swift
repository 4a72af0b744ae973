import Foundation
import LanternTestSupport
import Testing

/// The technician's TLS path as provisioned, against mosquitto with `require_certificate true` and the
/// test CA of `TLSTests`: `lanternd provision` makes the key (libcrypto) and the request, the CA signs
/// it, `--install-cert` checks and installs it, and `lanternd run --config-dir` as the service user
/// (`--user nobody` here, as `lantern` on the board) delivers every interval. Each way it used to
/// break gets one line naming the cause.
@Suite(.serialized) struct ProvisionedTLSTests {
    struct Device {
        let pki: URL
        let conf: URL
        let port: Int
    }

    /// Provisions a device into a fresh directory for a broker on `port`, its key given to `owner`.
    func provision(port: Int, owner: String = "nobody") throws -> Device {
        let pki = TLSTests.pki
        let base = Fixture.temporaryDirectory("provisioned")
        let conf = base.appendingPathComponent("etc")
        let run = try runBuiltProduct("lanternd", [
            "provision", "--config-dir", conf.path, "--board", "Boards/raspberry-pi-4.json", "--site", "Simulator/sample/site.json",
            "--device-id", "lamp-tls", "--mqtt-url", "mqtts://127.0.0.1:\(port)", "--mqtt-ca", pki.appendingPathComponent("ca.crt").path,
            "--key-owner", owner,
        ], in: repositoryRoot)
        #expect(run.status == 0, "\(run.stderr)")
        return Device(pki: pki, conf: conf, port: port)
    }

    /// The test CA signs the device's request, with these validity options.
    func sign(_ device: Device, name: String, validity: [String] = ["-days", "2"]) -> URL {
        let out = device.conf.deletingLastPathComponent().appendingPathComponent(name)
        let result = Fixture.run("/usr/bin/openssl", [
            "x509", "-req", "-in", device.conf.appendingPathComponent("device.csr").path, "-CA", device.pki.appendingPathComponent("ca.crt").path,
            "-CAkey", device.pki.appendingPathComponent("ca.key").path, "-CAcreateserial", "-out", out.path,
        ] + validity)
        #expect(result.status == 0, "\(result.output)")
        return out
    }

    func runAgent(_ device: Device, user: String = "nobody") throws -> ProductRun {
        let state = device.conf.deletingLastPathComponent().appendingPathComponent("state")
        return try runBuiltProduct("lanternd", [
            "run", "--config-dir", device.conf.path, "--site", device.conf.appendingPathComponent("site.json").path,
            "--replay", "Simulator/sample/frames.y4m", "--speed", "0", "--interval", "10", "--state-dir", state.path,
            "--user", user, "--drain-timeout", "10",
        ], in: repositoryRoot)
    }

    @Test func aProvisionedDeviceDeliversOverTLSWithItsClientCertificateAsTheServiceUser() throws {
        let broker = TLSTests().broker()
        defer { broker.stop() }
        let device = try provision(port: broker.port)
        let conf = try String(contentsOf: device.conf.appendingPathComponent("lantern.conf"), encoding: .utf8)
        #expect(conf.contains("mqtt-ca=ca.crt\nmqtt-cert=device.crt\nmqtt-key=device.key\n"), "\(conf)")
        let key = try FileManager.default.attributesOfItem(atPath: device.conf.appendingPathComponent("device.key").path)
        #expect(key[.posixPermissions] as? Int == 0o600)
        #expect(key[.ownerAccountName] as? String == "nobody")

        let signed = sign(device, name: "signed.crt")
        let install = try runBuiltProduct("lanternd", ["provision", "--config-dir", device.conf.path, "--install-cert", signed.path])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.hasPrefix("installed \(device.conf.path)/device.crt (CN=lamp-tls, matches"))

        let run = try runAgent(device)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 12)
        #expect(run.stderr.contains("mqtts://127.0.0.1:\(broker.port): connected"), "\(run.stderr)")
        #expect(run.stderr.contains("12 intervals delivered, 0 left undelivered"), "\(run.stderr)")
    }

    /// The defect: device.key owned by root 0600, the agent running as the service user, and the
    /// handshake saying only "system lib".
    @Test func aKeyTheServiceUserCannotReadIsNamedWithItsOwnerAndMode() throws {
        let device = try provision(port: Fixture.freePort(), owner: "root")
        let signed = sign(device, name: "signed.crt")
        _ = try runBuiltProduct("lanternd", ["provision", "--config-dir", device.conf.path, "--install-cert", signed.path])
        let run = try runAgent(device)
        #expect(run.status == 66)
        #expect(run.stdout.isEmpty)
        let key = device.conf.appendingPathComponent("device.key").path
        // One line (error lines are bounded at 200 characters), naming the file, the user, owner and mode.
        #expect(run.stderr.hasPrefix("lanternd: mqtts://127.0.0.1:\(device.port): \(key): the client key (mqtt-key) is not readable by user nobody (owner root:root, mode 0600)"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    @Test func aCertificateForAnotherKeyIsRefusedByInstallAndNamedByRun() throws {
        let device = try provision(port: Fixture.freePort())
        let other = device.pki.appendingPathComponent("client.crt")
        let install = try runBuiltProduct("lanternd", ["provision", "--config-dir", device.conf.path, "--install-cert", other.path])
        #expect(install.status == 65)
        #expect(install.stderr.hasPrefix("lanternd: \(other.path): does not match \(device.conf.path)/device.key"))
        #expect(!FileManager.default.fileExists(atPath: device.conf.appendingPathComponent("device.crt").path))
        // Copied into place by hand instead: run names the mismatch before any handshake.
        try FileManager.default.copyItem(at: other, to: device.conf.appendingPathComponent("device.crt"))
        let run = try runAgent(device)
        #expect(run.status == 66)
        #expect(run.stderr.contains("device.crt: the client certificate does not match the key"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    @Test func anExpiredCertificateIsRefusedByInstallAndNamedByRun() throws {
        let device = try provision(port: Fixture.freePort())
        let dir = device.conf.deletingLastPathComponent()
        // `openssl ca` is the one command that signs with dates in the past.
        try "[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n"
            .write(to: dir.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(to: dir.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(to: dir.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
        let expired = dir.appendingPathComponent("expired.crt")
        let signed = Fixture.run("/bin/bash", ["-c", """
            cd '\(dir.path)' && openssl ca -batch -config ca.cnf -cert '\(device.pki.path)/ca.crt' -keyfile '\(device.pki.path)/ca.key' \
              -in etc/device.csr -out expired.crt -startdate 20200101000000Z -enddate 20200102000000Z -notext
            """])
        #expect(signed.status == 0, "\(signed.output)")
        let install = try runBuiltProduct("lanternd", ["provision", "--config-dir", device.conf.path, "--install-cert", expired.path])
        #expect(install.status == 65)
        #expect(install.stderr == "lanternd: \(expired.path): expired on 2020-01-02 00:00:00Z; have the CA sign \(device.conf.path)/device.csr again\n")
        try FileManager.default.copyItem(at: expired, to: device.conf.appendingPathComponent("device.crt"))
        let run = try runAgent(device)
        #expect(run.status == 66)
        #expect(run.stderr.contains("device.crt: the client certificate expired on 2020-01-02 00:00:00Z"), "\(run.stderr)")
    }

    /// The handshake itself: a CA that did not sign the broker's certificate is called a CA mismatch.
    @Test func aCAMismatchIsNamedAsSuch() throws {
        let broker = TLSTests().broker()
        defer { broker.stop() }
        let device = try provision(port: broker.port)
        let signed = sign(device, name: "signed.crt")
        _ = try runBuiltProduct("lanternd", ["provision", "--config-dir", device.conf.path, "--install-cert", signed.path])
        try FileManager.default.removeItem(at: device.conf.appendingPathComponent("ca.crt"))
        try FileManager.default.copyItem(at: device.pki.appendingPathComponent("other-ca.crt"), to: device.conf.appendingPathComponent("ca.crt"))
        let state = device.conf.deletingLastPathComponent().appendingPathComponent("state")
        let run = try runBuiltProduct("lanternd", [
            "run", "--config-dir", device.conf.path, "--site", device.conf.appendingPathComponent("site.json").path,
            "--replay", "Simulator/sample/frames.y4m", "--speed", "0", "--interval", "10", "--state-dir", state.path,
            "--user", "nobody", "--drain-timeout", "1",
        ], in: repositoryRoot)
        #expect(run.status == 0)
        #expect(run.stderr.contains("certificate verify failed: the broker's certificate is not signed by the CA in --mqtt-ca"), "\(run.stderr)")
    }
}
