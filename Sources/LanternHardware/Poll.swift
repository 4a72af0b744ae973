import CLanternHardware
import LanternSystem

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
