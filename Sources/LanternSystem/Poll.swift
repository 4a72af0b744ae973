import CLantern

/// `poll(2)` over a few descriptors, for the agent's single-threaded loop.
public enum Poll {
    /// Waits up to `timeoutMillis` (-1: forever) for any of `descriptors` to be readable; returns one
    /// flag per descriptor. A signal ends the wait early with all flags false (EINTR is not an error
    /// here: the loop then looks at `SignalFlags`). The corresponding C function is `poll`.
    public static func readable(_ descriptors: [FileDescriptor], timeoutMillis: Int) throws(Errno) -> [Bool] {
        var fds = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        let n = poll(&fds, nfds_t(fds.count), Int32(clamping: timeoutMillis))
        if n < 0 {
            let error = Errno.current
            if error == .interrupted { return descriptors.map { _ in false } }
            throw error
        }
        return fds.map { $0.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 }
    }
}

extension Poll {
    /// Waits up to `timeoutMillis` for one descriptor to be readable (or, when `writable`, writable).
    /// A signal ends the wait early with both false. The corresponding C function is `poll`.
    public static func ready(_ descriptor: FileDescriptor, writable: Bool, timeoutMillis: Int) throws(Errno) -> (readable: Bool, writable: Bool) {
        var fd = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN) | (writable ? Int16(POLLOUT) : 0), revents: 0)
        let n = poll(&fd, 1, Int32(clamping: timeoutMillis))
        if n < 0 {
            let error = Errno.current
            if error == .interrupted { return (false, false) }
            throw error
        }
        return (fd.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0, fd.revents & Int16(POLLOUT) != 0)
    }
}
