import CLantern
import LanternCore
import LanternSystem

/// An MQTT 3.1.1 client over libmosquitto's non-threaded API, driven from the caller's poll loop:
/// `service(timeoutMs:)` polls the socket and runs `mosquitto_loop_read/write/misc`; nothing here
/// starts a thread (`mosquitto_loop_start` is never used: qemu-user and the board's single loop).
///
/// It connects, reconnects with jittered exponential backoff (`Backoff`: seeded per device, reset by a
/// successful CONNACK, so a fleet that loses its broker does not return in the same second), keeps a
/// retained status topic (`online` after each connect, `offline` as the Last Will) and reports
/// acknowledged QoS 1 publishes (PUBACK) by message id through `onPublished`.
///
/// The connect never blocks the loop: `mosquitto_connect_async` starts a non-blocking TCP connect
/// (the CONNECT packet follows once the socket is writable), and a connection that has not brought a
/// CONNACK within `connectTimeoutSeconds` (a black-holed address, a listener whose accept queue is
/// full, a broker that never answers) is dropped with one line naming the timeout and retried with
/// backoff. The one blocking step left is a DNS lookup of a host name: give a numeric address.
public final class MQTTClient {
    public struct Configuration {
        public var url: MQTTURL
        public var clientID: String
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
            self.url = url
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
    public private(set) var nextAttemptMicros: Int64 = 0
    /// The run loop's clock: backoff deadlines are on it.
    public let clock: any RunClock

    /// Called with the mid of each acknowledged QoS 1 publish.
    public var onPublished: ((Int32) -> Void)?
    /// Called after each accepted CONNACK (the status `online` is already queued).
    public var onConnected: (() -> Void)?
    /// Called when an established or pending connection is lost, with the reason.
    public var onDisconnected: ((MQTTError) -> Void)?

    private var mosq: OpaquePointer?
    private var hasSocket = false
    /// When the current attempt started (monotonic), for the connect timeout.
    private var attemptStartedMicros: Int64 = 0
    private var backoff: Backoff
    /// The last error-level line libmosquitto logged (OpenSSL's reason for a failed handshake).
    private var lastLogLine: String?

    public init(_ configuration: Configuration, clock: any RunClock = SystemRunClock()) throws(MQTTError) {
        self.configuration = configuration
        self.clock = clock
        backoff = configuration.backoff
        MQTTClient.initialiseLibrary()
        let url = configuration.url.description
        // clean_session: true. Delivery across reconnects is the journal's job, not the broker's.
        guard let m = mosquitto_new(configuration.clientID, true, nil) else {
            throw MQTTError(url: url, message: "mosquitto_new failed (out of memory?)")
        }
        mosq = m
        mosquitto_user_data_set(m, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(m, mqttOnConnect)
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
            let error = MQTTError(url: configuration.url.description, message: "no CONNACK within \(configuration.connectTimeoutSeconds) s (the broker's address accepts no connection, or the broker does not answer)")
            lastError = error
            nextAttemptMicros = clock.monotonicMicros + backoff.nextDelayMicros()
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
            throw MQTTError(url: configuration.url.description, message: "not connected")
        }
        var mid: Int32 = 0
        var text = payload
        let rc = text.withUTF8 { bytes in
            mosquitto_publish(mosq, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            if rc == MOSQ_ERR_NO_CONN.rawValue || rc == MOSQ_ERR_CONN_LOST.rawValue { lost(rc) }
            throw MQTTError(url: configuration.url.description, message: "publish to \(topic): \(MQTTClient.describe(rc))")
        }
        // Push the bytes now rather than at the next poll.
        if hasSocket && mosquitto_want_write(mosq) {
            let wrc = mosquitto_loop_write(mosq, 1)
            if wrc != MOSQ_ERR_SUCCESS.rawValue { lost(wrc) }
        }
        return mid
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
        let url = configuration.url
        // The first call stores host and port (even when it fails); later attempts reuse them.
        // Non-blocking: MOSQ_ERR_CONN_PENDING (the TCP handshake goes on) or success both leave a socket.
        let rc = everAttempted
            ? mosquitto_reconnect_async(mosq)
            : mosquitto_connect_async(mosq, url.host, url.port, configuration.keepAliveSeconds)
        everAttempted = true
        if rc == MOSQ_ERR_SUCCESS.rawValue || rc == MOSQ_ERR_CONN_PENDING.rawValue {
            hasSocket = true
            state = .connecting
            attemptStartedMicros = clock.monotonicMicros
        } else {
            fail(rc)
        }
    }
    private var everAttempted = false

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
        let error = MQTTError(url: configuration.url.description, message: reason(rc))
        lastError = error
        nextAttemptMicros = clock.monotonicMicros + backoff.nextDelayMicros()
        onDisconnected?(error)
    }

    /// A one-line reason for `rc`, using OpenSSL's text for TLS failures.
    private func reason(_ rc: Int32) -> String {
        let tlsHint = "; check --mqtt-ca (the CA that signed the broker's certificate), --mqtt-cert and --mqtt-key"
        if rc == MOSQ_ERR_TLS.rawValue || (configuration.url.tls && lastLogLine != nil) {
            let detail = lastLogLine.map(MQTTClient.openSSLReason) ?? MQTTClient.describe(rc)
            return "TLS handshake failed: \(detail)\(tlsHint)"
        }
        if rc == MOSQ_ERR_ERRNO.rawValue {
            let e = Errno.current.rawValue
            if let text = strerror(e) { return "cannot connect: \(String(cString: text))" }
        }
        return MQTTClient.describe(rc)
    }

    fileprivate func connected(_ rc: Int32) {
        guard rc == 0 else {
            let text = mosquitto_connack_string(rc).map { String(cString: $0) } ?? "refused (\(rc))"
            lastError = MQTTError(url: configuration.url.description, message: "broker refused the connection: \(text)")
            // A refusal (bad credentials, not authorised) is not fixed by hammering: back off.
            if let mosq { mosquitto_disconnect(mosq) }
            hasSocket = false
            state = .disconnected
            nextAttemptMicros = clock.monotonicMicros + backoff.nextDelayMicros()
            if let lastError { onDisconnected?(lastError) }
            return
        }
        state = .connected
        lastError = nil
        connectCount += 1
        backoff.reset()
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

private let mqttOnConnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Void = { _, obj, rc in
    client(obj)?.connected(rc)
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
