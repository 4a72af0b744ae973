import LanternCore

/// What the output lines should show, decided from the agent's state (no I/O):
/// - the privacy LED is lit exactly while the camera streams;
/// - the status LED toggles once a second (a heartbeat: the loop is alive);
/// - the relay is on while people are present at night and for `holdSeconds` after, only if the
///   site's `relay.followPresenceAtNight` says so (off by default).
public struct OutputRules: Equatable {
    public var streaming = false
    public var dark = false
    public var relayRule = SiteConfig.RelayRule()
    public private(set) var heartbeat = false
    var lastHeartbeatSecond: Int64?
    var lastPresenceMicros: Int64?
    var nowMicros: Int64 = 0

    public init() {}

    public var privacyLED: Bool { streaming }
    public var statusLED: Bool { heartbeat }

    public var relay: Bool {
        guard relayRule.followPresenceAtNight, dark, let seen = lastPresenceMicros else { return false }
        return nowMicros - seen <= Int64(relayRule.holdSeconds) * 1_000_000
    }

    public mutating func presence(_ present: Bool, atMicros t: Int64) {
        nowMicros = max(nowMicros, t)
        if present { lastPresenceMicros = t }
    }

    public mutating func tick(atMicros t: Int64) {
        nowMicros = max(nowMicros, t)
        let second = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
        if lastHeartbeatSecond != second {
            if lastHeartbeatSecond != nil { heartbeat.toggle() }
            lastHeartbeatSecond = second
        }
    }
}
