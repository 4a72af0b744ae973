import Foundation
import LanternCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real OGC SensorThings API v1.1 server (django-ogc-sensorthings from PyPI, SQLite, started by
/// `Toolchain/sensorthings-server`), the one a test here can run: no Java (FROST) or Docker.
enum SensorThingsServer {
    /// Installs it (idempotent; `Toolchain/test` has already done so). Why it could not be, if not.
    static let installProblem: String? = {
        let result = Fixture.run("/bin/bash", [Fixture.packageRoot.appendingPathComponent("Toolchain/sensorthings-server").path, "install"])
        guard result.status != 0 else { return nil }
        let problem = "Toolchain/sensorthings-server install failed (exit \(result.status)): \(result.output)"
        print("SensorThings server tests skipped: \(problem)")
        return problem
    }()

    static var installed: Bool { installProblem == nil }

    /// A test's folder, its lanternd state dir within it, a free port, and the service root there.
    static func prepare(_ name: String) throws -> (dir: URL, state: URL, port: Int, root: String) {
        _ = Fixture.dependencies
        let dir = Fixture.temporaryDirectory(name)
        let state = dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let port = Fixture.freePort()
        return (dir, state, port, "http://127.0.0.1:\(port)/sensorthings/v1.1")
    }

    /// Starts it on `port` with a new database in `dir`; the caller terminates it.
    static func start(in dir: URL, port: Int) throws -> Process {
        let process = Process()
        (process.executableURL, process.arguments) = Fixture.resettingSignals("/bin/bash", [
            Fixture.packageRoot.appendingPathComponent("Toolchain/sensorthings-server").path, "run",
            "--port", String(port), "--db", dir.appendingPathComponent("sensorthings.sqlite").path,
        ])
        let log = dir.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        return process
    }

    /// GET `url` (curl), parsed as JSON.
    static func get(_ url: String) throws -> [String: Any] {
        let result = Fixture.run("/usr/bin/curl", ["-sS", "-g", "--max-time", "60", url])
        guard result.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw ReadBackError(message: "GET \(url): curl exit \(result.status): \(result.output.prefix(300))")
        }
        return object
    }

    /// Every entity of a collection, following `@iot.nextLink`.
    static func all(_ url: String) throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var next: String? = url
        while let page = next {
            let object = try get(page)
            items += object["value"] as? [[String: Any]] ?? []
            next = object["@iot.nextLink"] as? String
        }
        return items
    }

    /// What interval records say, as SensorThings should hold it: `<Datastream name>#<seq>` → value,
    /// for every quantity of every record whose status is known.
    static func values(of lines: [String], device: String) throws -> [String: Double] {
        var expected: [String: Double] = [:]
        for line in lines {
            guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ReadBackError(message: "not a record: \(line)")
            }
            guard record["status"] as? String != "unknown", let seq = record["seq"] as? Int else { continue }
            // A line's record is on the line's own Datastreams: `line:<name>` where a zone's name stands.
            let zone = (record["line"] as? String).map { "line:" + $0 } ?? record["zone"] as? String ?? "view"
            let occupancy = record["occupancy"] as? [String: Any] ?? [:]
            let crossings = record["crossings"] as? [String: Any] ?? [:]
            let values: [(String, Any?)] = [
                ("occupancy-mean", occupancy["mean"]), ("occupancy-max", occupancy["max"]),
                ("crossings-in", crossings["in"]), ("crossings-out", crossings["out"]),
                ("person-seconds", occupancy["personSeconds"]),
            ]
            for (quantity, value) in values {
                guard let number = value as? Double ?? (value as? Int).map(Double.init) else { continue }
                expected["lantern:\(device):\(zone):\(quantity)#\(seq)"] = number
            }
        }
        return expected
    }

    struct ReadBackError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

@Suite(.serialized) struct SensorThingsServerTests {
    /// Issue 13, "what it must show" 3: the sample replayed through `lanternd run --sta-url`, first
    /// with the server down (every Observation stays in the journal), then again with it up: the
    /// server then holds, read back over its REST API, one Observation per known quantity of every
    /// interval record both runs printed, with the record's values, each in the Datastream the
    /// device created by deep insert and found by the id the server assigned.
    @Test(.enabled(if: SensorThingsServer.installed, "the SensorThings server could not be installed (see the line printed above)"))
    func theSamplesObservationsAreHeldByARealServer() throws {
        let (dir, state, port, root) = try SensorThingsServer.prepare("sta")
        func replay(start: String, drain: Int) -> [String] {
            LanterndUplinkTests.replay + [
                "--speed", "0", "--interval", "5", "--device-id", "lamp-9", "--state-dir", state.path,
                "--start-time", start, "--sta-url", root, "--sta-location", "8.5417,47.3769",
                "--drain-timeout", String(drain), "--retry-window", "0.5",
            ]
        }

        // 1. No server yet: nothing can be sent, every Observation stays in the journal.
        let offline = try Lanternd(replay(start: "2026-01-01T00:00:00Z", drain: 0))
        #expect(offline.wait(seconds: 60) == 0, "stderr: \(offline.errorText)")
        #expect(offline.errorText.contains("SensorThings: 0 Observations accepted"), "stderr: \(offline.errorText)")

        // 2. The server is up: the first run's Observations go out from the journal, then the second's.
        let server = try SensorThingsServer.start(in: dir, port: port)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        #expect(Fixture.wait(seconds: 30) { Broker.accepts(port: port) }, "the server did not start: \(dir.path)/server.log")
        let online = try Lanternd(replay(start: "2026-01-02T00:00:00Z", drain: 300))
        #expect(online.wait(seconds: 400) == 0, "stderr: \(online.errorText)")
        #expect(online.errorText.contains(", 0 left in the journal"), "stderr: \(online.errorText)")

        let expected = try SensorThingsServer.values(of: offline.lines + online.lines, device: "lamp-9")
        #expect(expected.count >= 100, "the replays printed too few known records: \(expected.count)")

        // What the server holds, over its REST API.
        let things = try SensorThingsServer.all(root + "/Things?$expand=Locations,Datastreams")
        #expect(things.count == 1)
        let thing = try #require(things.first)
        #expect(thing["name"] as? String == "lantern:lamp-9")
        let location = (thing["Locations"] as? [[String: Any]])?.first?["location"] as? [String: Any]
        #expect(location?["coordinates"] as? [Double] == [8.5417, 47.3769])
        let datastreams = thing["Datastreams"] as? [[String: Any]] ?? []
        #expect(datastreams.count == 17, "the view and 2 zones, 5 quantities each, and the junction line's in and out")
        var held: [String: Double] = [:]
        var observations = 0
        for datastream in datastreams {
            let name = try #require(datastream["name"] as? String)
            let link = try #require(datastream["Observations@iot.navigationLink"] as? String)
            for observation in try SensorThingsServer.all(link + "?$top=1000") {
                observations += 1
                let parameters = observation["parameters"] as? [String: Any] ?? [:]
                let seq = try #require(parameters["seq"] as? Int)
                held["\(name)#\(seq)"] = observation["result"] as? Double ?? (observation["result"] as? Int).map(Double.init)
                #expect((observation["phenomenonTime"] as? String)?.contains("/") == true, "a period: \(observation)")
            }
        }
        #expect(observations == expected.count, "one Observation per known quantity of each record, none twice")
        #expect(held.count == expected.count)
        let differing = expected.filter { key, value in held[key].map { abs($0 - value) > 1e-9 } ?? true }
        #expect(differing.isEmpty, "missing or different: \(differing.sorted { $0.key < $1.key }.prefix(10))")

        // The device kept the ids the server assigned: the Thing and every Datastream, in its journal.
        let ids = Fixture.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("select count(*) from sink_ids where sink='sensorthings' and name like 'lantern:%'").fetchone()[0],
                  db.execute("select id from sink_ids where sink='sensorthings' and name='Thing'").fetchone()[0])
            """, state.appendingPathComponent("journal.sqlite").path])
        #expect(ids.output.trimmingCharacters(in: .whitespacesAndNewlines) == "17 '\(thing["@iot.id"] as? String ?? "?")'")
        print("SensorThings test: \(observations) Observations read back from \(root) (\(datastreams.count) Datastreams), equal to \(expected.count) values of \(offline.lines.count + online.lines.count) records")
    }

    /// One Observation the server refuses for good (here a journal row damaged on disk, which the real
    /// server answers with 400) must not hold up every interval after it: it is set aside in the
    /// journal with the server's answer, one line names it, and all the others are delivered. Before
    /// the set-aside, the client retried it forever and nothing after it was ever sent.
    @Test(.enabled(if: SensorThingsServer.installed, "the SensorThings server could not be installed (see the line printed above)"))
    func anObservationTheServerRefusesIsSetAsideAndTheRestGoOut() throws {
        let (dir, state, port, root) = try SensorThingsServer.prepare("sta-refused")
        let arguments = LanterndUplinkTests.replay + [
            "--speed", "0", "--interval", "5", "--device-id", "lamp-7", "--state-dir", state.path,
            "--sta-url", root, "--retry-window", "0.5",
        ]
        let offline = try Lanternd(arguments + ["--start-time", "2026-01-01T00:00:00Z", "--drain-timeout", "0"])
        #expect(offline.wait(seconds: 60) == 0, "stderr: \(offline.errorText)")
        let expected = try SensorThingsServer.values(of: offline.lines, device: "lamp-7")

        // Damage one waiting Observation (its JSON cut short), as a bad sector or an old bug would.
        let journal = state.appendingPathComponent("journal.sqlite").path
        let damage = Fixture.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            seq, part = db.execute("select seq, part from sink_pending where sink='sensorthings' order by seq, part limit 1 offset 3").fetchone()
            db.execute("update sink_pending set payload = substr(payload, 1, 20) where sink='sensorthings' and seq=? and part=?", (seq, part))
            db.commit()
            print(seq)
            """, journal])
        #expect(damage.status == 0, "\(damage.output)")
        let damagedSeq = damage.output.trimmingCharacters(in: .whitespacesAndNewlines)

        let server = try SensorThingsServer.start(in: dir, port: port)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        #expect(Fixture.wait(seconds: 30) { Broker.accepts(port: port) }, "the server did not start: \(dir.path)/server.log")
        let online = try Lanternd(arguments + ["--start-time", "2026-01-02T00:00:00Z", "--drain-timeout", "300"])
        #expect(online.wait(seconds: 400) == 0, "stderr: \(online.errorText)")
        #expect(online.errorText.contains(", 0 left in the journal, 1 refused by the server and set aside"), "stderr: \(online.errorText)")
        #expect(online.errorText.contains("HTTP 400 for POST Observations (seq \(damagedSeq),"), "stderr: \(online.errorText)")
        #expect(online.errorText.contains("its Datastream is there, and a resend cannot change the answer, so it is set aside"), "stderr: \(online.errorText)")

        // The server holds every other Observation of both runs; the journal holds the refused one.
        let all = try SensorThingsServer.values(of: offline.lines + online.lines, device: "lamp-7")
        var observations = 0
        for datastream in try SensorThingsServer.all(root + "/Datastreams") {
            let link = try #require(datastream["Observations@iot.navigationLink"] as? String)
            observations += try SensorThingsServer.all(link + "?$top=1000").count
        }
        #expect(expected.count > 50)
        #expect(observations == all.count - 1, "every Observation but the refused one")
        let rejected = Fixture.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("select seq, substr(reason, 1, 8) from sink_rejected").fetchall())
            """, journal])
        #expect(rejected.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[(\(damagedSeq), 'HTTP 400')]")

        // The city's operator deletes a Datastream: its next Observation is refused (this server answers
        // 500, FROST 400, others 404), and the device looks it up again, creates it anew, and delivers there.
        let name = "lantern:lamp-7:view:occupancy-mean"
        let before = try SensorThingsServer.all(root + "/Datastreams").first { $0["name"] as? String == name }
        let link = try #require(before?["@iot.selfLink"] as? String, "no Datastream \(name)")
        let deleted = Fixture.run("/usr/bin/curl", ["-sS", "-g", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", link])
        #expect(deleted.output == "200" || deleted.output == "204", "DELETE \(link): \(deleted.output)")
        let again = try Lanternd(arguments + ["--start-time", "2026-01-03T00:00:00Z", "--drain-timeout", "300"])
        #expect(again.wait(seconds: 400) == 0, "stderr: \(again.errorText)")
        #expect(again.errorText.contains(", 0 left in the journal"), "stderr: \(again.errorText)")
        #expect(again.errorText.contains("looking its Datastream up again"), "stderr: \(again.errorText)")
        #expect(!again.errorText.contains("set aside"), "stderr: \(again.errorText)")
        let after = try SensorThingsServer.all(root + "/Datastreams").first { $0["name"] as? String == name }
        let recreated = try #require(after?["Observations@iot.navigationLink"] as? String, "\(name) was not created again")
        let third = try SensorThingsServer.values(of: again.lines, device: "lamp-7").filter { $0.key.hasPrefix(name + "#") }
        #expect(third.count > 3)
        #expect(try SensorThingsServer.all(recreated + "?$top=1000").count == third.count)
    }

    /// The MQTT extension (`--sta-mqtt`): Entities are created over HTTP on the real server, and each
    /// Observation is published on the broker to `v1.1/Datastreams(<id>)/Observations` with the id the
    /// server assigned, acknowledged (PUBACK) before it leaves the journal. The server here has no
    /// MQTT listener (django-ogc-sensorthings 1.2.0's mqtt extension module is empty), so what is
    /// checked is what reaches a subscriber: one message per known quantity of every record, with the
    /// record's value, on the topic of the Datastream the server holds under that name.
    @Test(.enabled(if: SensorThingsServer.installed, "the SensorThings server could not be installed (see the line printed above)"))
    func observationsGoToTheMQTTExtensionsTopics() throws {
        _ = Fixture.dependencies
        let dir = Fixture.temporaryDirectory("sta-mqtt")
        let state = dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let broker = Broker()
        broker.start()
        defer { broker.stop() }
        let subscriber = Subscriber(port: broker.port, topic: "v1.1/#", extraArguments: ["-v"])
        defer { subscriber.stop() }
        let port = Fixture.freePort()
        let server = try SensorThingsServer.start(in: dir, port: port)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        #expect(Fixture.wait(seconds: 30) { Broker.accepts(port: port) }, "the server did not start: \(dir.path)/server.log")
        let root = "http://127.0.0.1:\(port)/sensorthings/v1.1"
        let daemon = try Lanternd(LanterndUplinkTests.replay + [
            "--speed", "0", "--interval", "5", "--device-id", "lamp-8", "--state-dir", state.path,
            "--mqtt-url", "mqtt://127.0.0.1:\(broker.port)", "--sta-url", root, "--sta-mqtt", "--drain-timeout", "300",
        ])
        #expect(daemon.wait(seconds: 400) == 0, "stderr: \(daemon.errorText)")
        #expect(daemon.errorText.contains(", 0 left in the journal"), "stderr: \(daemon.errorText)")
        let expected = try SensorThingsServer.values(of: daemon.lines, device: "lamp-8")
        #expect(expected.count >= 50)
        #expect(Fixture.wait(seconds: 10) { subscriber.lines.count >= expected.count })

        let thing = try #require(try SensorThingsServer.all(root + "/Things?$expand=Datastreams").first)
        var nameOfTopic: [String: String] = [:]
        for datastream in thing["Datastreams"] as? [[String: Any]] ?? [] {
            let id = try #require(datastream["@iot.id"] as? String)
            nameOfTopic["v1.1/Datastreams('\(id)')/Observations"] = datastream["name"] as? String
        }
        #expect(nameOfTopic.count == 17)
        var received: [String: Double] = [:]
        for line in subscriber.lines {
            guard let space = line.firstIndex(of: " ") else { continue }
            let topic = String(line[..<space])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line[line.index(after: space)...].utf8)) as? [String: Any])
            let name = try #require(nameOfTopic[topic], "a topic that names no Datastream of the server: \(topic)")
            #expect(object["Datastream"] == nil, "the topic names the Datastream")
            let seq = try #require((object["parameters"] as? [String: Any])?["seq"] as? Int)
            received["\(name)#\(seq)"] = object["result"] as? Double ?? (object["result"] as? Int).map(Double.init)
        }
        #expect(received.count == expected.count)
        let differing = expected.filter { key, value in received[key].map { abs($0 - value) > 1e-9 } ?? true }
        #expect(differing.isEmpty, "missing or different: \(differing.sorted { $0.key < $1.key }.prefix(10))")
        print("SensorThings MQTT test: \(subscriber.lines.count) messages on v1.1/Datastreams(<id>)/Observations, \(received.count) distinct, equal to the records' \(expected.count) values")
    }
}
