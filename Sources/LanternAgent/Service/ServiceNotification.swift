import LanternCore

/// systemd's service notification protocol (sd_notify(3)), the parts with no I/O: where to send, how
/// often to feed the watchdog, what to send. `lanternd` writes the datagrams itself
/// (LanternSystem/NotifySocket.swift, through LanternRuntime/ServiceNotifier.swift): no libsystemd on the board.
///
/// The unit (`Type=notify`, `WatchdogSec=30`) gives the daemon `NOTIFY_SOCKET` (a path, or an abstract
/// socket written `@name`) and `WATCHDOG_USEC`/`WATCHDOG_PID`. `READY=1` goes once the frame loop is
/// about to run; `WATCHDOG=1` comes from the frame loop, at most every half watchdog period, so a
/// pipeline that stops delivering frames stops feeding it and systemd restarts the service.
public enum ServiceNotification {
    /// The address in `NOTIFY_SOCKET` when it is one systemd would give: an absolute path, or `@` and
    /// an abstract name; nil when unset, empty or anything else (nothing is sent then).
    public static func socketAddress(_ value: String?) -> String? {
        guard let value, value.utf8.count >= 2, value.utf8.count < 108 else { return nil }
        let first = value.utf8.first!
        guard first == UInt8(ascii: "/") || first == UInt8(ascii: "@") else { return nil }
        return value
    }

    /// The watchdog timeout in microseconds, from `WATCHDOG_USEC` and `WATCHDOG_PID`; nil when there is
    /// no watchdog for this process (unset, not a positive number, or meant for another pid).
    public static func watchdogMicros(usec: String?, pid: String?, ownPID: Int) -> Int64? {
        guard let usec, let micros = DecimalText.integer(usec.utf8), micros > 0 else { return nil }
        if let pid {
            guard let target = DecimalText.integer(pid.utf8), target == Int64(ownPID) else { return nil }
        }
        return micros
    }

    /// `READY=1` with a one-line status (`systemctl status` shows it).
    public static func ready(status: String) -> String {
        "READY=1\nSTATUS=\(oneLine(status))"
    }

    public static let watchdog = "WATCHDOG=1"

    public static func stopping(status: String) -> String {
        "STOPPING=1\nSTATUS=\(oneLine(status))"
    }

    /// A status must not contain a newline (each line is one assignment).
    static func oneLine(_ text: String) -> String {
        var bytes: [UInt8] = []
        for byte in text.utf8 { bytes.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// When to feed the watchdog: at most once per half timeout (systemd recommends half), and at once
/// the first time.
public struct WatchdogPacer: Equatable {
    /// Half the watchdog timeout.
    public let periodMicros: Int64
    public private(set) var lastFedMicros: Int64?

    public init(watchdogMicros: Int64) {
        periodMicros = max(watchdogMicros / 2, 1)
    }

    /// True when a `WATCHDOG=1` is due at `now` (monotonic); the caller sends it.
    public mutating func due(atMicros now: Int64) -> Bool {
        if let last = lastFedMicros, now - last < periodMicros { return false }
        lastFedMicros = now
        return true
    }
}
