import Foundation

/// One process's raw figures of a fleet run, merged into the `FleetReport` by the process that runs the
/// collector. Above about 6,000 devices one process runs out of descriptors (each device holds its
/// socket and libmosquitto's socket pair; the limit here is 20,000 and cannot be raised), so the fleet
/// runs in worker processes that each send these back as one JSON line. Real times are microseconds
/// since the kill, on CLOCK_MONOTONIC (one clock for all the processes).
struct FleetSamples {
    var firstDevice = 0
    /// Records journaled, per device from `firstDevice`.
    var produced: [Int] = []
    var acknowledged = 0
    var reconnectMicros: [Int64] = []
    var killedNodeDevices = 0
    /// Per device that lost the killed node: how long after the kill it was connected elsewhere.
    var movedMicros: [Int64] = []
    /// Connections the other nodes accepted, per second after the kill.
    var survivorConnectsPerSecond: [Int] = []
    var memoryJournals = false
    var rssBeforeKiB = 0
    var rssDevicesKiB = 0
    var peakRSSKiB = 0

    var json: String {
        let object: [String: Any] = [
            "firstDevice": firstDevice, "produced": produced, "acknowledged": acknowledged,
            "reconnectMicros": reconnectMicros, "killedNodeDevices": killedNodeDevices, "movedMicros": movedMicros,
            "survivorConnectsPerSecond": survivorConnectsPerSecond, "memoryJournals": memoryJournals,
            "rssBeforeKiB": rssBeforeKiB, "rssDevicesKiB": rssDevicesKiB, "peakRSSKiB": peakRSSKiB,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    init() {}

    /// The processes' samples as one: devices concatenated (ordered by first device), times pooled,
    /// connections per second added, memory summed over the processes that ran devices.
    static func merged(_ parts: [FleetSamples]) -> FleetSamples {
        let running = parts.filter { !$0.produced.isEmpty }.sorted { $0.firstDevice < $1.firstDevice }
        var m = FleetSamples()
        m.firstDevice = running.first?.firstDevice ?? 0
        for p in running { m.produced += p.produced }
        for p in parts {
            m.acknowledged += p.acknowledged
            m.reconnectMicros += p.reconnectMicros
            m.killedNodeDevices += p.killedNodeDevices
            m.movedMicros += p.movedMicros
            for (second, n) in p.survivorConnectsPerSecond.enumerated() {
                while m.survivorConnectsPerSecond.count <= second { m.survivorConnectsPerSecond.append(0) }
                m.survivorConnectsPerSecond[second] += n
            }
            m.memoryJournals = m.memoryJournals || p.memoryJournals
        }
        for p in running {
            m.rssBeforeKiB += p.rssBeforeKiB
            m.rssDevicesKiB += p.rssDevicesKiB
            m.peakRSSKiB += p.peakRSSKiB
        }
        return m
    }

    init?(json: String) {
        guard let data = json.data(using: .utf8),
            let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        func ints(_ key: String) -> [Int] { (o[key] as? [NSNumber])?.map { $0.intValue } ?? [] }
        func int(_ key: String) -> Int { (o[key] as? NSNumber)?.intValue ?? 0 }
        firstDevice = int("firstDevice")
        produced = ints("produced")
        acknowledged = int("acknowledged")
        reconnectMicros = ints("reconnectMicros").map(Int64.init)
        killedNodeDevices = int("killedNodeDevices")
        movedMicros = ints("movedMicros").map(Int64.init)
        survivorConnectsPerSecond = ints("survivorConnectsPerSecond")
        memoryJournals = (o["memoryJournals"] as? Bool) ?? false
        rssBeforeKiB = int("rssBeforeKiB")
        rssDevicesKiB = int("rssDevicesKiB")
        peakRSSKiB = int("peakRSSKiB")
    }
}
