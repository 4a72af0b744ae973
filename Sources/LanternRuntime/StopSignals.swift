import LanternSystem

/// Requests from outside the loop: stop (SIGTERM, SIGINT) and reload the site (SIGHUP). Each is taken
/// once: reading it clears it.
public protocol StopSignals: AnyObject {
    func takeStop() -> Bool
    func takeReload() -> Bool
}

/// The process's signals (`SignalFlags`: handlers installed once, flags read by the loop).
public final class ProcessSignals: StopSignals {
    public init() {
        _ = try? SignalFlags.install()
    }

    public func takeStop() -> Bool { SignalFlags.takeStop() }
    public func takeReload() -> Bool { SignalFlags.takeReload() }
}

/// Signals a test or the simulator raises by hand.
public final class ScriptedSignals: StopSignals {
    public var stop = false
    public var reload = false

    public init() {}

    public func takeStop() -> Bool {
        defer { stop = false }
        return stop
    }

    public func takeReload() -> Bool {
        defer { reload = false }
        return reload
    }
}
