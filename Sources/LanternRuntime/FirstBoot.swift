import LanternAgent
import LanternSystem
import LanternUplink

/// First boot: a configuration dropped on the boot partition (as Raspberry Pi Imager does:
/// `/boot/firmware/lantern/`) is checked, moved into the config directory (default /etc/lantern) and
/// removed from the boot partition, before anything is loaded; then the config directory's
/// `lantern.conf` supplies what the command line does not. Runs before the sandbox (which would
/// forbid these writes).
public enum FirstBoot {
    public static let files = ["lantern.conf", "board.json", "site.json"]
    public static let defaultConfigDirectory = "/etc/lantern"

    /// `DIR/lantern.conf`, or nil when there is none.
    public static func config(in directory: String) throws(Failure) -> DeviceConfig? {
        let path = directory + "/lantern.conf"
        let present: Bool
        do throws(Errno) {
            present = try SystemFiles.isRegularFile(path)
        } catch {
            throw Failure("\(path): \(error); check --config-dir", code: .noInput)
        }
        return present ? try ConfigFiles.deviceConfig(path) : nil
    }

    /// Validates what `dir` holds (a broken file stays where it is, and the agent stops saying why), then
    /// moves each into `target`. Nothing there: nothing to do.
    public static func move(from dir: String, into target: String) throws(Failure) {
        var found: [String] = []
        for name in files {
            let path = dir + "/" + name
            do throws(Errno) {
                if try SystemFiles.isRegularFile(path) { found.append(name) }
            } catch {
                throw Failure("\(path): \(error); check --first-boot-dir", code: .noInput)
            }
        }
        guard !found.isEmpty else { return }
        for name in found {
            let path = dir + "/" + name
            switch name {
            case "board.json": _ = try ConfigFiles.board(path)
            case "site.json": _ = try ConfigFiles.site(path)
            default:
                let config = try ConfigFiles.deviceConfig(path)
                if let id = config.deviceID, let problem = Topics.validate(device: id) {
                    throw Failure("\(path): \(problem)", code: .configuration)
                }
            }
        }
        do throws(Errno) {
            try SystemFiles.makeDirectory(target, mode: 0o755)
        } catch {
            throw Failure("\(target): cannot create: \(error); check --config-dir", code: .cannotCreate)
        }
        for name in found {
            do throws(Errno) {
                try SystemFiles.move(dir + "/" + name, to: target + "/" + name, mode: 0o644)
            } catch {
                throw Failure("\(dir)/\(name): cannot move to \(target): \(error); check both are writable", code: .cannotCreate)
            }
            Console.error("first boot: moved \(dir)/\(name) to \(target)/\(name)")
        }
    }
}
