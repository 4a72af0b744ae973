import Foundation
import LanternCore
import Testing

/// `lanternd run --mqtt-url` publishes its privacy manifest retained (QoS 1) on
/// `lantern/<device>/privacy` at each connect: a subscriber that arrives after the agent has gone
/// still reads it.
@Suite struct PrivacyManifestPublishTests {
    @Test(.timeLimit(.minutes(5))) func theManifestIsRetainedOnThePrivacyTopic() throws {
        let broker = Broker()
        broker.start()
        defer { broker.stop() }
        let state = Fixture.temporaryDirectory("privacy-state")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try Lanternd([
            "run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--speed", "0",
            "--interval", "10", "--state-dir", state.path, "--device-id", "lamp-9",
            "--mqtt-url", "mqtt://127.0.0.1:\(broker.port)", "--drain-timeout", "10", "--retry-window", "0.5",
        ])
        #expect(daemon.wait(seconds: 30) == 0, "\(daemon.errorText)")
        // Read after the agent has gone: only a retained message can answer.
        let read = Fixture.run("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(broker.port)", "-t", "lantern/lamp-9/privacy", "-C", "1", "-W", "30", "-v",
        ])
        #expect(read.status == 0, "mosquitto_sub: \(read.output)")
        let line = read.output.trimmingCharacters(in: .newlines)
        #expect(line.hasPrefix("lantern/lamp-9/privacy {\"device\":\"lamp-9\""))
        let json = String(line.dropFirst("lantern/lamp-9/privacy ".count))
        // The same document `lanternd manifest` prints for this site, device and interval.
        let printed = Fixture.run(Lanternd.binary.path, ["manifest", "--site", "Simulator/sample/site.json", "--device-id", "lamp-9", "--interval", "10"])
        #expect(json == printed.output.trimmingCharacters(in: .newlines))
        // Issue 11: it used to say the site's interval (5 s) while --interval 10 was in force.
        #expect(json.contains(#""intervalSeconds":10,"#), "\(json)")
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["intervalSeconds"] as? Int == 10)
        #expect((object?["imagery"] as? [String: Bool])?["stored"] == false)
    }
}
