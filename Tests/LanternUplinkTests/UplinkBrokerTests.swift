import Foundation
import LanternCore
import LanternUplink
import Testing

/// Against a real mosquitto on a loopback port.
@Suite(.serialized) struct UplinkBrokerTests {
    func makeUplink(port: Int, device: String, journalPath: String) throws -> Uplink {
        var configuration = MQTTClient.Configuration(
            url: MQTTURL(host: "127.0.0.1", port: Int32(port), tls: false), clientID: "lantern-\(device)")
        configuration.statusTopic = Topics(device: device).status
        configuration.backoff = Backoff(firstWindowMicros: 100_000, maximumWindowMicros: 800_000, seed: 1)
        let client = try MQTTClient(configuration)
        var uplinkConfiguration = Uplink.Configuration(device: device)
        uplinkConfiguration.maxInFlight = 4
        uplinkConfiguration.healthIntervalMs = 500
        return Uplink(configuration: uplinkConfiguration, journal: try Journal(path: journalPath), client: client)
    }

    @Test func everyIntervalArrivesAndTheStatusIsRetainedOnline() throws {
        let broker = Broker()
        broker.start()
        let device = "lamp-a"
        let subscriber = Subscriber(port: broker.port, topic: "lantern/\(device)/intervals")
        let journalPath = Fixture.temporaryDirectory("j").appendingPathComponent("journal.db").path
        let uplink = try makeUplink(port: broker.port, device: device, journalPath: journalPath)
        #expect(Fixture.wait(seconds: 5, step: { uplink.service(timeoutMs: 20) }) { uplink.client.state == .connected })
        usleep(300_000)  // the subscriber's SUBSCRIBE is in
        var sent: [Int64: String] = [:]
        for i in 0..<20 {
            let seq = try uplink.submit(Records.make(i, zone: i % 2 == 0 ? nil : "north-path"))
            sent[seq] = try uplink.journal.entry(seq)?.payload
            uplink.service(timeoutMs: 5)
        }
        #expect(uplink.drain(timeoutMs: 5000) == 0)
        #expect(Fixture.wait(seconds: 5) { Set(subscriber.lines.compactMap(seqOf)).count == 20 })
        for line in subscriber.lines { #expect(sent[seqOf(line) ?? -1] == line) }
        let status = Fixture.run("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", String(broker.port), "-t", "lantern/\(device)/status", "-C", "1", "-W", "20",
        ])
        #expect(status.output == "online\n")
        let message = try JSONParser.parse(uplink.healthMessage())
        #expect(message["journal_depth"] == .number(0))
        #expect(message["dropped"] == .number(0))
        uplink.client.shutdown()
        subscriber.stop()
        broker.stop()
    }

    /// The broker goes away for 3 s mid-stream and comes back on the same port: every seq arrives
    /// (duplicates allowed, with identical bytes), the backlog in order.
    @Test func aBrokerOutageLosesNothing() throws {
        let broker = Broker()
        broker.start()
        let device = "lamp-b"
        let subscriber = Subscriber(port: broker.port, topic: "lantern/\(device)/intervals")
        let journalPath = Fixture.temporaryDirectory("j").appendingPathComponent("journal.db").path
        let uplink = try makeUplink(port: broker.port, device: device, journalPath: journalPath)
        #expect(Fixture.wait(seconds: 5, step: { uplink.service(timeoutMs: 20) }) { uplink.client.state == .connected })
        usleep(300_000)
        let total = 60
        var downAt: Date?
        for i in 0..<total {
            try uplink.submit(Records.make(i, zone: ["a", "b", nil][i % 3]))
            let until = Date().addingTimeInterval(0.08)
            while Date() < until { uplink.service(timeoutMs: 10) }
            if i == 15 {
                broker.stop()
                downAt = Date()
            }
            if let d = downAt, Date().timeIntervalSince(d) >= 3 {
                broker.start()
                downAt = nil
            }
        }
        if downAt != nil { broker.start() }
        #expect(uplink.drain(timeoutMs: 15_000) == 0)
        let complete = Fixture.wait(seconds: 10) { Set(subscriber.lines.compactMap(seqOf)) == Set(1...Int64(total)) }
        let lines = subscriber.lines
        #expect(complete, "missing seqs: \(Set(1...Int64(total)).subtracting(lines.compactMap(seqOf)).sorted())")
        var bySeq: [Int64: String] = [:]
        for line in lines {
            let seq = try #require(seqOf(line))
            if let earlier = bySeq[seq] { #expect(earlier == line, "seq \(seq) arrived twice with different values") }
            bySeq[seq] = line
            #expect(try uplink.journal.entry(seq)?.payload == line)
        }
        #expect(uplink.client.connectCount >= 2)
        uplink.client.shutdown()
        subscriber.stop()
        broker.stop()
    }

    @Test func aJournalReopenedByANewUplinkSendsWhatTheOldOneCouldNot() throws {
        let port = Fixture.freePort()
        let device = "lamp-c"
        let journalPath = Fixture.temporaryDirectory("j").appendingPathComponent("journal.db").path
        do {
            // No broker yet: everything stays in the journal.
            let uplink = try makeUplink(port: port, device: device, journalPath: journalPath)
            for i in 0..<5 { try uplink.submit(Records.make(i)) }
            #expect(uplink.drain(timeoutMs: 300) == 5)
            #expect(uplink.client.lastError?.description.contains("Connection refused") == true)
        }
        let broker = Broker(port: port)
        broker.start()
        let subscriber = Subscriber(port: port, topic: "lantern/\(device)/intervals")
        usleep(300_000)
        let uplink = try makeUplink(port: port, device: device, journalPath: journalPath)
        #expect(try uplink.submit(Records.make(5)) == 6)
        #expect(uplink.drain(timeoutMs: 5000) == 0)
        #expect(Fixture.wait(seconds: 5) { subscriber.lines.compactMap(seqOf) == [1, 2, 3, 4, 5, 6] })
        uplink.client.shutdown()
        subscriber.stop()
        broker.stop()
    }
}
