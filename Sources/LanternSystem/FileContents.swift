import CLantern

/// Small whole files: configuration in, state out.
public enum FileContents {
    /// The file's bytes. For configuration files (a few KB); refuses anything over `limit` with
    /// `EFBIG`, reading no more than `limit` + 4 KB.
    public static func read(_ path: String, limit: Int = 1 << 20) throws(Errno) -> [UInt8] {
        let fd = try FileDescriptor.open(path, .readOnly)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer {
            chunk.deallocate()
            _ = try? fd.close()
        }
        var bytes: [UInt8] = []
        while true {
            let n = try fd.read(into: chunk)
            if n == 0 { break }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            if bytes.count > limit { throw Errno.fileTooLarge }
        }
        return bytes
    }

    /// Replaces the file's contents as one step: writes and fsyncs `path.tmp` (created with `mode`),
    /// renames it over `path`, then fsyncs the directory, so a power cut leaves the old or the new
    /// contents, never half of one (nor an empty file where the data had not reached the disk before
    /// the rename). The corresponding C functions are `open`, `write`, `fsync` and `rename`.
    public static func replace(_ path: String, with text: String, mode: UInt32 = 0o644) throws(Errno) {
        try replace(path, with: Array(text.utf8), mode: mode)
    }

    public static func replace(_ path: String, with bytes: [UInt8], mode: UInt32 = 0o644) throws(Errno) {
        let temporary = path + ".tmp"
        let fd = try FileDescriptor.open(temporary, .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: mode)
        do throws(Errno) {
            try fd.writeAll(bytes)
            if fsync(fd.rawValue) != 0 { throw Errno.current }
        } catch {
            _ = try? fd.close()
            _ = temporary.withCString { lantern_unlink($0) }
            throw error
        }
        try fd.close()
        // The umask may have narrowed the mode given to open.
        if temporary.withCString({ lantern_chmod($0, mode) }) != 0 { throw Errno.current }
        let failed = temporary.withCString { from in path.withCString { to in lantern_rename(from, to) } }
        if failed != 0 { throw Errno.current }
        try syncDirectory(containing: path)
    }

    /// fsyncs the directory holding `path`, so a rename or a new name in it survives a power cut.
    public static func syncDirectory(containing path: String) throws(Errno) {
        var directory = "."
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
            directory = slash == path.utf8.startIndex ? "/" : String(path[..<slash])
        }
        let fd = try FileDescriptor.open(directory, .readOnly, options: [.closeOnExec, FileDescriptor.OpenOptions(rawValue: lantern_o_directory())])
        defer { _ = try? fd.close() }
        if fsync(fd.rawValue) != 0 { throw Errno.current }
    }
}
