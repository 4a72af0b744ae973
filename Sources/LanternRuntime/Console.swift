import LanternCore
import LanternSystem

/// Output: one write(2) per line, so a pipe or journald sees each line as it is made (stdio would
/// buffer a pipe fully). Records and check results go to stdout; everything else is one line on
/// stderr, `lanternd: <what>: <what to do>`.
public enum Console {
    /// The tool named at the start of each stderr line.
    nonisolated(unsafe) public static var tool = "lanternd"

    public static func line(_ text: String) {
        write(text + "\n", to: .standardOutput)
    }

    /// Also sees every stderr line (tests read what a run said).
    nonisolated(unsafe) public static var errorObserver: ((String) -> Void)?

    /// One line on stderr: `lanternd: <what>: <what to do>`.
    public static func error(_ text: String) {
        errorObserver?(text)
        write(tool + ": " + text + "\n", to: .standardError)
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
