import CLanternHardware
import LanternSystem

/// Small whole files: configuration in, state out.
public enum FileContents {
    /// The file's bytes. For configuration files (a few KB); refuses anything over `limit`.
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
            if bytes.count > limit { throw Errno.noMemory }
        }
        return bytes
    }

    /// Replaces the file's contents as one step: writes and fsyncs `path.tmp`, renames it over `path`,
    /// then fsyncs the directory, so a power cut leaves the old or the new contents, never half of one
    /// (nor an empty file where the data had not reached the disk before the rename).
    /// The corresponding C functions are `open`, `write`, `fsync` and `rename`.
    public static func replace(_ path: String, with text: String) throws(Errno) {
        let temporary = path + ".tmp"
        let fd = try FileDescriptor.open(temporary, .writeOnly, options: [.create, .truncate, .closeOnExec])
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        do throws(Errno) {
            try fd.writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))
            if fsync(fd.rawValue) != 0 { throw Errno.current }
        } catch {
            _ = try? fd.close()
            throw error
        }
        try fd.close()
        let failed = temporary.withCString { from in path.withCString { to in lantern_rename(from, to) } }
        if failed != 0 { throw Errno.current }
        var directory = "."
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
            directory = slash == path.utf8.startIndex ? "/" : String(path[..<slash])
        }
        if directory.withCString({ lantern_fsync_path($0, 1) }) != 0 { throw Errno.current }
    }
}
