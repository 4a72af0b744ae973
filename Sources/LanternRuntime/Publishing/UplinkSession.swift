import LanternAgent
import LanternCore
import LanternSystem
import LanternUplink

/// Where counts go upstream and how: what `lanternd run`'s uplink options (and `lantern.conf`) say.
public struct UplinkSettings {
    public var mqttURL: MQTTURL?
    public var mqttCA: String?
    public var mqttCert: String?
    public var mqttKey: String?
    public var mqttUser: String?
    public var mqttPasswordFile: String?
    public var ngsiURL: String?
    /// How long the end of a replay waits for the journal to be delivered.
    public var drainTimeoutSeconds: Int64 = 60
    /// The first reconnect window (broker and context broker); each retry waits a random time within
    /// it, and the window doubles on each failure up to ten times this.
    public var retryWindowMicros: Int64 = 30_000_000

    public init() {}

    public var isEnabled: Bool { mqttURL != nil || ngsiURL != nil }
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
    /// `<state-dir>/journal.sqlite` with `--mqtt-url`.
    public let journalPath: String?
    let drainTimeoutMicros: Int64
    let clock: any RunClock
    private var reportedMQTT: String?
    private var reportedErrorCount = 0
    private var wasConnected = false

    public var journal: Journal? { uplink?.journal }

    public init(
        settings: UplinkSettings, device: String, stateDirectory: String?, site: SiteConfig, intervalSeconds: Int,
        privacyManifest: String?, clock: any RunClock
    ) throws(Failure) {
        self.clock = clock
        drainTimeoutMicros = settings.drainTimeoutSeconds * 1_000_000
        let retry = settings.retryWindowMicros
        if let url = settings.mqttURL, let dir = stateDirectory {
            let path = dir + "/journal.sqlite"
            let journal: Journal
            do throws(JournalError) {
                journal = try Journal(path: path, maxRecords: site.journalLimit)
            } catch {
                throw Failure(error.description, code: .ioError)
            }
            var client = MQTTClient.Configuration(url: url, clientID: "lantern-\(device)")
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
            uplink = linked
            journalPath = path
        } else {
            uplink = nil
            journalPath = nil
        }
        if let url = settings.ngsiURL {
            var configuration = NGSIClient.Configuration(baseURL: url, device: device)
            configuration.backoff = .uplink(device: device, purpose: "ngsi-ld", firstWindowMicros: retry)
            do throws(NGSIError) {
                ngsi = try NGSIClient(configuration, clock: clock)
            } catch {
                throw Failure("--ngsi-url \(error.description)", code: .usage)
            }
            ngsi?.onStateChange = { line in
                if let line { Console.error(line) } else { Console.error("\(url): NGSI-LD upserts accepted again") }
            }
        } else {
            ngsi = nil
        }
    }

    /// The journal's next number, raised to at least `atLeast` first (a `next-seq` saved by runs
    /// without a journal); `atLeast` itself without a journal.
    func startNumbering(atLeast: Int64) throws(Failure) -> Int64 {
        guard let journal else { return atLeast }
        do throws(JournalError) {
            try journal.advanceNextSeq(atLeast: atLeast)
            return try journal.nextSeq()
        } catch {
            throw Failure(error.description, code: .ioError)
        }
    }

    /// Journals the record (MQTT) and queues its entity (NGSI-LD); returns its number and line, or nil
    /// when there is no journal. When the journal fails (the error is printed), the record is numbered
    /// `fallbackSeq` and the journal is told never to hand out that number.
    func submit(_ record: IntervalRecord, privacy: PrivacyPolicy, fallbackSeq: Int64) -> (seq: Int64, text: String)? {
        ngsi?.submit(record, privacy: privacy)
        guard let uplink else { return nil }
        do throws(JournalError) {
            let (seq, line) = try uplink.submitLine(record, privacy: privacy)
            return (seq, line)
        } catch {
            Console.error("\(error.description); this interval is printed but not journaled")
            uplink.recordError(error.description)
            try? uplink.journal.advanceNextSeq(atLeast: fallbackSeq + 1)
            return (fallbackSeq, LanternJSON.encode(record, device: uplink.configuration.device, seq: fallbackSeq, suppressBelow: privacy.suppressBelow))
        }
    }

    /// The agent's side of the health message.
    public var health: DeviceHealth {
        get { uplink?.health ?? DeviceHealth() }
        set { uplink?.health = newValue }
    }

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
            if client.wantsWrite { cap(now + 10_000) }
            if let at = client.attemptDueMicros { cap(at) }
            if client.state == .connected { cap(now + 1_000_000) }  // health and keep-alive
        }
        if let ngsi {
            if ngsi.isBusy { cap(now + 10_000) } else if !ngsi.isIdle { cap(max(ngsi.nextAttemptMicros, now)) }
        }
        return due
    }

    /// After the loop's wait: `readable` is the MQTT socket's flag.
    public func handle(readable: Bool) {
        uplink?.handle(readable: readable, writable: false)
        ngsi?.service()
        report()
    }

    /// The end of the run: drains (when `drain`), says what was delivered and what is left, and says
    /// `offline` on the status topic. Never fails: what is left stays in the journal for the next start.
    public func finish(drain: Bool, stopRequested: () -> Bool) {
        if drain {
            let deadline = clock.monotonicMicros + drainTimeoutMicros
            while clock.monotonicMicros < deadline && !stopRequested() {
                let mqttLeft = uplink.map { (try? $0.journal.undeliveredCount()) ?? 1 } ?? 0
                if mqttLeft == 0 && ngsi?.isIdle != false { break }
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
            Console.error(line)
            uplink.client.shutdown()
        }
        if let ngsi {
            var line = "NGSI-LD: \(ngsi.acceptedEntities) entities upserted in \(ngsi.acceptedBatches) requests"
            if ngsi.pendingCount > 0 { line += ", the newest state of \(ngsi.pendingCount) zones not accepted (not kept across restarts)" }
            Console.error(line)
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
                Console.error("\(client.configuration.url.description): connected")
            }
        } else if let error = client.lastError, error.description != reportedMQTT {
            wasConnected = false
            reportedMQTT = error.description
            let depth = (try? uplink.journal.undeliveredCount()) ?? 0
            Console.error("\(error.description); retrying with backoff (\(depth) intervals waiting in the journal)")
        }
        if uplink.errorCount != reportedErrorCount {
            reportedErrorCount = uplink.errorCount
            if let line = uplink.lastError, line != reportedMQTT { Console.error(line) }
        }
    }
}
