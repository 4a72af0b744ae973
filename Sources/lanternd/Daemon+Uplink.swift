import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem
import LanternUplink

/// Counts upstream for `lanternd run`: the journal and MQTT (`--mqtt-url`), NGSI-LD (`--ngsi-url`),
/// both driven from the daemon's one loop (never a thread).
///
/// Order per interval record: journal commit (durable) → stdout line → MQTT publish when the link is
/// up → NGSI-LD upsert queue. The stdout line is the journaled line, byte for byte, so a subscriber and
/// the console agree, and `seq` is the journal's.
final class UplinkSession {
    let uplink: Uplink?
    let ngsi: NGSIClient?
    /// `<state-dir>/journal.sqlite` with `--mqtt-url`.
    let journalPath: String?
    let drainTimeoutMs: Int64
    /// The first number this run may hand out: the journal's next seq (never below the `nextSeq` given).
    let nextSeq: Int64
    private var reportedMQTT: String?
    private var wasConnected = false

    init(options: RunOptions, site: SiteConfig, nextSeq: Int64) throws(Failure) {
        let flags = options.uplink
        drainTimeoutMs = flags.drainTimeoutSeconds * 1000
        let intervalSeconds = options.interval ?? site.intervalSeconds
        if let url = flags.mqttURL, let dir = options.stateDirectory {
            let path = dir + "/journal.sqlite"
            let journal: Journal
            do throws(JournalError) {
                journal = try Journal(path: path, maxRecords: site.journalLimit)
                try journal.advanceNextSeq(atLeast: nextSeq)
                self.nextSeq = max(try journal.nextSeq(), nextSeq)
            } catch {
                throw Failure(error.description)
            }
            var client = MQTTClient.Configuration(url: url, clientID: "lantern-\(options.deviceID)")
            client.caFile = flags.mqttCA
            client.certFile = flags.mqttCert
            client.keyFile = flags.mqttKey
            client.username = flags.mqttUser
            if let file = flags.mqttPasswordFile { client.password = try UplinkSession.firstLine(of: file) }
            client.statusTopic = Topics(device: options.deviceID).status
            let mqtt: MQTTClient
            do throws(MQTTError) {
                mqtt = try MQTTClient(client)
            } catch {
                throw Failure(error.description)
            }
            var configuration = Uplink.Configuration(device: options.deviceID)
            configuration.suppressBelow = site.suppressBelow
            configuration.healthIntervalMs = Int64(intervalSeconds) * 1000
            let linked = Uplink(configuration: configuration, journal: journal, client: mqtt)
            linked.privacyManifest = PrivacyManifest(device: options.deviceID, site: site, version: BuildInfo.version, build: BuildInfo.build).json
            uplink = linked
            journalPath = path
        } else {
            uplink = nil
            journalPath = nil
            self.nextSeq = nextSeq
        }
        if let url = flags.ngsiURL {
            var configuration = NGSIClient.Configuration(baseURL: url, device: options.deviceID)
            configuration.suppressBelow = site.suppressBelow
            do throws(NGSIError) {
                ngsi = try NGSIClient(configuration)
            } catch {
                throw Failure("--ngsi-url \(error.description)")
            }
            ngsi?.onStateChange = { line in
                if let line { Console.error(line) } else { Console.error("\(url): NGSI-LD upserts accepted again") }
            }
        } else {
            ngsi = nil
        }
    }

    /// Journals the record (MQTT) and queues its entity (NGSI-LD); returns the line to print. Without
    /// MQTT, or when the journal fails (the error is printed), the line is numbered by `sequence`.
    func record(_ record: IntervalRecord, sequence: inout ReportSequence) -> String {
        if let ngsi {
            ngsi.configuration.suppressBelow = sequence.suppressBelow
            ngsi.submit(record)
        }
        guard let uplink else { return sequence.encode(record) }
        do throws(JournalError) {
            let (seq, line) = try uplink.submitLine(record, suppressBelow: sequence.suppressBelow)
            sequence = ReportSequence(device: sequence.device, next: seq + 1, suppressBelow: sequence.suppressBelow)
            return line
        } catch {
            Console.error("\(error.description); this interval is printed but not journaled")
            let line = sequence.encode(record)
            // Never hand out this number again.
            try? uplink.journal.advanceNextSeq(atLeast: sequence.next)
            return line
        }
    }

    /// The camera's state for the health message: `replay`, `streaming`, `lost`.
    func camera(_ state: String) {
        uplink?.cameraState = state
    }

    // MARK: Loop

    /// The MQTT socket, for a loop that polls its own descriptors (the board loop).
    var pollDescriptor: FileDescriptor? {
        uplink?.client.socketDescriptor.map { FileDescriptor(rawValue: $0) }
    }

    /// The board loop's poll timeout, shortened when the uplink needs to come back sooner: queued MQTT
    /// output (the loop polls for input only), a reconnect due, an HTTP transfer running.
    func capTimeout(_ millis: Int64) -> Int64 {
        var cap = millis
        if let client = uplink?.client {
            if client.wantsWrite { cap = min(cap, 10) }
            if client.socketDescriptor == nil { cap = min(cap, client.millisecondsUntilNextAttempt) }
        }
        if ngsi?.isBusy == true { cap = min(cap, 10) }
        return max(cap, 0)
    }

    /// After the board loop's poll: `readable` is the MQTT socket's flag.
    func handle(readable: Bool) {
        uplink?.handle(readable: readable, writable: false)
        ngsi?.service()
        report()
    }

    /// One step that may wait up to `timeoutMs` on the MQTT socket (or sleep without one).
    func service(timeoutMs: Int64) {
        var wait = timeoutMs
        if ngsi?.isBusy == true { wait = min(wait, 10) }
        if let uplink {
            uplink.service(timeoutMs: Int32(clamping: wait))
        } else if wait > 0 {
            SystemClock.sleep(untilMonotonicMicros: SystemClock.monotonicMicros + wait * 1000)
        }
        ngsi?.service()
        report()
    }

    /// Replay pacing: keeps the uplink served until the monotonic clock reaches `micros`.
    func wait(untilMonotonicMicros micros: Int64) {
        while true {
            let left = micros - SystemClock.monotonicMicros
            if left <= 0 { return }
            // At most 100 ms per step, so a stop signal is seen promptly.
            service(timeoutMs: min((left + 999) / 1000, 100))
        }
    }

    /// The end of the run: drains (when `drain`), says what was delivered and what is left, and says
    /// `offline` on the status topic. Never fails: what is left stays in the journal for the next start.
    func finish(drain: Bool) {
        if drain {
            let deadline = SystemClock.monotonicMicros + drainTimeoutMs * 1000
            while SystemClock.monotonicMicros < deadline && !SignalFlags.takeStop() {
                let mqttLeft = uplink.map { (try? $0.journal.undeliveredCount()) ?? 1 } ?? 0
                if mqttLeft == 0 && ngsi?.isIdle != false { break }
                service(timeoutMs: 50)
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

    /// One stderr line when the MQTT link changes: connected, or a new reason for being down.
    private func report() {
        guard let client = uplink?.client else { return }
        if client.state == .connected {
            if !wasConnected {
                wasConnected = true
                reportedMQTT = nil
                Console.error("\(client.configuration.url.description): connected")
            }
        } else if let error = client.lastError, error.description != reportedMQTT {
            wasConnected = false
            reportedMQTT = error.description
            let depth = (try? uplink?.journal.undeliveredCount()) ?? 0
            Console.error("\(error.description); retrying with backoff (\(depth) intervals waiting in the journal)")
        }
    }

    private static func firstLine(of path: String) throws(Failure) -> String {
        let bytes = try Daemon.read(path, what: "MQTT password file", option: "--mqtt-password-file")
        var line: [UInt8] = []
        for byte in bytes {
            if byte == 0x0A || byte == 0x0D { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}

extension Daemon {
    /// Replay pacing: sleeps, or serves the uplink while it waits.
    func pace(untilMonotonicMicros micros: Int64) {
        if let uplinkSession {
            uplinkSession.wait(untilMonotonicMicros: micros)
        } else {
            SystemClock.sleep(untilMonotonicMicros: micros)
        }
    }
}
