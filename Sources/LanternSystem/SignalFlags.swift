import CLantern

/// SIGTERM/SIGINT (stop) and SIGHUP (reload) as flags the single-threaded loop checks after every
/// poll or sleep; the handlers only set a `sig_atomic_t`, and interrupt blocking calls (no SA_RESTART).
public enum SignalFlags {
    /// The corresponding C function is `sigaction`.
    public static func install() throws(Errno) {
        if lantern_install_signal_flags() != 0 { throw Errno.current }
    }

    /// True once if a stop was asked for since the last call.
    public static func takeStop() -> Bool {
        lantern_take_stop_signal() != 0
    }

    /// True once if a reload was asked for since the last call.
    public static func takeReload() -> Bool {
        lantern_take_reload_signal() != 0
    }
}
