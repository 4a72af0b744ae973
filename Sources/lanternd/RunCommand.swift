import LanternAgent
import LanternCore
import LanternHardware
import LanternRuntime
import LanternSystem
import LanternUplink

/// `lanternd run`: counts people in view and reports each finished interval. Reads its files, builds
/// the run loop's parts (camera or clip, GPIO, publisher, uplink, notifier) and runs the loop.
enum RunCommand {
    static let spec = CommandSpec(
        command: "lanternd run",
        abstract: "Counts people in view of a lamppost camera and prints one JSON line per finished interval.",
        options: [
            OptionSpec("--site", "FILE", "the site file: zones, lines, calibration, interval (default DIR/site.json with --config-dir)"),
            OptionSpec("--board", "FILE", "the board file (Boards/*.json): camera and GPIO lines; required without --replay (default DIR/board.json with --config-dir)"),
            OptionSpec("--state-dir", "DIR", "keeps the record numbering (and the journal) here, so restarts continue it"),
            OptionSpec("--replay", "CLIP", "frames from a YUV4MPEG2 clip instead of the camera"),
            OptionSpec("--speed", "X", "replay pace: X times the clip rate (default 1; 0 = as fast as possible)"),
            OptionSpec("--gpio-trace", "FILE", "replay: input changes `<seconds> <role> <0|1>` in replay time"),
            OptionSpec("--start-time", "T", "replay clock origin: ISO 8601 UTC (2026-01-01T00:00:00Z) or epoch seconds"),
            OptionSpec("--interval", "SECONDS", "reporting interval (default: the site file's)"),
            OptionSpec("--device-id", "ID", "device name in records and topics (default lantern)"),
            OptionSpec("--frame-log", "FILE", "board: appends `<v4l2 seq> <coded clip frame or -1> <count> <trusted 0|1>` per frame"),
            OptionSpec("--mqtt-url", "URL", "send each interval over MQTT: mqtt://host:port or mqtts://host:port (needs --state-dir)"),
            OptionSpec("--mqtt-ca", "FILE", "PEM CA that signed the broker's certificate (mqtts; default: the system's CAs)"),
            OptionSpec("--mqtt-cert", "FILE", "PEM client certificate (with --mqtt-key) for brokers that require one"),
            OptionSpec("--mqtt-key", "FILE", "PEM key of --mqtt-cert"),
            OptionSpec("--mqtt-user", "NAME", "MQTT username"),
            OptionSpec("--mqtt-password-file", "FILE", "MQTT password: the file's first line"),
            OptionSpec("--ngsi-url", "URL", "also upsert NGSI-LD CrowdFlowObserved entities to this context broker (http://host:port)"),
            OptionSpec("--ngsi-tenant", "NAME", "NGSI-LD tenant (the NGSILD-Tenant header)"),
            OptionSpec("--ngsi-token-file", "FILE", "NGSI-LD bearer token (Authorization: Bearer): the file's first line"),
            OptionSpec("--ngsi-context", "URL", "the JSON-LD @context entities name: where Schemas/lantern-context.jsonld is served (default: its terms inline)"),
            OptionSpec("--ha-discovery", nil, "publish Home Assistant MQTT discovery configs (retained) for every zone, line and the camera"),
            OptionSpec("--sta-url", "URL", "also send OGC SensorThings Observations to this service root, http://host:port/path/v1.1 (needs --state-dir)"),
            OptionSpec("--sta-location", "LON,LAT", "where the lamppost stands (WGS84 degrees): the SensorThings Thing's Location"),
            OptionSpec("--sta-mqtt", nil, "publish the Observations over --mqtt-url to v1.1/Datastreams(<id>)/Observations (the SensorThings MQTT extension) instead of HTTP POST; lantern.conf: sta-mqtt=true"),
            OptionSpec("--drain-timeout", "S", "at the end of a replay, wait at most S seconds for undelivered intervals (default 60)"),
            OptionSpec("--retry-window", "S", "first reconnect window of the broker and context broker, seconds (default 30): each device waits a random time within it, so a fleet does not return at once"),
            OptionSpec("--user", "NAME", "started as root: switch to this user once devices are open"),
            OptionSpec("--config-dir", "DIR", "read DIR/lantern.conf: device-id and every mqtt-*, ngsi-* and sta-* option not given here"),
            OptionSpec("--first-boot-dir", "DIR", "move lantern.conf, board.json, site.json found in DIR into --config-dir (default /etc/lantern) first"),
            OptionSpec("--no-sandbox", nil, "skip the self-confinement (Landlock, seccomp); for debugging only"),
        ] + Console.options)

    /// What the command line asks for, checked.
    struct Options {
        var site = ""
        var board: String?
        var stateDirectory: String?
        var replay: String?
        /// Replay pace as a multiple of the clip rate, in thousandths (1000 = real time, 0 = flat out).
        var speedMillis: Int64 = 1000
        var gpioTrace: String?
        var startSeconds: Int64 = ClipTime.defaultOriginSeconds
        var interval: Int?
        var deviceID = "lantern"
        var deviceIDGiven = false
        var frameLog: String?
        var uplink = UplinkSettings()
        var user: String?
        var sandbox = true
        var firstBootDirectory: String?
        var configDirectory: String?
    }

    /// The command line, with `config` (lantern.conf) supplying what it does not give.
    static func parse(_ parsed: ParsedOptions, config: DeviceConfig? = nil) throws(UsageError) -> Options {
        var o = Options()
        func setting(_ name: String) -> String? { parsed.value(name) ?? config?[String(name.dropFirst(2))] }
        let dir = parsed.value("--config-dir")
        guard let site = parsed.value("--site") ?? dir.map({ $0 + "/site.json" }) else {
            throw UsageError("missing --site FILE; type `lanternd run --site FILE --board Boards/<board>.json` (or --config-dir /etc/lantern)")
        }
        o.site = site
        o.board = parsed.value("--board") ?? (parsed.has("--replay") ? nil : dir.map { $0 + "/board.json" })
        o.stateDirectory = parsed.value("--state-dir")
        o.replay = parsed.value("--replay")
        o.gpioTrace = parsed.value("--gpio-trace")
        o.frameLog = parsed.value("--frame-log")
        o.user = parsed.value("--user")
        o.configDirectory = parsed.value("--config-dir")
        o.firstBootDirectory = parsed.value("--first-boot-dir")
        o.sandbox = !parsed.has("--no-sandbox")
        if let id = setting("--device-id") {
            guard !id.isEmpty else { throw UsageError("--device-id must not be empty") }
            o.deviceID = id
            o.deviceIDGiven = true
        }
        if let text = parsed.value("--speed") {
            guard let millis = DecimalText.fixed(text.utf8, places: 3) else {
                throw UsageError("--speed \(text): expected a number >= 0 with at most 3 decimals, e.g. --speed 2 or --speed 0")
            }
            o.speedMillis = millis
        }
        if let text = parsed.value("--start-time") {
            // Before the year 9000: a replay's intervals then end before 9999 and print as 4-digit years.
            guard let seconds = DecimalText.epochSeconds(text), seconds >= 0, seconds < 221_845_392_000 else {
                throw UsageError("--start-time \(ShownText.shown(text)): expected UTC ISO 8601 from 1970 to 8999 like 2026-01-01T00:00:00Z, or epoch seconds")
            }
            o.startSeconds = seconds
        }
        if let n = try parsed.integer("--interval", in: 1...86_400, example: 60) { o.interval = Int(n) }
        if let text = setting("--mqtt-url") {
            switch MQTTURL.parse(text) {
            case .success(let url): o.uplink.mqttURL = url
            case .failure(let error): throw UsageError("--mqtt-url \(error.description)")
            }
        }
        o.uplink.mqttCA = setting("--mqtt-ca")
        o.uplink.mqttCert = setting("--mqtt-cert")
        o.uplink.mqttKey = setting("--mqtt-key")
        o.uplink.mqttUser = setting("--mqtt-user")
        o.uplink.mqttPasswordFile = setting("--mqtt-password-file")
        o.uplink.ngsiTenant = setting("--ngsi-tenant")
        o.uplink.ngsiTokenFile = setting("--ngsi-token-file")
        o.uplink.ngsiContext = setting("--ngsi-context")
        if let url = o.uplink.ngsiContext, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw UsageError("--ngsi-context \(ShownText.shown(url)): expected the http:// or https:// URL where Schemas/lantern-context.jsonld is served")
        }
        o.uplink.haDiscovery = parsed.has("--ha-discovery") || config?["ha-discovery"] == "true"
        if let text = setting("--ngsi-url") {
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                throw UsageError("--ngsi-url \(text): expected the context broker's http://host:port")
            }
            o.uplink.ngsiURL = text
        }
        if let text = setting("--sta-url") {
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                throw UsageError("--sta-url \(text): expected the SensorThings service root, e.g. http://127.0.0.1:8080/FROST-Server/v1.1")
            }
            o.uplink.staURL = text
        }
        if let text = setting("--sta-location") {
            guard let position = RunCommand.position(text) else {
                throw UsageError("--sta-location \(ShownText.shown(text)): expected longitude,latitude in degrees, e.g. --sta-location 8.5417,47.3769")
            }
            o.uplink.staPosition = position
        }
        // lantern.conf's switches are `true` or `false`, checked when the file is read (DeviceConfig).
        o.uplink.staOverMQTT = parsed.has("--sta-mqtt") || config?["sta-mqtt"] == "true"
        if let n = try parsed.integer("--drain-timeout", in: 0...86_400, example: 60) { o.uplink.drainTimeoutSeconds = n }
        if let text = parsed.value("--retry-window") {
            guard let micros = DecimalText.micros(text.utf8), micros >= 1000, micros <= 3_600_000_000 else {
                throw UsageError("--retry-window \(text): expected seconds from 0.001 to 3600, e.g. --retry-window 30")
            }
            o.uplink.retryWindowMicros = micros
        }
        if o.replay == nil && o.board == nil {
            throw UsageError("missing --board FILE (or --replay CLIP); type `lanternd run --site FILE --board Boards/<board>.json`")
        }
        if o.replay == nil && o.gpioTrace != nil {
            throw UsageError("--gpio-trace needs --replay CLIP (traces run in replay time)")
        }
        if o.replay != nil && o.frameLog != nil {
            throw UsageError("--frame-log is for camera frames (--board without --replay)")
        }
        try validateUplink(o)
        return o
    }

    /// What the uplink options need of the others.
    static func validateUplink(_ o: Options) throws(UsageError) {
        let u = o.uplink
        if let url = u.mqttURL {
            guard o.stateDirectory != nil else {
                throw UsageError("--mqtt-url needs --state-dir DIR: every interval is journaled there before it is sent; type `lanternd run --mqtt-url \(url.description) --state-dir /var/lib/lantern ...`")
            }
            if let problem = Topics.validate(device: o.deviceID) { throw UsageError(problem) }
            if (u.mqttCert == nil) != (u.mqttKey == nil) {
                throw UsageError("--mqtt-cert and --mqtt-key go together: give both, or neither")
            }
        } else if u.mqttCA != nil || u.mqttCert != nil || u.mqttKey != nil || u.mqttUser != nil || u.mqttPasswordFile != nil {
            throw UsageError("--mqtt-ca, --mqtt-cert, --mqtt-key, --mqtt-user and --mqtt-password-file need --mqtt-url URL")
        }
        if u.ngsiURL == nil && (u.ngsiTenant != nil || u.ngsiTokenFile != nil || u.ngsiContext != nil) {
            throw UsageError("--ngsi-tenant, --ngsi-token-file and --ngsi-context need --ngsi-url URL")
        }
        if u.haDiscovery && u.mqttURL == nil {
            throw UsageError("--ha-discovery needs --mqtt-url URL (discovery configs are MQTT messages)")
        }
        if u.staURL != nil && o.stateDirectory == nil {
            throw UsageError("--sta-url needs --state-dir DIR: Observations are journaled there until the server accepts them")
        }
        if u.staOverMQTT && (u.staURL == nil || u.mqttURL == nil) {
            throw UsageError("--sta-mqtt needs --sta-url URL (the entities and their ids are created over HTTP) and --mqtt-url URL (the broker the server listens to)")
        }
        if u.staURL == nil && u.staPosition != nil {
            throw UsageError("--sta-location needs --sta-url URL")
        }
    }

    /// `LON,LAT` in degrees (`-8.25,47.5`), within range; nil otherwise.
    static func position(_ text: String) -> (longitude: Double, latitude: Double)? {
        let parts = text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        func degrees(_ part: Substring.UTF8View.SubSequence) -> Double? {
            var bytes = Array(part)
            var negative = false
            if bytes.first == UInt8(ascii: "-") { negative = true; bytes.removeFirst() }
            guard let scaled = DecimalText.fixed(bytes, places: 7) else { return nil }
            return (negative ? -1 : 1) * Double(scaled) / 10_000_000
        }
        guard let lon = degrees(parts[0]), let lat = degrees(parts[1]), abs(lon) <= 180, abs(lat) <= 90 else { return nil }
        return (lon, lat)
    }

    /// First boot, then `lantern.conf` (nil without --config-dir or without the file). A value that
    /// does not parse is then exit 78 naming the file, not a usage error.
    static func configDirectory(_ parsed: ParsedOptions) throws(Failure) -> (config: DeviceConfig, path: String)? {
        let dir = parsed.value("--config-dir")
        if let firstBoot = parsed.value("--first-boot-dir") {
            try FirstBoot.move(from: firstBoot, into: dir ?? FirstBoot.defaultConfigDirectory)
        }
        guard let dir, let config = try FirstBoot.config(in: dir) else { return nil }
        return (config.resolvingPaths(against: dir), dir + "/lantern.conf")
    }

    /// What can be known of the TLS setup before a handshake, as the user lanternd will run as.
    static func checkTLSFiles(_ o: Options) throws(Failure) {
        guard let url = o.uplink.mqttURL, url.tls else { return }
        let problems = DeviceCredentials.problems(ca: o.uplink.mqttCA, certificate: o.uplink.mqttCert, key: o.uplink.mqttKey, user: o.user)
        if let first = problems.first { throw Failure("\(url.description): \(first)", code: .noInput) }
    }

    static func run(_ parsed: ParsedOptions) throws(Failure) {
        let conf = try configDirectory(parsed)
        let o: Options
        do throws(UsageError) {
            o = try parse(parsed, config: conf?.config)
        } catch {
            throw Failure((conf.map { "\($0.path) with the command line: " } ?? "") + error.message, code: conf == nil ? .usage : .configuration)
        }
        try checkTLSFiles(o)
        if let dir = o.stateDirectory { try StateDirectory.prepare(dir, user: o.user) }
        let signals = ProcessSignals()
        let clock = SystemRunClock()
        let site = try ConfigFiles.site(o.site)
        let board = try o.board.map { (path: String) throws(Failure) in try ConfigFiles.board(path) }
        let intervalSeconds = o.interval ?? site.intervalSeconds
        Console.debug("site \(o.site): \(site.name), \(site.zones.count) zones, \(site.lines.count) lines, interval \(intervalSeconds) s")
        if let conf {
            let keys = DeviceConfig.keys.filter { conf.config[$0] != nil && !parsed.has("--" + $0) }
            Console.debug("from \(conf.path): " + (keys.isEmpty ? "nothing (the command line gives it all)" : keys.joined(separator: ", ")))
        }

        let source: any FrameSource
        var inputs: (any GPIOInputs)?
        var outputs: (any GPIOOutputs)?
        if let clip = o.replay {
            let clipSource: ClipSource
            do throws(FrameSourceError) {
                clipSource = try ClipSource(path: clip, originSeconds: o.startSeconds)
            } catch {
                throw Failure("\(error.description); check the path given to --replay", code: error.kind == .malformed ? .dataError : .noInput)
            }
            source = clipSource
            if let path = o.gpioTrace { inputs = TraceInputs(trace: try ConfigFiles.trace(path), originMicros: clipSource.time.originMicros) }
        } else {
            let board = board!
            // A GPIO chip that does not match the board file is a configuration error: stop.
            do throws(Errno) {
                let gpio = try BoardGPIO(board: board)
                inputs = gpio
                outputs = gpio
            } catch {
                throw Failure("\(board.gpiochip): \(ConfigFiles.deviceProblem(error)) (GPIO chip named in \(o.board!)); check the board file matches this board", code: .unavailable)
            }
            source = CameraSource(spec: board.camera)
        }
        // Opened before the sandbox, which allows writes only beneath the state directory.
        var frameLog: FileDescriptor?
        if let path = o.frameLog {
            do throws(Errno) {
                frameLog = try FileDescriptor.open(path, .writeOnly, options: [.create, .append, .closeOnExec])
            } catch {
                throw Failure("\(path): cannot open the frame log: \(error); check the path given to --frame-log", code: .cannotCreate)
            }
        }

        var uplink: UplinkSession?
        if o.uplink.isEnabled {
            // The interval in force (--interval overrides the site's), as the records carry it.
            var manifestSite = site
            manifestSite.intervalSeconds = intervalSeconds
            let manifest = PrivacyManifest(device: o.deviceID, site: manifestSite, version: BuildInfo.version, build: BuildInfo.build)
            uplink = try UplinkSession(
                settings: o.uplink, device: o.deviceID, stateDirectory: o.stateDirectory, site: site,
                intervalSeconds: intervalSeconds, privacyManifest: manifest.json, clock: clock, manifest: manifest)
        }
        let publisher = try Publisher(device: o.deviceID, privacy: site.privacy, stateDirectory: o.stateDirectory, uplink: uplink)
        let agent = Agent(site: site, intervalSeconds: o.interval, framePeriodMicros: source.framePeriodMicros)
        let loop = RunLoop(agent: agent, source: source, clock: clock, signals: signals, board: board, device: o.deviceID)
        loop.inputs = inputs
        loop.outputs = outputs
        loop.uplink = uplink
        loop.notifier = ServiceNotifier.fromEnvironment(clock: clock)
        loop.speedMillis = o.speedMillis
        loop.onRecords = { publisher.publish($0) }
        loop.onTurn = { publisher.service(atMonotonic: $0) }
        loop.reloadSite = { () throws(Failure) in try ConfigFiles.site(o.site) }
        loop.onSiteReloaded = { reloaded in
            publisher.privacy = reloaded.privacy
            var manifestSite = reloaded
            if let interval = o.interval { manifestSite.intervalSeconds = interval }
            uplink?.siteReloaded(reloaded, manifest: PrivacyManifest(device: o.deviceID, site: manifestSite, version: BuildInfo.version, build: BuildInfo.build))
        }
        if let board = o.board { loop.sourceContext = " (camera named in \(board))" }
        loop.siteName = o.site
        var confinement = Confinement(user: o.user, sandbox: o.sandbox, writableDirectory: o.stateDirectory, announce: o.replay == nil)
        if let url = o.uplink.mqttURL {
            confinement.connectPorts.append(Int(url.port))
            confinement.hosts.append(url.host)
        }
        if let url = o.uplink.ngsiURL {
            let ngsi = NGSIClient.Configuration(baseURL: url, device: o.deviceID)
            confinement.connectPorts.append(ngsi.port)
            confinement.hosts.append(ngsi.host)
        }
        if let url = o.uplink.staURL {
            // SensorThings speaks HTTP like NGSI-LD: the same host and port rules.
            let sta = NGSIClient.Configuration(baseURL: url, device: o.deviceID)
            confinement.connectPorts.append(sta.port)
            confinement.hosts.append(sta.host)
        }
        if let camera = source as? CameraSource { confinement.devices.append(camera.spec.device) }
        loop.confine = { () throws(Failure) in try confinement.apply() }
        loop.sandboxPinsCameraNode = o.sandbox
        if let log = frameLog, let camera = source as? CameraSource {
            loop.onFrame = { image, estimate in
                let clipFrame = FrameCode.decode(image) ?? -1
                Console.write("\(camera.lastSequence ?? 0) \(clipFrame) \(estimate.count) \(estimate.trusted ? 1 : 0)\n", to: log)
            }
        }
        defer { publisher.finish() }
        try loop.run()
        // Issue 11's promise that the loop never waits on the network, measured on every run.
        Console.info("frame loop: \(loop.framesAnalysed) frames; longest turn \(loop.longestTurnMicros / 1000) ms; frames at most \(loop.longestFrameDelayMicros / 1000) ms late")
    }
}
