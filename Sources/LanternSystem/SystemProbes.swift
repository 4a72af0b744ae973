import CLantern

/// Read-only probes of the system for `lanternd check`: clock synchronisation, free space, reachability.
public enum SystemProbes {
    /// Whether the kernel clock is NTP-synchronised, and its error bound in microseconds.
    /// The corresponding C function is `ntp_adjtime` (modes 0: reads only).
    public static func clockSynchronised() -> Result<(synchronised: Bool, maxErrorMicros: Int64), Errno> {
        var maxError: Int64 = 0
        let state = lantern_clock_synchronised(&maxError)
        if state < 0 { return .failure(Errno.current) }
        return .success((state == 1, maxError))
    }

    /// Bytes available to an unprivileged user on the filesystem holding `path`.
    /// The corresponding C function is `statvfs`.
    public static func freeBytes(_ path: String) -> Result<Int64, Errno> {
        let n = path.withCString { lantern_free_bytes($0) }
        return n < 0 ? .failure(Errno.current) : .success(n)
    }

    /// Connects over TCP to `host:port` within `timeoutMillis`: nil when it connected, else what failed.
    public static func tcpConnect(host: String, port: Int, timeoutMillis: Int) -> String? {
        let code = host.withCString { h in "\(port)".withCString { p in lantern_tcp_probe(h, p, Int32(timeoutMillis)) } }
        if code == 0 { return nil }
        if code < 0 { return "cannot resolve \(host): " + String(cString: lantern_resolver_error(code)) }
        return "\(Errno(rawValue: code))"
    }
}
