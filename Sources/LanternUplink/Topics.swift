/// Lantern's MQTT topic layout. `<device>` is the device id (`--device-id`): one topic level, so it must
/// not be empty or contain `/`, `+`, `#` or NUL (`Topics.validate`).
///
/// | topic | QoS | retained | payload |
/// | --- | --- | --- | --- |
/// | `lantern/<device>/intervals` | 1 | no | one Lantern JSON interval record (`Schemas/lantern-interval.schema.json`), journaled: sent at least once, a duplicate has the same `seq` and identical bytes |
/// | `lantern/<device>/status` | 1 | yes | `online` after each connect; `offline` as the Last Will (broker sends it when the link dies) and on a clean shutdown |
/// | `lantern/<device>/privacy` | 1 | yes | the privacy manifest (`lanternd manifest`: what it measures, what it never does, k, journal retention, build), republished after each connect |
/// | `lantern/<device>/health` | 1 | yes | JSON every health interval and when the camera or an input changes: `uptime_s`, `camera`, `gpio`, `dropped_frames`, `journal_depth`, `dropped`, `journal`, `journal_held`, `journal_lost`, `cpu_temp_c` (null without a thermal zone), `last_error` |
/// | `lantern/<device>/zone/<zone>/<quantity>`, `lantern/<device>/view/<quantity>`, `lantern/<device>/line/<line>/<in or out>` | 0 | no | one bare number per interval (`ValueTopics`) |
/// | `homeassistant/sensor/<node>/<object>/config` | 1 | yes | Home Assistant discovery, with `--ha-discovery` (`HomeAssistantDiscovery`) |
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

    /// `lantern/<device>/zone/<zone>/<quantity>`, or `lantern/<device>/view/<quantity>` for nil.
    public func zoneValue(_ zone: String?, _ quantity: String) -> String {
        if let zone { return "lantern/\(device)/zone/\(Topics.level(zone))/\(quantity)" }
        return "lantern/\(device)/view/\(quantity)"
    }

    /// `lantern/<device>/line/<line>/<direction>`.
    public func lineValue(_ line: String, _ direction: String) -> String {
        "lantern/\(device)/line/\(Topics.level(line))/\(direction)"
    }

    /// A name as one topic level: `/`, `+`, `#` (which MQTT reserves), `%` and control characters
    /// percent-encoded; everything else as it is.
    public static func level(_ name: String) -> String {
        let hex: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        var out = ""
        for scalar in name.unicodeScalars {
            let v = scalar.value
            if v == 0x2F || v == 0x2B || v == 0x23 || v == 0x25 || v < 0x20 || v == 0x7F {
                out.append("%")
                out.append(hex[Int(v >> 4)])
                out.append(hex[Int(v & 0xF)])
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

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
