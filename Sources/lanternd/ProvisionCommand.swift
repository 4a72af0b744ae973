import LanternAgent
import LanternCore
import LanternRuntime
import LanternSystem
import LanternUplink

/// `lanternd provision`: writes a device's configuration into a directory (normally /etc/lantern):
/// board.json and site.json (validated copies), lantern.conf (device id and every uplink setting), an
/// EC P-256 key made with libcrypto (device.key, 0600, given to the service user; an existing key is
/// kept) and a certificate request (device.csr, CN = the device id). `--install-cert FILE` later checks
/// the CA's answer against the key and installs it as device.crt. Runs unsandboxed; prints one line
/// per file.
enum ProvisionCommand {
    static let spec = CommandSpec(
        command: "lanternd provision",
        abstract: "Writes a device's configuration and key into a directory (normally /etc/lantern).",
        discussion: """
            lanternd provision --config-dir DIR --board FILE --site FILE --device-id ID [options]
              writes DIR/board.json, DIR/site.json, DIR/lantern.conf, DIR/device.key (EC P-256, mode 0600,
              owned by --key-owner; kept if present) and DIR/device.csr (CN=ID) for the broker's CA to sign.
            lanternd provision --config-dir DIR --install-cert FILE
              checks that the signed certificate FILE matches DIR/device.key and is valid now, and
              installs it as DIR/device.crt.
            """,
        options: [
            OptionSpec("--config-dir", "DIR", required: true, "where to write (normally /etc/lantern)"),
            OptionSpec("--board", "FILE", "the board file to copy (validated)"),
            OptionSpec("--site", "FILE", "the site file to copy (validated)"),
            OptionSpec("--device-id", "ID", "the device's name: records, topics, the certificate's CN"),
            OptionSpec("--mqtt-url", "URL[,URL...]", "the broker (or a comma-separated list), written to lantern.conf; with mqtts:// lantern.conf also names device.crt and device.key"),
            OptionSpec("--mqtt-ca", "FILE", "the PEM CA that signed the broker's certificate: copied to DIR/ca.crt"),
            OptionSpec("--mqtt-user", "NAME", "MQTT username, written to lantern.conf"),
            OptionSpec("--mqtt-password-file", "FILE", "MQTT password file, written to lantern.conf"),
            OptionSpec("--ngsi-url", "URL", "NGSI-LD context broker, written to lantern.conf"),
            OptionSpec("--ngsi-tenant", "NAME", "NGSI-LD tenant, written to lantern.conf"),
            OptionSpec("--ngsi-token-file", "FILE", "NGSI-LD bearer token file, written to lantern.conf"),
            OptionSpec("--ngsi-context", "URL", "where the entities' JSON-LD @context is served, written to lantern.conf"),
            OptionSpec("--ha-discovery", nil, "publish Home Assistant MQTT discovery configs (needs --mqtt-url): ha-discovery=true in lantern.conf"),
            OptionSpec("--sta-url", "URL", "OGC SensorThings service root (http://host:port/path/v1.1), written to lantern.conf"),
            OptionSpec("--sta-location", "LON,LAT", "where the lamppost stands (WGS84), the SensorThings Location, written to lantern.conf"),
            OptionSpec("--sta-mqtt", nil, "send the Observations over --mqtt-url (needs --sta-url): sta-mqtt=true in lantern.conf"),
            OptionSpec("--no-client-cert", nil, "mqtts without a client certificate: lantern.conf names no device.crt"),
            OptionSpec("--key-owner", "USER", "the user the key is given to, readable by it only (default lantern, the service user)"),
            OptionSpec("--install-cert", "FILE", "install the CA-signed certificate FILE as DIR/device.crt, once it matches DIR/device.key"),
        ] + Console.options)

    static func run(_ parsed: ParsedOptions) throws(Failure) {
        let dir = parsed.value("--config-dir")!
        if let certificate = parsed.value("--install-cert") {
            for option in ["--board", "--site", "--device-id"] where parsed.has(option) {
                throw Failure("--install-cert takes only --config-dir; provision (\(option)) and install the certificate in two steps", code: .usage)
            }
            try installCertificate(certificate, dir: dir)
            return
        }
        guard let board = parsed.value("--board"), let site = parsed.value("--site"), let device = parsed.value("--device-id") else {
            throw Failure("missing --board, --site or --device-id; type `lanternd provision --config-dir /etc/lantern --board FILE --site FILE --device-id ID` (or --install-cert FILE)", code: .usage)
        }
        if let problem = Topics.validate(device: device) { throw Failure(problem, code: .usage) }
        var config = DeviceConfig(deviceID: device)
        var tls = false
        if let url = parsed.value("--mqtt-url") {
            switch MQTTURL.parseList(url) {
            case .success(let parsedURLs): tls = parsedURLs[0].tls
            case .failure(let error): throw Failure("--mqtt-url \(error.description)", code: .usage)
            }
            config["mqtt-url"] = url
        }
        for key in ["mqtt-user", "mqtt-password-file", "ngsi-url", "ngsi-tenant", "ngsi-token-file", "ngsi-context", "sta-url", "sta-location"] {
            if let value = parsed.value("--" + key) { config[key] = value }
        }
        // Switches are written only when given (absent reads as false); checked as `run` checks them.
        for key in DeviceConfig.switchKeys where parsed.has("--" + key) { config[key] = "true" }
        if config["ha-discovery"] != nil && config["mqtt-url"] == nil {
            throw Failure("--ha-discovery needs --mqtt-url URL (discovery configs are MQTT messages)", code: .usage)
        }
        if config["sta-mqtt"] != nil && (config["sta-url"] == nil || config["mqtt-url"] == nil) {
            throw Failure("--sta-mqtt needs --sta-url URL and --mqtt-url URL", code: .usage)
        }
        let ca = parsed.value("--mqtt-ca")
        if ca != nil || tls {
            guard config["mqtt-url"] != nil else { throw Failure("--mqtt-ca needs --mqtt-url mqtts://host:port", code: .usage) }
        }
        if ca != nil { config["mqtt-ca"] = "ca.crt" }
        if tls && !parsed.has("--no-client-cert") {
            config["mqtt-cert"] = "device.crt"
            config["mqtt-key"] = "device.key"
        }
        try provision(dir: dir, board: board, site: site, config: config, ca: ca, keyOwner: parsed.value("--key-owner") ?? "lantern")
    }

    static func provision(dir: String, board: String, site: String, config: DeviceConfig, ca: String?, keyOwner: String) throws(Failure) {
        let device = config.deviceID!
        // Validate everything before writing anything.
        _ = try ConfigFiles.board(board)
        _ = try ConfigFiles.site(site)
        let boardText = try ConfigFiles.read(board, what: "board file", option: "--board")
        let siteText = try ConfigFiles.read(site, what: "site file", option: "--site")
        var caText: [UInt8]?
        if let ca {
            caText = try ConfigFiles.read(ca, what: "CA certificate", option: "--mqtt-ca")
            do throws(DeviceCredentials.Problem) {
                _ = try DeviceCredentials.validity(of: ca)
            } catch {
                throw Failure("\(error.description); --mqtt-ca must be the PEM certificate of the CA that signed the broker's", code: .dataError)
            }
        }
        do throws(Errno) {
            try SystemFiles.makeDirectory(dir, mode: 0o755)
        } catch {
            throw Failure("\(dir): cannot create: \(error); check --config-dir (run as root for /etc/lantern)", code: .cannotCreate)
        }
        func write(_ name: String, _ bytes: [UInt8]) throws(Failure) {
            do throws(Errno) {
                try FileContents.replace(dir + "/" + name, with: bytes, mode: 0o644)
            } catch {
                throw Failure("\(dir)/\(name): cannot write: \(error); check --config-dir is writable", code: .cannotCreate)
            }
            Console.line("wrote \(dir)/\(name)")
        }
        try write("board.json", boardText)
        try write("site.json", siteText)
        if let caText { try write("ca.crt", caText) }
        try write("lantern.conf", Array(config.text.utf8))

        let key = dir + "/device.key", csr = dir + "/device.csr"
        var keyExists = false
        do throws(Errno) { keyExists = try SystemFiles.isRegularFile(key) } catch {
            throw Failure("\(key): \(error)", code: .ioError)
        }
        if keyExists {
            Console.line("kept \(key) (delete it to make a new key)")
        } else {
            do throws(DeviceCredentials.Problem) {
                try DeviceCredentials.generateKey(at: key, mode: 0o600)
            } catch {
                throw Failure(error.description, code: .cannotCreate)
            }
            Console.line("wrote \(key) (EC P-256, mode 0600)")
        }
        do throws(Errno) { try SystemFiles.setMode(key, 0o600) } catch { throw Failure("\(key): cannot set mode 0600: \(error)", code: .ioError) }
        // The agent reads the key after it has switched to the service user (TLS connects, and
        // reconnects, run after --user): the key is that user's, and no one else's.
        do throws(DeviceCredentials.Problem) {
            try DeviceCredentials.giveToUser(key, user: keyOwner)
            Console.line("gave \(key) to \(keyOwner) (readable by it only)")
        } catch {
            Console.warning("\(error.description)")
        }
        do throws(DeviceCredentials.Problem) {
            try DeviceCredentials.writeRequest(key: key, commonName: device, to: csr)
        } catch {
            throw Failure(error.description, code: .cannotCreate)
        }
        Console.line("wrote \(csr) (CN=\(device)): have the broker's CA sign it, then lanternd provision --config-dir \(dir) --install-cert FILE")
    }

    /// Checks the CA's certificate against the device key (and the clock) and installs it as device.crt.
    static func installCertificate(_ certificate: String, dir: String) throws(Failure) {
        let key = dir + "/device.key"
        let bytes = try ConfigFiles.read(certificate, what: "certificate", option: "--install-cert")
        let validity: DeviceCredentials.Validity
        let matches: Bool
        do throws(DeviceCredentials.Problem) {
            validity = try DeviceCredentials.validity(of: certificate)
            matches = try DeviceCredentials.certificate(certificate, matchesKey: key)
        } catch {
            throw Failure("\(error.description); check --install-cert and that \(dir) was provisioned (lanternd provision)", code: .dataError)
        }
        guard matches else {
            throw Failure("\(certificate): does not match \(key): it was signed for another key; send \(dir)/device.csr to the CA and install what it returns", code: .dataError)
        }
        switch validity.state {
        case .expired: throw Failure("\(certificate): expired on \(validity.notAfter); have the CA sign \(dir)/device.csr again", code: .dataError)
        case .notYetValid: Console.warning("\(certificate) is not valid yet: check this machine's clock and the certificate's dates")
        case .valid: break
        }
        if let conf = try FirstBoot.config(in: dir), let id = conf.deviceID, id != validity.commonName {
            Console.warning("\(certificate): CN=\(validity.commonName) is not the device id \(id) in \(dir)/lantern.conf; a broker that maps CN to the device will refuse it")
        }
        do throws(Errno) {
            try FileContents.replace(dir + "/device.crt", with: bytes, mode: 0o644)
        } catch {
            throw Failure("\(dir)/device.crt: cannot write: \(error); run as root", code: .cannotCreate)
        }
        Console.line("installed \(dir)/device.crt (CN=\(validity.commonName), matches \(key), valid until \(validity.notAfter))")
    }
}
