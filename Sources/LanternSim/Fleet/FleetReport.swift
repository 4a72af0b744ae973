import LanternCore

/// What a fleet run shows: records produced and collected, gaps, duplicates, reconnect times, the
/// killed node's failover and the memory a virtual device costs. Times are real seconds.
public struct FleetReport: Equatable {
    public var devices = 0
    public var brokers = 0
    /// Processes the devices ran in (the descriptor limit caps one process at about 6,000 devices).
    public var processes = 1
    /// A worker's figures, for the process that runs the collector (nil otherwise).
    public var workerSamples: String?
    /// Where the journals were: `files` (one SQLite file each) or `memory` (SQLite `:memory:`).
    public var journals = "files"
    /// Interval records journaled by all devices.
    public var produced = 0
    /// Distinct (device, seq) the collector received.
    public var delivered = 0
    /// PUBACKs the devices received for interval records (a resent record counts again).
    public var acknowledged = 0
    /// Messages the collector received (duplicates included).
    public var received = 0
    /// Seqs in 1...n of a device that the collector never received.
    public var gaps = 0
    public var devicesWithGaps = 0
    public var duplicates = 0
    /// Duplicates whose bytes differ from the first copy (must be 0).
    public var differingDuplicates = 0
    /// Messages of no device of this run, or beyond a device's last seq (must be 0).
    public var unexpected = 0
    /// Connections the collector made, and how many of them followed a stall (nothing received for 10 s
    /// while records were missing).
    public var collectorConnects = 0
    public var collectorStallReconnects = 0
    /// The collector had every record before the drain timeout.
    public var complete = false
    public var reconnects = 0
    public var reconnectP50Seconds: Double?
    public var reconnectP90Seconds: Double?
    public var reconnectP99Seconds: Double?
    public var reconnectMaxSeconds: Double?
    /// Devices connected to the killed node when it was killed, and how many reconnected to another.
    public var killedNodeDevices: Int?
    public var killedNodeReconnected: Int?
    /// From the kill until 99% of those devices were connected to another node (with one broker: to it,
    /// once it is back).
    public var killedNode99PercentReconnectedSeconds: Double?
    /// The most connections the other nodes accepted in one second after the kill (CONNACKs seen by the devices).
    public var peakSurvivorConnectsPerSecond: Int?
    public var realSeconds = 0.0
    public var simulatedSeconds = 0.0
    /// Resident memory added by creating the devices (journals open, clients made), per device (summed
    /// over the processes that ran devices).
    public var memoryPerDeviceKiB = 0.0
    /// The run's peak resident memory above the start, per device.
    public var peakMemoryPerDeviceKiB = 0.0
    public var peakRSSMiB = 0.0

    public init() {}

    /// The `q`-quantile (nearest rank) of sorted microseconds, in seconds; nil when empty.
    public static func percentile(_ sorted: [Int64], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(Int((q * Double(sorted.count)).rounded(.up)), 1)
        return Double(sorted[min(rank, sorted.count) - 1]) / 1e6
    }

    /// One JSON line.
    public var json: String {
        var w = JSONWriter(reservingCapacity: 1024)
        w.beginObject()
        w.field("devices", devices)
        w.field("brokers", brokers)
        w.field("journals", journals)
        w.field("processes", processes)
        w.field("produced", produced)
        w.field("delivered", delivered)
        w.field("acknowledged", acknowledged)
        w.field("received", received)
        w.field("gaps", gaps)
        w.field("devicesWithGaps", devicesWithGaps)
        w.field("duplicates", duplicates)
        w.field("differingDuplicates", differingDuplicates)
        w.field("unexpected", unexpected)
        w.key("complete"); w.bool(complete)
        w.field("collectorConnects", collectorConnects)
        w.field("collectorStallReconnects", collectorStallReconnects)
        w.field("reconnects", reconnects)
        FleetReport.seconds(&w, "reconnectP50Seconds", reconnectP50Seconds)
        FleetReport.seconds(&w, "reconnectP90Seconds", reconnectP90Seconds)
        FleetReport.seconds(&w, "reconnectP99Seconds", reconnectP99Seconds)
        FleetReport.seconds(&w, "reconnectMaxSeconds", reconnectMaxSeconds)
        if let killedNodeDevices {
            w.field("killedNodeDevices", killedNodeDevices)
            w.field("killedNodeReconnected", killedNodeReconnected ?? 0)
            FleetReport.seconds(&w, "killedNode99PercentReconnectedSeconds", killedNode99PercentReconnectedSeconds)
            w.field("peakSurvivorConnectsPerSecond", peakSurvivorConnectsPerSecond ?? 0)
        }
        FleetReport.seconds(&w, "realSeconds", realSeconds)
        FleetReport.seconds(&w, "simulatedSeconds", simulatedSeconds)
        w.key("memoryPerDeviceKiB"); w.fixed(memoryPerDeviceKiB, places: 1)
        w.key("peakMemoryPerDeviceKiB"); w.fixed(peakMemoryPerDeviceKiB, places: 1)
        w.key("peakRSSMiB"); w.fixed(peakRSSMiB, places: 1)
        w.endObject()
        return w.text
    }

    private static func seconds(_ w: inout JSONWriter, _ key: String, _ value: Double?) {
        w.key(key)
        if let value { w.fixed(value, places: 3) } else { w.null() }
    }

    /// A few lines for a person.
    public var summary: [String] {
        func s(_ v: Double?) -> String { v.map { formatFixed($0, places: 3) + " s" } ?? "-" }
        var lines = [
            "fleet: devices=\(devices) brokers=\(brokers) produced=\(produced) delivered=\(delivered) gaps=\(gaps) duplicates=\(duplicates) differing=\(differingDuplicates)\(complete ? "" : " INCOMPLETE")",
            "fleet: reconnects=\(reconnects) p50=\(s(reconnectP50Seconds)) p90=\(s(reconnectP90Seconds)) p99=\(s(reconnectP99Seconds)) max=\(s(reconnectMaxSeconds))",
        ]
        if let killedNodeDevices {
            lines.append("fleet: killed node: \(killedNodeDevices) devices, \(killedNodeReconnected ?? 0) reconnected elsewhere, 99% after \(s(killedNode99PercentReconnectedSeconds)); peak \(peakSurvivorConnectsPerSecond ?? 0) connects/s on the other nodes")
        }
        lines.append("fleet: \(formatFixed(realSeconds, places: 1)) s real for \(formatFixed(simulatedSeconds, places: 0)) s simulated; memory \(formatFixed(memoryPerDeviceKiB, places: 1)) KiB per device (peak \(formatFixed(peakMemoryPerDeviceKiB, places: 1)))")
        return lines
    }
}
