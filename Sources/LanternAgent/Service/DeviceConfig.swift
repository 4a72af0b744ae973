/// `lantern.conf`: the device's identity and every uplink setting the command line has, written by
/// `lanternd provision` (or dropped on the boot partition) and read by `lanternd run --config-dir DIR`
/// and `lanternd check --config-dir DIR`, so the unit passes only `--config-dir`. One `key=value` a
/// line; `#` comments and blank lines are skipped. Keys are the command-line options without `--`
/// (`DeviceConfig.keys`). Anything else is an error naming the line, so a typo is not silently
/// ignored. A relative file path is relative to the file's directory (`mqtt-cert=device.crt`).
public struct DeviceConfig: Equatable {
    public var deviceID: String?
    public var mqttURL: String?
    public var mqttCA: String?
    public var mqttCert: String?
    public var mqttKey: String?
    public var mqttUser: String?
    public var mqttPasswordFile: String?
    public var ngsiURL: String?
    public var ngsiTenant: String?
    public var ngsiTokenFile: String?
    public var ngsiContext: String?
    /// `true` or `false` (checked when the file is read).
    public var haDiscovery: String?

    public init(deviceID: String? = nil, mqttURL: String? = nil) {
        self.deviceID = deviceID
        self.mqttURL = mqttURL
    }

    /// Every key, in the order `text` writes them; those naming a file are resolved against the
    /// configuration directory.
    public static let keys = [
        "device-id", "mqtt-url", "mqtt-ca", "mqtt-cert", "mqtt-key", "mqtt-user", "mqtt-password-file",
        "ngsi-url", "ngsi-tenant", "ngsi-token-file", "ngsi-context", "ha-discovery",
    ]
    public static let fileKeys = ["mqtt-ca", "mqtt-cert", "mqtt-key", "mqtt-password-file", "ngsi-token-file"]

    /// The value of `key` (one of `keys`).
    public subscript(key: String) -> String? {
        get {
            switch key {
            case "device-id": deviceID
            case "mqtt-url": mqttURL
            case "mqtt-ca": mqttCA
            case "mqtt-cert": mqttCert
            case "mqtt-key": mqttKey
            case "mqtt-user": mqttUser
            case "mqtt-password-file": mqttPasswordFile
            case "ngsi-url": ngsiURL
            case "ngsi-tenant": ngsiTenant
            case "ngsi-token-file": ngsiTokenFile
            case "ngsi-context": ngsiContext
            case "ha-discovery": haDiscovery
            default: nil
            }
        }
        set {
            switch key {
            case "device-id": deviceID = newValue
            case "mqtt-url": mqttURL = newValue
            case "mqtt-ca": mqttCA = newValue
            case "mqtt-cert": mqttCert = newValue
            case "mqtt-key": mqttKey = newValue
            case "mqtt-user": mqttUser = newValue
            case "mqtt-password-file": mqttPasswordFile = newValue
            case "ngsi-url": ngsiURL = newValue
            case "ngsi-tenant": ngsiTenant = newValue
            case "ngsi-token-file": ngsiTokenFile = newValue
            case "ngsi-context": ngsiContext = newValue
            case "ha-discovery": haDiscovery = newValue
            default: break
            }
        }
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
            guard keys.contains(key) else {
                throw ParseError(message: "\(source):\(number): unknown key '\(key)' (known: \(keys.joined(separator: ", ")))")
            }
            if value.isEmpty { throw ParseError(message: "\(source):\(number): \(key) is empty") }
            if key == "ha-discovery" && value != "true" && value != "false" {
                throw ParseError(message: "\(source):\(number): ha-discovery must be true or false (got \(value))")
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
