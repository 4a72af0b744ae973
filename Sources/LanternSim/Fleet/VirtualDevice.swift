import LanternCore
import LanternSystem
import LanternUplink

/// One lamppost of the fleet simulator: the board's own uplink (a `Journal` on disk, an `MQTTClient`
/// with its broker list, failover and backoff, the `Uplink` that resends what was not acknowledged),
/// fed with a synthetic interval record every interval of the compressed clock. Only the counts are
/// made up; everything from the journal to the socket is the code a lamppost runs.
final class VirtualDevice {
    /// Position in this process's devices.
    let index: Int
    /// Position in the fleet (names, boot times and broker orders follow it).
    let globalIndex: Int
    let name: String
    let uplink: Uplink
    /// The broker list's order for this device (indexes into the fleet's brokers).
    let brokerOrder: [Int]
    /// When it boots (simulated monotonic microseconds); nothing happens before.
    private(set) var bootMicros: Int64
    var booted = false
    /// When the next interval ends.
    var nextRecordMicros: Int64
    /// Records journaled.
    var produced = 0

    // Connection history for the report (real monotonic microseconds).
    var isUp = false
    /// When the current outage began (nil while connected, or before the first connection).
    var downSinceReal: Int64?
    /// The broker (fleet index) of the current or last connection.
    var connectedBroker = -1
    /// Set when the device lost the killed node: the real time it reconnected elsewhere.
    var lostKilledNode = false
    var reconnectedElsewhereReal: Int64?

    init(
        index: Int, globalIndex: Int, name: String, journal: Journal, brokers: [MQTTURL], brokerOrder: [Int], clock: CompressedClock,
        retryWindowMicros: Int64, connectTimeoutSeconds: Int64, bootMicros: Int64, intervalMicros: Int64
    ) throws(SimulatorError) {
        self.index = index
        self.globalIndex = globalIndex
        self.name = name
        self.brokerOrder = brokerOrder
        self.bootMicros = bootMicros
        nextRecordMicros = bootMicros + intervalMicros
        var configuration = MQTTClient.Configuration(urls: brokerOrder.map { brokers[$0] }, clientID: "lantern-\(name)")
        configuration.statusTopic = Topics(device: name).status
        configuration.backoff = .uplink(device: name, purpose: "mqtt", firstWindowMicros: retryWindowMicros)
        configuration.connectTimeoutSeconds = connectTimeoutSeconds
        let client: MQTTClient
        do throws(MQTTError) {
            client = try MQTTClient(configuration, clock: clock)
        } catch {
            throw SimulatorError("fleet: \(error.description)", status: .usage)
        }
        var uplinkConfiguration = Uplink.Configuration(device: name)
        // No health messages: the fleet test counts interval records only.
        uplinkConfiguration.healthIntervalMs = 0
        uplink = Uplink(configuration: uplinkConfiguration, journal: journal, client: client)
    }

    var client: MQTTClient { uplink.client }

    /// Moves its boot and first interval by `micros` (made relative to a start not known yet).
    func shift(by micros: Int64) {
        bootMicros += micros
        nextRecordMicros += micros
    }

    /// The fleet index of the broker the client is connected to (or trying).
    var currentBroker: Int { brokerOrder[client.brokerIndex] }

    /// The record for the interval that ended at `endMicros` (simulated wall time): made-up counts that
    /// differ per device and interval.
    func record(endingAt end: Int64, intervalSeconds: Int64) -> IntervalRecord {
        let endSeconds = end / 1_000_000
        var mix = Backoff.seed(device: name, purpose: String(produced))
        mix ^= mix >> 29
        let people = Int(mix % 9)
        return IntervalRecord(
            zone: nil, start: UTCTime(secondsSinceEpoch: endSeconds - intervalSeconds), end: UTCTime(secondsSinceEpoch: endSeconds),
            occupancyMean: Double(people) / 2, occupancyMax: people, crossingsIn: Int((mix >> 8) % 5),
            crossingsOut: Int((mix >> 16) % 5), coverage: 1, status: .ok, frames: Int(intervalSeconds) * 5,
            personSeconds: Double(people * Int(intervalSeconds)) / 2)
    }
}
