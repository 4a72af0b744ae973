import LanternCore

/// # Board file
///
/// ```json
/// {
///   "name": "Raspberry Pi 4 Model B",
///   "gpiochip": "/dev/gpiochip0",
///   "lines": 58,
///   "reserved": [],
///   "roles": [ { "role": "pir", "line": 17, "bias": "pull-down", "activeLow": false, "debounceMs": 50 } ],
///   "camera": { "device": "/dev/video0", "format": "YUYV", "width": 640, "height": 480, "fps": 10 }
/// }
/// ```
///
/// | key | required | meaning |
/// | --- | --- | --- |
/// | `name` | yes | the board's name, non-empty |
/// | `gpiochip` | yes | a chip path (`/dev/gpiochip0`) or label (`pinctrl-bcm2711`) |
/// | `lines` | yes | how many lines the chip has, 1 to 1024 |
/// | `reserved` | no | line offsets the board itself uses (never given a role) |
/// | `roles` | yes | role assignments: `role` one of pir, tamper, light, button, status-led, privacy-led, relay; `line` an offset below `lines`; `bias` (as-is) pull-up, pull-down, disabled or as-is; `activeLow` (false); `debounceMs` (0) 0 to 10000, inputs only. A role or a line at most once. |
/// | `camera` | yes | `device` path, `format` GREY, YUYV, NV12 or MJPEG, `width`, `height`, `fps` > 0 |
///
/// Every error is one line naming the file and key path: `pi4.json: roles[2].line: line 3 is already
/// used by roles[0] (pir)`.
extension BoardConfig {
    public static func parse(json: [UInt8], source: String) throws(BoardConfigError) -> BoardConfig {
        let document: JSONValue
        do {
            document = try JSONParser.parse(json)
        } catch {
            throw BoardConfigError(source: source, path: "", message: error.description)
        }
        return try BoardFileReader(source: source).board(from: document)
    }
}

/// Why a board file was rejected; `description` is one line.
public struct BoardConfigError: Error, Equatable, CustomStringConvertible {
    public var source: String
    /// The key path, such as `roles[2].line` (empty for the file as a whole).
    public var path: String
    public var message: String

    public init(source: String, path: String, message: String) {
        self.source = source
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(source): \(message)" : "\(source): \(path): \(message)"
    }
}

private struct BoardFileReader {
    let source: String

    func board(from document: JSONValue) throws(BoardConfigError) -> BoardConfig {
        let root = try object(document, "", keys: ["name", "gpiochip", "lines", "reserved", "roles", "camera"])
        let name = try string(required(root, "name", ""), "name")
        if name.isEmpty { throw fail("name", "must not be empty") }
        let chip = try string(required(root, "gpiochip", ""), "gpiochip")
        if chip.isEmpty { throw fail("gpiochip", "must not be empty (a path such as /dev/gpiochip0 or a chip label)") }
        let lineCount = try integer(required(root, "lines", ""), "lines", 1, 1024)

        var reserved: [Int] = []
        if let value = member(root, "reserved") {
            for (n, element) in try array(value, "reserved").enumerated() {
                reserved.append(try integer(element, "reserved[\(n)]", 0, lineCount - 1, lineHint: lineCount))
            }
        }

        var roles: [RoleAssignment] = []
        for (n, element) in try array(required(root, "roles", ""), "roles").enumerated() {
            let at = "roles[\(n)]"
            let fields = try object(element, at, keys: ["role", "line", "bias", "activeLow", "debounceMs"])
            let roleName = try string(required(fields, "role", at), "\(at).role")
            guard let role = GPIORole(name: roleName) else {
                throw fail("\(at).role", "unknown role \(JSONWriter.quoted(roleName)) (roles: \(GPIORole.allNames))")
            }
            if let first = roles.firstIndex(where: { $0.role == role }) {
                throw fail("\(at).role", "\(role.name) is already assigned by roles[\(first)] (a role takes one line)")
            }
            let line = try integer(required(fields, "line", at), "\(at).line", 0, lineCount - 1, lineHint: lineCount)
            if reserved.contains(line) {
                throw fail("\(at).line", "line \(line) is reserved by the board (see reserved); pick another line")
            }
            if let first = roles.firstIndex(where: { $0.line == line }) {
                throw fail("\(at).line", "line \(line) is already used by roles[\(first)] (\(roles[first].role.name))")
            }
            var bias = LineBias.asIs
            if let value = member(fields, "bias") {
                let text = try string(value, "\(at).bias")
                guard let found = LineBias.allCases.first(where: { $0.name.utf8.elementsEqual(text.utf8) }) else {
                    throw fail("\(at).bias", "unknown bias \(JSONWriter.quoted(text)) (pull-up, pull-down, disabled, as-is)")
                }
                bias = found
            }
            var activeLow = false
            if let value = member(fields, "activeLow") { activeLow = try bool(value, "\(at).activeLow") }
            var debounce = 0
            if let value = member(fields, "debounceMs") {
                debounce = try integer(value, "\(at).debounceMs", 0, 10_000)
                if !role.isInput && debounce != 0 {
                    throw fail("\(at).debounceMs", "\(role.name) is an output; debounce applies to inputs only")
                }
            }
            roles.append(RoleAssignment(role: role, line: line, bias: bias, activeLow: activeLow, debounceMs: debounce))
        }

        let camFields = try object(required(root, "camera", ""), "camera", keys: ["device", "format", "width", "height", "fps"])
        let device = try string(required(camFields, "device", "camera"), "camera.device")
        if device.isEmpty { throw fail("camera.device", "must not be empty (e.g. /dev/video0)") }
        let formatName = try string(required(camFields, "format", "camera"), "camera.format")
        guard let format = CameraSpec.PixelFormat.allCases.first(where: { $0.name.utf8.elementsEqual(formatName.utf8) }) else {
            throw fail("camera.format", "unknown format \(JSONWriter.quoted(formatName)) (GREY, YUYV, NV12, MJPEG)")
        }
        let camera = CameraSpec(
            device: device, format: format,
            width: try integer(required(camFields, "width", "camera"), "camera.width", 1, 8192),
            height: try integer(required(camFields, "height", "camera"), "camera.height", 1, 8192),
            fps: try integer(required(camFields, "fps", "camera"), "camera.fps", 1, 240))
        return BoardConfig(
            name: name, gpiochip: chip, lineCount: lineCount, reservedLines: reserved, roles: roles, camera: camera)
    }

    // MARK: Values

    typealias Members = [(key: String, value: JSONValue)]

    func object(_ value: JSONValue, _ path: String, keys allowed: [StaticString]) throws(BoardConfigError) -> Members {
        guard case .object(let members) = value else {
            throw fail(path, path.isEmpty ? "the file must hold a JSON object, got \(value.kindDescription)"
                : "expected an object, got \(value.kindDescription)")
        }
        for m in members where !allowed.contains(where: { equal($0, m.key) }) {
            var known = ""
            for key in allowed { known += (known.isEmpty ? "" : ", ") + key.description }
            let key = m.key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) ? JSONWriter.quoted(m.key) : m.key
            throw fail(path.isEmpty ? key : path + "." + key, "unknown key (known keys here: \(known))")
        }
        return members
    }

    func member(_ members: Members, _ key: StaticString) -> JSONValue? {
        for m in members where equal(key, m.key) { return m.value }
        return nil
    }

    func required(_ members: Members, _ key: StaticString, _ parent: String) throws(BoardConfigError) -> JSONValue {
        guard let value = member(members, key) else {
            throw fail(parent.isEmpty ? key.description : parent + "." + key.description, "required key is missing")
        }
        return value
    }

    func array(_ value: JSONValue, _ path: String) throws(BoardConfigError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw fail(path, "expected an array, got \(value.kindDescription)") }
        return elements
    }

    func string(_ value: JSONValue, _ path: String) throws(BoardConfigError) -> String {
        guard case .string(let text) = value else { throw fail(path, "expected a string, got \(value.kindDescription)") }
        return text
    }

    func bool(_ value: JSONValue, _ path: String) throws(BoardConfigError) -> Bool {
        guard case .bool(let flag) = value else { throw fail(path, "expected true or false, got \(value.kindDescription)") }
        return flag
    }

    /// A whole number from `low` to `high`; `lineHint` words the message for line offsets.
    func integer(_ value: JSONValue, _ path: String, _ low: Int, _ high: Int, lineHint: Int? = nil) throws(BoardConfigError) -> Int {
        guard case .number(let x) = value else { throw fail(path, "expected a number, got \(value.kindDescription)") }
        guard x > -1e9 && x < 1e9, let n = Int(exactly: x) else {
            throw fail(path, "must be a whole number (got \(formatTrimmed(x)))")
        }
        if n < low || n > high {
            if let lines = lineHint {
                throw fail(path, "line \(n) is out of range (the chip has lines 0 to \(lines - 1))")
            }
            throw fail(path, "must be from \(low) to \(high) (got \(n))")
        }
        return n
    }

    func fail(_ path: String, _ message: String) -> BoardConfigError {
        BoardConfigError(source: source, path: path, message: message)
    }

    func equal(_ a: StaticString, _ b: String) -> Bool { a.withUTF8Buffer { b.utf8.elementsEqual($0) } }
}
