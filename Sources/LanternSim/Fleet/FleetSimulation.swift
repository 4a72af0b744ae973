import Foundation
import LanternCore
import LanternSystem
import LanternUplink

/// `lantern-sim fleet`: N virtual lampposts in one process, each with the board's journal and MQTT
/// client, on one compressed clock, against real brokers; a collector subscribed to them all checks
/// that every record arrives (seq 1...n per device, no gap, duplicates byte-identical). One thread,
/// one `poll` over every socket.
public final class FleetSimulation {
    public struct Configuration {
        public var devices: Int
        public var brokers: [MQTTURL]
        /// Simulated seconds per real second.
        public var speed: Double = 60
        /// Simulated seconds each device produces records for, after it boots.
        public var durationSeconds: Int64 = 1800
        /// Simulated seconds per interval record.
        public var intervalSeconds: Int64 = 60
        /// The first reconnect window, simulated seconds (the board's `--retry-window`).
        public var retryWindowSeconds: Double = 30
        /// A connection without CONNACK is given up after this many real seconds.
        public var connectTimeoutSeconds: Double = 10
        /// Devices booting per real second (a fleet does not power up in one instant).
        public var bootRate: Double = 1000
        /// Where the devices' journals go (one SQLite file each); a tmpfs keeps 10,000 of them cheap.
        public var journalDirectory: String
        /// Real seconds to wait, after the last record is produced, for the collector to have them all.
        public var drainTimeoutSeconds: Double = 300
        /// Run a collector (a persistent-session subscriber to every device's records).
        public var collector = true
        public var collectorID = "lantern-fleet-collector"
        /// The broker (index into `brokers`) the kill command takes down, for the failover figures.
        public var killBroker: Int?
        /// Real seconds after the start at which `killCommand` and `restartCommand` run (`sh -c`).
        public var killAtSeconds: Double?
        public var killCommand: String?
        public var restartAtSeconds: Double?
        public var restartCommand: String?
        /// Keep the journals after the run (default: removed).
        public var keepJournals = false
        /// A progress line on stderr every few seconds.
        public var progress = false

        public init(devices: Int, brokers: [MQTTURL], journalDirectory: String) {
            self.devices = devices
            self.brokers = brokers
            self.journalDirectory = journalDirectory
        }
    }

    public let configuration: Configuration
    let clock: CompressedClock
    private var devices: [VirtualDevice] = []
    private var collector: FleetCollector?
    /// Real microseconds of every accepted connection, with its broker.
    private var connects: [(real: Int64, broker: Int)] = []
    private var reconnectMicros: [Int64] = []
    private var killedAtReal: Int64?
    private var killedNodeDevices = 0

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        clock = CompressedClock(speed: configuration.speed)
    }

    // MARK: Running

    public func run() throws(SimulatorError) -> FleetReport {
        let c = configuration
        guard c.devices >= 1, !c.brokers.isEmpty else { throw SimulatorError("fleet: need --devices N >= 1 and --broker URL", status: .usage) }
        let descriptors = FleetSimulation.raiseDescriptorLimit(to: c.devices * 4 + 256)
        if descriptors < c.devices * 4 + 64 {
            throw SimulatorError(
                "fleet: \(c.devices) devices need about \(c.devices * 4 + 64) file descriptors (a socket and an SQLite journal with its WAL each) but the limit is \(descriptors); raise it (ulimit -n) or run fewer devices",
                status: .unavailable)
        }
        do {
            try FileManager.default.createDirectory(atPath: c.journalDirectory, withIntermediateDirectories: true)
        } catch {
            throw SimulatorError("fleet: cannot create the journal directory \(c.journalDirectory): \(error.localizedDescription)", status: .cannotCreate)
        }
        let rssBefore = FleetSimulation.residentKiB()
        let names = (0..<c.devices).map { String(format: "fleet-%05d", $0) }

        if c.collector {
            let collector = try FleetCollector(brokers: c.brokers, deviceNames: names, clock: clock, clientID: c.collectorID)
            self.collector = collector
            // The collector's queue must exist before the first record: a broker drops what no queue takes.
            let deadline = SystemClock.monotonicMicros + 30_000_000
            while collector.client.state != .connected && SystemClock.monotonicMicros < deadline {
                collector.client.service(timeoutMs: 20)
            }
            guard collector.client.state == .connected else {
                throw SimulatorError("fleet: the collector cannot connect: \(collector.client.lastError?.description ?? "no CONNACK in 30 s")", status: .unavailable)
            }
            let settle = SystemClock.monotonicMicros + 1_000_000
            while SystemClock.monotonicMicros < settle { collector.client.service(timeoutMs: 20) }
            if let problem = collector.subscribeError { throw SimulatorError("fleet: collector: \(problem)", status: .unavailable) }
        }

        let interval = c.intervalSeconds * 1_000_000
        let start = clock.monotonicMicros
        let bootStepMicros = Int64(c.speed * 1_000_000 / max(c.bootRate, 0.001))
        let perDevice = Int(c.durationSeconds / c.intervalSeconds)
        for i in 0..<c.devices {
            let journal: Journal
            do throws(JournalError) {
                journal = try Journal(path: c.journalDirectory + "/" + names[i] + ".sqlite")
            } catch {
                throw SimulatorError("fleet: \(error.description)", status: .ioError)
            }
            let device = try VirtualDevice(
                index: i, name: names[i], journal: journal, brokers: c.brokers,
                brokerOrder: FleetSimulation.brokerOrder(device: i, brokers: c.brokers.count), clock: clock,
                retryWindowMicros: Int64(c.retryWindowSeconds * 1_000_000),
                connectTimeoutSeconds: Int64((c.connectTimeoutSeconds * c.speed).rounded(.up)),
                bootMicros: start + Int64(i) * bootStepMicros, intervalMicros: interval)
            hook(device)
            devices.append(device)
        }
        let rssDevices = FleetSimulation.residentKiB()

        var fds: [pollfd] = []
        fds.reserveCapacity(c.devices + 1)
        var owners: [Int] = []
        owners.reserveCapacity(c.devices + 1)
        var booted = 0
        var killed = false, restarted = false
        var lastSweep: Int64 = 0, lastProgress = SystemClock.monotonicMicros, lastCheck: Int64 = 0
        var productionDone = false
        var productionDoneReal: Int64 = 0
        var produced = 0
        var peakRSS = rssDevices
        var complete = false

        while true {
            let now = clock.monotonicMicros
            let realNow = SystemClock.monotonicMicros
            let realElapsed = Double(realNow - clock.realStartMicros) / 1e6

            if !killed, let at = c.killAtSeconds, realElapsed >= at {
                killed = true
                killedAtReal = realNow
                if let broker = c.killBroker {
                    for d in devices where d.isUp && d.connectedBroker == broker {
                        d.lostKilledNode = true
                        killedNodeDevices += 1
                    }
                }
                if let command = c.killCommand { FleetSimulation.launch(command) }
            }
            if !restarted, let at = c.restartAtSeconds, realElapsed >= at {
                restarted = true
                if let command = c.restartCommand { FleetSimulation.launch(command) }
            }

            while booted < devices.count && now >= devices[booted].bootMicros {
                devices[booted].booted = true
                booted += 1
            }
            for d in devices[0..<booted] where d.produced < perDevice && now >= d.nextRecordMicros {
                while d.produced < perDevice && now >= d.nextRecordMicros {
                    let end = clock.realtimeMicros - (now - d.nextRecordMicros)
                    do throws(JournalError) {
                        try d.uplink.submit(d.record(endingAt: end, intervalSeconds: c.intervalSeconds))
                    } catch {
                        throw SimulatorError("fleet: \(d.name): \(error.description)", status: .ioError)
                    }
                    d.produced += 1
                    produced += 1
                    d.nextRecordMicros += interval
                }
            }
            if !productionDone && booted == devices.count && produced == perDevice * devices.count {
                productionDone = true
                productionDoneReal = realNow
            }

            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            if let collector, let fd = collector.client.socketDescriptor {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN) | (collector.client.wantsWrite ? Int16(POLLOUT) : 0), revents: 0))
                owners.append(-1)
            }
            for d in devices[0..<booted] {
                if let fd = d.client.socketDescriptor {
                    fds.append(pollfd(fd: fd, events: Int16(POLLIN) | (d.client.wantsWrite ? Int16(POLLOUT) : 0), revents: 0))
                    owners.append(d.index)
                }
            }
            _ = poll(&fds, nfds_t(fds.count), 5)
            for (k, fd) in fds.enumerated() where fd.revents != 0 {
                let readable = fd.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
                let writable = fd.revents & Int16(POLLOUT) != 0
                if owners[k] < 0 {
                    serveCollector(readable: readable, writable: writable)
                } else {
                    devices[owners[k]].uplink.handle(readable: readable, writable: writable)
                }
            }
            // Attempts that are due, connect timeouts, keep-alive: every device every 100 ms.
            let sweep = realNow - lastSweep >= 100_000
            if sweep { lastSweep = realNow }
            let nowAfter = clock.monotonicMicros
            for d in devices[0..<booted] {
                if d.client.socketDescriptor == nil {
                    if d.client.nextAttemptMicros <= nowAfter { d.uplink.handle(readable: false, writable: false) }
                } else if sweep {
                    d.uplink.handle(readable: false, writable: false)
                }
            }
            if let collector {
                if collector.client.socketDescriptor == nil {
                    if collector.client.nextAttemptMicros <= nowAfter { collector.client.service(timeoutMs: 0) }
                } else if sweep {
                    collector.client.handle(readable: false, writable: false)
                }
            }

            if realNow - lastCheck >= 500_000 {
                lastCheck = realNow
                peakRSS = max(peakRSS, FleetSimulation.residentKiB())
                let restartPending = c.restartAtSeconds != nil && !restarted
                if productionDone && !restartPending {
                    if let collector {
                        if collector.distinct >= produced {
                            complete = true
                            break
                        }
                    } else if devices.allSatisfy({ $0.uplink.deliveredCount >= $0.produced }) {
                        complete = true
                        break
                    }
                    if Double(realNow - productionDoneReal) / 1e6 > c.drainTimeoutSeconds { break }
                }
            }
            if c.progress && realNow - lastProgress >= 5_000_000 {
                lastProgress = realNow
                let up = devices.filter { $0.isUp }.count
                FileHandle.standardError.write(Data(
                    "fleet: t=\(Int(realElapsed))s booted=\(booted) connected=\(up) produced=\(produced) collected=\(collector?.distinct ?? -1)\n".utf8))
            }
        }
        let realSeconds = Double(SystemClock.monotonicMicros - clock.realStartMicros) / 1e6
        let report = makeReport(
            produced: produced, complete: complete, realSeconds: realSeconds, rssBefore: rssBefore,
            rssDevices: rssDevices, peakRSS: peakRSS)
        for d in devices { d.client.shutdown(timeoutMs: 0) }
        collector?.client.shutdown(timeoutMs: 200)
        let paths = devices.map { $0.uplink.journal.path }
        for d in devices { d.uplink.journal.close() }
        if !c.keepJournals {
            for path in paths {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            try? FileManager.default.removeItem(atPath: c.journalDirectory)
        }
        return report
    }

    private func serveCollector(readable: Bool, writable: Bool) {
        guard let collector else { return }
        collector.client.handle(readable: readable, writable: writable)
        // libmosquitto reads one packet per call when nothing is queued: keep reading while the
        // socket has more, so the collector keeps up with ten thousand publishers.
        var rounds = 0
        while rounds < 20_000, let fd = collector.client.socketDescriptor {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 0) > 0, p.revents & Int16(POLLIN) != 0 else { break }
            collector.client.handle(readable: true, writable: false)
            rounds += 1
        }
    }

    /// Connection hooks around the uplink's own (it owns the client's callbacks).
    private func hook(_ device: VirtualDevice) {
        let client = device.client
        let uplinkConnected = client.onConnected
        let uplinkDisconnected = client.onDisconnected
        client.onConnected = { [unowned self, unowned device] in
            uplinkConnected?()
            self.connected(device)
        }
        client.onDisconnected = { [unowned self, unowned device] error in
            uplinkDisconnected?(error)
            if device.isUp {
                device.isUp = false
                device.downSinceReal = SystemClock.monotonicMicros
            }
            _ = self
        }
    }

    private func connected(_ device: VirtualDevice) {
        let now = SystemClock.monotonicMicros
        if let down = device.downSinceReal { reconnectMicros.append(now - down) }
        device.downSinceReal = nil
        device.isUp = true
        device.connectedBroker = device.currentBroker
        connects.append((now, device.connectedBroker))
        if device.lostKilledNode && device.reconnectedElsewhereReal == nil && device.connectedBroker != configuration.killBroker {
            device.reconnectedElsewhereReal = now
        }
    }

    // MARK: Report

    private func makeReport(produced: Int, complete: Bool, realSeconds: Double, rssBefore: Int, rssDevices: Int, peakRSS: Int) -> FleetReport {
        var r = FleetReport()
        r.devices = devices.count
        r.brokers = configuration.brokers.count
        r.produced = produced
        r.acknowledged = devices.reduce(0) { $0 + $1.uplink.deliveredCount }
        r.complete = complete
        if let collector {
            r.delivered = collector.distinct
            r.received = collector.messages
            r.duplicates = collector.duplicates
            r.differingDuplicates = collector.differingDuplicates
            var gaps = 0, devicesWithGaps = 0, beyond = 0
            for d in devices {
                let missing = collector.missing(device: d.index, produced: d.produced)
                gaps += missing
                if missing > 0 { devicesWithGaps += 1 }
                beyond += collector.beyond(device: d.index, produced: d.produced)
            }
            r.gaps = gaps
            r.devicesWithGaps = devicesWithGaps
            r.unexpected = beyond + collector.foreign
        }
        r.reconnects = reconnectMicros.count
        let sorted = reconnectMicros.sorted()
        r.reconnectP50Seconds = FleetReport.percentile(sorted, 0.50)
        r.reconnectP90Seconds = FleetReport.percentile(sorted, 0.90)
        r.reconnectP99Seconds = FleetReport.percentile(sorted, 0.99)
        r.reconnectMaxSeconds = sorted.last.map { Double($0) / 1e6 }
        if let killedAtReal {
            r.killedNodeDevices = killedNodeDevices
            let moved = devices.compactMap { $0.lostKilledNode ? $0.reconnectedElsewhereReal.map { $0 - killedAtReal } : nil }.sorted()
            r.killedNodeReconnected = moved.count
            let needed = Int((Double(killedNodeDevices) * 0.99).rounded(.up))
            if needed > 0 && moved.count >= needed {
                r.killedNode99PercentReconnectedSeconds = Double(moved[needed - 1]) / 1e6
            }
            var perSecond: [Int64: Int] = [:]
            for event in connects where event.real >= killedAtReal && event.broker != configuration.killBroker {
                perSecond[(event.real - killedAtReal) / 1_000_000, default: 0] += 1
            }
            r.peakSurvivorConnectsPerSecond = perSecond.values.max() ?? 0
        }
        r.realSeconds = realSeconds
        r.simulatedSeconds = Double(clock.elapsedMicros) / 1e6
        r.memoryPerDeviceKiB = Double(rssDevices - rssBefore) / Double(max(devices.count, 1))
        r.peakMemoryPerDeviceKiB = Double(peakRSS - rssBefore) / Double(max(devices.count, 1))
        r.peakRSSMiB = Double(peakRSS) / 1024
        return r
    }

    // MARK: Helpers

    /// Device `i`'s broker list: it starts on broker `i mod k`, and the order of the others alternates
    /// between devices, so the devices of a node that dies fail over to all the other nodes, not to one.
    static func brokerOrder(device i: Int, brokers k: Int) -> [Int] {
        guard k > 1 else { return [0] }
        let first = i % k
        var rest = (1..<k).map { (first + $0) % k }
        if (i / k) % 2 == 1 { rest.reverse() }
        return [first] + rest
    }

    /// Raises the soft (and, as root, the hard) limit on open files to at least `wanted`; returns the soft limit.
    static func raiseDescriptorLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur >= rlim_t(wanted) { return Int(limit.rlim_cur) }
        if limit.rlim_max < rlim_t(wanted) {
            var raised = limit
            raised.rlim_max = rlim_t(wanted)
            raised.rlim_cur = rlim_t(wanted)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return wanted }
        }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }

    /// This process's resident memory (VmRSS), KiB.
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ")[1]) ?? 0
        }
        return 0
    }

    /// Runs `command` with `sh -c` without waiting (a broker node's kill or restart); its output goes to stderr.
    static func launch(_ command: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.standardError
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("fleet: cannot run \(command): \(error.localizedDescription)\n".utf8))
        }
    }
}
