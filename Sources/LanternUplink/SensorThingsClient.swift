import CLantern
import LanternCore
import LanternSystem

/// OGC SensorThings API v1.1 over HTTP: on first contact creates the device's Sensor, the five
/// ObservedProperties and its Thing (deep insert: with its Location and every Datastream), keeps the
/// ids the server assigns in the journal (`sink_ids`), then posts the Observations the journal holds
/// for it (`sink_pending`, written with each record) and deletes each one the server accepted (201).
///
/// Same loop discipline as `NGSIClient`: libcurl's multi interface, `service()` never blocks, one
/// request in flight, no thread (CURLOPT_NOSIGNAL; give a numeric host). A failure (transport, or a
/// status other than 2xx) is retried with jittered exponential backoff (`Backoff`); an Observation
/// stays in the journal until accepted, across restarts, and goes out with the same bytes. One the server
/// refuses for good (400, 409, 413, 415, 422) while its Datastream is there is set aside in the journal with
/// the answer, one line says so, and the next goes; one whose Datastream was deleted goes to a new one
/// (see `refused`).
///
/// With `mqtt` set (the SensorThings MQTT extension, `--sta-mqtt`), Observations are published instead on
/// the agent's broker connection to `v1.1/Datastreams(<id>)/Observations` at QoS 1 (the body without its
/// Datastream: the topic names it), at most `mqttWindow` unacknowledged, and deleted from the journal
/// on PUBACK; after a reconnect the unacknowledged ones go again from the journal. Creating the
/// entities stays HTTP: the extension creates Observations only, and the ids come from the server.
///
/// Ids are the server's (FROST refuses ids chosen by the client unless configured otherwise): a
/// Datastream is found by its name, `lantern:<device>:<zone>:<quantity>`. The server's URL is kept with
/// the ids; a journal whose ids came from another URL forgets them and creates everything again.
public final class SensorThingsClient {
    public struct Configuration {
        /// The service root, version included: `http://host:8080/FROST-Server/v1.1`.
        public var serviceRoot: String
        public var device: String
        /// Where the lamppost stands (WGS84): the Thing's Location. nil: the Thing has none.
        public var position: (longitude: Double, latitude: Double)?
        /// The Datastream names to create with the Thing (the whole view and every site zone, each
        /// quantity); a record of another zone gets its Datastream when it first comes.
        public var datastreams: [String] = []
        /// The Sensor's `properties.version`.
        public var version = "unknown"
        public var timeoutMs: Int = 10_000
        public var backoff: Backoff

        public init(serviceRoot: String, device: String) {
            var root = serviceRoot
            while root.hasSuffix("/") { root.removeLast() }
            self.serviceRoot = root
            self.device = device
            backoff = .uplink(device: device, purpose: "sensorthings")
        }

        /// The TCP port the root names (for the sandbox's connect allowance).
        public var port: Int { NGSIClient.Configuration(baseURL: serviceRoot, device: device).port }
    }

    /// The journal's name for this sink.
    public static let sink = "sensorthings"

    public let configuration: Configuration
    public let journal: Journal
    public let clock: any RunClock
    /// Observations accepted since start.
    public private(set) var acceptedObservations = 0
    /// Observations the server refused for good since start, set aside in the journal (`sink_rejected`).
    public private(set) var setAsideObservations = 0
    /// Called with one line for each Observation set aside.
    public var onSetAside: ((String) -> Void)?
    /// Entities created since start (Sensor, ObservedProperties, Thing, Datastreams).
    public private(set) var createdEntities = 0
    /// The last failure, one line (nil after a success).
    public private(set) var lastError: String?
    /// Called when a request fails with a new reason, and when one succeeds after failures (nil).
    public var onStateChange: ((String?) -> Void)?
    /// When the next request may start (the clock's monotonic microseconds).
    public private(set) var nextAttemptMicros: Int64 = 0

    /// The broker connection Observations go over (the MQTT extension); nil: HTTP POST.
    public var mqtt: MQTTClient?
    /// Unacknowledged MQTT publishes at once.
    public var mqttWindow = 16
    /// `v1.1`: the service root's last path component (the MQTT extension's topic prefix).
    public let version: String

    private enum Request {
        case sensor
        case property(SensorThings.Quantity)
        case thing
        case listDatastreams
        case datastream(String)
        case observation(Journal.SinkEntry)
    }

    private let http: HTTPExchange
    private var inFlight: Request?
    private var backoff: Backoff
    /// name → id literal, as in the journal.
    private var ids: [String: String] = [:]
    /// Observations read from the journal, not yet accepted, oldest first.
    private var queue: [Journal.SinkEntry] = []
    private var cursor: (seq: Int64, part: Int) = (0, -1)
    private var journalMayHaveMore = true
    /// Datastreams listed since the Thing was known: a missing name is then created, not looked up.
    private var listed = false
    /// The Observation whose refusal had its Datastream looked up again (refused once more, it is set aside).
    private var recheckedFor: Journal.SinkEntry?
    /// mid → Observation published over MQTT on connection `mqttConnection`, waiting for PUBACK.
    private var mqttInFlight: [Int32: Journal.SinkEntry] = [:]
    private var mqttConnection = -1

    public init(_ configuration: Configuration, journal: Journal, clock: any RunClock = SystemRunClock()) throws(NGSIError) {
        let root = configuration.serviceRoot
        guard root.hasPrefix("http://") || root.hasPrefix("https://"), root.utf8.count > 8 else {
            throw NGSIError(url: root, message: "expected the service root, http://host:port/path/v1.1")
        }
        self.configuration = configuration
        self.journal = journal
        self.clock = clock
        backoff = configuration.backoff
        let last = root.utf8.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? ""
        version = last.hasPrefix("v1.") ? last : "v1.1"
        http = try HTTPExchange(url: root, headers: ["Content-Type: application/json", "Accept: application/json"], timeoutMs: configuration.timeoutMs)
        do throws(JournalError) {
            let saved = try journal.sinkIDs(SensorThingsClient.sink)
            for (name, id) in saved { ids[name] = id }
            if let server = ids["server"], server != root {
                try journal.clearSinkIDs(SensorThingsClient.sink)
                ids = [:]
            }
            if ids["server"] == nil { try journal.setSinkID(SensorThingsClient.sink, name: "server", id: root) }
            ids["server"] = root
        } catch {
            lastError = error.description
        }
    }


    /// The journal took a record with Observations for this sink: look again.
    public func journaled() { journalMayHaveMore = true }

    /// A request is in flight: the loop should come back within a few milliseconds.
    public var isBusy: Bool { http.isBusy }

    /// Something to do now or after the backoff: a request in flight, Observations read and not yet
    /// accepted, or the journal may hold more. (No SQL: asked once per loop turn.)
    public var hasWork: Bool {
        if http.isBusy { return true }
        let more = !queue.isEmpty || journalMayHaveMore
        guard let mqtt, ids["Thing"] != nil else { return more }
        // Over MQTT: only while connected and the window has room (a PUBACK wakes the loop anyway).
        return more && mqtt.state == .connected && mqttInFlight.count < mqttWindow
    }

    /// The topic an Observation of this Datastream is published on: `v1.1/Datastreams(42)/Observations`.
    public func topic(datastream idLiteral: String) -> String {
        version + "/Datastreams(" + idLiteral + ")/Observations"
    }

    /// A PUBACK the agent's uplink did not expect: ours when it is one of our publishes.
    public func acknowledged(_ mid: Int32) {
        guard let entry = mqttInFlight.removeValue(forKey: mid) else { return }
        do throws(JournalError) {
            try journal.markSinkDelivered(SensorThingsClient.sink, seq: entry.seq, part: entry.item.part)
            acceptedObservations += 1
        } catch {
            failed(error.description)
        }
    }

    /// Observations the journal still holds for the server (nil when it cannot say).
    public var pendingCount: Int? { try? journal.sinkPendingCount(SensorThingsClient.sink) }

    /// Nothing in flight and nothing owed.
    public var isIdle: Bool { !http.isBusy && queue.isEmpty && (pendingCount ?? 1) == 0 }

    /// The server's id literal for an entity name (`Thing`, `Sensor`, a Datastream name), once known.
    public func id(of name: String) -> String? { ids[name] }

    /// One non-blocking step: advances the transfer in flight, or starts the next request when due.
    public func service() {
        if http.isBusy {
            if let outcome = http.poll() { finish(outcome) }
            return
        }
        guard clock.monotonicMicros >= nextAttemptMicros else { return }
        startNext()
    }

    // MARK: Internals

    private var root: String { configuration.serviceRoot }

    private func startNext() {
        if ids["Sensor"] == nil {
            post(.sensor, "Sensors", SensorThings.sensor(device: configuration.device, version: configuration.version))
            return
        }
        for quantity in SensorThings.Quantity.allCases where ids["ObservedProperty:" + quantity.name] == nil {
            post(.property(quantity), "ObservedProperties", SensorThings.observedProperty(quantity))
            return
        }
        if queue.isEmpty && journalMayHaveMore { refill() }
        if ids["Thing"] == nil {
            // The deep insert carries every Datastream known so far: the site's and those waiting.
            var names = configuration.datastreams
            for entry in queue where !names.contains(entry.item.target) { names.append(entry.item.target) }
            post(.thing, "Things", SensorThings.thing(
                device: configuration.device, position: configuration.position, datastreams: names,
                sensor: ids["Sensor"]!, properties: properties))
            return
        }
        if let mqtt {
            guard mqtt.state == .connected else { return }
            if mqtt.connectCount != mqttConnection {
                // A new connection: what was not acknowledged is still in the journal; read it again.
                mqttConnection = mqtt.connectCount
                mqttInFlight = [:]
                queue = []
                cursor = (0, -1)
                refill()
            }
            while mqttInFlight.count < mqttWindow, let head = queue.first, let datastream = ids[head.item.target] {
                do throws(MQTTError) {
                    let mid = try mqtt.publish(topic: topic(datastream: datastream), payload: head.item.payload, qos: 1)
                    mqttInFlight[mid] = head
                    queue.removeFirst()
                } catch {
                    failed(error.description)
                    return
                }
                if queue.isEmpty && journalMayHaveMore { refill() }
            }
            guard let head = queue.first, ids[head.item.target] == nil else { return }
        }
        guard let next = queue.first else { return }
        if let datastream = ids[next.item.target] {
            post(.observation(next), "Observations", SensorThings.linked(next.item.payload, datastream: datastream))
        } else if !listed {
            get(.listDatastreams, "Things(\(ids["Thing"]!))/Datastreams?$select=id,name&$top=1000")
        } else if let body = SensorThings.datastream(
            name: next.item.target, device: configuration.device, thing: ids["Thing"]!, sensor: ids["Sensor"]!,
            properties: properties)
        {
            post(.datastream(next.item.target), "Datastreams", body)
        } else {
            // Not a Datastream of this device (a journal written under another device id): skip it.
            delivered(next)
        }
    }

    private var properties: [(SensorThings.Quantity, String)] {
        SensorThings.Quantity.allCases.compactMap { q in ids["ObservedProperty:" + q.name].map { (q, $0) } }
    }

    private func refill() {
        do throws(JournalError) {
            let batch = try journal.sinkPending(SensorThingsClient.sink, after: cursor, limit: 64)
            if batch.isEmpty {
                journalMayHaveMore = false
            } else {
                queue += batch
                cursor = (batch.last!.seq, batch.last!.item.part)
            }
        } catch {
            failed(error.description)
        }
    }

    private func post(_ request: Request, _ path: String, _ body: String) {
        start(request, root + "/" + path, body: body)
    }

    private func get(_ request: Request, _ path: String) {
        start(request, root + "/" + path, body: nil)
    }

    private func start(_ request: Request, _ url: String, body: String?) {
        if let why = http.start(url, body: body) {
            failed(why)
            return
        }
        inFlight = request
    }

    private func finish(_ outcome: HTTPExchange.Outcome) {
        guard let request = inFlight else { return }
        inFlight = nil
        let status: Int
        switch outcome {
        case .failed(let why):
            failed(why)
            return
        case .answered(let code):
            status = code
        }
        guard status >= 200 && status <= 299 else {
            refused(request, status: status, answer: "HTTP \(status) for \(what(request))\(http.detail)")
            return
        }
        let location = http.location
        do throws(JournalError) {
            switch request {
            case .sensor:
                guard try created("Sensor", location) else { return }
            case .property(let quantity):
                guard try created("ObservedProperty:" + quantity.name, location) else { return }
            case .thing:
                guard try created("Thing", location) else { return }
                listed = false
                // Deep insert returns the Thing only: its Datastreams' ids are read next.
                get(.listDatastreams, "Things(\(ids["Thing"] ?? "0"))/Datastreams?$select=id,name&$top=1000")
                succeeded()
                return
            case .listDatastreams:
                guard try readDatastreams() else { return }
                listed = true
            case .datastream(let name):
                guard try created(name, location) else { return }
            case .observation(let entry):
                delivered(entry)
                acceptedObservations += 1
                recheckedFor = nil
            }
        } catch {
            failed(error.description)
            return
        }
        succeeded()
    }

    /// A status other than 2xx. Most are retried with the backoff. But an Observation refused (4xx, or
    /// a 500, which some servers answer for a Datastream that is gone) first has its Datastream looked
    /// up again: an operator may have deleted it, and then it is created anew and the Observation goes
    /// there. Refused again with a status a resend cannot change (`refusesForGood`), it is set aside, so
    /// that one bad item (a damaged journal row, a value the server's schema rejects) cannot hold up every
    /// interval after it.
    private func refused(_ request: Request, status: Int, answer: String) {
        do throws(JournalError) {
            switch request {
            case .listDatastreams where status == 404:
                // The Thing is gone: the next request creates it again (deep insert).
                try journal.removeSinkID(SensorThingsClient.sink, name: "Thing")
                ids["Thing"] = nil
                failed(answer + ": the Thing is no longer on the server; it is created again")
            case .observation(let entry) where status == 404 || status == 500 || SensorThingsClient.refusesForGood(status):
                if recheckedFor != entry {
                    // Is its Datastream still there? List them again before anything else.
                    recheckedFor = entry
                    ids[entry.item.target] = nil
                    listed = false
                    failed(answer + ": looking its Datastream up again")
                    return
                }
                guard SensorThingsClient.refusesForGood(status) else {
                    failed(answer)
                    return
                }
                let already = try journal.sinkRejectedCount(SensorThingsClient.sink)
                guard already < SensorThingsClient.maximumSetAside else {
                    failed(answer + "; \(already) Observations are set aside already, so the server refuses them all: check its logs (Lantern keeps the rest and retries)")
                    return
                }
                let now = try journal.setSinkItemAside(SensorThingsClient.sink, seq: entry.seq, part: entry.item.part, reason: answer)
                if !queue.isEmpty && queue[0] == entry { queue.removeFirst() }
                setAsideObservations += 1
                recheckedFor = nil
                onSetAside?("\(root): \(answer): its Datastream is there, and a resend cannot change the answer, so it is set aside in the journal (table sink_rejected, \(now) there) and the next Observation goes")
                // The server answers: no reason to wait before the next one.
                backoff.reset()
                nextAttemptMicros = 0
            default:
                failed(answer)
            }
        } catch {
            failed(error.description)
        }
    }

    /// Statuses that a resend of the same bytes cannot change: the body itself is refused.
    /// (401/403 are the token's, 404 the entity's, 408/429/5xx the server's state: retried.)
    public static func refusesForGood(_ status: Int) -> Bool {
        status == 400 || status == 409 || status == 413 || status == 415 || status == 422
    }

    /// Observations set aside before the client stops doing so and retries instead: past this many, the
    /// server refuses everything (a wrong server or schema), and setting aside would only move the backlog.
    public static let maximumSetAside = 1_000

    /// Keeps the id of a created entity, read from the 201's Location.
    /// false (and a retry scheduled) when the Location names no id.
    private func created(_ name: String, _ location: String) throws(JournalError) -> Bool {
        guard let literal = SensorThings.idLiteral(fromLocation: location) else {
            failed("created \(name) but the answer's Location (\(location.isEmpty ? "none" : location)) names no id")
            return false
        }
        try journal.setSinkID(SensorThingsClient.sink, name: name, id: literal)
        ids[name] = literal
        createdEntities += 1
        return true
    }

    private func readDatastreams() throws(JournalError) -> Bool {
        let text = http.body
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(text)
        } catch {
            failed("the Datastreams list is not JSON (\(error))")
            return false
        }
        guard case .array(let items)? = value["value"] else {
            failed("the Datastreams list has no \"value\" array")
            return false
        }
        for item in items {
            guard case .string(let name)? = item["name"], let idValue = item["@iot.id"],
                  let literal = SensorThings.idLiteral(idValue) else { continue }
            if ids[name] != literal {
                try journal.setSinkID(SensorThingsClient.sink, name: name, id: literal)
                ids[name] = literal
            }
        }
        return true
    }

    private func delivered(_ entry: Journal.SinkEntry) {
        if !queue.isEmpty && queue[0] == entry { queue.removeFirst() }
        do throws(JournalError) {
            try journal.markSinkDelivered(SensorThingsClient.sink, seq: entry.seq, part: entry.item.part)
        } catch {
            failed(error.description)
        }
    }

    private func what(_ request: Request) -> String {
        switch request {
        case .sensor: return "POST Sensors"
        case .property(let q): return "POST ObservedProperties (\(q.name))"
        case .thing: return "POST Things (deep insert)"
        case .listDatastreams: return "GET the Thing's Datastreams"
        case .datastream(let name): return "POST Datastreams (\(name))"
        case .observation(let entry): return "POST Observations (seq \(entry.seq), \(entry.item.target))"
        }
    }

    private func succeeded() {
        backoff.reset()
        nextAttemptMicros = 0
        if lastError != nil {
            lastError = nil
            onStateChange?(nil)
        }
    }

    private func failed(_ reason: String) {
        let wait = backoff.nextDelayMicros()
        nextAttemptMicros = clock.monotonicMicros + wait
        let line = "\(root): \(reason); retrying in \(wait / 1000) ms"
        let changed = lastError.map { !$0.hasPrefix("\(root): \(reason);") } ?? true
        lastError = line
        if changed { onStateChange?(line) }
    }
}
