import LanternAgent
import LanternCore
import LanternRuntime
import LanternSystem
import LanternUplink

/// `lanternd provision`: writes a device's configuration into a directory (normally /etc/lantern):
/// board.json and site.json (validated copies), lantern.conf (device id, broker), and an EC P-256 key
/// (device.key, 0600; an existing key is kept) with a certificate request (device.csr, CN = the
/// device id) made by openssl. Runs unsandboxed; prints one line per file.
enum ProvisionCommand {
    static let spec = CommandSpec(
        command: "lanternd provision",
        abstract: "Writes a device's configuration and key into a directory (normally /etc/lantern).",
        discussion: """
            Writes DIR/board.json, DIR/site.json, DIR/lantern.conf, DIR/device.key (EC P-256, mode 0600,
            kept if present) and DIR/device.csr (CN=ID) for the broker's CA to sign. Needs openssl.
            """,
        options: [
            OptionSpec("--config-dir", "DIR", required: true, "where to write (normally /etc/lantern)"),
            OptionSpec("--board", "FILE", required: true, "the board file to copy (validated)"),
            OptionSpec("--site", "FILE", required: true, "the site file to copy (validated)"),
            OptionSpec("--device-id", "ID", required: true, "the device's name: records, topics, the certificate's CN"),
            OptionSpec("--mqtt-url", "URL", "the broker, written to lantern.conf"),
        ])

    static func run(_ parsed: ParsedOptions) throws(Failure) {
        let device = parsed.value("--device-id")!
        if let problem = Topics.validate(device: device) { throw Failure(problem, code: .usage) }
        let url = parsed.value("--mqtt-url")
        if let url, case .failure(let error) = MQTTURL.parse(url) { throw Failure("--mqtt-url \(error.description)", code: .usage) }
        try provision(
            dir: parsed.value("--config-dir")!, board: parsed.value("--board")!, site: parsed.value("--site")!, device: device,
            mqttURL: url)
    }

    static func provision(dir: String, board: String, site: String, device: String, mqttURL: String?) throws(Failure) {
        // Validate both before writing anything.
        _ = try ConfigFiles.board(board)
        _ = try ConfigFiles.site(site)
        let boardText = String(decoding: try ConfigFiles.read(board, what: "board file", option: "--board"), as: UTF8.self)
        let siteText = String(decoding: try ConfigFiles.read(site, what: "site file", option: "--site"), as: UTF8.self)
        do throws(Errno) {
            try SystemFiles.makeDirectory(dir, mode: 0o755)
        } catch {
            throw Failure("\(dir): cannot create: \(error); check --config-dir (run as root for /etc/lantern)", code: .cannotCreate)
        }
        func write(_ name: String, _ text: String) throws(Failure) {
            do throws(Errno) {
                try FileContents.replace(dir + "/" + name, with: text)
                try SystemFiles.setMode(dir + "/" + name, 0o644)
            } catch {
                throw Failure("\(dir)/\(name): cannot write: \(error); check --config-dir is writable", code: .cannotCreate)
            }
            Console.line("wrote \(dir)/\(name)")
        }
        try write("board.json", boardText)
        try write("site.json", siteText)
        try write("lantern.conf", DeviceConfig(deviceID: device, mqttURL: mqttURL).text)

        let key = dir + "/device.key", csr = dir + "/device.csr"
        var keyExists = false
        do throws(Errno) { keyExists = try SystemFiles.isRegularFile(key) } catch {
            throw Failure("\(key): \(error)", code: .ioError)
        }
        if keyExists {
            Console.line("kept \(key) (delete it to make a new key)")
        } else {
            try openssl(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], making: key)
            Console.line("wrote \(key) (EC P-256, mode 0600)")
        }
        do throws(Errno) { try SystemFiles.setMode(key, 0o600) } catch { throw Failure("\(key): cannot set mode 0600: \(error)", code: .ioError) }
        try openssl(["openssl", "req", "-new", "-key", key, "-subj", "/CN=\(device)", "-out", csr], making: csr)
        do throws(Errno) { try SystemFiles.setMode(csr, 0o644) } catch { throw Failure("\(csr): \(error)", code: .ioError) }
        Console.line("wrote \(csr) (CN=\(device)): have the broker's CA sign it, install the certificate as \(dir)/device.crt")
    }

    static func openssl(_ arguments: [String], making path: String) throws(Failure) {
        let status: Int32
        do throws(Errno) {
            status = try SystemFiles.run(arguments, umask: 0o077)
        } catch {
            throw Failure("openssl: cannot run: \(error); install it (apt-get install openssl)", code: .unavailable)
        }
        if status != 0 { throw Failure("openssl \(arguments[1]) exited \(status) making \(path) (its message is above)", code: .software) }
    }
}
