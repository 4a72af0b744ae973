import Foundation
import LanternAgent
import LanternTestSupport
import Testing

@Suite struct ProvisioningTests {
    @Test func lanternConfIsKeyValueAndATypoIsAnErrorNamingTheLine() throws {
        let text = "# comment\n\ndevice-id=lamp-7\r\nmqtt-url = mqtts://b:8883\n"
        #expect(throws: DeviceConfig.ParseError.self) { try DeviceConfig.parse(Array(text.utf8), source: "c") }
        let good = try DeviceConfig.parse(Array("# c\n\ndevice-id=lamp-7\r\nmqtt-url=mqtts://b:8883\n".utf8), source: "c")
        #expect(good == DeviceConfig(deviceID: "lamp-7", mqttURL: "mqtts://b:8883"))
        #expect(try DeviceConfig.parse(Array(good.text.utf8), source: "c") == good)
        do {
            _ = try DeviceConfig.parse(Array("device-id=a\ndevcie-id=b\n".utf8), source: "lantern.conf")
            Issue.record("accepted a typo")
        } catch {
            #expect(error.message == "lantern.conf:2: unknown key 'devcie-id' (known: device-id, mqtt-url, mqtt-ca, mqtt-cert, mqtt-key, mqtt-user, mqtt-password-file, ngsi-url, ngsi-tenant, ngsi-token-file, ngsi-context, ha-discovery, sta-url, sta-location, sta-mqtt)")
        }
    }

    /// It used to reject `mqtt-ca=` (and every uplink setting but the URL), so the unit could not
    /// pass the CA, certificate, key, password file or NGSI-LD URL.
    @Test func lanternConfCarriesEveryUplinkSettingAndResolvesFilesAgainstItsDirectory() throws {
        let text = """
            device-id=lamp-7
            mqtt-url=mqtts://b:8883
            mqtt-ca=ca.crt
            mqtt-cert=device.crt
            mqtt-key=/etc/lantern/device.key
            mqtt-user=lamp
            mqtt-password-file=password
            ngsi-url=http://10.0.0.2:1026
            ngsi-tenant=city
            ngsi-token-file=token
            ngsi-context=http://10.0.0.2/lantern-context.jsonld
            ha-discovery=true

            """
        let config = try DeviceConfig.parse(Array(text.utf8), source: "lantern.conf")
        #expect(config["mqtt-ca"] == "ca.crt" && config["ngsi-tenant"] == "city" && config["ngsi-token-file"] == "token")
        #expect(config["ngsi-context"] == "http://10.0.0.2/lantern-context.jsonld" && config["ha-discovery"] == "true")
        do {
            _ = try DeviceConfig.parse(Array("ha-discovery=yes\n".utf8), source: "c")
            Issue.record("ha-discovery=yes was accepted")
        } catch {
            #expect(error.message == "c:1: ha-discovery must be true or false (got yes)")
        }
        #expect(try DeviceConfig.parse(Array(config.text.utf8), source: "c") == config)
        let resolved = config.resolvingPaths(against: "/etc/lantern")
        #expect(resolved["mqtt-ca"] == "/etc/lantern/ca.crt")
        #expect(resolved["mqtt-key"] == "/etc/lantern/device.key")
        #expect(resolved["mqtt-password-file"] == "/etc/lantern/password")
        #expect(resolved["ngsi-tenant"] == "city")
    }

    /// It used to spawn `openssl`, undeclared: in a minimal image, `openssl genpkey exited 127`.
    @Test func provisionMakesTheKeyWithoutOpenSSLOnThePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-provision-nopath-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runBuiltProduct("lanternd", [
            "provision", "--config-dir", dir.path, "--board", "Boards/raspberry-pi-4.json", "--site", "Simulator/sample/site.json",
            "--device-id", "lamp-8", "--key-owner", "root",
        ], in: repositoryRoot, environment: ["PATH": "/nonexistent"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        let subject = try openssl(["req", "-in", dir.appendingPathComponent("device.csr").path, "-noout", "-subject", "-verify"])
        #expect(subject.contains("subject=CN = lamp-8"))
        #expect(subject.contains("verify OK"))
    }

    /// A first-boot lantern.conf naming the CA and certificate beside it: both move into the config
    /// directory, and the relative names resolve there.
    @Test func aFirstBootFolderMayCarryTheCAAndTheCertificate() throws {
        let boot = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-firstboot-tls-\(getpid())")
        let conf = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-etc-tls-\(getpid())")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-state-tls-\(getpid())")
        defer { for url in [boot, conf, state] { try? FileManager.default.removeItem(at: url) } }
        try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
        _ = try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                         boot.appendingPathComponent("ca.key").path, "-out", boot.appendingPathComponent("ca.crt").path, "-days", "2", "-subj", "/CN=ca"])
        try FileManager.default.removeItem(at: boot.appendingPathComponent("ca.key"))
        try "device-id=lamp-9\nmqtt-url=mqtts://127.0.0.1:1\nmqtt-ca=ca.crt\n".write(to: boot.appendingPathComponent("lantern.conf"), atomically: true, encoding: .utf8)
        let run = try runBuiltProduct("lanternd", [
            "run", "--first-boot-dir", boot.path, "--config-dir", conf.path, "--site", "Simulator/sample/site.json",
            "--replay", "Simulator/sample/frames.y4m", "--speed", "0", "--interval", "10", "--state-dir", state.path, "--drain-timeout", "0",
        ], in: repositoryRoot)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix(#"{"device":"lamp-9","#))
        #expect(try FileManager.default.contentsOfDirectory(atPath: conf.path).sorted() == ["ca.crt", "lantern.conf"])
        // The CA was accepted (no TLS setup error) and the uplink ran: the broker is simply not there.
        #expect(run.stderr.contains("0 intervals delivered, 12 left undelivered"), "\(run.stderr)")
        #expect(!run.stderr.contains("TLS setup"), "\(run.stderr)")
    }

    @Test func provisionWritesTheConfigAPrivateKeyAndARequestForTheDevice() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-provision-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let conf = dir.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (status, stdout, stderr) = try runLanternd([
            "provision", "--config-dir", conf.path, "--board", "Boards/raspberry-pi-4.json",
            "--site", "Simulator/sample/site.json", "--device-id", "lamp-7", "--mqtt-url", "mqtts://broker.example.org:8883",
        ])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.split(separator: "\n").count == 5)
        let files = try FileManager.default.contentsOfDirectory(atPath: conf.path).sorted()
        #expect(files == ["board.json", "device.csr", "device.key", "lantern.conf", "site.json"])
        #expect(try String(contentsOf: conf.appendingPathComponent("lantern.conf"), encoding: .utf8).contains("device-id=lamp-7\nmqtt-url=mqtts://broker.example.org:8883\n"))
        #expect(try Data(contentsOf: conf.appendingPathComponent("site.json")) == Data(contentsOf: repositoryRoot.appendingPathComponent("Simulator/sample/site.json")))
        let mode = try FileManager.default.attributesOfItem(atPath: conf.appendingPathComponent("device.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // No user lantern on this machine: one warning, and the key stays its maker's.
        #expect(stderr.contains("no user lantern to give the key to"))
        let subject = try openssl(["req", "-in", conf.appendingPathComponent("device.csr").path, "-noout", "-subject", "-verify"])
        #expect(subject.contains("subject=CN = lamp-7"))
        let key = try openssl(["pkey", "-in", conf.appendingPathComponent("device.key").path, "-noout", "-text"])
        #expect(key.contains("prime256v1") || key.contains("P-256"))
        // Again: the key is kept, the request remade.
        let before = try Data(contentsOf: conf.appendingPathComponent("device.key"))
        let (again, out2, _) = try runLanternd([
            "provision", "--config-dir", conf.path, "--board", "Boards/raspberry-pi-4.json",
            "--site", "Simulator/sample/site.json", "--device-id", "lamp-7",
        ])
        #expect(again == 0)
        #expect(out2.contains("kept \(conf.path)/device.key"))
        #expect(try Data(contentsOf: conf.appendingPathComponent("device.key")) == before)
    }

    /// `--ngsi-context`, `--ha-discovery` and `--sta-mqtt` reach lantern.conf like the other uplink
    /// settings (they used to be dropped: a technician had to add them by hand), and the file reads back.
    @Test func provisionWritesTheContextAndTheSwitchesIntoLanternConf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-provision-switches-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["provision", "--config-dir", dir.path, "--board", "Boards/raspberry-pi-4.json", "--site", "Simulator/sample/site.json",
                    "--device-id", "lamp-5", "--key-owner", "root"]
        let (status, _, stderr) = try runLanternd(base + [
            "--mqtt-url", "mqtt://10.0.0.5:1883", "--ngsi-url", "http://10.0.0.2:1026",
            "--ngsi-context", "http://10.0.0.2/lantern-context.jsonld", "--ha-discovery",
            "--sta-url", "http://10.0.0.3:8080/FROST-Server/v1.1", "--sta-mqtt",
        ])
        #expect(status == 0, "\(stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("lantern.conf"), encoding: .utf8)
        #expect(text.contains("\nngsi-context=http://10.0.0.2/lantern-context.jsonld\n"), "\(text)")
        #expect(text.contains("\nha-discovery=true\n"), "\(text)")
        #expect(text.contains("\nsta-mqtt=true\n"), "\(text)")
        let config = try DeviceConfig.parse(Array(text.utf8), source: "lantern.conf")
        #expect(config["ngsi-context"] == "http://10.0.0.2/lantern-context.jsonld")
        #expect(config["ha-discovery"] == "true" && config["sta-mqtt"] == "true")

        // Without them, no such line (absent reads as off).
        let (again, _, _) = try runLanternd(base + ["--mqtt-url", "mqtt://10.0.0.5:1883"])
        #expect(again == 0)
        let plain = try String(contentsOf: dir.appendingPathComponent("lantern.conf"), encoding: .utf8)
        #expect(!plain.contains("ngsi-context=") && !plain.contains("ha-discovery=") && !plain.contains("sta-mqtt="), "\(plain)")

        // A switch that could not work is refused, as `run` would refuse it, and nothing is written.
        let other = dir.appendingPathComponent("other")
        let (refused, out, err) = try runLanternd([
            "provision", "--config-dir", other.path, "--board", "Boards/raspberry-pi-4.json", "--site", "Simulator/sample/site.json",
            "--device-id", "lamp-5", "--ha-discovery",
        ])
        #expect(refused == 64)
        #expect(out.isEmpty)
        #expect(err.contains("--ha-discovery needs --mqtt-url"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: other.path))
    }

    @Test func provisionRefusesABrokenSiteAndWritesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-provision-bad-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, stdout, stderr) = try runLanternd([
            "provision", "--config-dir", dir.path, "--board", "Boards/raspberry-pi-4.json",
            "--site", "Boards/raspberry-pi-4.json", "--device-id", "lamp-7",
        ])
        #expect(status == 78)  // EX_CONFIG
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix("lanternd: Boards/raspberry-pi-4.json"))
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    /// A first-boot folder (on this machine's tmpfs /dev/shm when it is another filesystem than the
    /// temp dir: the copy + fsync + unlink path; else a rename) is moved into --config-dir, its
    /// lantern.conf gives the device id, and the folder is left empty.
    @Test(arguments: ["same filesystem", "across filesystems"]) func firstBootMovesTheDroppedConfigIntoPlace(kind: String) throws {
        let base = kind == "across filesystems" && FileManager.default.fileExists(atPath: "/dev/shm")
            ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        let boot = base.appendingPathComponent("lantern-firstboot-\(getpid())-\(kind.count)")
        let conf = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-etc-\(getpid())-\(kind.count)")
        defer {
            try? FileManager.default.removeItem(at: boot)
            try? FileManager.default.removeItem(at: conf)
        }
        try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
        try "device-id=lamp-42\n".write(to: boot.appendingPathComponent("lantern.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Simulator/sample/site.json"), to: boot.appendingPathComponent("site.json"))
        let (status, stdout, stderr) = try runLanternd([
            "run", "--first-boot-dir", boot.path, "--config-dir", conf.path, "--site", conf.appendingPathComponent("site.json").path,
            "--replay", "Simulator/sample/frames.y4m", "--speed", "0", "--interval", "10",
        ])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.hasPrefix(#"{"device":"lamp-42","#))
        #expect(stderr.contains("first boot: moved \(boot.path)/site.json to \(conf.path)/site.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: boot.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: conf.path).sorted() == ["lantern.conf", "site.json"])
        #expect(try Data(contentsOf: conf.appendingPathComponent("site.json")) == Data(contentsOf: repositoryRoot.appendingPathComponent("Simulator/sample/site.json")))
    }

    @Test func aBrokenFirstBootFileStaysWhereItIsAndStopsTheAgent() throws {
        let boot = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-firstboot-bad-\(getpid())")
        let conf = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-etc-bad-\(getpid())")
        defer {
            try? FileManager.default.removeItem(at: boot)
            try? FileManager.default.removeItem(at: conf)
        }
        try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
        try "{ not json".write(to: boot.appendingPathComponent("site.json"), atomically: true, encoding: .utf8)
        let (status, _, stderr) = try runLanternd([
            "run", "--first-boot-dir", boot.path, "--config-dir", conf.path, "--site", conf.appendingPathComponent("site.json").path,
            "--replay", "Simulator/sample/frames.y4m", "--speed", "0",
        ])
        #expect(status == 78)  // EX_CONFIG
        #expect(stderr.hasPrefix("lanternd: \(boot.path)/site.json"))
        #expect(FileManager.default.fileExists(atPath: boot.appendingPathComponent("site.json").path))
    }

    func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }
}
