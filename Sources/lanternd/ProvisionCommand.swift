import LanternAgent
import LanternHardware
import LanternSystem
import LanternUplink

/// `lanternd provision`: writes a device's configuration into a directory (normally /etc/lantern):
/// board.json and site.json (validated copies), lantern.conf (device id, broker), and an EC P-256 key
/// (device.key, 0600; an existing key is kept) with a certificate request (device.csr, CN = the
/// device id) made by openssl. Runs unsandboxed; prints one line per file.
enum ProvisionCommand {
    static let usage = """
        USAGE: lanternd provision --config-dir DIR --board FILE --site FILE --device-id ID [--mqtt-url URL]

        Writes DIR/board.json, DIR/site.json, DIR/lantern.conf, DIR/device.key (EC P-256, mode 0600,
        kept if present) and DIR/device.csr (CN=ID) for the broker's CA to sign. Needs openssl.
        """

    static func run(_ arguments: [String]) -> Int32 {
        var values: [String: String] = [:]
        var i = 1
        while i < arguments.count {
            let name = arguments[i]
            if name == "-h" || name == "--help" {
                Console.line(usage)
                return 0
            }
            guard ["--config-dir", "--board", "--site", "--device-id", "--mqtt-url"].contains(name) else {
                Console.error("provision: unknown option '\(name)'; see `lanternd provision --help`")
                return 2
            }
            guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
                Console.error("provision: \(name) needs a value; see `lanternd provision --help`")
                return 2
            }
            values[name] = arguments[i + 1]
            i += 2
        }
        guard let dir = values["--config-dir"], let board = values["--board"], let site = values["--site"],
              let device = values["--device-id"]
        else {
            Console.error("provision: needs --config-dir, --board, --site and --device-id; type `lanternd provision --config-dir /etc/lantern --board /usr/share/lantern/boards/raspberry-pi-4.json --site site.json --device-id lamp-7`")
            return 2
        }
        if let problem = Topics.validate(device: device) {
            Console.error("provision: \(problem)")
            return 2
        }
        if let url = values["--mqtt-url"], case .failure(let error) = MQTTURL.parse(url) {
            Console.error("provision: --mqtt-url \(error.description)")
            return 2
        }
        do throws(Failure) {
            try provision(dir: dir, board: board, site: site, device: device, mqttURL: values["--mqtt-url"])
            return 0
        } catch {
            Console.error(error.message)
            return 1
        }
    }

    static func provision(dir: String, board: String, site: String, device: String, mqttURL: String?) throws(Failure) {
        // Validate both before writing anything.
        _ = try Daemon.loadBoard(board)
        _ = try Daemon.loadSite(site)
        let boardText = String(decoding: try Daemon.read(board, what: "board file", option: "--board"), as: UTF8.self)
        let siteText = String(decoding: try Daemon.read(site, what: "site file", option: "--site"), as: UTF8.self)
        do throws(Errno) {
            try SystemFiles.makeDirectory(dir, mode: 0o755)
        } catch {
            throw Failure("\(dir): cannot create: \(error); check --config-dir (run as root for /etc/lantern)")
        }
        func write(_ name: String, _ text: String) throws(Failure) {
            do throws(Errno) {
                try FileContents.replace(dir + "/" + name, with: text)
                try SystemFiles.setMode(dir + "/" + name, 0o644)
            } catch {
                throw Failure("\(dir)/\(name): cannot write: \(error); check --config-dir is writable")
            }
            Console.line("wrote \(dir)/\(name)")
        }
        try write("board.json", boardText)
        try write("site.json", siteText)
        try write("lantern.conf", DeviceConfig(deviceID: device, mqttURL: mqttURL).text)

        let key = dir + "/device.key", csr = dir + "/device.csr"
        var keyExists = false
        do throws(Errno) { keyExists = try SystemFiles.isRegularFile(key) } catch {
            throw Failure("\(key): \(error)")
        }
        if keyExists {
            Console.line("kept \(key) (delete it to make a new key)")
        } else {
            try openssl(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], making: key)
            Console.line("wrote \(key) (EC P-256, mode 0600)")
        }
        do throws(Errno) { try SystemFiles.setMode(key, 0o600) } catch { throw Failure("\(key): cannot set mode 0600: \(error)") }
        try openssl(["openssl", "req", "-new", "-key", key, "-subj", "/CN=\(device)", "-out", csr], making: csr)
        do throws(Errno) { try SystemFiles.setMode(csr, 0o644) } catch { throw Failure("\(csr): \(error)") }
        Console.line("wrote \(csr) (CN=\(device)): have the broker's CA sign it, install the certificate as \(dir)/device.crt")
    }

    static func openssl(_ arguments: [String], making path: String) throws(Failure) {
        let status: Int32
        do throws(Errno) {
            status = try SystemFiles.run(arguments, umask: 0o077)
        } catch {
            throw Failure("openssl: cannot run: \(error); install it (apt-get install openssl)")
        }
        if status != 0 { throw Failure("openssl \(arguments[1]) exited \(status) making \(path) (its message is above)") }
    }
}
