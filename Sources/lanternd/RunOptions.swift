import LanternAgent

/// `lanternd run` options, parsed by hand (Embedded Swift has no argument-parser) in its shape:
/// every option is `--name VALUE` and the usage text is the reference.
struct RunOptions {
    var site: String?
    var board: String?
    var stateDirectory: String?
    var replay: String?
    /// Replay pace as a multiple of the clip rate, in thousandths (1000 = real time, 0 = flat out).
    var speedMillis: Int64 = 1000
    var gpioTrace: String?
    var startSeconds: Int64 = ClipTime.defaultOriginSeconds
    var interval: Int?
    var deviceID = "lantern"
    /// Board only: one line of numbers per camera frame (FrameCode, for the emulated board).
    var frameLog: String?
    /// MQTT, NGSI-LD and the drain at the end of a replay (UplinkOptions.swift).
    var uplink = UplinkOptions()
    /// Sandbox (Daemon+Sandbox.swift): the user to switch to when started as root, and the off switch.
    var user: String?
    var sandbox = true
    /// First boot (FirstBoot.swift): a boot-partition folder to move configuration from, and where to
    /// (also where `lantern.conf` is read from).
    var firstBootDirectory: String?
    var configDirectory: String?
}

/// A command line that cannot run: what to type instead. Exit code 2.
struct UsageError: Error {
    var message: String
}

enum Command {
    case help
    case version
    case run(RunOptions)
}

enum CommandLineParser {
    static let usage = """
        USAGE: lanternd run --site FILE [--board FILE] [options]
               lanternd check --board FILE --site FILE [--aim] [--mqtt-url URL] [--state-dir DIR]
               lanternd manifest --site FILE [--device-id ID] [--ngsi-ld]
               lanternd provision --config-dir DIR --board FILE --site FILE --device-id ID [--mqtt-url URL]
               lanternd --version

        Counts people in view of a lamppost camera and prints one JSON line per finished interval.
        `check` is the technician's self-check (PASS/WARN/FAIL per item; --aim draws where motion is seen),
        `manifest` prints what this agent measures and never does, `provision` writes a device's config
        and key. Each takes --help.

        OPTIONS (run):
          --site FILE           the site file: zones, lines, calibration, interval (required)
          --board FILE          the board file (Boards/*.json): camera and GPIO lines; required without --replay
          --state-dir DIR       keeps the next record number here, so restarts continue it
          --replay CLIP         frames from a YUV4MPEG2 clip instead of the camera
          --speed X             replay pace: X times the clip rate (default 1; 0 = as fast as possible)
          --gpio-trace FILE     input changes `<seconds> <role> <0|1>` in replay time
          --start-time T        replay clock origin: ISO 8601 UTC (2026-01-01T00:00:00Z) or epoch seconds
          --interval SECONDS    reporting interval (default: the site file's)
          --device-id ID        device name in records (default lantern)
          --frame-log FILE      board: appends `<v4l2 seq> <coded clip frame or -1> <count> <trusted 0|1>` per frame
        \(UplinkOptions.usage)
          --user NAME           started as root: switch to this user once devices are open
          --config-dir DIR      read device-id and mqtt-url from DIR/lantern.conf where not given here
          --first-boot-dir DIR  move lantern.conf, board.json, site.json found in DIR into --config-dir
                                (default /etc/lantern) before starting, and remove them from DIR
          --no-sandbox          skip the self-confinement (Landlock, seccomp); for debugging only
          -h, --help            show this help
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        guard let first = arguments.first else {
            throw UsageError(message: "missing subcommand; type `lanternd run --site FILE ...` or `lanternd --help`")
        }
        if first == "-h" || first == "--help" || first == "help" { return .help }
        if first == "--version" { return .version }
        guard first == "run" else {
            throw UsageError(message: "unknown subcommand '\(first)'; type `lanternd run --site FILE ...` or `lanternd --help`")
        }
        var options = RunOptions()
        var i = 1
        func value(_ name: String) throws(UsageError) -> String {
            guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else {
                throw UsageError(message: "\(name) needs a value; type `lanternd run \(name) VALUE` (see lanternd --help)")
            }
            i += 1
            return arguments[i]
        }
        while i < arguments.count {
            let name = arguments[i]
            switch name {
            case "-h", "--help": return .help
            case "--site": options.site = try value(name)
            case "--board": options.board = try value(name)
            case "--state-dir": options.stateDirectory = try value(name)
            case "--replay": options.replay = try value(name)
            case "--gpio-trace": options.gpioTrace = try value(name)
            case "--frame-log": options.frameLog = try value(name)
            case "--device-id":
                options.deviceID = try value(name)
                if options.deviceID.isEmpty { throw UsageError(message: "--device-id must not be empty") }
            case "--user": options.user = try value(name)
            case "--config-dir": options.configDirectory = try value(name)
            case "--first-boot-dir": options.firstBootDirectory = try value(name)
            case "--no-sandbox": options.sandbox = false
            case "--speed":
                let text = try value(name)
                guard let millis = DecimalText.fixed(text.utf8, places: 3) else {
                    throw UsageError(message: "--speed \(text): expected a number >= 0 with at most 3 decimals, e.g. --speed 2 or --speed 0")
                }
                options.speedMillis = millis
            case "--start-time":
                let text = try value(name)
                guard let seconds = DecimalText.epochSeconds(text) else {
                    throw UsageError(message: "--start-time \(text): expected UTC ISO 8601 like 2026-01-01T00:00:00Z, or epoch seconds")
                }
                options.startSeconds = seconds
            case "--interval":
                let text = try value(name)
                guard let n = DecimalText.integer(text.utf8), n >= 1 && n <= 86_400 else {
                    throw UsageError(message: "--interval \(text): expected whole seconds from 1 to 86400, e.g. --interval 60")
                }
                options.interval = Int(n)
            default:
                guard try options.uplink.accept(name, value: value) else {
                    throw UsageError(message: "unknown option '\(name)'; see `lanternd --help`")
                }
            }
            i += 1
        }
        guard options.site != nil else {
            throw UsageError(message: "missing --site FILE; type `lanternd run --site site.json --board Boards/<board>.json`")
        }
        if options.replay == nil && options.board == nil {
            throw UsageError(message: "missing --board FILE (or --replay CLIP); type `lanternd run --site FILE --board Boards/<board>.json`")
        }
        if options.replay == nil && options.gpioTrace != nil {
            throw UsageError(message: "--gpio-trace needs --replay CLIP (traces run in replay time)")
        }
        if options.replay != nil && options.frameLog != nil {
            throw UsageError(message: "--frame-log is for camera frames (--board without --replay)")
        }
        try options.uplink.validate(stateDirectory: options.stateDirectory, deviceID: options.deviceID)
        return .run(options)
    }
}
