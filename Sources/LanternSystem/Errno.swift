import CLantern

/// An error number from a failed libc call.
///
/// The corresponding C value is `errno`.
public struct Errno: Error, Equatable, Hashable, CustomStringConvertible, Sendable {
    /// The raw C error number.
    public let rawValue: CInt

    @inlinable
    public init(rawValue: CInt) {
        self.rawValue = rawValue
    }

    /// The error number of the calling thread's last failed libc call.
    ///
    /// The corresponding C value is `errno`.
    public static var current: Errno {
        Errno(rawValue: lantern_errno())
    }

    /// The system's message for this error, e.g. "No such file or directory".
    ///
    /// The corresponding C function is `strerror`.
    public var description: String {
        guard let message = strerror(rawValue) else { return "error \(rawValue)" }
        return String(cString: message)
    }

    /// Operation not permitted. The corresponding C constant is `EPERM`.
    public static var notPermitted: Errno { Errno(rawValue: EPERM) }
    /// No such file or directory. The corresponding C constant is `ENOENT`.
    public static var noSuchFileOrDirectory: Errno { Errno(rawValue: ENOENT) }
    /// Interrupted system call. The corresponding C constant is `EINTR`.
    public static var interrupted: Errno { Errno(rawValue: EINTR) }
    /// Input/output error. The corresponding C constant is `EIO`.
    public static var ioError: Errno { Errno(rawValue: EIO) }
    /// Bad file descriptor. The corresponding C constant is `EBADF`.
    public static var badFileDescriptor: Errno { Errno(rawValue: EBADF) }
    /// Resource temporarily unavailable. The corresponding C constant is `EAGAIN`.
    public static var resourceTemporarilyUnavailable: Errno { Errno(rawValue: EAGAIN) }
    /// Permission denied. The corresponding C constant is `EACCES`.
    public static var permissionDenied: Errno { Errno(rawValue: EACCES) }
    /// Device or resource busy. The corresponding C constant is `EBUSY`.
    public static var resourceBusy: Errno { Errno(rawValue: EBUSY) }
    /// No such device. The corresponding C constant is `ENODEV`.
    public static var noSuchDevice: Errno { Errno(rawValue: ENODEV) }
    /// Is a directory. The corresponding C constant is `EISDIR`.
    public static var isDirectory: Errno { Errno(rawValue: EISDIR) }
    /// Invalid argument. The corresponding C constant is `EINVAL`.
    public static var invalidArgument: Errno { Errno(rawValue: EINVAL) }
    /// Illegal seek (a pipe or FIFO). The corresponding C constant is `ESPIPE`.
    public static var illegalSeek: Errno { Errno(rawValue: ESPIPE) }
    /// Out of memory. The corresponding C constant is `ENOMEM`.
    public static var noMemory: Errno { Errno(rawValue: ENOMEM) }
    /// The corresponding C constant is `EFBIG`.
    public static var fileTooLarge: Errno { Errno(rawValue: EFBIG) }
}
