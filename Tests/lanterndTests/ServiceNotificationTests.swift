import Foundation
import LanternTestSupport
import LanternAgent
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServiceNotificationTests {
    @Test func theSocketAddressIsAPathOrAnAbstractName() {
        #expect(ServiceNotification.socketAddress("/run/systemd/notify") == "/run/systemd/notify")
        #expect(ServiceNotification.socketAddress("@/org/freedesktop/systemd1/notify/42") == "@/org/freedesktop/systemd1/notify/42")
        #expect(ServiceNotification.socketAddress(nil) == nil)
        #expect(ServiceNotification.socketAddress("") == nil)
        #expect(ServiceNotification.socketAddress("/") == nil)
        #expect(ServiceNotification.socketAddress("relative/notify") == nil)
        #expect(ServiceNotification.socketAddress("/" + String(repeating: "x", count: 120)) == nil)
    }

    @Test func theWatchdogIsForThisProcessOnly() {
        #expect(ServiceNotification.watchdogMicros(usec: "30000000", pid: nil, ownPID: 7) == 30_000_000)
        #expect(ServiceNotification.watchdogMicros(usec: "30000000", pid: "7", ownPID: 7) == 30_000_000)
        #expect(ServiceNotification.watchdogMicros(usec: "30000000", pid: "8", ownPID: 7) == nil)
        #expect(ServiceNotification.watchdogMicros(usec: nil, pid: nil, ownPID: 7) == nil)
        #expect(ServiceNotification.watchdogMicros(usec: "0", pid: nil, ownPID: 7) == nil)
        #expect(ServiceNotification.watchdogMicros(usec: "soon", pid: nil, ownPID: 7) == nil)
    }

    @Test func theWatchdogIsFedAtOnceThenAtMostEveryHalfPeriod() {
        var pacer = WatchdogPacer(watchdogMicros: 30_000_000)
        #expect(pacer.periodMicros == 15_000_000)
        let fed = [1_000, 2_000, 15_000_999, 15_001_000, 20_000_000, 40_000_000].map { pacer.due(atMicros: Int64($0)) }
        #expect(fed == [true, false, false, true, false, true])
    }

    @Test func messagesAreAssignmentsOneALine() {
        #expect(ServiceNotification.ready(status: "streaming /dev/video0") == "READY=1\nSTATUS=streaming /dev/video0")
        #expect(ServiceNotification.ready(status: "a\nb") == "READY=1\nSTATUS=a b")
        #expect(ServiceNotification.watchdog == "WATCHDOG=1")
        #expect(ServiceNotification.stopping(status: "stopped") == "STOPPING=1\nSTATUS=stopped")
    }

    /// The built lanternd replays the sample with NOTIFY_SOCKET set (a path, then an abstract name):
    /// READY=1 first, then WATCHDOG=1, then STOPPING=1.
    @Test(arguments: ["path", "abstract"]) func aReplayNotifiesReadinessAndFeedsTheWatchdog(kind: String) throws {
        let name = "lantern-notify-\(getpid())-\(kind)"
        let address = kind == "path" ? NSTemporaryDirectory() + name : "@" + name
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer {
            close(fd)
            if kind == "path" { unlink(address) }
        }
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        if kind == "abstract" { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &sa.sun_path) { raw in raw.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (kind == "path" ? 1 : 0))
        let bound = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let process = Process()
        process.executableURL = builtProduct("lanternd")
        process.arguments = ["run", "--site", "Simulator/sample/site.json", "--replay", "Simulator/sample/frames.y4m", "--speed", "0"]
        process.currentDirectoryURL = repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = address
        environment["WATCHDOG_USEC"] = "400000"  // fed every 0.2 s at most
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
            } else if !process.isRunning {
                break
            }
        }
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(!stderr.contains("NOTIFY_SOCKET"), "\(stderr)")
        #expect(messages.first == "READY=1\nSTATUS=replaying Simulator/sample/frames.y4m")
        #expect(messages.last == "STOPPING=1\nSTATUS=stopped")
        // The cadence is RunLoopTests' (a manual clock); a process shows only that the loop feeds it.
        #expect(messages.contains("WATCHDOG=1"), "\(messages)")
    }
}
