import CLantern

/// The systemd notification socket (`NOTIFY_SOCKET`), written directly: a datagram socket connected
/// once at start-up, before the sandbox (seccomp allows send; a connected socket needs no address, so
/// Landlock's socket scoping on newer kernels does not apply). No libsystemd.
public final class NotifySocket {
    public let address: String
    private var descriptor: Int32

    /// Connects to `address` (a path, or `@name` for an abstract socket).
    public init(address: String) throws(Errno) {
        self.address = address
        let fd = address.withCString { lantern_notify_connect($0) }
        if fd < 0 { throw Errno.current }
        descriptor = fd
    }

    deinit {
        if descriptor >= 0 { _ = lantern_notify_close(descriptor) }
    }

    /// Sends one notification (`READY=1`, `WATCHDOG=1`, ...). A send refused because systemd was
    /// re-executed (a stale connection) reconnects once and tries again.
    public func send(_ message: String) throws(Errno) {
        if trySend(message) { return }
        let first = Errno.current
        guard first == Errno(rawValue: ECONNREFUSED) || first == Errno(rawValue: ENOTCONN) else { throw first }
        let fd = address.withCString { lantern_notify_connect($0) }
        if fd < 0 { throw Errno.current }
        _ = lantern_notify_close(descriptor)
        descriptor = fd
        if !trySend(message) { throw Errno.current }
    }

    private func trySend(_ message: String) -> Bool {
        var text = message
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                lantern_notify_send(descriptor, chars.baseAddress, chars.count) == 0
            }
        }
    }

    /// An environment variable (nil when unset).
    public static func environment(_ name: String) -> String? {
        Sandbox.environment(name)
    }

    /// This process's id (for `WATCHDOG_PID`).
    public static var processID: Int { Int(lantern_process_id()) }
}
