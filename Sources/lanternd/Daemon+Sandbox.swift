import LanternHardware

extension Daemon {
    /// Confines the process once its devices, clip and state directory are open, just before the
    /// frame loop: `--user` first (root only), then no_new_privs, Landlock and seccomp
    /// (LanternHardware/Sandbox.swift). A kernel lacking a layer is one warning on stderr, not a stop;
    /// stdout stays the interval lines only.
    func confine() throws(Failure) {
        if let user = options.user {
            do throws(Sandbox.Failure) {
                try Sandbox.switchUser(user)
            } catch {
                throw Failure(error.message)
            }
        }
        guard options.sandbox else {
            Console.error("sandbox: off (--no-sandbox)")
            return
        }
        let report: Sandbox.Report
        do throws(Sandbox.Failure) {
            report = try Sandbox.confine(writableDirectory: options.stateDirectory)
        } catch {
            throw Failure(error.message)
        }
        let warnings = report.warnings
        for line in warnings { Console.error(line) }
        if warnings.isEmpty && options.replay == nil { Console.error(report.summary) }
        for line in Sandbox.selfTestLines() { Console.error(line) }
    }
}
