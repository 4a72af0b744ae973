import Foundation
import LanternTestSupport
import Testing

@Suite struct CheckCommandTests {
    @Test func onAMachineWithoutCameraOrGPIOChipCheckFailsNamingBoth() throws {
        let (status, stdout, stderr) = try runProcess(builtProduct("lanternd"), ["check", "--board", "Boards/raspberry-pi-4.json",
                                                                          "--site", "Simulator/sample/site.json", "--seconds", "1"])
        #expect(status == 1)
        #expect(stderr.isEmpty)
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.hasPrefix("PASS  ") || $0.hasPrefix("WARN  ") || $0.hasPrefix("FAIL  ") })
        let failures = lines.filter { $0.hasPrefix("FAIL") }
        #expect(failures.contains { $0.hasPrefix("FAIL  camera /dev/video0: no such device; ") })
        #expect(failures.contains { $0.hasPrefix("FAIL  gpiochip /dev/gpiochip0: no such device; ") })
        #expect(lines.contains { $0.hasPrefix("PASS  board: Boards/raspberry-pi-4.json: Raspberry Pi 4") })
        #expect(lines.contains { $0.hasPrefix("PASS  site: ") })
        #expect(lines.contains { $0.contains("clock: ") })
    }

    @Test func aBrokenBoardFileIsAFailNamingTheFile() throws {
        let dir = try temporaryDirectory("lanternd-check")
        defer { try? FileManager.default.removeItem(at: dir) }
        let board = dir.appendingPathComponent("board.json")
        try "{\"name\": 3}".write(to: board, atomically: true, encoding: .utf8)
        let (status, stdout, _) = try runProcess(builtProduct("lanternd"), ["check", "--board", board.path, "--site", "Simulator/sample/site.json",
                                                                     "--state-dir", dir.path])
        #expect(status == 1)
        #expect(stdout.hasPrefix("FAIL  board: \(board.path)"))
        #expect(stdout.contains("PASS  journal \(dir.path): "))
    }

    @Test func anUnreachableBrokerIsAFail() throws {
        let (_, stdout, _) = try runProcess(builtProduct("lanternd"), ["check", "--board", "Boards/raspberry-pi-4.json", "--site", "Simulator/sample/site.json",
                                                                "--seconds", "1", "--mqtt-url", "mqtt://127.0.0.1:1"])
        #expect(stdout.contains("FAIL  broker 127.0.0.1:1: unreachable (Connection refused); "))
    }

    @Test func checkWithoutItsFilesIsAUsageError() throws {
        let (status, _, stderr) = try runProcess(builtProduct("lanternd"), ["check", "--board", "Boards/raspberry-pi-4.json"])
        #expect(status == 64)
        #expect(stderr == "lanternd: missing --site FILE; type `lanternd check --board FILE --site FILE [options]` (see `lanternd check --help`)\n")
    }
}

@Suite struct PrivacyManifestTests {
    @Test func theManifestSaysNoImageryNoIdentifiersAndCarriesTheThresholdAndRetention() throws {
        let (status, stdout, _) = try runProcess(builtProduct("lanternd"), ["manifest", "--site", "Simulator/sample/site.json", "--device-id", "lamp-7"])
        #expect(status == 0)
        #expect(stdout.split(separator: "\n").count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        #expect(json["device"] as? String == "lamp-7")
        #expect((json["imagery"] as? [String: Bool]) == ["stored": false, "sent": false])
        #expect(json["identifiers"] as? Bool == false)
        #expect(json["positions"] as? Bool == false)
        #expect(json["suppressBelow"] as? Int == 0)
        #expect((json["journal"] as? [String: Any])?["maxIntervals"] as? Int == 100_000)
        #expect((json["zones"] as? [String]) == ["north-road", "walkway"])
        #expect((json["software"] as? [String: String])?["build"] != nil)
    }

    @Test func theNGSILDFormIsAPrivacyObjectOfTheDevice() throws {
        let (status, stdout, _) = try runProcess(builtProduct("lanternd"), ["manifest", "--site", "Simulator/sample/site.json", "--device-id", "lamp 7", "--ngsi-ld"])
        #expect(status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        #expect(json["id"] as? String == "urn:ngsi-ld:PrivacyObject:lamp%207")
        #expect(json["type"] as? String == "PrivacyObject")
        #expect((json["imageryStored"] as? [String: Any])?["value"] as? Bool == false)
        #expect((json["refDevice"] as? [String: String])?["object"] == "urn:ngsi-ld:Device:lamp%207")
    }
}
