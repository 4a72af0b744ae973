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
            #expect(error.message == "lantern.conf:2: unknown key 'devcie-id' (known: device-id, mqtt-url)")
        }
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
