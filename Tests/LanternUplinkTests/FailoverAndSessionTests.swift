import Foundation
import LanternCore
import LanternSystem
import LanternUplink
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13, "built for fleets": a list of brokers with failover, and a persistent session under a
/// stable client id, against a real mosquitto. Time is the injected `SteppedClock`: timeouts and
/// backoff delays are stepped, never waited for.
@Suite(.serialized) struct FailoverAndSessionTests {
    @Test func aBrokerListParsesInOrderAndRejectsMixedSchemesAndEmptyItems() throws {
        let urls = try MQTTURL.parseList("mqtt://10.0.0.5:1883, mqtt://10.0.0.6,mqtt://[::1]:1884").get()
        #expect(urls == [
            MQTTURL(host: "10.0.0.5", port: 1883, tls: false), MQTTURL(host: "10.0.0.6", port: 1883, tls: false),
            MQTTURL(host: "::1", port: 1884, tls: false),
        ])
        #expect(MQTTURL.listDescription(urls) == "mqtt://10.0.0.5:1883,mqtt://10.0.0.6:1883,mqtt://[::1]:1884")
        guard case .failure(let mixed) = MQTTURL.parseList("mqtt://a:1883,mqtts://b:8883") else {
            Issue.record("a mixed list parsed")
            return
        }
        #expect(mixed.message.contains("mixes mqtt:// and mqtts://"))
        guard case .failure(let empty) = MQTTURL.parseList("mqtt://a:1883,,mqtt://b:1883") else {
            Issue.record("an empty item parsed")
            return
        }
        #expect(empty.message.contains("empty broker"))
        guard case .failure(let bad) = MQTTURL.parseList("mqtt://a:1883,http://b") else {
            Issue.record("a bad scheme parsed")
            return
        }
        #expect(bad.url == "http://b")
    }

    /// The first broker never answers (a full accept queue): after the connect timeout the client moves
    /// to the second, after a delay within the first backoff window, and connects there. When that one
    /// goes away, the next attempt goes back to the first of the list.
    @Test func aSilentFirstBrokerFailsOverToTheNextAfterAJitteredDelay() throws {
        let silent = FullAcceptQueue()
        defer { silent.close() }
        let broker = Broker()
        broker.start()
        defer { broker.stop() }
        let clock = SteppedClock()
        let urls = [
            MQTTURL(host: "127.0.0.1", port: Int32(silent.port), tls: false),
            MQTTURL(host: "127.0.0.1", port: Int32(broker.port), tls: false),
        ]
        var configuration = MQTTClient.Configuration(urls: urls, clientID: "lantern-failover")
        configuration.connectTimeoutSeconds = 10
        configuration.backoff = Backoff(firstWindowMicros: 2_000_000, maximumWindowMicros: 16_000_000, seed: 5)
        let client = try MQTTClient(configuration, clock: clock)
        var lost: [String] = []
        client.onDisconnected = { lost.append($0.url) }

        client.service(timeoutMs: 0)
        #expect(client.state == .connecting && client.brokerIndex == 0)
        clock.monotonicMicros += 10_000_000
        client.handle(readable: false, writable: false)
        #expect(lost == [urls[0].description])
        #expect(client.brokerIndex == 1 && client.failoverCount == 1)
        var reference = configuration.backoff
        #expect(client.nextAttemptMicros == clock.monotonicMicros + reference.nextDelayMicros(), "the delay is the seeded backoff's")
        #expect(client.currentURL == urls[1])

        clock.monotonicMicros = client.nextAttemptMicros
        #expect(Fixture.wait(seconds: 5, step: { client.service(timeoutMs: 20) }) { client.state == .connected })
        #expect(client.currentURL == urls[1] && client.connectCount == 1)

        broker.stop()
        #expect(Fixture.wait(seconds: 5, step: { client.service(timeoutMs: 20) }) { client.state == .disconnected })
        #expect(client.brokerIndex == 0, "after the second broker, the first again")
        #expect(lost.last == urls[1].description)
        client.shutdown(timeoutMs: 0)
    }

    /// A persistent session (clean_session=0, the default) under a stable client id: QoS 1 messages
    /// published while the client is away are queued by the broker and delivered after it reconnects,
    /// and the CONNACK says the session was present. A clean session gets none of them.
    @Test func aPersistentSessionKeepsTheQoS1MessagesQueuedWhileAway() throws {
        let broker = Broker()
        broker.start()
        defer { broker.stop() }
        let url = MQTTURL(host: "127.0.0.1", port: Int32(broker.port), tls: false)
        let topic = "lantern/session-test/commands"

        func connect(_ id: String, clean: Bool) throws -> (MQTTClient, Box) {
            var configuration = MQTTClient.Configuration(url: url, clientID: id)
            configuration.cleanSession = clean
            configuration.backoff = Backoff(firstWindowMicros: 100_000, maximumWindowMicros: 800_000, seed: 1)
            let client = try MQTTClient(configuration, clock: SteppedClock())
            let box = Box()
            client.onMessage = { _, payload in box.messages.append(String(decoding: payload, as: UTF8.self)) }
            #expect(Fixture.wait(seconds: 5, step: { client.service(timeoutMs: 20) }) { client.state == .connected })
            return (client, box)
        }

        let (first, _) = try connect("lantern-persistent", clean: false)
        #expect(!first.sessionPresent, "a new session")
        try first.subscribe(topic: topic, qos: 1)
        let (cleanFirst, _) = try connect("lantern-clean", clean: true)
        try cleanFirst.subscribe(topic: topic, qos: 1)
        for _ in 0..<10 { first.service(timeoutMs: 20); cleanFirst.service(timeoutMs: 20) }
        first.shutdown()
        cleanFirst.shutdown()

        for i in 1...3 {
            let published = Fixture.run("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1", "-t", topic, "-m", "m\(i)"])
            #expect(published.status == 0)
        }

        let (again, box) = try connect("lantern-persistent", clean: false)
        #expect(again.sessionPresent, "the broker kept the session")
        #expect(Fixture.wait(seconds: 5, step: { again.service(timeoutMs: 20) }) { box.messages.count >= 3 })
        #expect(box.messages == ["m1", "m2", "m3"])
        let (cleanAgain, cleanBox) = try connect("lantern-clean", clean: true)
        #expect(!cleanAgain.sessionPresent)
        for _ in 0..<20 { cleanAgain.service(timeoutMs: 20) }
        #expect(cleanBox.messages.isEmpty)
        again.shutdown()
        cleanAgain.shutdown()
    }
}

final class Box {
    var messages: [String] = []
}
