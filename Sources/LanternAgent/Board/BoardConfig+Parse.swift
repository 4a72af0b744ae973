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
/// | `camera` | yes | `device` path, `format` GREY, YUYV, NV12 or MJPEG, `width` and `height` 16 to 4096, `fps` 1 to 240 |
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
        do {
            return try BoardFileReader().board(from: document)
        } catch {
            throw BoardConfigError(source: source, path: error.path, message: error.message)
        }
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

private struct BoardFileReader: JSONFieldReader {
    func board(from document: JSONValue) throws(JSONFieldError) -> BoardConfig {
        let root = try object(document, "", keys: ["name", "gpiochip", "lines", "reserved", "roles", "camera"])
        let name = try string(root.required("name"), "name")
        if name.isEmpty { throw fail("name", "must not be empty") }
        let chip = try string(root.required("gpiochip"), "gpiochip")
        if chip.isEmpty { throw fail("gpiochip", "must not be empty (a path such as /dev/gpiochip0 or a chip label)") }
        let lineCount = try wholeNumber(root.required("lines"), "lines", from: 1, to: 1024)

        var reserved: [Int] = []
        if let value = root["reserved"] {
            for (n, element) in try array(value, "reserved").enumerated() {
                reserved.append(try lineOffset(element, "reserved[\(n)]", lineCount: lineCount))
            }
        }

        var roles: [RoleAssignment] = []
        for (n, element) in try array(root.required("roles"), "roles").enumerated() {
            let at = "roles[\(n)]"
            let fields = try object(element, at, keys: ["role", "line", "bias", "activeLow", "debounceMs"])
            let roleName = try string(fields.required("role"), "\(at).role")
            guard let role = GPIORole(name: roleName) else {
                throw fail("\(at).role", "unknown role \(JSONWriter.quoted(roleName)) (roles: \(GPIORole.allNames))")
            }
            if let first = roles.firstIndex(where: { $0.role == role }) {
                throw fail("\(at).role", "\(role.name) is already assigned by roles[\(first)] (a role takes one line)")
            }
            let line = try lineOffset(fields.required("line"), "\(at).line", lineCount: lineCount)
            if reserved.contains(line) {
                throw fail("\(at).line", "line \(line) is reserved by the board (see reserved); pick another line")
            }
            if let first = roles.firstIndex(where: { $0.line == line }) {
                throw fail("\(at).line", "line \(line) is already used by roles[\(first)] (\(roles[first].role.name))")
            }
            var bias = LineBias.asIs
            if let value = fields["bias"] {
                let text = try string(value, "\(at).bias")
                guard let found = LineBias.allCases.first(where: { $0.name.utf8.elementsEqual(text.utf8) }) else {
                    throw fail("\(at).bias", "unknown bias \(JSONWriter.quoted(text)) (pull-up, pull-down, disabled, as-is)")
                }
                bias = found
            }
            var activeLow = false
            if let value = fields["activeLow"] { activeLow = try bool(value, "\(at).activeLow") }
            var debounce = 0
            if let value = fields["debounceMs"] {
                debounce = try wholeNumber(value, "\(at).debounceMs", from: 0, to: 10_000)
                if !role.isInput && debounce != 0 {
                    throw fail("\(at).debounceMs", "\(role.name) is an output; debounce applies to inputs only")
                }
            }
            roles.append(RoleAssignment(role: role, line: line, bias: bias, activeLow: activeLow, debounceMs: debounce))
        }

        let camFields = try object(root.required("camera"), "camera", keys: ["device", "format", "width", "height", "fps"])
        let device = try string(camFields.required("device"), "camera.device")
        if device.isEmpty { throw fail("camera.device", "must not be empty (e.g. /dev/video0)") }
        let formatName = try string(camFields.required("format"), "camera.format")
        guard let format = CameraSpec.PixelFormat.allCases.first(where: { $0.name.utf8.elementsEqual(formatName.utf8) }) else {
            throw fail("camera.format", "unknown format \(JSONWriter.quoted(formatName)) (GREY, YUYV, NV12, MJPEG)")
        }
        let camera = CameraSpec(
            device: device, format: format,
            // The sizes the estimator analyses (`Y4MHeader.minimumDimension`...`maximumDimension`).
            width: try wholeNumber(camFields.required("width"), "camera.width", from: 16, to: 4096),
            height: try wholeNumber(camFields.required("height"), "camera.height", from: 16, to: 4096),
            fps: try wholeNumber(camFields.required("fps"), "camera.fps", from: 1, to: 240))
        return BoardConfig(
            name: name, gpiochip: chip, lineCount: lineCount, reservedLines: reserved, roles: roles, camera: camera)
    }

    /// A line offset: a whole number below `lineCount`, the range worded for the chip.
    func lineOffset(_ value: JSONValue, _ path: String, lineCount: Int) throws(JSONFieldError) -> Int {
        let n = try wholeNumber(value, path)
        if n < 0 || n > lineCount - 1 {
            throw fail(path, "line \(n) is out of range (the chip has lines 0 to \(lineCount - 1))")
        }
        return n
    }
}
