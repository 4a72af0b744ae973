import CLantern

// The one funnel every libc call in LanternSystem goes through: it retries calls interrupted by a
// signal (EINTR) and turns the C "-1 and errno" convention into a typed result, so callers can
// `throws(Errno)` in Embedded Swift.

/// Runs `body` until it does not fail with EINTR; returns its non-negative result or the error.
@inline(__always)
internal func valueOrErrno<I: FixedWidthInteger>(
    retryOnInterrupt: Bool = true,
    _ body: () -> I
) -> Result<I, Errno> {
    while true {
        let result = body()
        if result != -1 { return .success(result) }
        let error = Errno.current
        if retryOnInterrupt && error == .interrupted { continue }
        return .failure(error)
    }
}

/// `valueOrErrno` for calls whose only useful result is success.
@inline(__always)
internal func nothingOrErrno<I: FixedWidthInteger>(
    retryOnInterrupt: Bool = true,
    _ body: () -> I
) -> Result<Void, Errno> {
    valueOrErrno(retryOnInterrupt: retryOnInterrupt, body).map { _ in () }
}

extension Result where Failure == Errno {
    /// The success value, or the error thrown with its type kept.
    @inline(__always)
    internal func get() throws(Errno) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }
}
