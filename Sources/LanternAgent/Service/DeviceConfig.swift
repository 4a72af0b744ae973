/// `lantern.conf`: the device's identity and broker, written by `lanternd provision` (or dropped on the
/// boot partition) and read by `lanternd run --config-dir DIR`. One `key=value` a line; `#` comments
/// and blank lines are skipped; keys: `device-id`, `mqtt-url`. Anything else is an error naming the
/// line, so a typo is not silently ignored.
public struct DeviceConfig: Equatable {
    public var deviceID: String?
    public var mqttURL: String?

    public init(deviceID: String? = nil, mqttURL: String? = nil) {
        self.deviceID = deviceID
        self.mqttURL = mqttURL
    }

    public struct ParseError: Error, Equatable {
        public var message: String
    }

    public static func parse(_ bytes: [UInt8], source: String) throws(ParseError) -> DeviceConfig {
        var config = DeviceConfig()
        var number = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var line = Array(raw)
            while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line.removeLast() }
            while let first = line.first, first == 0x20 || first == 0x09 { line.removeFirst() }
            if line.isEmpty || line[0] == UInt8(ascii: "#") { continue }
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                throw ParseError(message: "\(source):\(number): expected key=value (device-id=..., mqtt-url=...)")
            }
            let key = String(decoding: line[..<equals], as: UTF8.self)
            let value = String(decoding: line[(equals + 1)...], as: UTF8.self)
            switch key {
            case "device-id": config.deviceID = value
            case "mqtt-url": config.mqttURL = value
            default:
                throw ParseError(message: "\(source):\(number): unknown key '\(key)' (known: device-id, mqtt-url)")
            }
            if value.isEmpty { throw ParseError(message: "\(source):\(number): \(key) is empty") }
        }
        return config
    }

    /// The file's text, as `lanternd provision` writes it.
    public var text: String {
        var text = "# Lantern device configuration (lanternd provision); read by lanternd run --config-dir.\n"
        if let deviceID { text += "device-id=\(deviceID)\n" }
        if let mqttURL { text += "mqtt-url=\(mqttURL)\n" }
        return text
    }
}
