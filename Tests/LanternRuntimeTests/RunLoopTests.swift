import CLantern
import Foundation
import LanternAgent
import LanternCore
import LanternRuntime
import LanternSystem
import LanternUplink
import Testing

/// A live frame source played from a script, on a `ManualClock`: a blank frame every `period`, the
/// camera lost at `loseAtFrame`, and `failedOpens` reopen attempts that fail before it comes back.
final class ScriptedCamera: FrameSource {
    let clock: ManualClock
    let period: Int64
    var loseAtFrame: Int?
    var failedOpens = 0
    /// Why the failed reopens fail (ENODEV: unplugged; EACCES: the sandbox refuses a new node).
    var failWith: Errno = .noSuchDevice
    private(set) var opens: [Int64] = []
    private(set) var framesRead = 0
    private var open_ = false
    private var nextDue: Int64 = 0
    private let pixels = [UInt8](repeating: 90, count: 64 * 48)

    init(clock: ManualClock, period: Int64 = 100_000) {
        self.clock = clock
        self.period = period
    }

    var name: String { "/dev/video-scripted" }
    var framePeriodMicros: Int64 { period }
    var isRecorded: Bool { false }
    var descriptor: FileDescriptor? { nil }
    var nextFrameTime: Int64? { open_ ? nextDue : nil }
    var droppedFrames: Int { 3 }
    var lumaRange: LumaRange? { .full }
    var isOpen: Bool { open_ }

    func open() throws(FrameSourceError) {
        opens.append(clock.monotonicMicros)
        if opens.count > 1 && failedOpens > 0 {
            failedOpens -= 1
            throw FrameSourceError(.unavailable(failWith), "/dev/video-scripted: \(failWith == .noSuchDevice ? "no such device" : "cannot open: \(failWith)")")
        }
        open_ = true
        nextDue = clock.monotonicMicros + period
    }

    func close() { open_ = false }

    func readFrame(_ body: (GreyImage) -> Void) throws(FrameSourceError) -> FrameRead {
        if let lose = loseAtFrame, framesRead == lose {
            loseAtFrame = nil
            throw FrameSourceError(.unavailable(.noSuchDevice), "/dev/video-scripted: lost (No such device)")
        }
        framesRead += 1
        nextDue += period
        pixels.withUnsafeBufferPointer { body(GreyImage(unsafePixels: $0.baseAddress!, width: 64, height: 48, stride: 64)) }
        return .frame
    }

    func skipFrame() throws(FrameSourceError) { nextDue += period }
}

/// Signals raised when the clock reaches a time.
final class TimedSignals: StopSignals {
    let clock: ManualClock
    var stopAt: Int64 = .max
    var reloadAt: Int64 = .max

    init(clock: ManualClock) { self.clock = clock }

    func takeStop() -> Bool { clock.monotonicMicros >= stopAt }

    func takeReload() -> Bool {
        guard clock.monotonicMicros >= reloadAt else { return false }
        reloadAt = .max
        return true
    }
}

/// Live GPIO inputs played from a script: their levels at start, and edges that become visible when
/// the wall clock reaches them.
final class ScriptedInputs: GPIOInputs {
    var levels: [(role: GPIORole, active: Bool)]
    var edges: [(atRealtime: Int64, edge: InputEdge)]

    init(levels: [(role: GPIORole, active: Bool)], edges: [(atRealtime: Int64, edge: InputEdge)]) {
        self.levels = levels
        self.edges = edges
    }

    var descriptors: [FileDescriptor] { [] }
    var nextEdgeTime: Int64? { nil }
    func currentLevels() -> [(role: GPIORole, active: Bool)] { levels }

    func takeEdges(readable: ArraySlice<Bool>, upTo streamTime: Int64) -> [InputEdge] {
        let due = edges.filter { $0.atRealtime <= streamTime }.map(\.edge)
        edges.removeAll { $0.atRealtime <= streamTime }
        return due
    }
}

func testSite(zone: String = "square", suppressBelow: Int = 0) -> SiteConfig {
    let scale = PersonScale(samples: [.init(row: 0, height: 20), .init(row: 48, height: 40)])
    let area = Polygon(points: [Point(x: 0, y: 0), Point(x: 64, y: 0), Point(x: 64, y: 48), Point(x: 0, y: 48)])
    return SiteConfig(name: "test", scale: scale, zones: [SiteConfig.Zone(name: zone, area: area)], intervalSeconds: 10, suppressBelow: suppressBelow)
}

@Suite struct RunLoopTests {
    /// Confined, the agent may write only the camera's node as it was at confinement: a camera
    /// plugged in again is a new node the sandbox refuses (EACCES), so the loop stops (exit 69) for
    /// systemd to restart it; unconfined, the same refusal is retried like any other.
    @Test func aCameraNodeTheSandboxRefusesStopsTheLoopForARestart() throws {
        for pinned in [true, false] {
            let clock = ManualClock()
            let camera = ScriptedCamera(clock: clock)
            camera.loseAtFrame = 5
            camera.failedOpens = 100
            camera.failWith = .permissionDenied
            let signals = TimedSignals(clock: clock)
            signals.stopAt = clock.monotonicMicros + 120_000_000
            let loop = RunLoop(agent: Agent(site: testSite(), framePeriodMicros: 100_000), source: camera, clock: clock, signals: signals)
            loop.confine = { () throws(Failure) in }
            loop.sandboxPinsCameraNode = pinned
            do throws(Failure) {
                try loop.run()
                #expect(!pinned, "the loop went on although the sandbox refuses the camera's new node")
                #expect(camera.opens.count > 2)
            } catch {
                #expect(pinned)
                #expect(error.code == .unavailable)
                #expect(error.message == "/dev/video-scripted: cannot open: Permission denied: the camera's device node was replaced since the sandbox was set up (plugged in again?); stopping so that systemd restarts lanternd, which opens the new one")
                #expect(camera.opens.count == 2)
            }
        }
    }

    /// WATCHDOG_USEC of 2 s: the loop feeds the watchdog from the frame path once per second (half the
    /// timeout), at exactly these times on the loop's clock, and says READY first and STOPPING last.
    @Test func theWatchdogIsFedEveryHalfTimeoutFromTheFrameLoop() throws {
        let clock = ManualClock()
        let start = clock.monotonicMicros
        let camera = ScriptedCamera(clock: clock)
        let signals = TimedSignals(clock: clock)
        signals.stopAt = start + 5_050_000
        var sent: [(Int64, String)] = []
        let notifier = ServiceNotifier(clock: clock, watchdogMicros: 2_000_000) { (message: String) throws(Errno) in
            sent.append((clock.monotonicMicros, message))
        }
        let loop = RunLoop(agent: Agent(site: testSite(), framePeriodMicros: 100_000), source: camera, clock: clock, signals: signals)
        loop.notifier = notifier
        try loop.run()
        #expect(sent.first?.1.hasPrefix("READY=1\nSTATUS=streaming /dev/video-scripted") == true)
        #expect(sent.last?.1 == "STOPPING=1\nSTATUS=stopped")
        let feeds = sent.filter { $0.1 == "WATCHDOG=1" }.map { $0.0 - start }
        #expect(feeds == [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000])
        #expect(camera.framesRead == 50)
    }

    /// Lateness is measured in the loop itself: a turn that blocks (here the per-turn hook holds the
    /// loop for 1.7 s of the manual clock, once, as a blocking connect would) shows as the longest turn,
    /// and a quiet loop shows none. Issue 11 asks the frame loop never to wait on the network; this is
    /// the figure `lanternd run` prints at its end to show it.
    @Test func aBlockingTurnShowsAsTheLoopsLateness() throws {
        for blockOnTurn in [nil, 12] as [Int?] {
            let clock = ManualClock()
            let camera = ScriptedCamera(clock: clock)
            let signals = TimedSignals(clock: clock)
            signals.stopAt = clock.monotonicMicros + 3_000_000
            let loop = RunLoop(agent: Agent(site: testSite(), framePeriodMicros: 100_000), source: camera, clock: clock, signals: signals)
            var turns = 0
            loop.onTurn = { _ in
                turns += 1
                if turns == blockOnTurn { clock.advance(by: 1_700_000) }
            }
            try loop.run()
            if blockOnTurn == nil {
                #expect(loop.maximumLatenessMicros == 0)
            } else {
                #expect(loop.longestTurnMicros == 1_700_000)
                #expect(loop.maximumLatenessMicros == 1_700_000)
            }
        }
    }

    /// The camera goes away at frame 20 and two reopen attempts fail: the loop reopens it on the
    /// camera backoff's schedule (seeded per device), health says `lost` then `streaming`, and the
    /// interval it was gone for is unknown rather than counted.
    @Test func aLostCameraIsReopenedOnItsBackoffScheduleAndItsIntervalIsUnknown() throws {
        let clock = ManualClock()
        let start = clock.monotonicMicros
        let camera = ScriptedCamera(clock: clock)
        camera.loseAtFrame = 20
        camera.failedOpens = 2
        let signals = TimedSignals(clock: clock)
        signals.stopAt = start + 60_000_000
        let agent = Agent(site: testSite(), framePeriodMicros: 100_000)
        let loop = RunLoop(agent: agent, source: camera, clock: clock, signals: signals, device: "lamp-7")
        var records: [IntervalRecord] = []
        loop.onRecords = { records += $0 }
        try loop.run()

        var expected = Backoff(firstWindowMicros: 1_000_000, maximumWindowMicros: 30_000_000, seed: Backoff.seed(device: "lamp-7", purpose: "camera"))
        let lostAt = start + 2_100_000  // frame 21 was due at 2.1 s; reading it failed
        let firstRetry = lostAt + expected.nextDelayMicros()
        let secondRetry = firstRetry + expected.nextDelayMicros()
        let thirdRetry = secondRetry + expected.nextDelayMicros()
        #expect(camera.opens.map { $0 - start } == [0, firstRetry - start, secondRetry - start, thirdRetry - start])
        #expect(loop.health.droppedFrames == 3)
        #expect(loop.health.camera == .stopped)
        // 0-10 s lost frames for the outage; 10-20 s was seen throughout.
        let view = records.filter { $0.isWholeView }
        #expect(view.count == 6)
        #expect(view[0].coverage < 0.95)
        #expect(view[1].status == .ok && view[1].coverage > 0.95)
    }

    /// Health carries each input's level: read at start, then each debounced change.
    @Test func healthCarriesTheGPIOLevels() throws {
        let clock = ManualClock()
        let start = clock.monotonicMicros
        let signals = TimedSignals(clock: clock)
        signals.stopAt = start + 5_000_000
        let loop = RunLoop(agent: Agent(site: testSite(), framePeriodMicros: 100_000), source: ScriptedCamera(clock: clock), clock: clock, signals: signals)
        loop.inputs = ScriptedInputs(
            levels: [(.pir, false), (.tamper, false)],
            edges: [(clock.realtimeMicros + 2_000_000, InputEdge(role: .pir, active: true))])
        var atStart: [String] = []
        loop.onFrame = { _, _ in if atStart.isEmpty { atStart = loop.health.gpio.map { "\($0.role)=\($0.active)" } } }
        try loop.run()
        #expect(atStart == ["pir=false", "tamper=false"])
        #expect(loop.health.gpio.map { "\($0.role)=\($0.active)" } == ["pir=true", "tamper=false"])
    }

    /// SIGHUP mid-interval: the publisher takes the new privacy policy at once, the zones follow at
    /// the next interval boundary, so no record mixes the two sites.
    @Test func aReloadAppliesAtTheNextIntervalBoundary() throws {
        let clock = ManualClock()
        let start = clock.monotonicMicros
        let camera = ScriptedCamera(clock: clock)
        let signals = TimedSignals(clock: clock)
        signals.reloadAt = start + 13_000_000
        signals.stopAt = start + 30_000_000
        let agent = Agent(site: testSite(zone: "square"), framePeriodMicros: 100_000)
        let loop = RunLoop(agent: agent, source: camera, clock: clock, signals: signals)
        var records: [IntervalRecord] = []
        var privacy = PrivacyPolicy()
        loop.onRecords = { records += $0 }
        loop.reloadSite = { () throws(Failure) in testSite(zone: "bench", suppressBelow: 3) }
        loop.onSiteReloaded = { privacy = $0.privacy }
        try loop.run()
        #expect(privacy.suppressBelow == 3)
        let zones = records.compactMap { $0.zone }
        // Intervals end at 10, 20 and 30 s of wall time (aligned to the clock); 10-20 s began before the reload.
        #expect(zones == ["square", "square", "bench"])
    }

    /// An uplink whose broker refuses connections: the loop wakes exactly when each reconnect is due,
    /// on the MQTT backoff's schedule for this device (first window 1 s here), and no sooner.
    @Test func mqttReconnectsFollowTheSeededBackoffExactly() throws {
        let clock = ManualClock()
        clock.recordsWaits = true
        let start = clock.monotonicMicros
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("runloop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        var settings = UplinkSettings()
        settings.mqttURL = MQTTURL(host: "127.0.0.1", port: Int32(closedPort()), tls: false)
        settings.retryWindowMicros = 1_000_000
        let uplink = try UplinkSession(
            settings: settings, device: "lamp-9", stateDirectory: state.path, site: testSite(), intervalSeconds: 10,
            privacyManifest: nil, clock: clock)
        let signals = TimedSignals(clock: clock)
        signals.stopAt = start + 20_000_000
        let loop = RunLoop(agent: Agent(site: testSite(), framePeriodMicros: 100_000), source: ScriptedCamera(clock: clock), clock: clock, signals: signals)
        loop.uplink = uplink
        try loop.run()

        var backoff = Backoff(firstWindowMicros: 1_000_000, maximumWindowMicros: 10_000_000, seed: Backoff.seed(device: "lamp-9", purpose: "mqtt"))
        var attempts = [start]
        while true {
            let next = attempts.last! + backoff.nextDelayMicros()
            if next >= start + 20_000_000 { break }
            attempts.append(next)
        }
        let client = uplink.uplink!.client
        #expect(client.attemptCount == attempts.count)
        for at in attempts.dropFirst() { #expect(clock.waits.contains(at), "no wake-up at the attempt due at \(at - start) us") }
        #expect(client.lastError?.description.contains("Connection refused") == true)
        let health = try JSONParser.parse(Array(uplink.uplink!.healthMessage().utf8))
        #expect(health["camera"] == .string("stopped"))
        #expect(health["dropped_frames"] == .number(3))
    }

    /// A journal that cannot take a record (another process holds its lock): the records are held in
    /// memory, unnumbered and unprinted (a number is given only once journaled), health says
    /// `journal: error` with the journal's error as `last_error`; once the lock is released they are
    /// journaled, numbered and printed in order.
    @Test func aJournalErrorHoldsRecordsAndIsSurfacedInHealth() throws {
        let clock = ManualClock()
        let start = clock.monotonicMicros
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("runloop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        var settings = UplinkSettings()
        settings.mqttURL = MQTTURL(host: "127.0.0.1", port: Int32(closedPort()), tls: false)
        let uplink = try UplinkSession(
            settings: settings, device: "lamp-j", stateDirectory: state.path, site: testSite(), intervalSeconds: 10,
            privacyManifest: nil, clock: clock)
        let publisher = try Publisher(device: "lamp-j", privacy: PrivacyPolicy(), stateDirectory: state.path, uplink: uplink)
        var lines: [String] = []
        publisher.onLine = { lines.append($0) }
        // Another connection takes the write lock and keeps it.
        var db: OpaquePointer?
        #expect(sqlite3_open(state.appendingPathComponent("journal.sqlite").path, &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)

        let signals = TimedSignals(clock: clock)
        signals.stopAt = start + 10_500_000
        let loop = RunLoop(agent: Agent(site: testSite(), framePeriodMicros: 100_000), source: ScriptedCamera(clock: clock), clock: clock, signals: signals)
        loop.uplink = uplink
        loop.onRecords = { publisher.publish($0) }
        loop.onTurn = { publisher.service(atMonotonic: $0) }
        try loop.run()
        #expect(lines.isEmpty, "nothing is numbered before it is journaled: \(lines)")
        let health = try JSONParser.parse(Array(uplink.uplink!.healthMessage().utf8))
        #expect(health["journal"] == .string("error"))
        guard case .number(let held)? = health["journal_held"], held >= 2 else {
            Issue.record("no held records in \(uplink.uplink!.healthMessage())")
            return
        }
        guard case .string(let error)? = health["last_error"] else {
            Issue.record("no last_error in \(uplink.uplink!.healthMessage())")
            return
        }
        #expect(error.contains("locked"), "\(error)")

        sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
        sqlite3_close(db)
        publisher.service(atMonotonic: clock.monotonicMicros + 2_000_000)
        #expect(lines.count == Int(held))
        #expect(lines.enumerated().allSatisfy { $0.element.contains(#""seq":\#($0.offset + 1),"#) }, "\(lines)")
        #expect(try JSONParser.parse(Array(uplink.uplink!.healthMessage().utf8))["journal"] == .string("ok"))
    }
}

/// A TCP port on 127.0.0.1 with nothing listening.
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
