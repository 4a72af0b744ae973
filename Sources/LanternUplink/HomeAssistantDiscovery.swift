import LanternCore

/// Home Assistant MQTT discovery (`--ha-discovery`): one retained config message per sensor on
/// `homeassistant/sensor/<node>/<object>/config`, published after every connect, so Home Assistant
/// creates the device's sensors by itself and reads the bare values `ValueTopics` publishes.
///
/// Per zone and for the whole view: `mean` and `peak` (people), `occupancy` (% of the interval, from the
/// published fraction), `person-seconds` (s); per counting line: `in` and `out` (people per interval);
/// and the camera's state from the health message (diagnostic). Each payload carries `name`,
/// `unique_id`, `state_topic`, `availability_topic` with `payload_available`/`payload_not_available`
/// (the status topic: `online`, and the Last Will `offline`), `unit_of_measurement` and `state_class`
/// (`measurement`) for the numbers, and `device` (identifiers, name, manufacturer, model, software
/// version), which ties all sensors to one Home Assistant device.
///
/// `<node>` is `lantern_<device>` and `<object>` names the zone or line and the quantity, both reduced
/// to Home Assistant's `[a-zA-Z0-9_-]` (`objectID`). Sensors of a zone removed from the site file keep
/// their retained config until the broker's retained message is cleared.
public struct HomeAssistantDiscovery {
    public static let prefix = "homeassistant"

    public var topics: Topics
    public var site: SiteConfig
    public var softwareVersion: String

    public init(topics: Topics, site: SiteConfig, softwareVersion: String) {
        self.topics = topics
        self.site = site
        self.softwareVersion = softwareVersion
    }

    /// `lantern_<device>`, reduced to `[a-zA-Z0-9_-]`.
    public var node: String { HomeAssistantDiscovery.objectID("lantern_" + topics.device) }

    /// Every config message, as (topic, payload), in a fixed order.
    public func messages() -> [(topic: String, payload: String)] {
        var out: [(topic: String, payload: String)] = []
        for zone in [nil] + site.zones.map({ Optional($0.name) }) {
            let label = zone ?? "whole view"
            let part = zone.map { "zone_" + HomeAssistantDiscovery.objectID($0) } ?? "view"
            out.append(sensor(part + "_mean", "\(label) people (mean)", topics.zoneValue(zone, "mean"), unit: "people"))
            out.append(sensor(part + "_peak", "\(label) people (peak)", topics.zoneValue(zone, "peak"), unit: "people"))
            out.append(sensor(part + "_occupancy", "\(label) occupied", topics.zoneValue(zone, "occupancy"), unit: "%",
                              template: "{{ (value | float * 100) | round(1) }}"))
            out.append(sensor(part + "_person_seconds", "\(label) person-seconds", topics.zoneValue(zone, "person-seconds"), unit: "s"))
        }
        for line in site.lines {
            let part = "line_" + HomeAssistantDiscovery.objectID(line.name)
            out.append(sensor(part + "_in", "line \(line.name) in", topics.lineValue(line.name, "in"), unit: "people"))
            out.append(sensor(part + "_out", "line \(line.name) out", topics.lineValue(line.name, "out"), unit: "people"))
        }
        out.append(sensor("camera", "camera", topics.health, unit: nil, template: "{{ value_json.camera }}", diagnostic: true))
        return out
    }

    func sensor(
        _ object: String, _ name: String, _ stateTopic: String, unit: String?, template: String? = nil, diagnostic: Bool = false
    ) -> (topic: String, payload: String) {
        var w = JSONWriter(reservingCapacity: 640)
        w.beginObject()
        w.field("name", name)
        w.field("unique_id", node + "_" + object)
        w.field("state_topic", stateTopic)
        if let template { w.field("value_template", template) }
        if let unit {
            w.field("unit_of_measurement", unit)
            w.field("state_class", "measurement")
        }
        if diagnostic { w.field("entity_category", "diagnostic") }
        w.field("availability_topic", topics.status)
        w.field("payload_available", "online")
        w.field("payload_not_available", "offline")
        w.key("device")
        w.object { d in
            d.key("identifiers")
            d.array { a in a.string(node) }
            d.field("name", "Lantern " + topics.device)
            d.field("manufacturer", "Lantern")
            d.field("model", "lanternd people counter")
            d.field("sw_version", softwareVersion)
            d.field("suggested_area", site.name)
        }
        w.endObject()
        return ("\(HomeAssistantDiscovery.prefix)/sensor/\(node)/\(object)/config", w.text)
    }

    /// `name` reduced to Home Assistant's id characters `[a-zA-Z0-9_-]`: other bytes become `_` and
    /// their hex code (`a b` → `a_20b`).
    public static func objectID(_ name: String) -> String {
        let hex: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.append("_")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
