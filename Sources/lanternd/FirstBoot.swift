import LanternAgent
import LanternHardware
import LanternSystem
import LanternUplink

/// `lanternd run --first-boot-dir DIR [--config-dir CONF]`: a configuration dropped on the boot
/// partition (as Raspberry Pi Imager does: `/boot/firmware/lantern/`) is checked, moved into CONF
/// (default /etc/lantern) and removed from DIR, before anything is loaded; then `--config-dir`'s
/// `lantern.conf` supplies `--device-id` and `--mqtt-url` where the command line does not.
/// Runs before the sandbox (which would forbid these writes).
enum FirstBoot {
    static let files = ["lantern.conf", "board.json", "site.json"]
    static let defaultConfigDirectory = "/etc/lantern"

    static func apply(_ options: inout RunOptions, arguments: [String]) throws(Failure) {
        let configDirectory = options.configDirectory ?? defaultConfigDirectory
        if let dir = options.firstBootDirectory { try move(from: dir, into: configDirectory) }
        guard let confDir = options.configDirectory else { return }
        let path = confDir + "/lantern.conf"
        let present: Bool
        do throws(Errno) {
            present = try SystemFiles.isRegularFile(path)
        } catch {
            throw Failure("\(path): \(error); check --config-dir")
        }
        guard present else { return }
        let config = try readConfig(path)
        if let id = config.deviceID, !arguments.contains("--device-id") { options.deviceID = id }
        if let text = config.mqttURL, options.uplink.mqttURL == nil {
            switch MQTTURL.parse(text) {
            case .success(let url): options.uplink.mqttURL = url
            case .failure(let error): throw Failure("\(path): mqtt-url \(error.description); fix lantern.conf")
            }
        }
        do throws(UsageError) {
            try options.uplink.validate(stateDirectory: options.stateDirectory, deviceID: options.deviceID)
        } catch {
            throw Failure("\(path): \(error.message)")
        }
    }

    static func readConfig(_ path: String) throws(Failure) -> DeviceConfig {
        let bytes = try Daemon.read(path, what: "device configuration", option: "--config-dir")
        do {
            return try DeviceConfig.parse(bytes, source: path)
        } catch {
            throw Failure("\(error.message); fix the file")
        }
    }

    /// Validates what DIR holds (a broken file stays where it is, and lanternd stops saying why), then
    /// moves each into `target`. Nothing there: nothing to do.
    static func move(from dir: String, into target: String) throws(Failure) {
        var found: [String] = []
        for name in files {
            let path = dir + "/" + name
            do throws(Errno) {
                if try SystemFiles.isRegularFile(path) { found.append(name) }
            } catch {
                throw Failure("\(path): \(error); check --first-boot-dir")
            }
        }
        guard !found.isEmpty else { return }
        for name in found {
            let path = dir + "/" + name
            switch name {
            case "board.json": _ = try Daemon.loadBoard(path)
            case "site.json": _ = try Daemon.loadSite(path)
            default:
                let config = try readConfig(path)
                if let id = config.deviceID, let problem = Topics.validate(device: id) { throw Failure("\(path): \(problem)") }
            }
        }
        do throws(Errno) {
            try SystemFiles.makeDirectory(target, mode: 0o755)
        } catch {
            throw Failure("\(target): cannot create: \(error); check --config-dir")
        }
        for name in found {
            do throws(Errno) {
                try SystemFiles.move(dir + "/" + name, to: target + "/" + name, directory: target, mode: 0o644)
            } catch {
                throw Failure("\(dir)/\(name): cannot move to \(target): \(error); check both are writable")
            }
            Console.error("first boot: moved \(dir)/\(name) to \(target)/\(name)")
        }
    }
}
