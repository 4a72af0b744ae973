import LanternAgent
import LanternSystem

/// `lanternd run` under systemd (`Type=notify`, `WatchdogSec=`): `READY=1` once the frame loop starts
/// (the camera streaming, or the replay started), `WATCHDOG=1` from the frame loop at most every half
/// `WATCHDOG_USEC`, `STOPPING=1` at the end. Outside systemd (no `NOTIFY_SOCKET`) it does nothing.
/// The datagrams go through `send`, so a test sees exactly what systemd would, on the loop's clock.
public final class ServiceNotifier {
    let send: ((String) throws(Errno) -> Void)?
    let clock: any RunClock
    var pacer: WatchdogPacer?
    public private(set) var readySent = false
    private var reportedFailure = false

    /// - Parameters:
    ///   - watchdogMicros: systemd's watchdog timeout (nil: none).
    ///   - send: writes one datagram (nil: not under systemd).
    public init(clock: any RunClock, watchdogMicros: Int64?, send: ((String) throws(Errno) -> Void)?) {
        self.clock = clock
        self.send = send
        pacer = watchdogMicros.map { WatchdogPacer(watchdogMicros: $0) }
    }

    /// The notifier systemd's environment asks for (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`).
    public static func fromEnvironment(clock: any RunClock) -> ServiceNotifier {
        var send: ((String) throws(Errno) -> Void)?
        if let address = ServiceNotification.socketAddress(NotifySocket.environment("NOTIFY_SOCKET")) {
            do throws(Errno) {
                let socket = try NotifySocket(address: address)
                send = { (message: String) throws(Errno) in try socket.send(message) }
            } catch {
                Console.error("NOTIFY_SOCKET \(address): cannot connect: \(error); systemd will not see readiness")
            }
        }
        let micros = ServiceNotification.watchdogMicros(
            usec: NotifySocket.environment("WATCHDOG_USEC"), pid: NotifySocket.environment("WATCHDOG_PID"),
            ownPID: NotifySocket.processID)
        return ServiceNotifier(clock: clock, watchdogMicros: micros, send: send)
    }

    /// The loop is running: `READY=1` (once) with `status`, and the first watchdog feed.
    public func ready(_ status: String) {
        guard !readySent else { return }
        readySent = true
        deliver(ServiceNotification.ready(status: status))
        watchdog()
    }

    /// From the frame loop: feeds the watchdog when due.
    public func watchdog() {
        guard send != nil, pacer?.due(atMicros: clock.monotonicMicros) == true else { return }
        deliver(ServiceNotification.watchdog)
    }

    /// When the loop must come back to feed the watchdog (nil: no watchdog).
    public var watchdogDueMicros: Int64? {
        guard send != nil, let pacer else { return nil }
        return pacer.lastFedMicros.map { $0 + pacer.periodMicros }
    }

    public func stopping(_ status: String) {
        deliver(ServiceNotification.stopping(status: status))
    }

    private func deliver(_ message: String) {
        guard let send else { return }
        do throws(Errno) {
            try send(message)
        } catch {
            if !reportedFailure {
                reportedFailure = true
                Console.error("NOTIFY_SOCKET: \(error); systemd may restart lanternd for a missed watchdog")
            }
        }
    }
}
