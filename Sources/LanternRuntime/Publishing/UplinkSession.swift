import CLantern
import LanternAgent
import LanternCore
import LanternSystem
import LanternUplink

/// Where counts go upstream and how: what `lanternd run`'s uplink options (and `lantern.conf`) say.
public struct UplinkSettings {
    /// The brokers (`--mqtt-url` / `mqtt-url=`, comma-separated), tried in order on failure.
    public var mqttURLs: [MQTTURL] = []
    /// The first broker (nil: no MQTT).
    public var mqttURL: MQTTURL? {
        get { mqttURLs.first }
        set { mqttURLs = newValue.map { [$0] } ?? [] }
    }
    public var mqttCA: String?
    public var mqttCert: String?
    public var mqttKey: String?
    public var mqttUser: String?
    public var mqttPasswordFile: String?
    public var ngsiURL: String?
    /// NGSI-LD tenant (`NGSILD-Tenant`) and the file holding a bearer token.
    public var ngsiTenant: String?
    public var ngsiTokenFile: String?
    /// Where the operator serves `Schemas/lantern-context.jsonld` (`--ngsi-context`): entities then
    /// name it in `@context`; without it the terms go inline.
    public var ngsiContext: String?
    /// Publish Home Assistant discovery configs (`--ha-discovery`).
    public var haDiscovery = false
    /// The SensorThings service root (`http://host:port/path/v1.1`), and where the lamppost stands
    /// (WGS84) for its Thing's Location.
    public var staURL: String?
    public var staPosition: (longitude: Double, latitude: Double)?
    /// Observations over the MQTT connection (the SensorThings MQTT extension) instead of HTTP POST.
    public var staOverMQTT = false
    /// How long the end of a replay waits for the journal to be delivered.
    public var drainTimeoutSeconds: Int64 = 60
    /// The first reconnect window (broker and context broker); each retry waits a random time within
    /// it, and the window doubles on each failure up to ten times this.
    public var retryWindowMicros: Int64 = 30_000_000

    public init() {}

    public var isEnabled: Bool { mqttURL != nil || ngsiURL != nil || staURL != nil }
}

/// Counts upstream for the run loop: the journal and MQTT (`--mqtt-url`), NGSI-LD (`--ngsi-url`),
/// both driven from the loop's one poll (never a thread), on the loop's clock.
///
/// Order per interval record: journal commit (durable) → stdout line → MQTT publish when the link is
/// up → NGSI-LD upsert queue. The stdout line is the journaled line, byte for byte, so a subscriber and
/// the console agree, and `seq` is the journal's.
public final class UplinkSession {
    public let uplink: Uplink?
    public let ngsi: NGSIClient?
    /// OGC SensorThings (`--sta-url`): Observations journaled with each record, posted from the journal.
    public let sensorThings: SensorThingsClient?
    /// `<state-dir>/journal.sqlite` with `--mqtt-url` or `--sta-url`.
    public let journalPath: String?
    /// The journal (also `uplink.journal` when there is a broker).
    public let journal: Journal?
    let device: String
    let drainTimeoutMicros: Int64
    let clock: any RunClock
    private var reportedMQTT: String?
    private var reportedErrorCount = 0
    private var wasConnected = false
    /// The damaged journal set aside at open, if any.
    public let recovery: Journal.Recovery?
    /// The NGSI-LD encoder (device, site, context) with `--ngsi-url`.
    var entities: NGSILD?
    let softwareVersion: String
    private var deviceState: String?


    public init(
        settings: UplinkSettings, device: String, stateDirectory: String?, site: SiteConfig, intervalSeconds: Int,
        privacyManifest: String?, clock: any RunClock, manifest: PrivacyManifest? = nil
    ) throws(Failure) {
        self.clock = clock
        softwareVersion = manifest?.version ?? "dev"
        self.device = device
        drainTimeoutMicros = settings.drainTimeoutSeconds * 1_000_000
        let retry = settings.retryWindowMicros
        var opened: Journal?
        if !settings.mqttURLs.isEmpty || settings.staURL != nil, let dir = stateDirectory {
            let path = dir + "/journal.sqlite"
            do throws(JournalError) {
                let (journal, recovery) = try Journal.openRecovering(path: path, maxRecords: site.journalLimit)
                opened = journal
                self.recovery = recovery
            } catch {
                throw Failure(error.description, code: .ioError)
            }
            journalPath = path
            // Without a broker, only the sinks' items keep a record undelivered.
            opened?.recordsAwaitAcknowledgement = !settings.mqttURLs.isEmpty
        } else {
            journalPath = nil
            recovery = nil
        }
        journal = opened
        if !settings.mqttURLs.isEmpty, let journal = opened {
            var client = MQTTClient.Configuration(urls: settings.mqttURLs, clientID: "lantern-\(device)")
            client.caFile = settings.mqttCA
            client.certFile = settings.mqttCert
            client.keyFile = settings.mqttKey
            client.username = settings.mqttUser
            if let file = settings.mqttPasswordFile {
                client.password = try ConfigFiles.firstLine(of: file, what: "MQTT password file", option: "--mqtt-password-file")
            }
            client.statusTopic = Topics(device: device).status
            client.backoff = .uplink(device: device, purpose: "mqtt", firstWindowMicros: retry)
            let mqtt: MQTTClient
            do throws(MQTTError) {
                mqtt = try MQTTClient(client, clock: clock)
            } catch {
                throw Failure(error.description, code: .configuration)
            }
            var configuration = Uplink.Configuration(device: device)
            configuration.healthIntervalMs = Int64(intervalSeconds) * 1000
            let linked = Uplink(configuration: configuration, journal: journal, client: mqtt)
            linked.privacyManifest = privacyManifest
            if settings.haDiscovery {
                linked.discovery = HomeAssistantDiscovery(topics: linked.topics, site: site, softwareVersion: softwareVersion)
            }
            uplink = linked
        } else {
            uplink = nil
        }
        if let url = settings.staURL, let journal = opened {
            var configuration = SensorThingsClient.Configuration(serviceRoot: url, device: device)
            configuration.backoff = .uplink(device: device, purpose: "sensorthings", firstWindowMicros: retry)
            // --sta-location, else the site file's position.
            configuration.position = settings.staPosition ?? site.position.map { ($0.longitude, $0.latitude) }
            configuration.datastreams = SensorThings.datastreamNames(
                device: device, zones: site.zones.map { $0.name }, lines: site.lines.map { $0.name })
            do throws(NGSIError) {
                sensorThings = try SensorThingsClient(configuration, journal: journal, clock: clock)
            } catch {
                throw Failure("--sta-url \(error.description)", code: .usage)
            }
            if settings.staOverMQTT, let uplink, let sta = sensorThings {
                sta.mqtt = uplink.client
                // No cycle: the client (the uplink's) does not hold the uplink, and sta holds only the client.
                uplink.onOtherAcknowledgement = { mid in sta.acknowledged(mid) }
            }
            sensorThings?.onStateChange = { line in
                if let line { Console.warning(line) } else { Console.info("\(url): SensorThings requests accepted again") }
            }
            sensorThings?.onSetAside = { line in Console.warning(line) }
        } else {
            sensorThings = nil
        }
        if let url = settings.ngsiURL {
            var configuration = NGSIClient.Configuration(baseURL: url, device: device)
            configuration.backoff = .uplink(device: device, purpose: "ngsi-ld", firstWindowMicros: retry)
            configuration.tenant = settings.ngsiTenant
            if let file = settings.ngsiTokenFile {
                configuration.token = try ConfigFiles.firstLine(of: file, what: "NGSI-LD token", option: "--ngsi-token-file")
            }
            do throws(NGSIError) {
                ngsi = try NGSIClient(configuration, clock: clock)
            } catch {
                throw Failure("--ngsi-url \(error.description)", code: .usage)
            }
            ngsi?.onStateChange = { line in
                if let line { Console.warning(line) } else { Console.info("\(url): NGSI-LD upserts accepted again") }
            }
            let encoder = NGSILD(device: device, site: site, contextURL: settings.ngsiContext)
            entities = encoder
            // The Device that every entity's refDevice names, and the privacy manifest as a PrivacyObject:
            // upserted first, and again whenever they change.
            submitDevice(state: CameraState.stopped.rawValue)
            if let manifest {
                ngsi?.submit(id: NGSILD.privacyObjectID(device), entity: manifest.ngsiLD(contextURL: settings.ngsiContext))
            }
        } else {
            ngsi = nil
        }
    }

    /// Upserts the `Device` entity when its state (the camera's) changed.
    func submitDevice(state: String) {
        guard let ngsi, let entities, state != deviceState else { return }
        deviceState = state
        ngsi.submit(id: NGSILD.deviceID(entities.device), entity: entities.deviceEntity(state: state, softwareVersion: softwareVersion))
    }

    /// A reloaded site: the PrivacyObject (zones, lines, k, retention) is upserted again when it changed,
    /// and the entities' names and locations follow the new site.
    public func siteReloaded(_ site: SiteConfig, manifest: PrivacyManifest?) {
        guard let ngsi, var encoder = entities else { return }
        encoder.site = site
        entities = encoder
        if let manifest {
            ngsi.submit(id: NGSILD.privacyObjectID(encoder.device), entity: manifest.ngsiLD(contextURL: encoder.contextURL))
        }
    }

    /// The journal's next number, raised to the high-water mark `mark` first (`<state-dir>/next-seq`),
    /// and the records the journal lost: those numbered below the mark, above the journal's own next
    /// number and not acknowledged (`mark.firstUndelivered`), as a gap record to journal first. One
    /// line says what was lost and why; `journal_lost` in health counts it. Without a journal: the
    /// mark's number.
    func startNumbering(mark: SequenceFile.Mark?) throws(Failure) -> (next: Int64, lost: GapRecord?) {
        guard let journal, let journalPath else { return (mark?.next ?? 1, nil) }
        var gap: GapRecord?
        do throws(JournalError) {
            let journaled = try journal.nextSeq()
            if let mark, mark.next > journaled, let undelivered = mark.firstUndelivered {
                let from = max(journaled, undelivered)
                if from < mark.next {
                    gap = GapRecord(reason: recovery == nil ? "journal lost" : "journal damaged",
                                    records: Int(mark.next - from), seqs: from...(mark.next - 1))
                }
            }
            try journal.advanceNextSeq(atLeast: mark?.next ?? 1)
            let next = try journal.nextSeq()
            var line = "journal \(journalPath): "
            if let recovery {
                line += "damaged (\(recovery.reason)); set aside as \(recovery.setAsideAs), a new journal started; "
            } else if gap != nil {
                line += "behind the high-water mark \(mark!.next) in next-seq (its file emptied or deleted, or its WAL lost or damaged); "
            }
            if let gap, let seqs = gap.seqs {
                line += "\(gap.records) undelivered records lost (seqs \(seqs.lowerBound)-\(seqs.upperBound)); a gap record says so upstream; numbering goes on at \(next)"
                uplink?.journalLost += Int64(gap.records)
            } else if recovery != nil {
                line += mark == nil ? "how many records it held is unknown (no next-seq beside it); numbering goes on at \(next)" : "no undelivered record lost; numbering goes on at \(next)"
            }
            if recovery != nil || gap != nil { Console.error(line) }
            return (next, gap)
        } catch {
            throw Failure(error.description, code: .ioError)
        }
    }

    /// Journals one held item (an interval record or a gap record) and publishes it when the link is up.
    /// Returns its number and line; throws when the journal cannot take it (the caller holds it).
    func journal(_ item: Publisher.Held, privacy: PrivacyPolicy) throws(JournalError) -> (seq: Int64, text: String)? {
        guard let journal else { return nil }
        let device = self.device, k = privacy.suppressBelow
        switch item {
        case .record(let record):
            // The record's Observations are journaled with it, in the same transaction.
            let sinks: (Int64) -> [(sink: String, items: [Journal.SinkItem])] = { [sensorThings] seq in
                guard sensorThings != nil else { return [] }
                let observations = SensorThings.observations(record, device: device, seq: seq, suppressBelow: k)
                var items: [Journal.SinkItem] = []
                for (part, o) in observations.enumerated() {
                    items.append(Journal.SinkItem(part: part, target: o.datastream, payload: o.body))
                }
                return [(SensorThingsClient.sink, items)]
            }
            let seq: Int64, line: String
            if let uplink {
                (seq, line) = try uplink.submitLine(record, privacy: privacy, sinks: sinks)
            } else {
                var text = ""
                seq = try journal.append(device: device, zone: record.zone, payload: { seq in
                    text = LanternJSON.encode(record, device: device, seq: seq, suppressBelow: k)
                    return text
                }, sinks: sinks)
                line = text
            }
            sensorThings?.journaled()
            return (seq, line)
        case .gap(let gap):
            if let uplink {
                let (seq, line) = try uplink.submitGap(gap)
                return (seq, line)
            }
            var text = ""
            let seq = try journal.append(device: device, zone: nil) { seq in
                text = gap.encode(device: device, seq: seq)
                return text
            }
            return (seq, text)
        }
    }

    /// The journal's side of the health message: its state, the records held in memory, those lost.
    func setJournalHealth(state: String, held: Int, lost: Int64) {
        guard let uplink else { return }
        uplink.journalState = state
        uplink.journalHeld = held
        uplink.journalLost += lost
    }

    /// The first record the broker has not acknowledged, for the high-water mark (the next number when
    /// all were). nil without a journal or when the journal cannot say.
    func firstUndelivered(next: Int64) -> Int64? {
        guard let journal else { return nil }
        do throws(JournalError) {
            return try journal.firstUndelivered() ?? next
        } catch {
            return nil
        }
    }

    /// Acknowledged publishes so far (the mark is rewritten when it changes).
    var deliveredCount: Int { (uplink?.deliveredCount ?? 0) + (sensorThings?.acceptedObservations ?? 0) }

    /// The NGSI-LD side of a record (its entities) and the MQTT value topics, as soon as it is counted
    /// (neither carries a number).
    func submitEntity(_ record: IntervalRecord, privacy: PrivacyPolicy) {
        if let ngsi, let entities {
            for entity in entities.entities(record, suppressBelow: privacy.suppressBelow) {
                ngsi.submit(id: entity.id, entity: entity.json)
            }
        }
        uplink?.publishValues(record, privacy: privacy)
    }

    /// The agent's side of the health message (and the `Device` entity's state).
    public var health: DeviceHealth {
        get { uplink?.health ?? agentHealth }
        set {
            agentHealth = newValue
            uplink?.health = newValue
            submitDevice(state: newValue.camera.rawValue)
        }
    }
    private var agentHealth = DeviceHealth()

    // MARK: Loop

    /// The MQTT socket, for the loop's poll.
    public var pollDescriptor: FileDescriptor? {
        uplink?.client.socketDescriptor.map { FileDescriptor(rawValue: $0) }
    }

    /// When the loop must come back for the uplink (nil: only when the socket is readable): queued
    /// MQTT output (the loop polls for input only), a reconnect due, an HTTP transfer running or due.
    public func nextDeadline(now: Int64) -> Int64? {
        var due: Int64?
        func cap(_ at: Int64) { due = min(due ?? at, at) }
        if let client = uplink?.client {
            // Queued output, or a connection waiting for its TCP handshake or CONNACK: the loop polls
            // for input only, so it comes back soon to write.
            if client.wantsWrite || client.state == .connecting { cap(now + 10_000) }
            if let at = client.attemptDueMicros { cap(at) }
            if client.state == .connected { cap(now + 1_000_000) }  // health and keep-alive
        }
        if let ngsi {
            if ngsi.isBusy { cap(now + 10_000) } else if !ngsi.isIdle { cap(max(ngsi.nextAttemptMicros, now)) }
        }
        if let sta = sensorThings {
            if sta.isBusy { cap(now + 10_000) } else if sta.hasWork { cap(max(sta.nextAttemptMicros, now)) }
        }
        return due
    }

    /// After the loop's wait: `readable` is the MQTT socket's flag.
    public func handle(readable: Bool) {
        uplink?.handle(readable: readable, writable: false)
        ngsi?.service()
        sensorThings?.service()
        report()
    }

    /// The end of the run: drains (when `drain`), says what was delivered and what is left, and says
    /// `offline` on the status topic. Never fails: what is left stays in the journal for the next start.
    public func finish(drain: Bool, stopRequested: () -> Bool) {
        if drain {
            let deadline = clock.monotonicMicros + drainTimeoutMicros
            while clock.monotonicMicros < deadline && !stopRequested() {
                let journalLeft = journal.map { (try? $0.undeliveredCount()) ?? 1 } ?? 0
                if journalLeft == 0 && ngsi?.isIdle != false { break }
                let now = clock.monotonicMicros
                let until = min(nextDeadline(now: now) ?? (now + 50_000), now + 50_000, deadline)
                let fds = pollDescriptor.map { [$0] } ?? []
                let ready = (try? clock.wait(readable: fds, untilMonotonicMicros: max(until, now))) ?? []
                handle(readable: ready.first ?? false)
            }
        }
        if let uplink, let journalPath {
            let left = (try? uplink.journal.undeliveredCount()) ?? -1
            var line = "\(uplink.deliveredCount) intervals delivered, \(left) left undelivered in \(journalPath)"
            if left != 0 { line += " (they will be sent on the next start)" }
            Console.info(line)
            uplink.client.shutdown()
        }
        if let sta = sensorThings {
            let left = sta.pendingCount ?? -1
            var line = "SensorThings: \(sta.acceptedObservations) Observations accepted, \(left) left in the journal"
            if left != 0 { line += " (they will be sent on the next start)" }
            if sta.setAsideObservations > 0 { line += ", \(sta.setAsideObservations) refused by the server and set aside (journal table sink_rejected)" }
            Console.info(line)
        }
        if let ngsi {
            var line = "NGSI-LD: \(ngsi.acceptedEntities) entities upserted in \(ngsi.acceptedBatches) requests"
            if ngsi.pendingCount > 0 { line += ", the newest state of \(ngsi.pendingCount) entities not accepted (not kept across restarts)" }
            Console.info(line)
        }
    }

    /// One stderr line when the MQTT link changes (connected, or a new reason for being down), and
    /// one for each new error the uplink could not throw (a journal failure inside a PUBACK callback).
    private func report() {
        guard let uplink else { return }
        let client = uplink.client
        if client.state == .connected {
            if !wasConnected {
                wasConnected = true
                reportedMQTT = nil
                Console.info("\(client.currentURL.description): connected")
            }
        } else if let error = client.lastError, error.description != reportedMQTT {
            wasConnected = false
            reportedMQTT = error.description
            let depth = (try? uplink.journal.undeliveredCount()) ?? 0
            Console.warning("\(error.description); retrying with backoff (\(depth) intervals waiting in the journal)")
        }
        if uplink.errorCount != reportedErrorCount {
            reportedErrorCount = uplink.errorCount
            if let line = uplink.lastError, line != reportedMQTT { Console.warning(line) }
        }
    }
}
