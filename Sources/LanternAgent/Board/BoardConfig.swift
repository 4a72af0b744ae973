import LanternCore

/// What one kind of board offers Lantern: its GPIO chip, which line does what, and its camera.
/// Read from a file in `Boards/` by `BoardConfig.parse(json:source:)`; no code per board.
public struct BoardConfig: Equatable {
    public var name: String
    /// The chip as a path (`/dev/gpiochip0`) or as its label (`pinctrl-bcm2711`).
    public var gpiochip: String
    /// Lines the chip has: every offset must be below this.
    public var lineCount: Int
    /// Lines the board keeps for itself (the QEMU virt power button): no role may use them.
    public var reservedLines: [Int]
    /// In file order; each role and each line at most once.
    public var roles: [RoleAssignment]
    public var camera: CameraSpec

    public init(
        name: String, gpiochip: String, lineCount: Int, reservedLines: [Int] = [], roles: [RoleAssignment],
        camera: CameraSpec
    ) {
        self.name = name
        self.gpiochip = gpiochip
        self.lineCount = lineCount
        self.reservedLines = reservedLines
        self.roles = roles
        self.camera = camera
    }

    /// The line given `role`, if the board has one.
    public func assignment(for role: GPIORole) -> RoleAssignment? {
        for r in roles where r.role == role { return r }
        return nil
    }
}

/// What a GPIO line means to Lantern.
public enum GPIORole: Equatable, CaseIterable {
    /// Passive infrared motion sensor (input; active = motion).
    case pir
    /// Cabinet door switch (input; active = open).
    case tamper
    /// Light sensor (input; active = dark).
    case light
    /// Service button (input).
    case button
    /// Heartbeat LED (output).
    case statusLED
    /// Lit exactly while the camera streams (output).
    case privacyLED
    /// Lamp relay (output).
    case relay

    /// The name used in board files and GPIO traces.
    public var name: String {
        switch self {
        case .pir: return "pir"
        case .tamper: return "tamper"
        case .light: return "light"
        case .button: return "button"
        case .statusLED: return "status-led"
        case .privacyLED: return "privacy-led"
        case .relay: return "relay"
        }
    }

    public var isInput: Bool {
        switch self {
        case .pir, .tamper, .light, .button: return true
        case .statusLED, .privacyLED, .relay: return false
        }
    }

    /// The role named `name`, as written in board files and traces.
    public init?(name: String) {
        for role in GPIORole.allCases where role.name.utf8.elementsEqual(name.utf8) {
            self = role
            return
        }
        return nil
    }

    static var allNames: String {
        var s = ""
        for role in allCases { s += (s.isEmpty ? "" : ", ") + role.name }
        return s
    }
}

/// Pull resistor setting for a line (libgpiod 1.6 request flags).
public enum LineBias: Equatable, CaseIterable {
    case asIs
    case disabled
    case pullUp
    case pullDown

    public var name: String {
        switch self {
        case .asIs: return "as-is"
        case .disabled: return "disabled"
        case .pullUp: return "pull-up"
        case .pullDown: return "pull-down"
        }
    }
}

/// One role's line and electrical settings.
public struct RoleAssignment: Equatable {
    public var role: GPIORole
    /// Offset of the line on the chip.
    public var line: Int
    public var bias: LineBias
    /// The line reads low when the role is active (a switch to ground with a pull-up).
    public var activeLow: Bool
    /// Software debounce for inputs, milliseconds (libgpiod 1.6 has none); 0 for outputs.
    public var debounceMs: Int

    public init(role: GPIORole, line: Int, bias: LineBias = .asIs, activeLow: Bool = false, debounceMs: Int = 0) {
        self.role = role
        self.line = line
        self.bias = bias
        self.activeLow = activeLow
        self.debounceMs = debounceMs
    }
}

/// The camera a board uses and the format it prefers.
public struct CameraSpec: Equatable {
    public enum PixelFormat: Equatable, CaseIterable {
        /// 8-bit luma only: used as is.
        case grey
        /// Packed 4:2:2: luma is every other byte.
        case yuyv
        /// Semi-planar 4:2:0: the first plane is luma.
        case nv12
        /// Compressed: libv4l2 decodes it.
        case mjpeg

        public var name: String {
            switch self {
            case .grey: return "GREY"
            case .yuyv: return "YUYV"
            case .nv12: return "NV12"
            case .mjpeg: return "MJPEG"
            }
        }
    }

    public var device: String
    public var format: PixelFormat
    public var width: Int
    public var height: Int
    public var fps: Int

    public init(device: String, format: PixelFormat, width: Int, height: Int, fps: Int) {
        self.device = device
        self.format = format
        self.width = width
        self.height = height
        self.fps = fps
    }
}
