import CLantern
import LanternCore
import LanternSystem

/// NGSI-LD over HTTP: upserts entities (`CrowdFlowObserved`, `Device`, `PrivacyObject`, encoded by
/// LanternCore's `NGSILD`; batched by `NGSILD.upsertBody`) to a context broker
/// with `POST <base>/ngsi-ld/v1/entityOperations/upsert` (ETSI GS CIM 009, 5.6.8), Content-Type
/// `application/ld+json`, through libcurl's multi interface driven from the agent's loop: `service()`
/// never blocks (`curl_multi_perform`), one request is in flight at a time, and no thread is started
/// (CURLOPT_NOSIGNAL; a numeric host never reaches curl's threaded resolver, a name does: on the board
/// use an address, or accept one short-lived resolver thread per request).
///
/// What it guarantees, and why that is enough: the context broker holds the *current* state of each
/// entity, and an upsert replaces it. So the client keeps, per entity id, only the newest version not
/// yet accepted (a 2xx), and sends those as one batch; a failed batch (transport error or a non-2xx
/// status) is retried with jittered exponential backoff (`Backoff`), newer versions replacing older ones
/// of the same entity meanwhile. The history of every interval is the MQTT journal's job, not this one's: nothing here
/// is written to disk, so the newest state not yet accepted is lost on restart (the next interval
/// replaces it a minute later).
public final class NGSIClient {
    public struct Configuration {
        /// The context broker's base URL, `http://host:port` (a path prefix is kept).
        public var baseURL: String
        public var device: String
        public var timeoutMs: Int = 10_000
        /// When to retry a failed batch; the default draws the first retry from 30 s, seeded per device.
        public var backoff: Backoff
        /// The tenant (`NGSILD-Tenant` header), if the broker has several.
        public var tenant: String?
        /// A bearer token (`Authorization: Bearer`), if the broker asks for one.
        public var token: String?

        /// The TCP port `baseURL` names (80 for http, 443 for https without one): the sandbox allows
        /// connects to it.
        public var port: Int {
            let bytes = Array(baseURL.utf8)
            var i = 0
            while i + 2 < bytes.count && !(bytes[i] == 0x3A && bytes[i + 1] == 0x2F && bytes[i + 2] == 0x2F) { i += 1 }
            let https = bytes.starts(with: Array("https".utf8))
            var j = i + 3
            var port: Int?
            while j < bytes.count && bytes[j] != 0x2F {
                if bytes[j] == 0x3A {
                    var n = 0, k = j + 1
                    while k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 && n < 100_000 { n = n * 10 + Int(bytes[k] - 0x30); k += 1 }
                    port = n
                }
                j += 1
            }
            return port ?? (https ? 443 : 80)
        }

        /// The host `baseURL` names (an IPv6 address without its brackets): the sandbox keeps DNS
        /// open only when it is a name.
        public var host: String {
            let bytes = Array(baseURL.utf8)
            var i = 0
            while i + 2 < bytes.count && !(bytes[i] == 0x3A && bytes[i + 1] == 0x2F && bytes[i + 2] == 0x2F) { i += 1 }
            var j = min(i + 3, bytes.count)
            if j < bytes.count && bytes[j] == 0x5B {  // [IPv6]
                var k = j + 1
                while k < bytes.count && bytes[k] != 0x5D { k += 1 }
                return String(decoding: bytes[(j + 1)..<k], as: UTF8.self)
            }
            let start = j
            while j < bytes.count && bytes[j] != 0x2F && bytes[j] != 0x3A { j += 1 }
            return String(decoding: bytes[start..<j], as: UTF8.self)
        }

        public init(baseURL: String, device: String) {
            self.baseURL = baseURL
            self.device = device
            backoff = .uplink(device: device, purpose: "ngsi-ld")
        }
    }

    public let configuration: Configuration
    /// The run loop's clock: retry deadlines are on it.
    public let clock: any RunClock
    /// `<base>/ngsi-ld/v1/entityOperations/upsert`.
    public let upsertURL: String
    /// Batches accepted (2xx) and entities in them, since start.
    public private(set) var acceptedBatches = 0
    public private(set) var acceptedEntities = 0
    /// The last failure, one line (nil after a success).
    public private(set) var lastError: String?
    /// Called when a batch fails (with the reason) and when a batch succeeds after failures (nil).
    public var onStateChange: ((String?) -> Void)?

    private let http: HTTPExchange
    /// Newest version of each entity not yet accepted, by id, in order of first arrival.
    private var waiting: [(id: String, json: String)] = []
    private var sending: [(id: String, json: String)] = []
    /// When the next batch may start (the clock's monotonic microseconds).
    public private(set) var nextAttemptMicros: Int64 = 0
    private var backoff: Backoff

    /// Checks the URL (`http://` or `https://`) and sets up curl; the error says what to type.
    public init(_ configuration: Configuration, clock: any RunClock = SystemRunClock()) throws(NGSIError) {
        let base = configuration.baseURL
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), base.utf8.count > 8 else {
            throw NGSIError(url: base, message: "expected http://host:port or https://host:port")
        }
        self.configuration = configuration
        self.clock = clock
        backoff = configuration.backoff
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        upsertURL = trimmed + "/ngsi-ld/v1/entityOperations/upsert"
        var headers = ["Content-Type: application/ld+json", "Accept: application/json"]
        if let tenant = configuration.tenant { headers.append("NGSILD-Tenant: \(tenant)") }
        if let token = configuration.token { headers.append("Authorization: Bearer \(token)") }
        http = try HTTPExchange(url: base, headers: headers, timeoutMs: configuration.timeoutMs)
    }

    /// Queues an entity (one line of JSON with its `@context`); it replaces a waiting one of the same id.
    public func submit(id: String, entity json: String) {
        for i in 0..<waiting.count where waiting[i].id == id {
            waiting[i].json = json
            return
        }
        waiting.append((id, json))
    }

    /// A request is in flight: the loop should come back within a few milliseconds.
    public var isBusy: Bool { http.isBusy }

    /// Nothing waiting and nothing in flight.
    public var isIdle: Bool { !http.isBusy && waiting.isEmpty }

    /// Entities waiting or in flight.
    public var pendingCount: Int { waiting.count + sending.count }

    /// One non-blocking step: advances the transfer in flight, or starts the next batch when due.
    public func service() {
        if http.isBusy {
            if let outcome = http.poll() { finish(outcome) }
            return
        }
        guard !waiting.isEmpty, clock.monotonicMicros >= nextAttemptMicros else { return }
        start()
    }

    // MARK: Internals

    private func start() {
        sending = waiting
        waiting = []
        if let why = http.start(upsertURL, body: NGSILD.upsertBody(sending.map { $0.json })) { failed(why) }
    }

    private func finish(_ outcome: HTTPExchange.Outcome) {
        if case .failed(let why) = outcome {
            failed(why)
        } else if case .answered(let status) = outcome, status < 200 || status > 299 {
            failed("HTTP \(status) from the context broker")
        } else {
            acceptedBatches += 1
            acceptedEntities += sending.count
            sending = []
            backoff.reset()
            if lastError != nil {
                lastError = nil
                onStateChange?(nil)
            }
        }
    }

    /// Puts the batch back (behind newer versions of the same entities) and schedules a retry.
    private func failed(_ reason: String) {
        for sent in sending.reversed() where !waiting.contains(where: { $0.id == sent.id }) {
            waiting.insert(sent, at: 0)
        }
        sending = []
        let wait = backoff.nextDelayMicros()
        nextAttemptMicros = clock.monotonicMicros + wait
        let line = "\(upsertURL): \(reason); retrying in \(wait / 1000) ms"
        let changed = lastError.map { !$0.hasPrefix("\(upsertURL): \(reason);") } ?? true
        lastError = line
        if changed { onStateChange?(line) }
    }
}

/// An NGSI-LD set-up failure as one line naming the URL: `ftp://x: expected http://host:port ...`.
public struct NGSIError: Error, Equatable, CustomStringConvertible {
    public var url: String
    public var message: String

    public init(url: String, message: String) {
        self.url = url
        self.message = message
    }

    public var description: String { "\(url): \(message)" }
}
