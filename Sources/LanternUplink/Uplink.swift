import CLantern
import LanternCore
import LanternSystem

/// Journal + MQTT: every interval record is journaled first, then published on
/// `lantern/<device>/intervals` at QoS 1 and marked delivered on PUBACK.
///
/// After a (re)connect the backlog goes out oldest first, at most `maxInFlight` unacknowledged at a
/// time (pacing: the broker and the uplink are never flooded; each PUBACK lets the next one go). A
/// record published but not acknowledged when the link drops stays undelivered in the journal and is
/// published again, with the same bytes: a subscriber may see a duplicate, never a gap or a changed
/// value.
///
/// Single-threaded: drive it with `service(timeoutMs:)` from the agent's loop.
public final class Uplink {
    public struct Configuration {
        public var device: String
        /// Unacknowledged interval publishes at once.
        public var maxInFlight: Int = 16
        /// Milliseconds between health messages (0: none).
        public var healthIntervalMs: Int64 = 60_000
        /// Where the CPU temperature is read from (millidegrees Celsius), when present.
        public var thermalZonePath: String = "/sys/class/thermal/thermal_zone0/temp"

        public init(device: String) {
            self.device = device
        }
    }

    public let configuration: Configuration
    public let topics: Topics
    public let journal: Journal
    public let client: MQTTClient

    /// The agent's side of the health message (camera, GPIO inputs, dropped frames), set by the run loop.
    public var health = DeviceHealth()
    /// Home Assistant discovery (`--ha-discovery`): its config messages are published retained at QoS 1
    /// after every connect (after `online` and the privacy manifest). nil: none.
    public var discovery: HomeAssistantDiscovery?
    /// The privacy manifest (LanternCore's `PrivacyManifest.json`), published retained at QoS 1 on
    /// `lantern/<device>/privacy` after every connect (after `online`, before the backlog), so a new
    /// subscriber always reads what this device promises. nil: none.
    public var privacyManifest: String?
    /// The journal's state for the health message: `ok`, `full` (records are held in memory until
    /// the disk has room) or `error` (another failure; held and retried the same way).
    public var journalState = "ok"
    /// Interval records held in memory because the journal cannot take them.
    public var journalHeld = 0
    /// Records lost since start: held records beyond the memory bound, and undelivered records of a
    /// damaged or lost journal. Each loss is also a gap record in the sequence.
    public var journalLost: Int64 = 0
    /// A PUBACK for a publish the uplink did not make (another sink's on the same connection).
    public var onOtherAcknowledgement: ((Int32) -> Void)?
    /// Interval publishes acknowledged since start.
    public private(set) var deliveredCount = 0

    /// mid → seq of publishes waiting for PUBACK on the current connection.
    private var inFlight: [Int32: Int64] = [:]
    /// Highest seq published on the current connection: the backlog cursor.
    private var cursor: Int64 = 0
    private var backlogExhausted = false
    private let startedMicros: Int64
    private var nextHealthMicros: Int64
    /// The agent's health as last published: a change (the camera lost, an input) is published at
    /// once, at most once a second.
    private var publishedHealth: DeviceHealth?
    private var lastHealthMicros: Int64 = .min
    /// The newest error the loop could not throw (a journal failure inside a PUBACK callback, a failed
    /// publish), one line; sent in the health message as `last_error` and logged once by the runtime.
    public private(set) var lastError: String?
    /// Bumped each time `lastError` is set, so a reader sees a repeated error as new.
    public private(set) var errorCount = 0

    public init(configuration: Configuration, journal: Journal, client: MQTTClient) {
        self.configuration = configuration
        self.topics = Topics(device: configuration.device)
        self.journal = journal
        self.client = client
        startedMicros = client.clock.monotonicMicros
        nextHealthMicros = startedMicros
        let context = Unmanaged.passUnretained(self)
        // The client is owned by the uplink; these closures reach back without a retain cycle.
        client.onPublished = { mid in context.takeUnretainedValue().acknowledged(mid) }
        client.onConnected = { context.takeUnretainedValue().reconnected() }
        client.onDisconnected = { error in context.takeUnretainedValue().linkLost(error) }
    }

    /// Journals the record (it is durable when this returns) and publishes it when the link is up and
    /// the in-flight window allows; otherwise it waits in the journal. Returns its seq.
    @discardableResult
    public func submit(_ record: IntervalRecord, privacy: PrivacyPolicy = PrivacyPolicy()) throws(JournalError) -> Int64 {
        try submitLine(record, privacy: privacy).seq
    }

    /// `submit`, also returning the Lantern JSON line as journaled (what a subscriber receives), encoded
    /// under `privacy`.
    /// `sinks(seq)`: what other sinks owe for it (SensorThings Observations), journaled with it.
    public func submitLine(
        _ record: IntervalRecord, privacy: PrivacyPolicy = PrivacyPolicy(),
        sinks: (Int64) -> [(sink: String, items: [Journal.SinkItem])] = { _ in [] }
    ) throws(JournalError) -> (seq: Int64, line: String) {
        let device = configuration.device, k = privacy.suppressBelow
        var line = ""
        let seq = try journal.append(device: device, zone: record.line.map { "line:" + $0 } ?? record.zone, payload: { seq in
            line = LanternJSON.encode(record, device: device, seq: seq, suppressBelow: k)
            return line
        }, sinks: sinks)
        backlogExhausted = false
        sendBacklog()
        return (seq, line)
    }

    /// Publishes the record's bare values (`ValueTopics`: QoS 0, not retained) when the link is up;
    /// nothing is kept for later: the journaled `intervals` topic is the record.
    public func publishValues(_ record: IntervalRecord, privacy: PrivacyPolicy = PrivacyPolicy()) {
        guard client.state == .connected else { return }
        for message in ValueTopics.messages(record, topics: topics, suppressBelow: privacy.suppressBelow) {
            do throws(MQTTError) {
                _ = try client.publish(topic: message.topic, payload: message.payload, qos: 0, retain: false)
            } catch {
                recordError(error.description)
                return
            }
        }
    }

    /// Journals a gap record (nil zone) and publishes it like an interval record. Returns its seq and line.
    public func submitGap(_ gap: GapRecord) throws(JournalError) -> (seq: Int64, line: String) {
        let device = configuration.device
        var line = ""
        let seq = try journal.append(device: device, zone: nil) { seq in
            line = gap.encode(device: device, seq: seq)
            return line
        }
        backlogExhausted = false
        sendBacklog()
        return (seq, line)
    }

    /// One loop step: the client's I/O (callbacks run here), then the backlog, then health when due.
    public func service(timeoutMs: Int32) {
        client.service(timeoutMs: timeoutMs)
        afterIO()
    }

    private func afterIO() {
        sendBacklog()
        if configuration.healthIntervalMs > 0 && client.state == .connected {
            let now = client.clock.monotonicMicros
            let changed = publishedHealth != nil && publishedHealth != health && now - lastHealthMicros >= 1_000_000
            if now >= nextHealthMicros || changed {
                nextHealthMicros = now + configuration.healthIntervalMs * 1000
                lastHealthMicros = now
                publishedHealth = health
                // Retained: a dashboard arriving later reads the device's state at once.
                _ = try? client.publish(topic: topics.health, payload: healthMessage(), qos: 1, retain: true)
            }
        }
    }

    /// The same step for a loop that polled `client.socketDescriptor` itself (for POLLIN, and POLLOUT
    /// when `client.wantsWrite`): connects when due (without sleeping), then as `service`.
    public func handle(readable: Bool, writable: Bool) {
        if client.socketDescriptor == nil {
            client.service(timeoutMs: 0)
        } else {
            client.handle(readable: readable, writable: writable)
        }
        afterIO()
    }

    /// Serves the link until the journal holds nothing undelivered or `timeoutMs` passes (the end of
    /// a replay). Returns how many records are left undelivered (0: all acknowledged).
    public func drain(timeoutMs: Int64) -> Int {
        let deadline = client.clock.monotonicMicros + timeoutMs * 1000
        while true {
            let left = (try? journal.undeliveredCount()) ?? -1
            if left == 0 { return 0 }
            let now = client.clock.monotonicMicros
            if now >= deadline { return max(left, 0) }
            service(timeoutMs: Int32(min(50, (deadline - now + 999) / 1000)))
        }
    }

    /// The health message (also published every `healthIntervalMs`).
    public func healthMessage() -> String {
        var w = JSONWriter(reservingCapacity: 256)
        w.beginObject()
        w.field("device", configuration.device)
        w.field("uptime_s", Int((client.clock.monotonicMicros - startedMicros) / 1_000_000))
        health.writeFields(into: &w)
        w.key("journal_depth")
        if let depth = try? journal.undeliveredCount() { w.integer(depth) } else { w.null() }
        w.key("dropped")
        if let dropped = try? journal.droppedCount() { w.integer(Int(dropped)) } else { w.null() }
        w.field("journal", journalState)
        w.field("journal_held", journalHeld)
        w.key("journal_lost"); w.integer(Int(journalLost))
        w.key("cpu_temp_c")
        var milli: Int64 = 0
        if lantern_read_integer_file(configuration.thermalZonePath, &milli) == 0 {
            w.fixed(Double(milli) / 1000, places: 1)
        } else {
            w.null()
        }
        w.key("last_error")
        if let lastError { w.string(lastError) } else { w.null() }
        w.endObject()
        return w.text
    }

    // MARK: Internals

    private func sendBacklog() {
        guard client.state == .connected, !backlogExhausted else { return }
        while inFlight.count < configuration.maxInFlight {
            let room = configuration.maxInFlight - inFlight.count
            let batch: [Journal.Entry]
            do throws(JournalError) {
                batch = try journal.pending(after: cursor, limit: room)
            } catch {
                recordError(error.description)
                return
            }
            if batch.isEmpty {
                backlogExhausted = true
                return
            }
            for entry in batch {
                let mid: Int32
                do throws(MQTTError) {
                    mid = try client.publish(topic: topics.intervals, payload: entry.payload, qos: 1, retain: false)
                } catch {
                    recordError(error.description)
                    return
                }
                inFlight[mid] = entry.seq
                cursor = entry.seq
            }
        }
    }

    private func acknowledged(_ mid: Int32) {
        guard let seq = inFlight.removeValue(forKey: mid) else {
            onOtherAcknowledgement?(mid)
            return
        }
        do throws(JournalError) {
            try journal.markDelivered(seq)
            deliveredCount += 1
        } catch {
            recordError(error.description)
        }
    }

    private func reconnected() {
        if let privacyManifest {
            do throws(MQTTError) {
                _ = try client.publish(topic: topics.privacy, payload: privacyManifest, qos: 1, retain: true)
            } catch {
                recordError(error.description)
            }
        }
        if let discovery {
            for message in discovery.messages() {
                do throws(MQTTError) {
                    _ = try client.publish(topic: message.topic, payload: message.payload, qos: 1, retain: true)
                } catch {
                    recordError(error.description)
                    break
                }
            }
        }
        inFlight = [:]
        cursor = 0
        backlogExhausted = false
        nextHealthMicros = client.clock.monotonicMicros
    }

    /// Keeps `line` as the newest error for the health message (`last_error`): the uplink's own
    /// failures inside callbacks, and the caller's (a journal append that failed).
    /// `logged`: the caller has already said it on stderr (the runtime then does not say it again).
    public func recordError(_ line: String, logged: Bool = false) {
        lastError = line
        if !logged { errorCount += 1 }
    }

    private func linkLost(_ error: MQTTError) {
        // Whatever was in flight is resent from the journal after the next connect.
        inFlight = [:]
        cursor = 0
        backlogExhausted = false
        recordError(error.description)
    }
}
