/// Lantern's MQTT topic layout. `<device>` is the device id (`--device-id`): one topic level, so it must
/// not be empty or contain `/`, `+`, `#` or NUL (`Topics.validate`).
///
/// | topic | QoS | retained | payload |
/// | --- | --- | --- | --- |
/// | `lantern/<device>/intervals` | 1 | no | one Lantern JSON interval record (`Schemas/lantern-interval.schema.json`), journaled: sent at least once, a duplicate has the same `seq` and identical bytes |
/// | `lantern/<device>/status` | 1 | yes | `online` after each connect; `offline` as the Last Will (broker sends it when the link dies) and on a clean shutdown |
/// | `lantern/<device>/privacy` | 1 | yes | the privacy manifest (`lanternd manifest`: what it measures, what it never does, k, journal retention, build), republished after each connect |
/// | `lantern/<device>/health` | 0 | no | JSON every health interval: `uptime_s`, `camera`, `gpio`, `journal_depth`, `dropped`, `cpu_temp_c` (null without a thermal zone) |
///
/// A city subscribes to `lantern/+/intervals` (QoS 1, persistent session to ride out its own restarts)
/// and `lantern/+/status`; an auditor reads `lantern/+/privacy`.
public struct Topics: Equatable {
    public let device: String

    public init(device: String) {
        self.device = device
    }

    public var intervals: String { "lantern/\(device)/intervals" }
    public var status: String { "lantern/\(device)/status" }
    public var health: String { "lantern/\(device)/health" }
    public var privacy: String { "lantern/\(device)/privacy" }

    /// nil when `device` is usable as a topic level, else what is wrong, as a one-line message.
    public static func validate(device: String) -> String? {
        if device.isEmpty { return "--device-id: the device id is empty" }
        for byte in device.utf8 where byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "#") || byte == 0
        {
            return "--device-id: \(device) contains '/', '+', '#' or NUL, which MQTT topics reserve"
        }
        return nil
    }
}
