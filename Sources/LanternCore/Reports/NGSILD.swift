/// NGSI-LD `CrowdFlowObserved` entities (smart-data-models, dataModel.Transportation), normalized form:
/// one entity per device and zone, so an upsert replaces the zone's last observation.
///
///     {"id":"urn:ngsi-ld:CrowdFlowObserved:lamp-0042:north-path","type":"CrowdFlowObserved",
///      "dateObserved":{"type":"Property","value":{"@type":"DateTime","@value":"2026-11-24T22:43:00Z"}},
///      "dateObservedFrom":{…"2026-11-24T22:42:00Z"…},"dateObservedTo":{…"2026-11-24T22:43:00Z"…},
///      "peopleCount":{"type":"Property","value":2,"observedAt":"2026-11-24T22:43:00Z"},
///      "peopleCountMax":{…4…},"peopleCountTowards":{…3…},"peopleCountAway":{…1…},
///      "status":{"type":"Property","value":"ok"},"coverage":{"type":"Property","value":0.98},
///      "refDevice":{"type":"Relationship","object":"urn:ngsi-ld:Device:lamp-0042"},
///      "@context":["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld", "…/context.jsonld"]}
///
/// Mapping from the interval record, and why:
/// - `peopleCount` is the head count: the mean people present, rounded half away from zero. The model's
///   `occupancy` is a different quantity (the fraction of the time someone occupied the walkway), which
///   Lantern does not measure, so it is never sent. `peopleCountMax` (Lantern's extension) is the most
///   people present in one frame.
/// - `peopleCountTowards` / `peopleCountAway` are the counting lines' crossings in / out. The model's
///   `direction` (inbound/outbound with respect to the city centre) is a property of the walkway that the
///   device cannot know, so it is not sent.
/// - `personSeconds` (Lantern's extension: the model has no attribute for it) is the people present
///   integrated over the time seen, a number in person-seconds: dwell without identities. Mean and peak
///   occupancy are `peopleCount` and `peopleCountMax`. The model's `averageCrossingTime` is a per-person
///   time, which needs identities, so it is not sent.
/// - `dateObserved` is the end of the interval (the instant the figures became true); the interval is
///   `dateObservedFrom` / `dateObservedTo`, as the model recommends for brokers without interval support.
/// - `status` and `coverage` (Lantern's extensions) say how far the counts can be trusted.
/// - Same rules as `LanternJSON`: when the status is `unknown` the count attributes are left out (NGSI-LD has
///   no null value: Lantern did not see, so it does not say zero). A count below the suppression threshold
///   k is left out too, and `countsSuppressedBelow` carries k so the consumer knows why.
///
/// The shape is pinned by `Schemas/crowdflowobserved.schema.json`.
public enum NGSILD {
    public static let coreContext = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
    public static let transportationContext =
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld"

    /// `urn:ngsi-ld:CrowdFlowObserved:<device>:<zone>`, with `view` for the whole view. Characters other
    /// than letters, digits and `-._~` are percent-encoded (UTF-8), so a `:` in a zone name cannot
    /// shift the id's fields.
    public static func entityID(device: String, zone: String?) -> String {
        "urn:ngsi-ld:CrowdFlowObserved:" + urnComponent(device) + ":" + urnComponent(zone ?? "view")
    }

    /// `urn:ngsi-ld:Device:<device>`: the object of `refDevice`.
    public static func deviceID(_ device: String) -> String {
        "urn:ngsi-ld:Device:" + urnComponent(device)
    }

    /// One entity, one line of JSON, with its `@context` (for `application/ld+json`).
    public static func crowdFlowObserved(_ r: IntervalRecord, device: String, suppressBelow k: Int = 0) -> String {
        var w = JSONWriter(reservingCapacity: 900)
        write(r, device: device, suppressBelow: k, into: &w)
        return w.text
    }

    /// The body of `POST /ngsi-ld/v1/entityOperations/upsert`: a JSON array of entities.
    public static func upsertBody(_ records: [IntervalRecord], device: String, suppressBelow k: Int = 0) -> String {
        var w = JSONWriter(reservingCapacity: 900 * max(records.count, 1))
        w.beginArray()
        for r in records { write(r, device: device, suppressBelow: k, into: &w) }
        w.endArray()
        return w.text
    }

    /// Writes one entity (an object) as the next value of `w`.
    public static func write(_ r: IntervalRecord, device: String, suppressBelow k: Int, into w: inout JSONWriter) {
        let observedAt = r.end.iso8601
        w.beginObject()
        w.field("id", entityID(device: device, zone: r.zone))
        w.field("type", "CrowdFlowObserved")
        dateTimeProperty("dateObserved", observedAt, into: &w)
        dateTimeProperty("dateObservedFrom", r.start.iso8601, into: &w)
        dateTimeProperty("dateObservedTo", observedAt, into: &w)
        var suppressed = false
        if r.status != .unknown {
            let mean = roundedHalfAway(r.occupancyMean)
            let counts: [(String, Int)] = [
                ("peopleCount", mean), ("peopleCountMax", r.occupancyMax),
                ("peopleCountTowards", r.crossingsIn), ("peopleCountAway", r.crossingsOut),
            ]
            for (name, value) in counts {
                // The mean is suppressed by its unrounded value, as in LanternJSON.
                let below = name == "peopleCount" ? r.occupancyMean < Double(k) : value < k
                if k > 0 && below {
                    suppressed = true
                    continue
                }
                w.key(name)
                w.beginObject()
                w.field("type", "Property")
                w.field("value", value)
                w.field("observedAt", observedAt)
                w.endObject()
            }
        }
        if r.status != .unknown && !(k > 0 && r.occupancyMean < Double(k)) {
            w.key("personSeconds")
            w.beginObject()
            w.field("type", "Property")
            w.key("value"); w.fixed(max(r.personSeconds, 0), places: 1)
            w.field("observedAt", observedAt)
            w.endObject()
        }
        if suppressed {
            w.key("countsSuppressedBelow")
            w.object { o in o.field("type", "Property"); o.field("value", k) }
        }
        w.key("status")
        w.object { o in o.field("type", "Property"); o.field("value", r.status.name) }
        w.key("coverage")
        w.object { o in o.field("type", "Property"); o.field("value", r.coverage, places: 3) }
        w.key("refDevice")
        w.object { o in o.field("type", "Relationship"); o.field("object", deviceID(device)) }
        w.key("@context")
        w.array { a in a.string(coreContext); a.string(transportationContext) }
        w.endObject()
    }

    static func dateTimeProperty(_ name: String, _ iso8601: String, into w: inout JSONWriter) {
        w.key(name)
        w.object { o in
            o.field("type", "Property")
            o.key("value")
            o.object { v in v.field("@type", "DateTime"); v.field("@value", iso8601) }
        }
    }

    static func roundedHalfAway(_ x: Double) -> Int {
        guard x.isFinite else { return 0 }
        // Int(_:) truncates toward zero (no libm call, which the board's link may lack).
        return Int(x < 0 ? x - 0.5 : x + 0.5)
    }

    static func urnComponent(_ s: String) -> String {
        let hex: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
