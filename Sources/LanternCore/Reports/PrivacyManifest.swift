/// What a Lantern device measures and what it never does, in one JSON document published retained at
/// start (`lantern/<device>/privacy`) and printed by `lanternd manifest`: so anyone can check the device
/// against its promise, and an auditor can match the build hash to the source.
///
///     {"device":"lamp-7","site":"north-path","software":{"name":"lanternd","version":"0.1.0","build":"1a2b3c4"},
///      "measures":[...],"zones":["north-road"],"lines":["gate"],"intervalSeconds":60,
///      "neverDoes":[...],"imagery":{"stored":false,"sent":false},"identifiers":false,"positions":false,
///      "suppressBelow":3,"journal":{"maxIntervals":100000,"content":"interval records only"},
///      "enforcement":[...]}
///
/// Pure: the caller passes the site, the device and the build.
public struct PrivacyManifest {
    public var device: String
    public var site: SiteConfig
    public var version: String
    public var build: String

    public init(device: String, site: SiteConfig, version: String, build: String) {
        self.device = device
        self.site = site
        self.version = version
        self.build = build
    }

    public static let measures = [
        "people present per zone and in the whole view: mean and maximum per interval, person-seconds, and the fraction of the interval in which anyone was present",
        "counting-line crossings per line and direction per interval",
        "coverage: the fraction of each interval the camera view could be trusted",
        "GPIO context: PIR activity and darkness per interval",
    ]

    public static let neverDoes = [
        "store images or video, on any medium",
        "send images or video, or any pixel values",
        "identify, re-identify or tell apart individuals (no faces, no features, no identifiers)",
        "record positions or trajectories of people",
        "record audio",
    ]

    public static let enforcement = [
        "Landlock: after start-up the agent can create or write files only beneath its state directory",
        "seccomp: the agent cannot run programs, trace processes or load kernel code",
        "test: an strace audit proves no file is opened for writing outside the state directory and no write comes near a frame's size",
    ]

    /// The manifest, one line of JSON.
    public var json: String {
        var w = JSONWriter(reservingCapacity: 2048)
        w.beginObject()
        w.field("device", device)
        w.field("site", site.name)
        w.key("software")
        w.object { s in
            s.field("name", "lanternd")
            s.field("version", version)
            s.field("build", build)
        }
        Self.strings("measures", Self.measures, into: &w)
        Self.strings("zones", site.zones.map { $0.name }, into: &w)
        Self.strings("lines", site.lines.map { $0.name }, into: &w)
        w.field("intervalSeconds", site.intervalSeconds)
        Self.strings("neverDoes", Self.neverDoes, into: &w)
        w.key("imagery")
        w.object { i in
            i.field("stored", false)
            i.field("sent", false)
        }
        w.field("identifiers", false)
        w.field("positions", false)
        w.field("suppressBelow", site.suppressBelow)
        w.key("journal")
        w.object { j in
            j.field("maxIntervals", site.journalLimit)
            j.field("content", "interval records only")
        }
        Self.strings("enforcement", Self.enforcement, into: &w)
        w.endObject()
        return w.text
    }

    /// The same as a Smart Data Models `PrivacyObject` entity (dataModel.Device; NGSI-LD normalized form),
    /// `urn:ngsi-ld:PrivacyObject:<device>`, related to the `Device` entity by `refDevice`: the model's
    /// `name`, `description`, `purpose`, `isPersonalData` (false: counts only), `retentionPeriod` (the
    /// journal's), `isIndoor` and `location`, and the manifest's promises as Lantern attributes (defined
    /// in Lantern's `@context`, `NGSILD.terms`). `contextURL` as for the counts (`--ngsi-context`).
    public func ngsiLD(contextURL: String? = nil) -> String {
        let ngsi = NGSILD(device: device, site: site, contextURL: contextURL)
        var w = JSONWriter(reservingCapacity: 4096)
        w.beginObject()
        w.field("id", NGSILD.privacyObjectID(device))
        w.field("type", "PrivacyObject")
        func property(_ name: String, _ body: (inout JSONWriter) -> Void) {
            NGSILD.property(name, into: &w, body)
        }
        property("name") { $0.string("Privacy manifest of \(device)") }
        property("description") {
            $0.string("Anonymous people counting at \(site.name): counts per zone and counting line per interval; no imagery, identifiers or positions of people leave or are kept on the device")
        }
        property("purpose") { $0.string("Counting how many people use a public space, per zone and counting line and per interval, without identifying anyone") }
        property("isPersonalData") { $0.bool(false) }
        property("isIndoor") { $0.bool(false) }
        property("retentionPeriod") {
            $0.string("interval records only, until the broker acknowledges them; at most \(site.journalLimit) undelivered intervals of \(site.intervalSeconds) s")
        }
        ngsi.writeLocation(zone: nil, into: &w)
        property("softwareVersion") { $0.string(version) }
        property("softwareBuild") { $0.string(build) }
        property("measures") { v in v.array { a in for m in Self.measures { a.string(m) } } }
        property("neverDoes") { v in v.array { a in for m in Self.neverDoes { a.string(m) } } }
        property("imageryStored") { $0.bool(false) }
        property("imagerySent") { $0.bool(false) }
        property("personalIdentifiers") { $0.bool(false) }
        property("positionsRecorded") { $0.bool(false) }
        property("countsSuppressedBelow") { $0.integer(site.suppressBelow) }
        property("journalMaxIntervals") { $0.integer(site.journalLimit) }
        property("intervalSeconds") { $0.integer(site.intervalSeconds) }
        property("enforcement") { v in v.array { a in for m in Self.enforcement { a.string(m) } } }
        w.key("refDevice")
        w.object { r in
            r.field("type", "Relationship")
            r.field("object", NGSILD.deviceID(device))
        }
        ngsi.writeContext(into: &w)
        w.endObject()
        return w.text
    }

    static func strings(_ name: String, _ values: [String], into w: inout JSONWriter) {
        w.key(name)
        w.array { a in for v in values { a.string(v) } }
    }
}
