import CLantern
import LanternCore
import LanternSystem

/// The state directory (journal, record numbering): created 0750 for the user lanternd runs as when
/// missing (its parent must exist), refused in one line when another user owns it, since the agent,
/// once it has switched users, could not write its journal there.
public enum StateDirectory {
    /// `user`: the one lanternd switches to (`--user`), nil for the one it runs as.
    public static func prepare(_ path: String, user: String?) throws(Failure) {
        var expected = UInt32(lantern_effective_uid())
        if let user {
            var uid: UInt32 = 0
            if user.withCString({ lantern_user_uid($0, &uid) }) != 0 {
                throw Failure("--user \(user): no such user; create it (adduser --system --group \(user)) or drop --user", code: .noPermission)
            }
            expected = uid
        }
        var owner: UInt32 = 0, mode: UInt32 = 0
        if path.withCString({ lantern_path_owner($0, &owner, &mode) }) != 0 {
            let error = Errno.current
            guard error == .noSuchFileOrDirectory else {
                throw Failure("\(path): cannot use the state directory: \(error); check --state-dir", code: .cannotCreate)
            }
            do throws(Errno) {
                try SystemFiles.makeDirectory(path, mode: 0o750)
                try SystemFiles.setMode(path, 0o750)
            } catch {
                throw Failure("\(path): cannot create the state directory: \(error); create its parent or fix --state-dir", code: .cannotCreate)
            }
            if let user, user.withCString({ u in path.withCString { lantern_chown_to_user($0, u) } }) != 0 {
                throw Failure("\(path): cannot give the new state directory to \(user): \(Errno.current)", code: .cannotCreate)
            }
            Console.info("created the state directory \(path) (mode 0750)")
            return
        }
        // root may use any directory; anyone else (or root switching to --user) needs its own.
        if expected != 0 && owner != expected {
            var name = [CChar](repeating: 0, count: 64), want = [CChar](repeating: 0, count: 64)
            lantern_user_name(owner, &name, name.count)
            lantern_user_name(expected, &want, want.count)
            let ownerName = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let wanted = want.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw Failure("\(path): the state directory belongs to \(ownerName), but lanternd runs as \(wanted); chown -R \(wanted): \(path)", code: .noPermission)
        }
    }

    /// Gives the files root made in the state directory (the journal, `next-seq`) to `user`, just
    /// before lanternd switches to it: otherwise, once restarted (by the watchdog, or a reboot), the
    /// service user cannot rewrite a file created as root in the run before.
    public static func handOver(_ path: String, to user: String) throws(Failure) {
        let changed = path.withCString { dir in user.withCString { lantern_chown_files_to_user(dir, $0) } }
        if changed == -2 {
            throw Failure("--user \(user): no such user; create it (adduser --system --group \(user)) or drop --user", code: .noPermission)
        }
        if changed < 0 {
            throw Failure("\(path): cannot give the state files to \(user): \(Errno.current); chown -R \(user): \(path)", code: .noPermission)
        }
    }
}
