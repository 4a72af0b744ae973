/// `lantern.conf`: the device's identity and every uplink setting the command line has, written by
/// `lanternd provision` (or dropped on the boot partition) and read by `lanternd run --config-dir DIR`
/// and `lanternd check --config-dir DIR`, so the unit passes only `--config-dir`. One `key=value` a
/// line; `#` comments and blank lines are skipped. Keys are the command-line options without `--`
/// (`DeviceConfig.keys`). Anything else is an error naming the line, so a typo is not silently
/// ignored. A relative file path is relative to the file's directory (`mqtt-cert=device.crt`).
public struct DeviceConfig: Equatable {
    /// The values by key (one of `keys`); the key list below is the one place a new setting is added.
    private var values: [String: String] = [:]

    public init(deviceID: String? = nil, mqttURL: String? = nil) {
        self["device-id"] = deviceID
        self["mqtt-url"] = mqttURL
    }

    /// Every key, in the order `text` writes them; those naming a file are resolved against the
    /// configuration directory.
    public static let keys = [
        "device-id", "mqtt-url", "mqtt-ca", "mqtt-cert", "mqtt-key", "mqtt-user", "mqtt-password-file",
        "ngsi-url", "ngsi-tenant", "ngsi-token-file", "ngsi-context", "ha-discovery",
        "sta-url", "sta-location", "sta-mqtt",
    ]
    public static let fileKeys = ["mqtt-ca", "mqtt-cert", "mqtt-key", "mqtt-password-file", "ngsi-token-file"]
    /// Keys whose value is `true` or `false` (checked when the file is read).
    public static let switchKeys = ["ha-discovery", "sta-mqtt"]

    /// The value of `key` (one of `keys`; any other key reads nil and is not stored).
    public subscript(key: String) -> String? {
        get { values[key] }
        set {
            guard Self.keys.contains(key) else { return }
            values[key] = newValue
        }
    }

    /// The device's name (`device-id`).
    public var deviceID: String? { self["device-id"] }

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
            guard keys.contains(key) else {
                throw ParseError(message: "\(source):\(number): unknown key '\(key)' (known: \(keys.joined(separator: ", ")))")
            }
            if value.isEmpty { throw ParseError(message: "\(source):\(number): \(key) is empty") }
            if switchKeys.contains(key) && value != "true" && value != "false" {
                throw ParseError(message: "\(source):\(number): \(key) must be true or false (got \(value))")
            }
            config[key] = value
        }
        return config
    }

    /// File paths made absolute against `directory` (where lantern.conf is).
    public func resolvingPaths(against directory: String) -> DeviceConfig {
        var resolved = self
        for key in Self.fileKeys {
            if let path = self[key], !path.hasPrefix("/") { resolved[key] = directory + "/" + path }
        }
        return resolved
    }

    /// The file's text, as `lanternd provision` writes it.
    public var text: String {
        var text = "# Lantern device configuration (lanternd provision); read by lanternd run and check --config-dir.\n"
        text += "# Keys are lanternd run's options without --; a relative path is relative to this directory.\n"
        for key in Self.keys {
            if let value = self[key] { text += "\(key)=\(value)\n" }
        }
        return text
    }
}
