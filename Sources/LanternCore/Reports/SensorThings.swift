/// OGC SensorThings API (v1.1) `Observation`s for one interval record: one per measured quantity (five), each
/// linked to its Datastream by id, ready for `POST /v1.1/Observations` (or the MQTT create extension).
///
///     {"phenomenonTime":"2026-11-24T22:42:00Z/2026-11-24T22:43:00Z","resultTime":"2026-11-24T22:43:00Z",
///      "result":2.35,"parameters":{"device":"lamp-0042","zone":"north-path","seq":17,"status":"ok",
///      "coverage":0.98},"Datastream":{"@iot.id":"lantern:lamp-0042:north-path:occupancy-mean"}}
///
/// Datastream ids are stable names, so a city provisions its Things and Datastreams once and devices
/// never look them up: `lantern:<device>:<zone, or view>:<quantity>`, quantity one of
/// `occupancy-mean` (people, mean present), `occupancy-max` (people, most present in one frame),
/// `crossings-in`, `crossings-out` (people per interval), `person-seconds` (people present integrated over
/// the time seen: dwell without identities). Device and zone are percent-encoded as in
/// `NGSILD.entityID`.
///
/// A counting line's record gives two Observations, `crossings-in` and `crossings-out`, on
/// `lantern:<device>:line:<line>:<quantity>`, with `line` instead of `zone` in `parameters`.
///
/// Same rules as `LanternJSON`: when the status is `unknown` the result is null (not zero); a count
/// below the suppression threshold k is the string `"<k"`.
public enum SensorThings {
    public enum Quantity: CaseIterable {
        case occupancyMean, occupancyMax, crossingsIn, crossingsOut, personSeconds

        public var name: String {
            switch self {
            case .occupancyMean: return "occupancy-mean"
            case .occupancyMax: return "occupancy-max"
            case .crossingsIn: return "crossings-in"
            case .crossingsOut: return "crossings-out"
            case .personSeconds: return "person-seconds"
            }
        }
    }

    public struct Observation: Equatable {
        /// The Datastream's `@iot.id`.
        public var datastream: String
        /// The Observation entity, one line of JSON.
        public var json: String
    }

    public static func datastreamID(device: String, zone: String?, quantity: Quantity) -> String {
        "lantern:" + NGSILD.urnComponent(device) + ":" + NGSILD.urnComponent(zone ?? "view") + ":" + quantity.name
    }

    /// `lantern:<device>:line:<line>:<quantity>`.
    public static func datastreamID(device: String, line: String, quantity: Quantity) -> String {
        "lantern:" + NGSILD.urnComponent(device) + ":line:" + NGSILD.urnComponent(line) + ":" + quantity.name
    }

    /// The five Observations of a zone or view record, in `Quantity.allCases` order; the two of a line
    /// record (crossings in, out).
    public static func observations(
        _ r: IntervalRecord, device: String, seq: Int64, suppressBelow k: Int = 0
    ) -> [Observation] {
        var out: [Observation] = []
        out.reserveCapacity(Quantity.allCases.count)
        let known = r.status != .unknown
        let quantities: [Quantity] = r.line == nil ? Quantity.allCases : [.crossingsIn, .crossingsOut]
        for quantity in quantities {
            let id = r.line.map { datastreamID(device: device, line: $0, quantity: quantity) }
                ?? datastreamID(device: device, zone: r.zone, quantity: quantity)
            var w = JSONWriter(reservingCapacity: 360)
            w.beginObject()
            w.field("phenomenonTime", r.start.iso8601 + "/" + r.end.iso8601)
            w.field("resultTime", r.end.iso8601)
            w.key("result")
            switch quantity {
            case .occupancyMean:
                if !known { w.null() } else if k > 0 && r.occupancyMean < Double(k) { w.string("<\(k)") } else {
                    w.fixed(r.occupancyMean, places: 2)
                }
            case .occupancyMax: LanternJSON.count(r.occupancyMax, known: known, k: k, into: &w)
            case .crossingsIn: LanternJSON.count(r.crossingsIn, known: known, k: k, into: &w)
            case .crossingsOut: LanternJSON.count(r.crossingsOut, known: known, k: k, into: &w)
            case .personSeconds: LanternJSON.personSeconds(r, known: known, k: k, into: &w)
            }
            w.key("parameters")
            w.beginObject()
            w.field("device", device)
            if let line = r.line {
                w.field("line", line)
            } else {
                w.key("zone")
                if let zone = r.zone { w.string(zone) } else { w.null() }
            }
            w.key("seq"); w.integer(Int(seq))
            w.field("status", r.status.name)
            w.field("coverage", r.coverage, places: 3)
            w.endObject()
            w.key("Datastream")
            w.object { d in d.field("@iot.id", id) }
            w.endObject()
            out.append(Observation(datastream: id, json: w.text))
        }
        return out
    }
}
