import CLantern
import LanternAgent
import LanternCore
import LanternSystem

/// Reading the agent's configuration files, each failure one line naming the file and what to do, with
/// its exit code: a file that cannot be read is `noInput` (66), one that does not parse `configuration` (78).
public enum ConfigFiles {
    /// Site, board, trace and `lantern.conf` files: at most 1 MB (they are a few KB).
    public static let sizeLimit = 1 << 20

    public static func read(_ path: String, what: String, option: String) throws(Failure) -> [UInt8] {
        do {
            return try FileContents.read(path, limit: ConfigFiles.sizeLimit)
        } catch {
            if error == .fileTooLarge {
                throw Failure("\(path): larger than 1 MB, too large for a \(what) (a few KB); check the path given to \(option)", code: .configuration)
            }
            throw Failure("\(path): cannot read the \(what): \(error); check the path given to \(option)", code: .noInput)
        }
    }

    public static func site(_ path: String) throws(Failure) -> SiteConfig {
        let bytes = try read(path, what: "site file", option: "--site")
        do {
            return try SiteConfig.parse(json: bytes, source: path)
        } catch {
            throw Failure("\(error.description); fix the site file", code: .configuration)
        }
    }

    public static func board(_ path: String) throws(Failure) -> BoardConfig {
        let bytes = try read(path, what: "board file", option: "--board")
        do {
            return try BoardConfig.parse(json: bytes, source: path)
        } catch {
            throw Failure("\(error.description); fix the board file", code: .configuration)
        }
    }

    public static func trace(_ path: String) throws(Failure) -> GPIOTrace {
        let bytes = try read(path, what: "GPIO trace", option: "--gpio-trace")
        do {
            return try GPIOTrace.parse(bytes, source: path)
        } catch {
            throw Failure("\(error.description); fix the trace file", code: .configuration)
        }
    }

    public static func deviceConfig(_ path: String) throws(Failure) -> DeviceConfig {
        let bytes = try read(path, what: "device configuration", option: "--config-dir")
        do {
            return try DeviceConfig.parse(bytes, source: path)
        } catch {
            throw Failure("\(error.message); fix the file", code: .configuration)
        }
    }

    /// The first line of a small secret file (an MQTT password, an NGSI-LD token). One that every user
    /// may read is still used (the device keeps counting), with one warning saying how to close it.
    public static func firstLine(of path: String, what: String, option: String) throws(Failure) -> String {
        let bytes = try read(path, what: what, option: option)
        var owner: UInt32 = 0, mode: UInt32 = 0
        if path.withCString({ lantern_path_owner($0, &owner, &mode) }) == 0, mode & 0o004 != 0 {
            var digits = String(mode & 0o777, radix: 8)
            while digits.count < 3 { digits = "0" + digits }
            Console.warning("\(path): the \(what) is readable by every user (mode 0\(digits)); chmod 600 \(path)")
        }
        var line: [UInt8] = []
        for byte in bytes {
            if byte == 0x0A || byte == 0x0D { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// A device error as a technician reads it.
    public static func deviceProblem(_ error: Errno) -> String {
        if error == .noSuchFileOrDirectory || error == .noSuchDevice { return "no such device" }
        return "cannot open: \(error)"
    }
}
