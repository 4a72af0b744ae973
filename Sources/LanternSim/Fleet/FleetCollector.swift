import LanternCore
import LanternSystem
import LanternUplink

/// The city's side of the fleet test: one MQTT subscriber to every device's interval records
/// (`lantern/+/intervals`, QoS 1) with a persistent session (clean_session=0) under a fixed client id,
/// so the broker queues records for it while it is away (on RabbitMQ a quorum queue, replicated over
/// the cluster). It keeps, per device and seq, a hash of the bytes first received, and counts the
/// duplicates and the duplicates whose bytes differ.
final class FleetCollector {
    let client: MQTTClient
    static let topicFilter = "lantern/+/intervals"

    /// Per device index: seq → FNV-1a hash of the payload.
    private(set) var received: [[Int64: UInt64]]
    private let deviceIndex: [String: Int]
    private(set) var messages = 0
    private(set) var distinct = 0
    private(set) var duplicates = 0
    private(set) var differingDuplicates = 0
    /// Messages that named no device of this run, or no seq.
    private(set) var foreign = 0
    private(set) var subscribeError: String?
    /// Where its connection events go (one line each: connected, lost and why).
    var log: ((String) -> Void)?

    /// `speed`: simulated seconds per real second of `clock`. The client's connect timeout and backoff
    /// are on that clock, so they are scaled: `connectTimeoutSeconds` (real) must not become a sixtieth of
    /// itself. (Unscaled, a 10 s timeout was 0.17 s real at `--speed 60`: while a loaded cluster took
    /// longer than that to answer a persistent session's CONNECT, the collector gave up every attempt and
    /// retried every few milliseconds, and stayed away for minutes after a node was killed.)
    init(brokers: [MQTTURL], deviceNames: [String], clock: any RunClock, speed: Double, connectTimeoutSeconds: Double, clientID: String)
        throws(SimulatorError)
    {
        var configuration = MQTTClient.Configuration(urls: brokers, clientID: clientID)
        configuration.cleanSession = false
        configuration.connectTimeoutSeconds = Int64((connectTimeoutSeconds * speed).rounded(.up))
        // Retries within 0.2 s, doubling up to 2 s, real time.
        configuration.backoff = Backoff(firstWindowMicros: Int64(200_000 * speed), maximumWindowMicros: Int64(2_000_000 * speed), seed: 13)
        do throws(MQTTError) {
            client = try MQTTClient(configuration, clock: clock)
        } catch {
            throw SimulatorError("fleet collector: \(error.description)", status: .usage)
        }
        var index: [String: Int] = [:]
        for (i, name) in deviceNames.enumerated() { index[name] = i }
        deviceIndex = index
        received = Array(repeating: [:], count: deviceNames.count)
        let context = Unmanaged.passUnretained(self)
        client.onConnected = {
            let collector = context.takeUnretainedValue()
            collector.log?("collector: connected to \(collector.client.currentURL.description) (session present: \(collector.client.sessionPresent))")
            // Subscribing again is harmless with a session the broker kept, and needed after a failover.
            do throws(MQTTError) {
                try collector.client.subscribe(topic: FleetCollector.topicFilter, qos: 1)
            } catch {
                collector.subscribeError = error.description
            }
        }
        client.onDisconnected = { error in context.takeUnretainedValue().log?("collector: \(error.description)") }
        client.onMessage = { topic, payload in context.takeUnretainedValue().receive(topic: topic, payload: payload) }
    }

    private func receive(topic: String, payload: UnsafeRawBufferPointer) {
        messages += 1
        // lantern/<device>/intervals
        let parts = topic.split(separator: "/")
        guard parts.count == 3, let device = deviceIndex[String(parts[1])], let seq = FleetCollector.seq(in: payload) else {
            foreign += 1
            return
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in payload { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if let first = received[device][seq] {
            duplicates += 1
            if first != hash { differingDuplicates += 1 }
        } else {
            received[device][seq] = hash
            distinct += 1
        }
    }

    /// The value of the first `"seq":` in a Lantern JSON line.
    static func seq(in payload: UnsafeRawBufferPointer) -> Int64? {
        let key = Array("\"seq\":".utf8)
        guard payload.count > key.count else { return nil }
        var i = 0
        while i + key.count < payload.count {
            var match = true
            for k in 0..<key.count where payload[i + k] != key[k] {
                match = false
                break
            }
            if match {
                var j = i + key.count, value: Int64 = 0, digits = 0
                while j < payload.count, payload[j] >= 48, payload[j] <= 57, digits < 18 {
                    value = value * 10 + Int64(payload[j] - 48)
                    j += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            i += 1
        }
        return nil
    }

    /// Seqs of 1...produced the collector has not received, for one device.
    func missing(device: Int, produced: Int) -> Int {
        var count = 0
        let got = received[device]
        if produced > 0 {
            for seq in 1...Int64(produced) where got[seq] == nil { count += 1 }
        }
        return count
    }

    /// Received seqs above what the device produced (must be none).
    func beyond(device: Int, produced: Int) -> Int {
        received[device].keys.filter { $0 > Int64(produced) || $0 < 1 }.count
    }
}
