import CLantern
import LanternCore
import LanternSystem

/// Output: one write(2) per line, so a pipe or journald sees each line as it is made (stdio would
/// buffer a pipe fully). Records and check results go to stdout; everything else is one line on
/// stderr, `lanternd: <what>: <what to do>`, with its priority: when stderr is the journal
/// (`JOURNAL_STREAM`), each line starts with `<3>` (error), `<4>` (warning), `<6>` (info) or `<7>`
/// (debug), which journald turns into the entry's priority. `--quiet` keeps errors and warnings only,
/// `--verbose` adds debug lines; both tools take them (`Console.options`).
public enum Console {
    /// syslog(3) priorities.
    public enum Priority: Int, Sendable {
        case error = 3
        case warning = 4
        case info = 6
        case debug = 7
    }

    /// The tool named at the start of each stderr line.
    nonisolated(unsafe) public static var tool = "lanternd"
    /// Lines less urgent than this are not written.
    nonisolated(unsafe) public static var threshold = Priority.info
    /// Whether lines carry their priority (stderr is the journal).
    nonisolated(unsafe) public static var journal = lantern_stderr_is_journal() == 1

    /// The options every command takes for its stderr, in its table (and so in --help and the man page).
    public static let options = [
        OptionSpec("--verbose", nil, "also write debug lines on stderr (what was read from where)"),
        OptionSpec("--quiet", nil, "write only warnings and errors on stderr"),
    ]

    /// Applies `--verbose` / `--quiet`.
    public static func configure(verbose: Bool, quiet: Bool) {
        threshold = quiet ? .warning : verbose ? .debug : .info
    }

    public static func line(_ text: String) {
        write(text + "\n", to: .standardOutput)
    }

    /// Also sees every stderr line (tests read what a run said).
    nonisolated(unsafe) public static var errorObserver: ((String) -> Void)?

    /// One line on stderr: `lanternd: <what>: <what to do>`, an error.
    public static func error(_ text: String) { log(.error, text) }
    /// Something is wrong but the agent goes on (a lost camera, a broker down, a layer of the sandbox missing).
    public static func warning(_ text: String) { log(.warning, text) }
    /// What happened (connected, first-boot files moved, the sandbox in force).
    public static func info(_ text: String) { log(.info, text) }
    /// Detail for --verbose.
    public static func debug(_ text: String) { log(.debug, text) }

    public static func log(_ priority: Priority, _ text: String) {
        errorObserver?(text)
        guard priority.rawValue <= threshold.rawValue else { return }
        let prefix = journal ? "<\(priority.rawValue)>" : ""
        write(prefix + tool + ": " + text + "\n", to: .standardError)
    }

    public static func write(_ text: String, to fd: FileDescriptor) {
        var text = text
        text.withUTF8 { bytes in
            _ = try? fd.writeAll(UnsafeRawBufferPointer(bytes))
        }
    }
}

/// Why a command stops with an error: one line, and its exit code (`ExitStatus`, from sysexits).
public struct Failure: Error {
    public var message: String
    public var code: ExitStatus

    public init(_ message: String, code: ExitStatus = .software) {
        self.message = message
        self.code = code
    }
}
