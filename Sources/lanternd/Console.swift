import LanternHardware
import LanternSystem

/// Output: one write(2) per line, so a pipe or journald sees each line as it is made (stdio would
/// buffer a pipe fully).
enum Console {
    static func line(_ text: String) {
        write(text + "\n", to: .standardOutput)
    }

    /// One line on stderr: `lanternd: <what>: <what to do>`.
    static func error(_ text: String) {
        write("lanternd: " + text + "\n", to: .standardError)
    }

    static func write(_ text: String, to fd: FileDescriptor) {
        var text = text
        text.withUTF8 { bytes in
            _ = try? fd.writeAll(UnsafeRawBufferPointer(bytes))
        }
    }
}

/// Why lanternd stops with an error: one line, and the exit code (1 for the environment).
struct Failure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
