import CLantern

/// An open file descriptor: a thin, copyable handle over the raw C `int`.
///
/// It does not close itself; whoever opens it calls `close()` (or uses `closeAfter`).
public struct FileDescriptor: Equatable, Hashable, Sendable {
    /// The raw C file descriptor.
    public let rawValue: CInt

    @inlinable
    public init(rawValue: CInt) {
        self.rawValue = rawValue
    }

    /// Standard input, output and error.
    public static var standardInput: FileDescriptor { FileDescriptor(rawValue: 0) }
    public static var standardOutput: FileDescriptor { FileDescriptor(rawValue: 1) }
    public static var standardError: FileDescriptor { FileDescriptor(rawValue: 2) }
}

extension FileDescriptor {
    /// How a file is opened: for reading, writing or both.
    public struct AccessMode: RawRepresentable, Equatable, Hashable, Sendable {
        public let rawValue: CInt
        @inlinable public init(rawValue: CInt) { self.rawValue = rawValue }

        /// The corresponding C constant is `O_RDONLY`.
        public static var readOnly: AccessMode { AccessMode(rawValue: O_RDONLY) }
        /// The corresponding C constant is `O_WRONLY`.
        public static var writeOnly: AccessMode { AccessMode(rawValue: O_WRONLY) }
        /// The corresponding C constant is `O_RDWR`.
        public static var readWrite: AccessMode { AccessMode(rawValue: O_RDWR) }
    }

    /// Flags for `open`.
    public struct OpenOptions: OptionSet, Sendable {
        public let rawValue: CInt
        @inlinable public init(rawValue: CInt) { self.rawValue = rawValue }

        /// The corresponding C constant is `O_CREAT`.
        public static var create: OpenOptions { OpenOptions(rawValue: O_CREAT) }
        /// The corresponding C constant is `O_EXCL`.
        public static var exclusiveCreate: OpenOptions { OpenOptions(rawValue: O_EXCL) }
        /// The corresponding C constant is `O_TRUNC`.
        public static var truncate: OpenOptions { OpenOptions(rawValue: O_TRUNC) }
        /// The corresponding C constant is `O_APPEND`.
        public static var append: OpenOptions { OpenOptions(rawValue: O_APPEND) }
        /// The corresponding C constant is `O_NONBLOCK`.
        public static var nonBlocking: OpenOptions { OpenOptions(rawValue: O_NONBLOCK) }
        /// The corresponding C constant is `O_CLOEXEC`.
        public static var closeOnExec: OpenOptions { OpenOptions(rawValue: O_CLOEXEC) }
    }

    /// Where `seek` measures its offset from.
    public struct SeekOrigin: RawRepresentable, Equatable, Hashable, Sendable {
        public let rawValue: CInt
        @inlinable public init(rawValue: CInt) { self.rawValue = rawValue }

        /// The corresponding C constant is `SEEK_SET`.
        public static var start: SeekOrigin { SeekOrigin(rawValue: SEEK_SET) }
        /// The corresponding C constant is `SEEK_CUR`.
        public static var current: SeekOrigin { SeekOrigin(rawValue: SEEK_CUR) }
        /// The corresponding C constant is `SEEK_END`.
        public static var end: SeekOrigin { SeekOrigin(rawValue: SEEK_END) }
    }
}

extension FileDescriptor {
    /// Opens or creates a file. `permissions` (e.g. `0o644`) only matter with `.create`.
    ///
    /// The corresponding C function is `open`.
    public static func open(
        _ path: String,
        _ mode: AccessMode,
        options: OpenOptions = [.closeOnExec],
        permissions: UInt32 = 0o644,
        retryOnInterrupt: Bool = true
    ) throws(Errno) -> FileDescriptor {
        let fd = path.withCString { cPath in
            valueOrErrno(retryOnInterrupt: retryOnInterrupt) {
                lantern_open(cPath, mode.rawValue | options.rawValue, mode_t(permissions))
            }
        }
        return FileDescriptor(rawValue: try fd.get())
    }

    /// Reads up to `buffer.count` bytes; returns how many were read, 0 at end of file.
    ///
    /// The corresponding C function is `read`.
    public func read(
        into buffer: UnsafeMutableRawBufferPointer,
        retryOnInterrupt: Bool = true
    ) throws(Errno) -> Int {
        try valueOrErrno(retryOnInterrupt: retryOnInterrupt) {
            CLantern.read(rawValue, buffer.baseAddress, buffer.count)
        }.get()
    }

    /// Writes up to `buffer.count` bytes; returns how many were written (possibly fewer).
    ///
    /// The corresponding C function is `write`.
    public func write(
        _ buffer: UnsafeRawBufferPointer,
        retryOnInterrupt: Bool = true
    ) throws(Errno) -> Int {
        try valueOrErrno(retryOnInterrupt: retryOnInterrupt) {
            CLantern.write(rawValue, buffer.baseAddress, buffer.count)
        }.get()
    }

    /// Writes all of `buffer`, looping over short writes.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < buffer.count {
            offset += try write(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
        }
    }

    /// Writes all of `bytes`, looping over short writes.
    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        let written: Result<Void, Errno> = bytes.withUnsafeBytes { buffer in
            do throws(Errno) {
                try writeAll(buffer)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try written.get()
    }

    /// Moves the file offset; returns the new offset from the start of the file.
    ///
    /// The corresponding C function is `lseek`.
    @discardableResult
    public func seek(offset: Int64, from origin: SeekOrigin) throws(Errno) -> Int64 {
        Int64(try valueOrErrno { lseek(rawValue, off_t(offset), origin.rawValue) }.get())
    }

    /// Flushes the file's data and metadata to stable storage.
    ///
    /// The corresponding C function is `fsync`.
    public func sync() throws(Errno) {
        try nothingOrErrno { fsync(rawValue) }.get()
    }

    /// Sets the file's permission bits (the umask does not apply).
    ///
    /// The corresponding C function is `fchmod`.
    public func setPermissions(_ mode: UInt32) throws(Errno) {
        try nothingOrErrno { fchmod(rawValue, mode_t(mode)) }.get()
    }

    /// Closes the descriptor. Not retried on EINTR: on Linux the descriptor is already released
    /// then, and a retry could close a descriptor another thread just opened.
    ///
    /// The corresponding C function is `close`.
    public func close() throws(Errno) {
        try nothingOrErrno(retryOnInterrupt: false) { CLantern.close(rawValue) }.get()
    }

    /// Runs `body`, then closes the descriptor whatever happens. A failing close is ignored: the
    /// descriptor is released either way, and `body`'s result or error is what the caller needs.
    public func closeAfter<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let result: R
        do {
            result = try body()
        } catch {
            _ = try? close()
            throw error
        }
        _ = try? close()
        return result
    }
}
