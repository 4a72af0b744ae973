import CLantern
import LanternCore
import LanternSystem

/// An MQTT 3.1.1 client over libmosquitto's non-threaded API, driven from the caller's poll loop:
/// `service(timeoutMs:)` polls the socket and runs `mosquitto_loop_read/write/misc`; nothing here
/// starts a thread (`mosquitto_loop_start` is never used: qemu-user and the board's single loop).
///
/// It connects to one broker of a list, and after any failure moves to the next one of the list and
/// reconnects with jittered exponential backoff (`BrokerFailover` over `Backoff`: seeded per device,
/// reset by a successful CONNACK, so a fleet that loses a broker node does not arrive at the others in
/// the same second). It keeps a retained status topic (`online` after each connect, `offline` as the
/// Last Will) and reports acknowledged QoS 1 publishes (PUBACK) by message id through `onPublished`.
///
/// The session is persistent by default (`cleanSession` false, MQTT 3.1.1's clean_session=0) under a
/// stable client id (the device's): the broker keeps the client's subscriptions and the QoS 1 messages
/// queued for it while it is away, and libmosquitto resends unacknowledged QoS 1 publishes after a
/// reconnect. Delivery of interval records does not depend on it (the journal resends what was not
/// acknowledged, with the same bytes); a subscriber's queued messages do (`subscribe`, `onMessage`).
///
/// The connect never blocks the loop: `mosquitto_connect_async` starts a non-blocking TCP connect
/// (the CONNECT packet follows once the socket is writable), and a connection that has not brought a
/// CONNACK within `connectTimeoutSeconds` (a black-holed address, a listener whose accept queue is
/// full, a broker that never answers) is dropped with one line naming the timeout and retried with
/// backoff. The one blocking step left is a DNS lookup of a host name: give a numeric address.
public final class MQTTClient {
    public struct Configuration {
        /// The brokers, tried in this order (at least one); see `BrokerFailover`.
        public var urls: [MQTTURL]
        /// The first broker.
        public var url: MQTTURL {
            get { urls[0] }
            set { urls[0] = newValue }
        }
        /// Stable across restarts (the device id): the broker finds the session by it.
        public var clientID: String
        /// false: a persistent session (the broker keeps subscriptions and queued QoS 1 messages
        /// across a reconnect). true: every connection starts afresh.
        public var cleanSession = false
        /// PEM CA bundle that signed the broker's certificate (mqtts only; nil: the system's CAs).
        public var caFile: String?
        /// Client certificate and key (PEM), for brokers with `require_certificate true`.
        public var certFile: String?
        public var keyFile: String?
        public var username: String?
        public var password: String?
        public var keepAliveSeconds: Int32 = 30
        /// How long a connection may go without a CONNACK (TCP connect, TLS handshake, CONNECT).
        public var connectTimeoutSeconds: Int64 = 10
        /// Retained, QoS 1: `online` after connect; the Last Will `offline`.
        public var statusTopic: String?
        /// When to reconnect after a failure. The default draws the first retry from 30 s and seeds
        /// the jitter with the client id.
        public var backoff: Backoff

        public init(url: MQTTURL, clientID: String) {
            self.init(urls: [url], clientID: clientID)
        }

        /// `urls` must not be empty (`MQTTClient.init` throws otherwise).
        public init(urls: [MQTTURL], clientID: String) {
            self.urls = urls
            self.clientID = clientID
            backoff = .uplink(device: clientID, purpose: "mqtt")
        }
    }

    public enum State: Equatable {
        /// No connection; the next attempt is due at `nextAttemptMicros` (monotonic).
        case disconnected
        /// CONNECT sent (or TLS handshake running), waiting for CONNACK.
        case connecting
        case connected
    }

    public let configuration: Configuration
    public private(set) var state: State = .disconnected
    /// The last failure, one line (nil after a successful connect).
    public private(set) var lastError: MQTTError?
    /// Connections established so far (CONNACK accepted).
    public private(set) var connectCount = 0
    /// Connection attempts made so far.
    public private(set) var attemptCount = 0
    /// When the next attempt is due (the clock's monotonic microseconds); 0 at start: at once.
    public var nextAttemptMicros: Int64 { failover.dueMicros }
    /// The broker connected to, or the next attempt goes to.
    public var currentURL: MQTTURL { configuration.urls[failover.index] }
    /// Its position in `configuration.urls`.
    public var brokerIndex: Int { failover.index }
    /// Moves to another broker of the list so far.
    public var failoverCount: Int { failover.failovers }
    /// The last CONNACK's session-present flag: the broker still held this client's session.
    public private(set) var sessionPresent = false
    /// The run loop's clock: backoff deadlines are on it.
    public let clock: any RunClock

    /// Called with the mid of each acknowledged QoS 1 publish.
    public var onPublished: ((Int32) -> Void)?
    /// Called after each accepted CONNACK (the status `online` is already queued).
    public var onConnected: (() -> Void)?
    /// Called when an established or pending connection is lost, with the reason.
    public var onDisconnected: ((MQTTError) -> Void)?
    /// Called with the topic and payload of each message received on a subscription.
    public var onMessage: ((String, UnsafeRawBufferPointer) -> Void)?

    private var mosq: OpaquePointer?
    private var hasSocket = false
    /// When the current attempt started (monotonic), for the connect timeout.
    private var attemptStartedMicros: Int64 = 0
    private var failover: BrokerFailover
    /// The last error-level line libmosquitto logged (OpenSSL's reason for a failed handshake).
    private var lastLogLine: String?

    public init(_ configuration: Configuration, clock: any RunClock = SystemRunClock()) throws(MQTTError) {
        self.configuration = configuration
        self.clock = clock
        failover = BrokerFailover(brokerCount: configuration.urls.count, backoff: configuration.backoff)
        guard !configuration.urls.isEmpty else {
            throw MQTTError(url: "mqtt-url", message: "no broker given; expected mqtt://host:port[,mqtt://host:port...]")
        }
        MQTTClient.initialiseLibrary()
        let url = MQTTURL.listDescription(configuration.urls)
        guard let m = mosquitto_new(configuration.clientID, configuration.cleanSession, nil) else {
            throw MQTTError(url: url, message: "mosquitto_new failed (out of memory?)")
        }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_with_flags_callback_set(m, mqttOnConnect)
        mosquitto_message_callback_set(m, mqttOnMessage)
        mosquitto_disconnect_callback_set(m, mqttOnDisconnect)
        mosquitto_publish_callback_set(m, mqttOnPublish)
        mosquitto_log_callback_set(m, mqttOnLog)

        func check(_ rc: Int32, _ what: String) throws(MQTTError) {
            guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                throw MQTTError(url: url, message: "\(what): \(MQTTClient.describe(rc))")
            }
        }
        if let user = configuration.username {
            try check(mosquitto_username_pw_set(m, user, configuration.password), "username/password")
        }
        if let topic = configuration.statusTopic {
            let offline = "offline"
            try check(mosquitto_will_set(m, topic, Int32(offline.utf8.count), offline, 1, true), "last will")
        }
        if configuration.url.tls {
            if (configuration.certFile == nil) != (configuration.keyFile == nil) {
                throw MQTTError(url: url, message: "a client certificate needs both --mqtt-cert and --mqtt-key")
            }
            let rc: Int32
            if configuration.caFile == nil {
                // No CA file: trust the operating system's CA store.
                _ = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1)
                rc = mosquitto_tls_set(m, nil, "/etc/ssl/certs", configuration.certFile, configuration.keyFile, nil)
            } else {
                rc = mosquitto_tls_set(m, configuration.caFile, nil, configuration.certFile, configuration.keyFile, nil)
            }
            try check(rc, "TLS setup (check that --mqtt-ca, --mqtt-cert and --mqtt-key are readable PEM files)")
        }
    }

    deinit {
        if let mosq {
            mosquitto_destroy(mosq)
        }
    }

    // MARK: Driving

    /// The socket to poll when the agent runs one poll over all its descriptors, or nil when there is
    /// none (then call `service(timeoutMs: 0)` at least every `millisecondsUntilNextAttempt`).
    public var socketDescriptor: Int32? {
        guard hasSocket, let mosq else { return nil }
        let fd = mosquitto_socket(mosq)
        return fd >= 0 ? fd : nil
    }

    /// Whether the socket has queued output (poll for POLLOUT too).
    public var wantsWrite: Bool {
        guard let mosq else { return false }
        return mosquitto_want_write(mosq)
    }

    /// One step: connects when due, polls the socket for at most `timeoutMs` (sleeps that long when
    /// there is no socket), reads, writes and runs keep-alive. Callbacks run inside this call.
    public func service(timeoutMs: Int32) {
        if !hasSocket {
            if clock.monotonicMicros >= nextAttemptMicros {
                attemptConnect()
            }
            if !hasSocket {
                let until = min(clock.monotonicMicros + Int64(timeoutMs) * 1000, nextAttemptMicros)
                _ = try? clock.wait(readable: [], untilMonotonicMicros: until)
                return
            }
        }
        guard let fd = socketDescriptor else { return }
        let ready = (try? Poll.ready(FileDescriptor(rawValue: fd), writable: wantsWrite, timeoutMillis: Int(timeoutMs)))
            ?? (readable: false, writable: false)
        handle(readable: ready.readable, writable: ready.writable)
    }

    /// The same step for a caller that polled `socketDescriptor` itself.
    public func handle(readable: Bool, writable: Bool) {
        guard let mosq, hasSocket else { return }
        if state == .connecting && clock.monotonicMicros - attemptStartedMicros >= configuration.connectTimeoutSeconds * 1_000_000 {
            mosquitto_disconnect(mosq)
            hasSocket = false
            state = .disconnected
            let error = MQTTError(url: currentURL.description, message: "no CONNACK within \(configuration.connectTimeoutSeconds) s (the broker's address accepts no connection, or the broker does not answer)")
            lastError = error
            failover.failed(atMicros: clock.monotonicMicros)
            onDisconnected?(error)
            return
        }
        if readable {
            let rc = mosquitto_loop_read(mosq, 1)
            if rc != MOSQ_ERR_SUCCESS.rawValue { return lost(rc) }
        }
        if hasSocket && (writable || state == .connecting || mosquitto_want_write(mosq)) {
            let rc = mosquitto_loop_write(mosq, 1)
            if rc != MOSQ_ERR_SUCCESS.rawValue { return lost(rc) }
        }
        if hasSocket {
            let rc = mosquitto_loop_misc(mosq)
            if rc != MOSQ_ERR_SUCCESS.rawValue { return lost(rc) }
        }
    }

    /// When the loop must call again: to attempt a connection, or to give up on one that has had no
    /// CONNACK (nil while connected).
    public var attemptDueMicros: Int64? {
        if !hasSocket { return nextAttemptMicros }
        if state == .connecting { return attemptStartedMicros + configuration.connectTimeoutSeconds * 1_000_000 }
        return nil
    }

    // MARK: Publishing

    /// Queues a publish; returns its message id (matched by `onPublished` for QoS 1).
    @discardableResult
    public func publish(topic: String, payload: String, qos: Int32 = 1, retain: Bool = false) throws(MQTTError) -> Int32 {
        guard let mosq, state == .connected else {
            throw MQTTError(url: currentURL.description, message: "not connected")
        }
        var mid: Int32 = 0
        var text = payload
        let rc = text.withUTF8 { bytes in
            mosquitto_publish(mosq, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            if rc == MOSQ_ERR_NO_CONN.rawValue || rc == MOSQ_ERR_CONN_LOST.rawValue { lost(rc) }
            throw MQTTError(url: currentURL.description, message: "publish to \(topic): \(MQTTClient.describe(rc))")
        }
        // Push the bytes now rather than at the next poll.
        if hasSocket && mosquitto_want_write(mosq) {
            let wrc = mosquitto_loop_write(mosq, 1)
            if wrc != MOSQ_ERR_SUCCESS.rawValue { lost(wrc) }
        }
        return mid
    }

    /// Subscribes to `topic` (wildcards allowed) on the current connection; messages arrive through
    /// `onMessage`. With a persistent session the broker keeps the subscription across reconnects to
    /// it; subscribe again in `onConnected` after a failover (another broker has no session).
    public func subscribe(topic: String, qos: Int32 = 1) throws(MQTTError) {
        guard let mosq, state == .connected else {
            throw MQTTError(url: currentURL.description, message: "not connected")
        }
        let rc = mosquitto_subscribe(mosq, nil, topic, qos)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(url: currentURL.description, message: "subscribe to \(topic): \(MQTTClient.describe(rc))")
        }
    }

    /// Publishes the retained `offline` status (when connected) and disconnects cleanly (no Will).
    public func shutdown(timeoutMs: Int32 = 1000) {
        guard let mosq else { return }
        if state == .connected, let topic = configuration.statusTopic {
            _ = try? publish(topic: topic, payload: "offline", qos: 1, retain: true)
            let deadline = clock.monotonicMicros + Int64(timeoutMs) * 1000
            while hasSocket && mosquitto_want_write(mosq) && clock.monotonicMicros < deadline {
                service(timeoutMs: 20)
            }
        }
        if hasSocket {
            mosquitto_disconnect(mosq)
            _ = mosquitto_loop_write(mosq, 1)
        }
        hasSocket = false
        state = .disconnected
    }

    // MARK: Connection handling

    private func attemptConnect() {
        guard let mosq else { return }
        lastLogLine = nil
        attemptCount += 1
        let url = currentURL
        // Each attempt names its broker (failover changes it). Non-blocking: MOSQ_ERR_CONN_PENDING (the
        // TCP handshake goes on) or success both leave a socket. A persistent session keeps
        // libmosquitto's unacknowledged QoS 1 publishes; they are resent after the CONNACK.
        let rc = mosquitto_connect_async(mosq, url.host, url.port, configuration.keepAliveSeconds)
        if rc == MOSQ_ERR_SUCCESS.rawValue || rc == MOSQ_ERR_CONN_PENDING.rawValue {
            hasSocket = true
            state = .connecting
            attemptStartedMicros = clock.monotonicMicros
        } else {
            fail(rc)
        }
    }

    /// A loop or publish call failed with `rc`: schedule the next attempt with backoff, unless the loss
    /// was already handled (libmosquitto calls on_disconnect inside the failing call, see `disconnected`).
    private func lost(_ rc: Int32) {
        guard let mosq, hasSocket else { return }
        // Close our side so the next attempt starts from a fresh socket.
        mosquitto_disconnect(mosq)
        fail(rc)
    }

    private func fail(_ rc: Int32) {
        hasSocket = false
        state = .disconnected
        let error = MQTTError(url: currentURL.description, message: reason(rc))
        lastError = error
        failover.failed(atMicros: clock.monotonicMicros)
        onDisconnected?(error)
    }

    /// Whether `text` contains `part` (Embedded Swift has no `String.contains(String)`).
    static func mentions(_ text: String, _ part: String) -> Bool {
        let t = Array(text.utf8), p = Array(part.utf8)
        guard !p.isEmpty, t.count >= p.count else { return p.isEmpty }
        for start in 0...(t.count - p.count) where t[start..<(start + p.count)].elementsEqual(p) { return true }
        return false
    }

    /// A one-line reason for `rc`, using OpenSSL's text for TLS failures.
    private func reason(_ rc: Int32) -> String {
        let tlsHint = "; check --mqtt-ca (the CA that signed the broker's certificate), --mqtt-cert and --mqtt-key"
        if rc == MOSQ_ERR_TLS.rawValue || (currentURL.tls && lastLogLine != nil) {
            let detail = lastLogLine.map(MQTTClient.openSSLReason) ?? MQTTClient.describe(rc)
            if MQTTClient.mentions(detail, "certificate verify failed") {
                return "TLS handshake failed: \(detail): the broker's certificate is not signed by the CA in --mqtt-ca (mqtt-ca= in lantern.conf): a CA mismatch; install the CA that signed the broker's certificate"
            }
            if MQTTClient.mentions(detail, "unknown ca") || MQTTClient.mentions(detail, "bad certificate") || MQTTClient.mentions(detail, "certificate required") {
                return "TLS handshake failed: \(detail): the broker refused the client certificate; check --mqtt-cert is signed by the CA the broker trusts (lanternd provision --install-cert checks it matches the key)"
            }
            return "TLS handshake failed: \(detail)\(tlsHint)"
        }
        if rc == MOSQ_ERR_ERRNO.rawValue {
            let e = Errno.current.rawValue
            if let text = strerror(e) { return "cannot connect: \(String(cString: text))" }
        }
        return MQTTClient.describe(rc)
    }

    fileprivate func connected(_ rc: Int32, flags: Int32) {
        guard rc == 0 else {
            let text = mosquitto_connack_string(rc).map { String(cString: $0) } ?? "refused (\(rc))"
            lastError = MQTTError(url: currentURL.description, message: "broker refused the connection: \(text)")
            // A refusal (bad credentials, not authorised) is not fixed by hammering: back off.
            if let mosq { mosquitto_disconnect(mosq) }
            hasSocket = false
            state = .disconnected
            failover.failed(atMicros: clock.monotonicMicros)
            if let lastError { onDisconnected?(lastError) }
            return
        }
        state = .connected
        sessionPresent = flags & 1 != 0
        lastError = nil
        connectCount += 1
        failover.connected()
        if let topic = configuration.statusTopic {
            _ = try? publish(topic: topic, payload: "online", qos: 1, retain: true)
        }
        onConnected?()
    }

    fileprivate func disconnected(_ rc: Int32) {
        // Called by libmosquitto from inside a failing loop_read/write/misc (rc: why), and after our own
        // mosquitto_disconnect (rc 0). The loss is handled here, once: `hasSocket` is then false, so the
        // caller's `lost` for the same failure does nothing.
        if rc != 0 && hasSocket {
            fail(rc)
        }
    }

    fileprivate func received(topic: String, payload: UnsafeRawBufferPointer) {
        onMessage?(topic, payload)
    }

    fileprivate func published(_ mid: Int32) {
        onPublished?(mid)
    }

    fileprivate func logged(_ level: Int32, _ line: String) {
        if level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0 { lastLogLine = line }
    }

    // MARK: Library

    /// `mosquitto_lib_init` is reference-counted in libmosquitto 2: calling it per client is safe.
    private static func initialiseLibrary() {
        mosquitto_lib_init()
    }

    static func describe(_ rc: Int32) -> String {
        mosquitto_strerror(rc).map { String(cString: $0) } ?? "error \(rc)"
    }

    /// "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" → "certificate verify failed".
    static func openSSLReason(_ line: String) -> String {
        let bytes = Array(line.utf8)
        var i = bytes.count - 1
        while i > 0 {
            if bytes[i] == UInt8(ascii: ":") && bytes[i - 1] == UInt8(ascii: ":") {
                return String(decoding: bytes[(i + 1)...], as: UTF8.self)
            }
            i -= 1
        }
        return line
    }
}

// libmosquitto's callbacks: plain C functions that find their client through the `obj` user pointer.

private func client(_ obj: UnsafeMutableRawPointer?) -> MQTTClient? {
    guard let obj else { return nil }
    return Unmanaged<MQTTClient>.fromOpaque(obj).takeUnretainedValue()
}

private let mqttOnConnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32) -> Void = { _, obj, rc, flags in
    client(obj)?.connected(rc, flags: flags)
}

private let mqttOnMessage: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<mosquitto_message>?) -> Void = {
    _, obj, message in
    guard let message, let topic = message.pointee.topic else { return }
    let payload = UnsafeRawBufferPointer(start: message.pointee.payload, count: Int(message.pointee.payloadlen))
    client(obj)?.received(topic: String(cString: topic), payload: payload)
}

private let mqttOnDisconnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, obj, rc in
    client(obj)?.disconnected(rc)
}

private let mqttOnPublish: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, obj, mid in
    client(obj)?.published(mid)
}

private let mqttOnLog: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Void = {
    _, obj, level, text in
    guard let text else { return }
    client(obj)?.logged(level, String(cString: text))
}
