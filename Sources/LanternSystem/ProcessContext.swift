import CLantern

/// The running process: its arguments and its end.
public enum ProcessContext {
    /// The command line, program name first (Embedded Swift has no `CommandLine`).
    public static var arguments: [String] {
        var result: [String] = []
        for i in 0..<lantern_argument_count() {
            if let arg = lantern_argument(i) { result.append(String(cString: arg)) }
        }
        return result
    }

    /// Ends the process now. Output is written with write(2) as it goes, so nothing is left buffered.
    /// The corresponding C function is `_exit`.
    public static func exit(_ code: Int32) -> Never {
        lantern_exit(code)
        fatalError()
    }
}
