import Foundation
import LanternCore
import LanternUplink
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13, "what it must show" 2 and 4: what a city's platform receives from a replay of the bundled
/// sample, checked against the official definitions: the Smart Data Models schemas for the NGSI-LD
/// entities, and what Home Assistant's MQTT integration requires of a discovery config.
@Suite(.serialized) struct CityIntegrationTests {
    static let replay = ["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--no-sandbox"]

    /// A local NGSI-LD endpoint that accepts everything (204) and logs each request: path, headers, body.
    final class CaptureServer {
        let port = Fixture.freePort()
        let log: URL
        private let process = Process()

        init() throws {
            log = Fixture.temporaryDirectory("ngsi-capture").appendingPathComponent("requests.jsonl")
            let server = """
                import http.server, json, sys
                log = open(sys.argv[2], "a")
                class Handler(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                        log.write(json.dumps({"path": self.path, "tenant": self.headers.get("NGSILD-Tenant"),
                                              "authorization": self.headers.get("Authorization"), "body": body}) + "\\n")
                        log.flush()
                        self.send_response(204)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    def log_message(self, *args):
                        pass
                http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
                """
            (process.executableURL, process.arguments) = Fixture.resettingSignals("/usr/bin/python3", ["-c", server, String(port), log.path])
            try process.run()
            _ = Fixture.wait(seconds: 5) { Broker.accepts(port: port) }
        }

        var requests: [JSONValue] { Lanternd.completeLines(log).compactMap { try? JSONParser.parse($0) } }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Must show 2. The sample replayed with `--ngsi-url` (and a tenant and a bearer token from a file):
    /// every entity lanternd upserts (CrowdFlowObserved for the view, each zone and each line direction,
    /// the Device, the PrivacyObject) validates against the official Smart Data Models schema of its
    /// type (`Schemas/sdm`), and `peopleCount` on a line's entity equals that line's crossings in that
    /// direction over that interval, as its line record on stdout says.
    @Test(.timeLimit(.minutes(5))) func sampleEntitiesValidateAgainstTheSmartDataModelsAndLineCountsAreTheCrossings() throws {
        _ = Fixture.dependencies
        let server = try CaptureServer()
        let token = Fixture.temporaryDirectory("ngsi-token").appendingPathComponent("token")
        try "s3cret-token\n".write(to: token, atomically: true, encoding: .utf8)
        // --speed 4: the 23 s sample in about 6 s, so each 5 s interval's entities go out before the next
        // interval replaces them (the client keeps only the newest version of an entity).
        let daemon = try Lanternd(Self.replay + [
            "--speed", "4", "--interval", "5", "--device-id", "lamp-9", "--ngsi-url", "http://127.0.0.1:\(server.port)",
            "--ngsi-tenant", "city-north", "--ngsi-token-file", token.path, "--drain-timeout", "20",
        ])
        #expect(daemon.wait(seconds: 60) == 0, "stderr: \(daemon.errorText)")

        // The line records on stdout: (interval start, direction) → crossings.
        var crossings: [String: Int] = [:]
        for line in daemon.lines {
            let record = try JSONParser.parse(line)
            guard case .string(let name)? = record["line"], case .string(let start)? = record["start"] else { continue }
            #expect(name == "junction")
            if case .number(let n)? = record["crossings"]?["in"] { crossings[start + " inbound"] = Int(n) }
            if case .number(let n)? = record["crossings"]?["out"] { crossings[start + " outbound"] = Int(n) }
        }
        #expect(crossings.values.reduce(0, +) > 0, "the sample has crossings: \(daemon.lines)")

        let requests = server.requests
        var entities: [String] = []
        var checked = 0, checkedNonZero = 0
        for request in requests {
            #expect(request["path"] == .string("/ngsi-ld/v1/entityOperations/upsert"))
            #expect(request["tenant"] == .string("city-north"))
            #expect(request["authorization"] == .string("Bearer s3cret-token"))
            guard case .string(let body)? = request["body"], case .array(let array) = try JSONParser.parse(body) else {
                Issue.record("not a JSON array: \(request)")
                continue
            }
            for entity in array {
                guard case .string(let id)? = entity["id"], id.contains(":line:"),
                      case .number(let count)? = entity["peopleCount"]?["value"],
                      case .string(let from)? = entity["dateObservedFrom"]?["value"]?["@value"],
                      case .string(let direction)? = entity["direction"]?["value"] else { continue }
                #expect(id == "urn:ngsi-ld:CrowdFlowObserved:lamp-9:line:junction:\(direction)")
                #expect(crossings[from + " " + direction] == Int(count), "\(id) at \(from)")
                checked += 1
                if count > 0 { checkedNonZero += 1 }
            }
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [Any])
            for object in objects {
                entities.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        #expect(checked >= 4 && checkedNonZero >= 1, "line entities checked: \(checked), with crossings: \(checkedNonZero)")

        let check = Fixture.smartDataModelCheck(entities)
        #expect(check.errors == "")
        for type in ["CrowdFlowObserved", "Device", "PrivacyObject"] {
            let counts = check.summary[type]
            #expect((counts?.entities ?? 0) > 0 && counts?.valid == counts?.entities, "\(type): \(String(describing: counts))")
        }
        // And the project's own, stricter description of the CrowdFlowObserved shape.
        let flows = entities.filter { $0.contains(#""type":"CrowdFlowObserved""#) }
        #expect(Fixture.schemaErrors("crowdflowobserved.schema.json", flows) == "")
        print("Smart Data Models check of the sample's entities (\(requests.count) upserts):")
        print("| type | entities | valid |")
        print("| --- | --- | --- |")
        for (type, counts) in check.summary.sorted(by: { $0.key < $1.key }) { print("| \(type) | \(counts.entities) | \(counts.valid) |") }
        print("line entities whose peopleCount was compared with the line record: \(checked) (\(checkedNonZero) with crossings)")
    }

    /// Must show 4. `--ha-discovery` against a real mosquitto: after the replay has ended, a new
    /// subscriber still reads (retained) one config per sensor on `homeassistant/sensor/<node>/<object>/config`,
    /// each with what Home Assistant's MQTT integration requires. From its documentation:
    /// - MQTT discovery (https://www.home-assistant.io/docs/mqtt/discovery/): the topic is
    ///   `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`, node_id and object_id only of
    ///   `[a-zA-Z0-9_-]`; "all configuration variables which are required must be present in the initial
    ///   payload send to /config".
    /// - MQTT sensor (https://www.home-assistant.io/integrations/sensor.mqtt/): `state_topic` is required;
    ///   `device` (identifiers or connections) only works with `unique_id` set; `state_class` one of
    ///   `measurement`, `total`, `total_increasing`; availability by `availability_topic` with
    ///   `payload_available` / `payload_not_available`.
    /// The value topics the configs name are published during the run and are not retained; health is.
    @Test(.timeLimit(.minutes(5))) func homeAssistantDiscoveryConfigsAreRetainedAndCompleteAndValuesAreNot() throws {
        let broker = Broker()
        broker.start()
        defer { broker.stop() }
        let live = Subscriber(port: broker.port, topic: "lantern/lamp-9/#", extraArguments: ["-v"])
        defer { live.stop() }
        usleep(300_000)
        let state = Fixture.temporaryDirectory("ha-state")
        let daemon = try Lanternd(Self.replay + [
            "--speed", "0", "--interval", "5", "--device-id", "lamp-9", "--state-dir", state.path,
            "--mqtt-url", "mqtt://127.0.0.1:\(broker.port)", "--ha-discovery", "--drain-timeout", "20",
        ])
        #expect(daemon.wait(seconds: 60) == 0, "stderr: \(daemon.errorText)")

        // Retained configs, read by a subscriber that arrives after lanternd has gone.
        let read = Fixture.run("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", String(broker.port), "-t", "homeassistant/#", "-v", "-W", "2"])
        let configs = read.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("homeassistant/") }
        // 3 (view and 2 zones) x 4 quantities, 1 line x 2 directions, the camera.
        #expect(configs.count == 15, "\(read.output)")
        var stateTopics: Set<String> = []
        var uniqueIDs: Set<String> = []
        for message in configs {
            let space = try #require(message.firstIndex(of: " "))
            let topic = String(message[..<space]), payload = String(message[message.index(after: space)...])
            let parts = topic.split(separator: "/").map(String.init)
            #expect(parts.count == 5 && parts[0] == "homeassistant" && parts[1] == "sensor" && parts[4] == "config", "\(topic)")
            for id in parts[2...3] {
                #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }, "\(id)")
            }
            let config = try JSONParser.parse(payload)
            guard case .string(let stateTopic)? = config["state_topic"], case .string(let uniqueID)? = config["unique_id"] else {
                Issue.record("state_topic and unique_id are required: \(payload)")
                continue
            }
            stateTopics.insert(stateTopic)
            uniqueIDs.insert(uniqueID)
            #expect(config["name"] != nil)
            guard case .array(let identifiers)? = config["device"]?["identifiers"] else {
                Issue.record("device.identifiers missing: \(payload)")
                continue
            }
            #expect(identifiers == [.string("lantern_lamp-9")])
            #expect(config["device"]?["name"] == .string("Lantern lamp-9"))
            #expect(config["availability_topic"] == .string("lantern/lamp-9/status"))
            #expect(config["payload_available"] == .string("online") && config["payload_not_available"] == .string("offline"))
            if stateTopic != "lantern/lamp-9/health" {
                #expect(config["state_class"] == .string("measurement"))
                guard case .string(let unit)? = config["unit_of_measurement"] else {
                    Issue.record("no unit: \(payload)")
                    continue
                }
                #expect(["people", "%", "s"].contains(unit))
            }
        }
        #expect(uniqueIDs.count == configs.count)
        #expect(stateTopics.contains("lantern/lamp-9/zone/walkway/mean") && stateTopics.contains("lantern/lamp-9/line/junction/in"))

        // The values the configs name went out during the run: bare numbers, and the line's crossings of
        // the sample's 10-15 s interval (Simulator/sample/expected-replay.jsonl: junction in 1, out 1).
        let values = live.lines.filter { $0.hasPrefix("lantern/lamp-9/zone/") || $0.hasPrefix("lantern/lamp-9/line/") || $0.hasPrefix("lantern/lamp-9/view/") }
        #expect(values.contains("lantern/lamp-9/line/junction/in 1") && values.contains("lantern/lamp-9/line/junction/out 1"), "\(values)")
        for value in values {
            let parts = value.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil && stateTopics.contains(String(parts[0])), "\(value)")
        }
        // Not retained: a late subscriber gets no count; health, status and privacy are retained.
        let late = Fixture.run("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", String(broker.port), "-t", "lantern/lamp-9/#", "-v", "-W", "2"])
        let retained = late.output.split(separator: "\n").filter { $0.hasPrefix("lantern/") }.map { String($0.split(separator: " ").first ?? "") }
        #expect(Set(retained) == ["lantern/lamp-9/status", "lantern/lamp-9/privacy", "lantern/lamp-9/health"], "\(late.output)")
        let health = try #require(late.output.split(separator: "\n").first { $0.hasPrefix("lantern/lamp-9/health ") })
        let healthJSON = try JSONParser.parse(String(health.dropFirst("lantern/lamp-9/health ".count)))
        for key in ["camera", "gpio", "dropped_frames", "journal_depth", "last_error"] { #expect(healthJSON[key] != nil, "\(key)") }
        print("Home Assistant discovery: \(configs.count) retained configs checked; \(values.count) value messages, none retained")
    }
}
