import CLantern

/// What provisioning and the first-boot move need from the system: directories, modes, a move that
/// survives a power cut across filesystems, and running a program (openssl). Never used after the
/// sandbox (it forbids exec).
public enum SystemFiles {
    /// Whether stdout is a terminal (the aiming map refreshes in place there).
    public static var standardOutputIsTerminal: Bool { lantern_stdout_is_terminal() == 1 }

    /// Creates `path` with `mode` unless it is already there.
    public static func makeDirectory(_ path: String, mode: UInt32) throws(Errno) {
        if path.withCString({ lantern_mkdir($0, mode) }) != 0 {
            let error = Errno.current
            if error != Errno(rawValue: EEXIST) { throw error }
        }
    }

    /// true for a regular file, false when nothing is there; a directory or anything else throws.
    public static func isRegularFile(_ path: String) throws(Errno) -> Bool {
        let result = path.withCString { lantern_is_regular_file($0) }
        if result < 0 { throw Errno.current }
        return result == 1
    }

    public static func setMode(_ path: String, _ mode: UInt32) throws(Errno) {
        if path.withCString({ lantern_chmod($0, mode) }) != 0 { throw Errno.current }
    }

    public static func remove(_ path: String) throws(Errno) {
        if path.withCString({ lantern_unlink($0) }) != 0 { throw Errno.current }
    }

    /// Moves `from` to `to` with `mode`: a rename on one filesystem; across filesystems
    /// (a FAT boot partition to /etc) a durable copy (`FileContents.replace`) and then the original's
    /// removal, so a power cut leaves the original or the complete copy, never half a file.
    public static func move(_ from: String, to: String, mode: UInt32) throws(Errno) {
        if from.withCString({ f in to.withCString { t in lantern_rename(f, t) } }) == 0 {
            try setMode(to, mode)
            try FileContents.syncDirectory(containing: to)
            return
        }
        let error = Errno.current
        guard error == Errno(rawValue: EXDEV) else { throw error }
        try FileContents.replace(to, with: try FileContents.read(from), mode: mode)
        try remove(from)
    }

    /// Runs `arguments[0]` (from PATH) with stdin and stdout on /dev/null and stderr shared, with
    /// `umask` in force, and waits. Returns its exit status (128 + signal when killed).
    public static func run(_ arguments: [String], umask: UInt32 = 0o022) throws(Errno) -> Int32 {
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        for argument in arguments { pointers.append(argument.withCString { lantern_strdup($0) }) }
        pointers.append(nil)
        defer { for p in pointers { lantern_free(p) } }
        let previous = lantern_set_umask(umask)
        let status = pointers.withUnsafeBufferPointer { lantern_spawn_wait($0.baseAddress) }
        let error = Errno.current
        _ = lantern_set_umask(previous)
        if status < 0 { throw error }
        return status
    }
}
