/// The exit statuses of `lanternd` and `lantern-sim`, from BSD's sysexits(3), so a script or systemd
/// can tell a typo from a broken file from a missing device.
public enum ExitStatus: Int32, Sendable {
    /// Done; for `check`, nothing failed.
    case success = 0
    /// The command ran and its finding is negative: `check` found a FAIL, `evaluate` a failing condition.
    case findingFailed = 1
    /// The command line is wrong (unknown option, missing value): EX_USAGE.
    case usage = 64
    /// An input file is malformed (a clip, a truth file): EX_DATAERR.
    case dataError = 65
    /// An input file cannot be opened or read: EX_NOINPUT.
    case noInput = 66
    /// A device or service is not there (a GPIO chip, a camera): EX_UNAVAILABLE.
    case unavailable = 69
    /// An internal error: EX_SOFTWARE.
    case software = 70
    /// An output file or directory cannot be created or written: EX_CANTCREAT.
    case cannotCreate = 73
    /// An I/O error while running: EX_IOERR.
    case ioError = 74
    /// Permission refused (the sandbox, a user switch): EX_NOPERM.
    case noPermission = 77
    /// A configuration file is wrong (site, board, lantern.conf, trace): EX_CONFIG.
    case configuration = 78
}
