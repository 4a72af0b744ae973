import LanternAgent
import LanternHardware
import LanternSystem

/// `lanternd run` under systemd (`Type=notify`, `WatchdogSec=`): `READY=1` once the frame loop starts
/// (the camera streaming, or the replay started), `WATCHDOG=1` from the frame loop at most every half
/// `WATCHDOG_USEC`, `STOPPING=1` at the end. Outside systemd (no `NOTIFY_SOCKET`) it does nothing.
final class ServiceNotifier {
    let socket: NotifySocket?
    var pacer: WatchdogPacer?
    private(set) var readySent = false
    private var reportedFailure = false

    init() {
        if let address = ServiceNotification.socketAddress(NotifySocket.environment("NOTIFY_SOCKET")) {
            do throws(Errno) {
                socket = try NotifySocket(address: address)
            } catch {
                Console.error("NOTIFY_SOCKET \(address): cannot connect: \(error); systemd will not see readiness")
                socket = nil
            }
        } else {
            socket = nil
        }
        let micros = ServiceNotification.watchdogMicros(
            usec: NotifySocket.environment("WATCHDOG_USEC"), pid: NotifySocket.environment("WATCHDOG_PID"),
            ownPID: NotifySocket.processID)
        pacer = micros.map { WatchdogPacer(watchdogMicros: $0) }
    }

    /// The loop is running: `READY=1` (once) with `status`, and the first watchdog feed.
    func ready(_ status: String) {
        guard !readySent else { return }
        readySent = true
        send(ServiceNotification.ready(status: status))
        watchdog()
    }

    /// From the frame loop: feeds the watchdog when due.
    func watchdog() {
        guard socket != nil, pacer?.due(atMicros: SystemClock.monotonicMicros) == true else { return }
        send(ServiceNotification.watchdog)
    }

    func stopping(_ status: String) {
        send(ServiceNotification.stopping(status: status))
    }

    private func send(_ message: String) {
        guard let socket else { return }
        do throws(Errno) {
            try socket.send(message)
        } catch {
            if !reportedFailure {
                reportedFailure = true
                Console.error("NOTIFY_SOCKET \(socket.address): \(error); systemd may restart lanternd for a missed watchdog")
            }
        }
    }
}
