import LanternAgent
import LanternUplink

/// `lanternd run` options for counts upstream (MQTT with the journal, NGSI-LD over HTTP).
struct UplinkOptions {
    var mqttURL: MQTTURL?
    var mqttCA: String?
    var mqttCert: String?
    var mqttKey: String?
    var mqttUser: String?
    var mqttPasswordFile: String?
    var ngsiURL: String?
    /// How long the end of a replay waits for the journal to be delivered.
    var drainTimeoutSeconds: Int64 = 60

    var isEnabled: Bool { mqttURL != nil || ngsiURL != nil }

    static let usage = """
          --mqtt-url URL        send each interval over MQTT: mqtt://host:port or mqtts://host:port (needs --state-dir)
          --mqtt-ca FILE        PEM CA that signed the broker's certificate (mqtts; default: the system's CAs)
          --mqtt-cert FILE      PEM client certificate (with --mqtt-key) for brokers that require one
          --mqtt-key FILE       PEM key of --mqtt-cert
          --mqtt-user NAME      MQTT username
          --mqtt-password-file FILE  MQTT password: the file's first line
          --ngsi-url URL        also upsert NGSI-LD CrowdFlowObserved entities to this context broker (http://host:port)
          --drain-timeout S     at the end of a replay, wait at most S seconds for undelivered intervals (default 60)
        """

    /// Takes `name` when it is one of these options (reading its value with `value`); false otherwise.
    mutating func accept(_ name: String, value: (String) throws(UsageError) -> String) throws(UsageError) -> Bool {
        switch name {
        case "--mqtt-url":
            let text = try value(name)
            switch MQTTURL.parse(text) {
            case .success(let url): mqttURL = url
            case .failure(let error): throw UsageError(message: "--mqtt-url \(error.description)")
            }
        case "--mqtt-ca": mqttCA = try value(name)
        case "--mqtt-cert": mqttCert = try value(name)
        case "--mqtt-key": mqttKey = try value(name)
        case "--mqtt-user": mqttUser = try value(name)
        case "--mqtt-password-file": mqttPasswordFile = try value(name)
        case "--ngsi-url":
            let text = try value(name)
            guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
                throw UsageError(message: "--ngsi-url \(text): expected the context broker's http://host:port")
            }
            ngsiURL = text
        case "--drain-timeout":
            let text = try value(name)
            guard let n = DecimalText.integer(text.utf8), n >= 0 && n <= 86_400 else {
                throw UsageError(message: "--drain-timeout \(text): expected whole seconds from 0 to 86400, e.g. --drain-timeout 60")
            }
            drainTimeoutSeconds = n
        default:
            return false
        }
        return true
    }

    /// What the other options must say when these are given.
    func validate(stateDirectory: String?, deviceID: String) throws(UsageError) {
        if mqttURL != nil {
            guard stateDirectory != nil else {
                throw UsageError(message: "--mqtt-url needs --state-dir DIR: every interval is journaled there before it is sent; type `lanternd run --mqtt-url \(mqttURL!.description) --state-dir /var/lib/lantern ...`")
            }
            if let problem = Topics.validate(device: deviceID) { throw UsageError(message: problem) }
            if (mqttCert == nil) != (mqttKey == nil) {
                throw UsageError(message: "--mqtt-cert and --mqtt-key go together: give both, or neither")
            }
        } else if mqttCA != nil || mqttCert != nil || mqttKey != nil || mqttUser != nil || mqttPasswordFile != nil {
            throw UsageError(message: "--mqtt-ca, --mqtt-cert, --mqtt-key, --mqtt-user and --mqtt-password-file need --mqtt-url URL")
        }
    }
}
