/// NGSI-LD entities (normalized form) for what a Lantern device reports, following the Smart Data
/// Models (SDM) `CrowdFlowObserved` (dataModel.Transportation), `Device` and `PrivacyObject`
/// (dataModel.Device). Official attributes carry their official meaning only; what the models have no
/// attribute for is a Lantern attribute, defined in Lantern's JSON-LD `@context` (`NGSILD.terms`,
/// shipped as `Schemas/lantern-context.jsonld`).
///
/// Per interval:
/// - **zone (and whole view)**: `urn:ngsi-ld:CrowdFlowObserved:<device>:<zone or view>`, with SDM's
///   `occupancy` (the fraction of the time seen in which someone was in the zone: the model's "fraction of
///   the observation time where a person has been occupying the observed walkway"), and Lantern's
///   `peopleMean` (mean people present), `peopleMax` (most present in one frame) and `personSeconds`
///   (people present integrated over the time seen). No `peopleCount`: the model's is "the number of
///   people detected during the observation", a flow, which presence in a zone is not.
/// - **counting line**: two entities, `urn:ngsi-ld:CrowdFlowObserved:<device>:line:<line>:inbound` and
///   `…:outbound`, each with `peopleCount` (that line's crossings in that direction over the interval)
///   and `direction`. A line's "in" (towards the left of `from` → `to`) is `inbound`: draw the line so
///   that in points towards the city centre (the model's reference).
///
/// Every entity: `name`, `location` (the zone's GeoJSON polygon from the site file, else the lamppost's
/// position as a Point; left out when the site gives neither), `dateObserved` (the interval's end) with
/// `dateObservedFrom`/`dateObservedTo`, Lantern's `status` and `coverage`, and `refDevice` to the
/// `Device` entity (`deviceEntity`). When the status is `unknown` the counts are left out (NGSI-LD has no
/// null: Lantern did not see, so it does not say zero); a count below the suppression threshold k is left
/// out too, and `countsSuppressedBelow` says k.
///
/// `@context`: with a context URL (`--ngsi-context`, where the operator serves
/// `Schemas/lantern-context.jsonld`), `[URL, core]`; without, the same terms inline, `[{…}, core]`, so
/// the broker never has to fetch anything but the core context it ships with.
public struct NGSILD {
    public static let coreContext = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
    /// Where Lantern's own attribute names are defined (IRIs `<vocabulary><term>`).
    public static let vocabulary = "https://lantern.example/ngsi-ld/vocab#"
    static let transportation = "https://smartdatamodels.org/dataModel.Transportation/"
    static let deviceModel = "https://smartdatamodels.org/dataModel.Device/"
    static let sdm = "https://smartdatamodels.org/"

    /// Every term Lantern's entities use besides the NGSI-LD core ones (`id`, `type`, `location`,
    /// `observedAt`, `Property`, …), with its IRI: SDM's for the models' attributes, Lantern's vocabulary
    /// for its own.
    public static let terms: [(term: String, iri: String)] = [
        ("CrowdFlowObserved", transportation + "CrowdFlowObserved"),
        ("dateObserved", sdm + "dateObserved"),
        ("dateObservedFrom", transportation + "dateObservedFrom"),
        ("dateObservedTo", transportation + "dateObservedTo"),
        ("peopleCount", transportation + "peopleCount"),
        ("occupancy", transportation + "occupancy"),
        ("direction", transportation + "direction"),
        ("name", sdm + "name"),
        ("description", "http://purl.org/dc/terms/description"),
        ("refDevice", deviceModel + "refDevice"),
        ("Device", deviceModel + "Device"),
        ("category", deviceModel + "category"),
        ("controlledProperty", deviceModel + "controlledProperty"),
        ("deviceState", deviceModel + "deviceState"),
        ("softwareVersion", deviceModel + "softwareVersion"),
        ("PrivacyObject", deviceModel + "PrivacyObject"),
        ("purpose", deviceModel + "purpose"),
        ("isPersonalData", deviceModel + "isPersonalData"),
        ("retentionPeriod", deviceModel + "retentionPeriod"),
        ("isIndoor", deviceModel + "isIndoor"),
        ("peopleMean", vocabulary + "peopleMean"),
        ("peopleMax", vocabulary + "peopleMax"),
        ("personSeconds", vocabulary + "personSeconds"),
        ("coverage", vocabulary + "coverage"),
        ("status", vocabulary + "status"),
        ("countsSuppressedBelow", vocabulary + "countsSuppressedBelow"),
        ("softwareBuild", vocabulary + "softwareBuild"),
        ("measures", vocabulary + "measures"),
        ("neverDoes", vocabulary + "neverDoes"),
        ("imageryStored", vocabulary + "imageryStored"),
        ("imagerySent", vocabulary + "imagerySent"),
        ("personalIdentifiers", vocabulary + "personalIdentifiers"),
        ("positionsRecorded", vocabulary + "positionsRecorded"),
        ("journalMaxIntervals", vocabulary + "journalMaxIntervals"),
        ("intervalSeconds", vocabulary + "intervalSeconds"),
        ("enforcement", vocabulary + "enforcement"),
    ]

    /// `Schemas/lantern-context.jsonld`: the JSON-LD context document defining `terms` (the test
    /// `NGSILDTests` keeps the shipped file equal to it).
    public static var contextDocument: String {
        var w = JSONWriter(reservingCapacity: 4096)
        w.beginObject()
        w.key("@context")
        writeTerms(into: &w)
        w.endObject()
        return w.text
    }

    static func writeTerms(into w: inout JSONWriter) {
        w.object { o in for (term, iri) in terms { o.field(term, iri) } }
    }

    public var device: String
    public var site: SiteConfig
    /// Where the operator serves `Schemas/lantern-context.jsonld` (nil: the terms go inline).
    public var contextURL: String?

    public init(device: String, site: SiteConfig, contextURL: String? = nil) {
        self.device = device
        self.site = site
        self.contextURL = contextURL
    }

    // MARK: Ids

    /// `urn:ngsi-ld:CrowdFlowObserved:<device>:<zone>`, with `view` for the whole view. Characters other
    /// than letters, digits and `-._~` are percent-encoded (UTF-8), so a `:` in a zone name cannot
    /// shift the id's fields.
    public static func entityID(device: String, zone: String?) -> String {
        "urn:ngsi-ld:CrowdFlowObserved:" + urnComponent(device) + ":" + urnComponent(zone ?? "view")
    }

    /// `urn:ngsi-ld:CrowdFlowObserved:<device>:line:<line>:<inbound or outbound>`.
    public static func lineEntityID(device: String, line: String, inbound: Bool) -> String {
        "urn:ngsi-ld:CrowdFlowObserved:" + urnComponent(device) + ":line:" + urnComponent(line) + (inbound ? ":inbound" : ":outbound")
    }

    /// `urn:ngsi-ld:Device:<device>`: the object of `refDevice`.
    public static func deviceID(_ device: String) -> String {
        "urn:ngsi-ld:Device:" + urnComponent(device)
    }

    /// `urn:ngsi-ld:PrivacyObject:<device>`.
    public static func privacyObjectID(_ device: String) -> String {
        "urn:ngsi-ld:PrivacyObject:" + urnComponent(device)
    }

    // MARK: Entities

    /// The entities of one interval record, each with its id and its JSON (one line, with `@context`):
    /// one for a zone or the view, two (inbound, outbound) for a counting line.
    public func entities(_ r: IntervalRecord, suppressBelow k: Int = 0) -> [(id: String, json: String)] {
        if let line = r.line {
            return [true, false].map { inbound in
                let id = NGSILD.lineEntityID(device: device, line: line, inbound: inbound)
                var w = JSONWriter(reservingCapacity: 3000)
                writeLine(r, line: line, inbound: inbound, id: id, suppressBelow: k, into: &w)
                return (id, w.text)
            }
        }
        let id = NGSILD.entityID(device: device, zone: r.zone)
        var w = JSONWriter(reservingCapacity: 3000)
        writeZone(r, id: id, suppressBelow: k, into: &w)
        return [(id, w.text)]
    }

    func writeZone(_ r: IntervalRecord, id: String, suppressBelow k: Int, into w: inout JSONWriter) {
        let observedAt = r.end.iso8601
        w.beginObject()
        w.field("id", id)
        w.field("type", "CrowdFlowObserved")
        NGSILD.property("name", into: &w) { $0.string(site.name + ": " + (r.zone ?? "whole view")) }
        writeLocation(zone: r.zone, into: &w)
        writeDates(r, into: &w)
        var suppressed = false
        if r.status != .unknown {
            if k > 0 && r.occupancyMean < Double(k) {
                // The mean hides a small group; its peak, dwell and time occupied would show it.
                suppressed = true
            } else {
                NGSILD.property("occupancy", observedAt: observedAt, into: &w) { $0.fixed(min(max(r.occupied, 0), 1), places: 3) }
                NGSILD.property("peopleMean", observedAt: observedAt, into: &w) { $0.fixed(max(r.occupancyMean, 0), places: 2) }
                NGSILD.property("personSeconds", observedAt: observedAt, into: &w) { $0.fixed(max(r.personSeconds, 0), places: 1) }
            }
            if k > 0 && r.occupancyMax < k {
                suppressed = true
            } else {
                NGSILD.property("peopleMax", observedAt: observedAt, into: &w) { $0.integer(r.occupancyMax) }
            }
        }
        writeTrust(r, suppressed: suppressed ? k : nil, into: &w)
        w.endObject()
    }

    func writeLine(_ r: IntervalRecord, line: String, inbound: Bool, id: String, suppressBelow k: Int, into w: inout JSONWriter) {
        let observedAt = r.end.iso8601
        w.beginObject()
        w.field("id", id)
        w.field("type", "CrowdFlowObserved")
        NGSILD.property("name", into: &w) { $0.string(site.name + ": line " + line + (inbound ? ", in" : ", out")) }
        writeLocation(zone: nil, into: &w)
        writeDates(r, into: &w)
        NGSILD.property("direction", into: &w) { $0.string(inbound ? "inbound" : "outbound") }
        var suppressed = false
        if r.status != .unknown {
            let count = inbound ? r.crossingsIn : r.crossingsOut
            if k > 0 && count < k {
                suppressed = true
            } else {
                NGSILD.property("peopleCount", observedAt: observedAt, into: &w) { $0.integer(count) }
            }
        }
        writeTrust(r, suppressed: suppressed ? k : nil, into: &w)
        w.endObject()
    }

    /// The `Device` entity `refDevice` names: what the lamppost's counter is and its state now
    /// (`deviceState`: the camera's, as in the health message).
    public func deviceEntity(state: String, softwareVersion: String) -> String {
        var w = JSONWriter(reservingCapacity: 3000)
        w.beginObject()
        w.field("id", NGSILD.deviceID(device))
        w.field("type", "Device")
        NGSILD.property("name", into: &w) { $0.string(device) }
        NGSILD.property("description", into: &w) {
            $0.string("Lantern anonymous people counter (camera, counts only, no imagery) at " + site.name)
        }
        NGSILD.property("category", into: &w) { $0.array { a in a.string("sensor") } }
        NGSILD.property("controlledProperty", into: &w) { $0.array { a in a.string("occupancy") } }
        NGSILD.property("deviceState", into: &w) { $0.string(state) }
        NGSILD.property("softwareVersion", into: &w) { $0.string(softwareVersion) }
        writeLocation(zone: nil, into: &w)
        writeContext(into: &w)
        w.endObject()
        return w.text
    }

    // MARK: Parts

    func writeDates(_ r: IntervalRecord, into w: inout JSONWriter) {
        NGSILD.dateTimeProperty("dateObserved", r.end.iso8601, into: &w)
        NGSILD.dateTimeProperty("dateObservedFrom", r.start.iso8601, into: &w)
        NGSILD.dateTimeProperty("dateObservedTo", r.end.iso8601, into: &w)
    }

    func writeTrust(_ r: IntervalRecord, suppressed k: Int?, into w: inout JSONWriter) {
        if let k { NGSILD.property("countsSuppressedBelow", into: &w) { $0.integer(k) } }
        NGSILD.property("status", into: &w) { $0.string(r.status.name) }
        NGSILD.property("coverage", into: &w) { $0.fixed(r.coverage, places: 3) }
        w.key("refDevice")
        w.object { o in o.field("type", "Relationship"); o.field("object", NGSILD.deviceID(device)) }
        writeContext(into: &w)
    }

    /// `location`: the zone's polygon when the site gives one, else the lamppost's position; nothing
    /// when the site gives neither.
    public func writeLocation(zone: String?, into w: inout JSONWriter) {
        if let zone, let geo = site.zones.first(where: { $0.name == zone })?.geo {
            NGSILD.geoProperty(into: &w) { v in
                v.field("type", "Polygon")
                v.key("coordinates")
                v.array { rings in
                    for ring in geo { rings.array { positions in for p in ring { NGSILD.position(p, into: &positions) } } }
                }
            }
        } else if let p = site.position {
            NGSILD.geoProperty(into: &w) { v in
                v.field("type", "Point")
                v.key("coordinates")
                NGSILD.position(p, into: &v)
            }
        }
    }

    /// `"@context"` and its value (the last member of an entity).
    public func writeContext(into w: inout JSONWriter) {
        w.key("@context")
        w.beginArray()
        if let contextURL { w.string(contextURL) } else { NGSILD.writeTerms(into: &w) }
        w.string(NGSILD.coreContext)
        w.endArray()
    }

    static func position(_ p: SiteConfig.GeoPosition, into w: inout JSONWriter) {
        w.array { a in
            a.raw(formatTrimmed(p.longitude, maximumPlaces: 7))
            a.raw(formatTrimmed(p.latitude, maximumPlaces: 7))
        }
    }

    static func geoProperty(into w: inout JSONWriter, _ value: (inout JSONWriter) -> Void) {
        w.key("location")
        w.object { o in
            o.field("type", "GeoProperty")
            o.key("value")
            o.object(value)
        }
    }

    /// `"name": {"type": "Property", "value": …[, "observedAt": …]}`.
    public static func property(
        _ name: String, observedAt: String? = nil, into w: inout JSONWriter, _ value: (inout JSONWriter) -> Void
    ) {
        w.key(name)
        w.object { o in
            o.field("type", "Property")
            o.key("value")
            value(&o)
            if let observedAt { o.field("observedAt", observedAt) }
        }
    }

    static func dateTimeProperty(_ name: String, _ iso8601: String, into w: inout JSONWriter) {
        property(name, into: &w) { v in v.object { d in d.field("@type", "DateTime"); d.field("@value", iso8601) } }
    }

    /// The body of `POST /ngsi-ld/v1/entityOperations/upsert`: the entities as one JSON array.
    public static func upsertBody(_ entities: [String]) -> String {
        var w = JSONWriter(reservingCapacity: entities.reduce(2) { $0 + $1.utf8.count + 1 })
        w.beginArray()
        for entity in entities { w.raw(entity) }
        w.endArray()
        return w.text
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
