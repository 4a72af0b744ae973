/// OGC SensorThings API (v1.1) entities for Lantern: the `Observation`s of one interval record (one per
/// measured quantity), and what a device creates on first contact (its `Sensor`, the five
/// `ObservedProperty`s, and its `Thing` with its `Location` and `Datastream`s by deep insert).
///
///     {"phenomenonTime":"2026-11-24T22:42:00Z/2026-11-24T22:43:00Z","resultTime":"2026-11-24T22:43:00Z",
///      "result":2.35,"parameters":{"device":"lamp-0042","zone":"north-path","seq":17,"status":"ok",
///      "coverage":0.98},"Datastream":{"@iot.id":42}}
///
/// Ids are the server's: it assigns every entity's `@iot.id` (FROST, by default, refuses ids chosen by
/// the client), the device keeps them (in its journal) and links Observations by them. Datastreams are
/// *named* `lantern:<device>:<zone, or view>:<quantity>` (device and zone percent-encoded as in
/// `NGSILD.entityID`), quantity one of `occupancy-mean` (people, mean present), `occupancy-max`
/// (people, most present in one frame), `crossings-in`, `crossings-out` (people per interval),
/// `person-seconds` (people present integrated over the time seen: dwell without identities).
///
/// A counting line's record gives two Observations, `crossings-in` and `crossings-out`, on the
/// Datastreams named `lantern:<device>:line:<line>:<quantity>`, with `line` instead of `zone` in
/// `parameters`.
///
/// An id is kept as its *literal*, the form a resource path takes: `42` for a number, `'01a2…'` for a
/// string (OData quoting, `'` doubled). The same literal gives the JSON reference (`42`, `"01a2…"`).
///
/// Results are numbers only (the Datastreams are `OM_Measurement`s): a quantity Lantern did not see
/// (status `unknown`) or reports below the suppression threshold k (`"<k"` in Lantern JSON) has no
/// Observation. A Datastream's gap is how SensorThings says "no measurement".
public enum SensorThings {
    public enum Quantity: CaseIterable, Equatable {
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

        public init?(name: String) {
            guard let match = Quantity.allCases.first(where: { $0.name == name }) else { return nil }
            self = match
        }

        var description: String {
            switch self {
            case .occupancyMean: return "mean number of people present over the interval"
            case .occupancyMax: return "most people present in one frame of the interval"
            case .crossingsIn: return "people who crossed the counting lines inwards during the interval"
            case .crossingsOut: return "people who crossed the counting lines outwards during the interval"
            case .personSeconds: return "people present integrated over the time seen (person-seconds)"
            }
        }

        /// UCUM: `{person}` is an annotation (a count of people); person-seconds are `s`.
        var unit: (name: String, symbol: String) {
            self == .personSeconds ? ("person-second", "s") : ("person", "{person}")
        }
    }

    /// One Observation, before it is linked to its Datastream (`linked`), as the journal keeps it.
    public struct Observation: Equatable {
        /// The Datastream's name (`datastreamName`), which the device maps to the server's id.
        public var datastream: String
        public var quantity: Quantity
        /// The Observation entity without its `Datastream` member, one line of JSON.
        public var body: String
    }

    public static let measurement = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
    public static let propertyBase = "https://lantern.example.org/def/"

    public static func datastreamName(device: String, zone: String?, quantity: Quantity) -> String {
        "lantern:" + NGSILD.urnComponent(device) + ":" + NGSILD.urnComponent(zone ?? "view") + ":" + quantity.name
    }

    /// `lantern:<device>:line:<line>:<quantity>`: a counting line's crossings.
    public static func datastreamName(device: String, line: String, quantity: Quantity) -> String {
        "lantern:" + NGSILD.urnComponent(device) + ":line:" + NGSILD.urnComponent(line) + ":" + quantity.name
    }

    /// The Datastream names of a site: five per zone and for the whole view, two per counting line.
    public static func datastreamNames(device: String, zones: [String], lines: [String]) -> [String] {
        var names: [String] = []
        for zone in [nil] + zones.map({ Optional($0) }) {
            for quantity in Quantity.allCases { names.append(datastreamName(device: device, zone: zone, quantity: quantity)) }
        }
        for line in lines {
            for quantity in [Quantity.crossingsIn, .crossingsOut] { names.append(datastreamName(device: device, line: line, quantity: quantity)) }
        }
        return names
    }

    /// The zone component (percent-encoded, `view` for the whole view, `line:<line>` for a line) and quantity of a Datastream name
    /// of this device; nil when it is not one.
    public static func parseDatastreamName(_ name: String, device: String) -> (zone: String, quantity: Quantity)? {
        let prefix = "lantern:" + NGSILD.urnComponent(device) + ":"
        guard name.hasPrefix(prefix) else { return nil }
        let rest = Array(name.utf8.dropFirst(prefix.utf8.count))
        guard let colon = rest.lastIndex(of: UInt8(ascii: ":")), colon > 0,
              let quantity = Quantity(name: String(decoding: rest[(colon + 1)...], as: UTF8.self)) else { return nil }
        return (String(decoding: rest[..<colon], as: UTF8.self), quantity)
    }

    /// The Observations of a record with a known, unsuppressed value, in `Quantity.allCases` order (a
    /// line record: crossings in, out).
    public static func observations(
        _ r: IntervalRecord, device: String, seq: Int64, suppressBelow k: Int = 0
    ) -> [Observation] {
        guard r.status != .unknown else { return [] }
        var out: [Observation] = []
        out.reserveCapacity(Quantity.allCases.count)
        let meanShown = !(k > 0 && r.occupancyMean < Double(k))
        let quantities: [Quantity] = r.line == nil ? Quantity.allCases : [.crossingsIn, .crossingsOut]
        for quantity in quantities {
            var w = JSONWriter(reservingCapacity: 300)
            w.beginObject()
            w.field("phenomenonTime", r.start.iso8601 + "/" + r.end.iso8601)
            w.field("resultTime", r.end.iso8601)
            w.key("result")
            switch quantity {
            case .occupancyMean:
                guard meanShown else { continue }
                w.fixed(r.occupancyMean, places: 2)
            case .occupancyMax:
                guard !(k > 0 && r.occupancyMax < k) else { continue }
                w.integer(r.occupancyMax)
            case .crossingsIn:
                guard !(k > 0 && r.crossingsIn < k) else { continue }
                w.integer(r.crossingsIn)
            case .crossingsOut:
                guard !(k > 0 && r.crossingsOut < k) else { continue }
                w.integer(r.crossingsOut)
            case .personSeconds:
                guard meanShown else { continue }
                w.fixed(max(r.personSeconds, 0), places: 1)
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
            w.endObject()
            let name = r.line.map { datastreamName(device: device, line: $0, quantity: quantity) }
                ?? datastreamName(device: device, zone: r.zone, quantity: quantity)
            out.append(Observation(datastream: name, quantity: quantity, body: w.text))
        }
        return out
    }

    /// `body` (an Observation without its Datastream) linked to the Datastream whose id literal is given:
    /// ready for `POST /v1.1/Observations`. (For MQTT, the topic names the Datastream and `body` is sent.)
    public static func linked(_ body: String, datastream idLiteral: String) -> String {
        var text = body
        guard text.hasSuffix("}") else { return text }
        text.removeLast()
        var w = JSONWriter(reservingCapacity: 64)
        w.beginObject()
        writeID(idLiteral, into: &w)
        w.endObject()
        return text + ",\"Datastream\":" + w.text + "}"
    }

    // MARK: First contact

    /// The device's Sensor: Lantern's estimator.
    public static func sensor(device: String, version: String) -> String {
        var w = JSONWriter(reservingCapacity: 300)
        w.beginObject()
        w.field("name", "Lantern occupancy estimator (\(device))")
        w.field("description", "Anonymised people counting from camera frames on the lamppost; no imagery is stored or sent")
        w.field("encodingType", "text/html")
        w.field("metadata", "https://lantern.example.org/sensor")
        w.key("properties")
        w.object { p in
            p.field("device", device)
            p.field("version", version)
        }
        w.endObject()
        return w.text
    }

    public static func observedProperty(_ quantity: Quantity) -> String {
        var w = JSONWriter(reservingCapacity: 200)
        w.beginObject()
        w.field("name", quantity.name)
        w.field("definition", propertyBase + quantity.name)
        w.field("description", quantity.description)
        w.endObject()
        return w.text
    }

    /// The Thing, deep-inserted with its Location (when the position is known) and one Datastream per
    /// name, each linked to the Sensor and its ObservedProperty by id literal.
    public static func thing(
        device: String, position: (longitude: Double, latitude: Double)?, datastreams: [String],
        sensor: String, properties: [(Quantity, String)]
    ) -> String {
        var w = JSONWriter(reservingCapacity: 600 + 500 * datastreams.count)
        w.beginObject()
        w.field("name", "lantern:" + NGSILD.urnComponent(device))
        w.field("description", "Lantern lamppost \(device): anonymised occupancy and crossings")
        w.key("properties")
        w.object { p in p.field("device", device) }
        if let position {
            w.key("Locations")
            w.beginArray()
            w.beginObject()
            w.field("name", "lamppost \(device)")
            w.field("description", "where the lamppost stands (WGS84)")
            w.field("encodingType", "application/geo+json")
            w.key("location")
            w.beginObject()
            w.field("type", "Point")
            w.key("coordinates")
            w.beginArray()
            w.fixed(position.longitude, places: 7)
            w.fixed(position.latitude, places: 7)
            w.endArray()
            w.endObject()
            w.endObject()
            w.endArray()
        }
        w.key("Datastreams")
        w.beginArray()
        for name in datastreams {
            guard let (zone, quantity) = parseDatastreamName(name, device: device),
                  let property = properties.first(where: { $0.0 == quantity })?.1 else { continue }
            writeDatastream(name: name, zone: zone, quantity: quantity, thing: nil, sensor: sensor, property: property, into: &w)
        }
        w.endArray()
        w.endObject()
        return w.text
    }

    /// One more Datastream of an existing Thing (a zone added by a site reload), for `POST /Datastreams`.
    public static func datastream(
        name: String, device: String, thing: String, sensor: String, properties: [(Quantity, String)]
    ) -> String? {
        guard let (zone, quantity) = parseDatastreamName(name, device: device),
              let property = properties.first(where: { $0.0 == quantity })?.1 else { return nil }
        var w = JSONWriter(reservingCapacity: 600)
        writeDatastream(name: name, zone: zone, quantity: quantity, thing: thing, sensor: sensor, property: property, into: &w)
        return w.text
    }

    private static func writeDatastream(
        name: String, zone: String, quantity: Quantity, thing: String?, sensor: String, property: String,
        into w: inout JSONWriter
    ) {
        w.beginObject()
        w.field("name", name)
        let what = zone == "view" ? "whole view" : zone.hasPrefix("line:") ? "counting line " + zone.dropFirst(5) : "zone " + zone
        w.field("description", "\(quantity.description), \(what)")
        w.field("observationType", measurement)
        w.key("unitOfMeasurement")
        w.object { u in
            u.field("name", quantity.unit.name)
            u.field("symbol", quantity.unit.symbol)
            u.field("definition", "http://unitsofmeasure.org/ucum.html")
        }
        w.key("properties")
        w.object { p in
            p.field("zone", zone)
            p.field("quantity", quantity.name)
        }
        if let thing {
            w.key("Thing")
            w.object { t in writeID(thing, into: &t) }
        }
        w.key("Sensor")
        w.object { s in writeID(sensor, into: &s) }
        w.key("ObservedProperty")
        w.object { o in writeID(property, into: &o) }
        w.endObject()
    }

    // MARK: Ids

    /// The id literal of the entity a 201's `Location` names: `…/Things(42)` → `42`,
    /// `…/Things('01a2')` → `'01a2'`. nil when the URL ends otherwise.
    public static func idLiteral(fromLocation url: String) -> String? {
        let bytes = Array(url.utf8)
        guard bytes.last == UInt8(ascii: ")"), let open = bytes.lastIndex(of: UInt8(ascii: "(")),
              open + 1 < bytes.count - 1 else { return nil }
        let literal = String(decoding: bytes[(open + 1)..<(bytes.count - 1)], as: UTF8.self)
        return isLiteral(literal) ? literal : nil
    }

    /// The literal of an `@iot.id` read from a response: `42` or `'text'`.
    public static func idLiteral(_ value: JSONValue) -> String? {
        switch value {
        case .number(let n):
            guard n == n.rounded(), abs(n) < 9.0e15 else { return nil }
            return String(Int64(n))
        case .string(let s):
            var out: [UInt8] = [UInt8(ascii: "'")]
            for b in s.utf8 {
                out.append(b)
                if b == UInt8(ascii: "'") { out.append(b) }
            }
            out.append(UInt8(ascii: "'"))
            return String(decoding: out, as: UTF8.self)
        default:
            return nil
        }
    }

    /// `"@iot.id": <id>` into an open object: a number for `42`, a string for `'text'`.
    static func writeID(_ literal: String, into w: inout JSONWriter) {
        w.key("@iot.id")
        let bytes = Array(literal.utf8), quote = UInt8(ascii: "'")
        if bytes.count >= 2 && bytes.first == quote && bytes.last == quote {
            var unquoted: [UInt8] = []
            var lastQuote = false
            for b in bytes[1..<(bytes.count - 1)] {
                if b == quote && lastQuote { lastQuote = false; continue }
                lastQuote = b == quote
                unquoted.append(b)
            }
            w.string(String(decoding: unquoted, as: UTF8.self))
        } else if let n = Int(literal) {
            w.integer(n)
        } else {
            w.string(literal)
        }
    }

    /// A number, or a quoted string: what a resource path may hold between its parentheses.
    static func isLiteral(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty else { return false }
        if bytes.first == UInt8(ascii: "'") { return bytes.count >= 2 && bytes.last == UInt8(ascii: "'") }
        return bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }
}
