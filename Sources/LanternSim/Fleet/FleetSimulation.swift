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
        /// Keep the journals in memory (SQLite `:memory:`, the same `Journal` code) instead of files:
        /// chosen by itself when the descriptor limit cannot hold the files (a file journal holds the
        /// database, its WAL and its shared memory open).
        public var memoryJournals = false
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
        /// Processes the devices run in (nil: as few as the descriptor limit allows).
        public var processes: Int?
        /// A worker runs devices `workerFirst ..< workerFirst + workerCount` only and prints its
        /// `FleetSamples` line. Once its devices are made it creates `<workerDirectory>/ready-<first>`,
        /// then waits for `<workerDirectory>/start`: the shared start (CLOCK_MONOTONIC microseconds),
        /// written by the parent when every worker is ready.
        public var workerFirst: Int?
        public var workerCount = 0
        public var workerDirectory = ""
        /// This program (`lantern-sim`), to start workers with.
        public var executable = "/proc/self/exe"

        public init(devices: Int, brokers: [MQTTURL], journalDirectory: String) {
            self.devices = devices
            self.brokers = brokers
            self.journalDirectory = journalDirectory
        }

        var isWorker: Bool { workerFirst != nil }
        var recordsPerDevice: Int { Int(durationSeconds / intervalSeconds) }

        /// The command line of a worker for `count` devices from `first`.
        func workerArguments(first: Int, count: Int, directory: String, memoryJournals: Bool) -> [String] {
            var a = [
                "fleet", "--devices", String(devices), "--broker", MQTTURL.listDescription(brokers), "--speed", String(speed),
                "--duration", String(durationSeconds), "--interval", String(intervalSeconds), "--retry-window", String(retryWindowSeconds),
                "--connect-timeout", String(connectTimeoutSeconds), "--boot-rate", String(bootRate),
                "--journal-dir", journalDirectory + "/worker-\(first)", "--drain-timeout", String(drainTimeoutSeconds),
                "--worker-first", String(first), "--worker-count", String(count), "--worker-directory", directory,
            ]
            if let killAtSeconds { a += ["--kill-at", String(killAtSeconds)] }
            if let killBroker { a += ["--kill-broker", String(killBroker + 1)] }
            if memoryJournals { a.append("--memory-journals") }
            if keepJournals { a.append("--keep-journals") }
            if progress { a.append("--progress") }
            return a
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
    private var memoryJournals = false
    private var collectorReconnects = 0

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        clock = CompressedClock(speed: configuration.speed)
    }

    // MARK: Running

    /// Runs the fleet (or, as a worker, its share) to its end; the report (a worker's has only its samples).
    public func run() throws(SimulatorError) -> FleetReport {
        let c = configuration
        guard c.devices >= 1, !c.brokers.isEmpty else { throw SimulatorError("fleet: need --devices N >= 1 and --broker URL", status: .usage) }
        // A device holds its socket and libmosquitto's socket pair (3 descriptors), and a file journal 3 more.
        let descriptors = FleetSimulation.raiseDescriptorLimit(to: c.devices * 6 + 256)
        let perProcessFiles = max((descriptors - 256) / 6, 1), perProcessMemory = max((descriptors - 256) / 3, 1)
        var memoryJournals = c.memoryJournals
        var processes = 1
        let local: Range<Int>
        if let first = c.workerFirst {
            local = first..<min(first + c.workerCount, c.devices)
        } else {
            if let wanted = c.processes {
                processes = max(1, min(wanted, c.devices))
            } else if c.devices > perProcessFiles {
                processes = (c.devices + perProcessMemory - 1) / perProcessMemory
            }
            if !memoryJournals && (c.devices + processes - 1) / processes > perProcessFiles {
                memoryJournals = true
            }
            if memoryJournals != c.memoryJournals || processes > 1 {
                FileHandle.standardError.write(Data(
                    "fleet: \(c.devices) devices with the descriptor limit at \(descriptors) (3 per device, 3 more per journal file): \(processes) process\(processes > 1 ? "es" : ""), journals \(memoryJournals ? "in memory (the same Journal code, SQLite :memory:)" : "in files")\n".utf8))
            }
            local = processes > 1 ? 0..<0 : 0..<c.devices
        }
        self.memoryJournals = memoryJournals
        if !memoryJournals && !local.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: c.journalDirectory, withIntermediateDirectories: true)
            } catch {
                throw SimulatorError("fleet: cannot create the journal directory \(c.journalDirectory): \(error.localizedDescription)", status: .cannotCreate)
            }
        }
        let rssBefore = FleetSimulation.residentKiB()
        let names = (0..<c.devices).map { String(format: "fleet-%05d", $0) }

        if c.collector && !c.isWorker {
            let collector = try FleetCollector(
                brokers: c.brokers, deviceNames: names, clock: clock, speed: c.speed,
                connectTimeoutSeconds: max(c.connectTimeoutSeconds, 30), clientID: c.collectorID)
            self.collector = collector
            let realClock = clock
            collector.log = { line in
                let t = realClock.realStartMicros > 0 ? Double(SystemClock.monotonicMicros - realClock.realStartMicros) / 1e6 : 0
                FileHandle.standardError.write(Data("fleet: t=\(String(format: "%.1f", t))s \(line)\n".utf8))
            }
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

        // Workers: each makes its devices, says it is ready, and all start on one clock.
        var workers: [(process: Process, output: URL)] = []
        let workerDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-fleet-\(getpid())").path
        if !c.isWorker && processes > 1 {
            try? FileManager.default.removeItem(atPath: workerDirectory)
            try? FileManager.default.createDirectory(atPath: workerDirectory, withIntermediateDirectories: true)
            let share = (c.devices + processes - 1) / processes
            for first in stride(from: 0, to: c.devices, by: share) {
                let output = URL(fileURLWithPath: workerDirectory + "/samples-\(first).json")
                FileManager.default.createFile(atPath: output.path, contents: nil)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: c.executable)
                process.arguments = c.workerArguments(first: first, count: share, directory: workerDirectory, memoryJournals: memoryJournals)
                guard let handle = try? FileHandle(forWritingTo: output) else {
                    throw SimulatorError("fleet: cannot write \(output.path)", status: .cannotCreate)
                }
                process.standardOutput = handle
                do {
                    try process.run()
                } catch {
                    throw SimulatorError("fleet: cannot start a worker (\(c.executable)): \(error.localizedDescription)", status: .unavailable)
                }
                workers.append((process, output))
            }
            // Every worker ready (its devices made), then one start for all, a little ahead.
            while true {
                let ready = workers.indices.filter { FileManager.default.fileExists(atPath: workerDirectory + "/ready-\($0 * share)") }.count
                if ready == workers.count { break }
                if let dead = workers.first(where: { !$0.process.isRunning }) {
                    throw SimulatorError("fleet: a worker ended before it was ready (exit \(dead.process.terminationStatus))", status: .software)
                }
                collector?.client.service(timeoutMs: 50)
            }
            clock.realStartMicros = SystemClock.monotonicMicros + 200_000
            try? String(clock.realStartMicros).write(toFile: workerDirectory + "/start.tmp", atomically: false, encoding: .utf8)
            rename(workerDirectory + "/start.tmp", workerDirectory + "/start")
        } else if !c.isWorker {
            clock.realStartMicros = SystemClock.monotonicMicros
        }

        let interval = c.intervalSeconds * 1_000_000
        let bootStepMicros = Int64(c.speed * 1_000_000 / max(c.bootRate, 0.001))
        let perDevice = c.recordsPerDevice
        for i in local {
            let journal: Journal
            do throws(JournalError) {
                journal = try Journal(path: memoryJournals ? Journal.inMemory : c.journalDirectory + "/" + names[i] + ".sqlite")
            } catch {
                throw SimulatorError("fleet: \(error.description)", status: .ioError)
            }
            let device = try VirtualDevice(
                index: devices.count, globalIndex: i, name: names[i], journal: journal, brokers: c.brokers,
                brokerOrder: FleetSimulation.brokerOrder(device: i, brokers: c.brokers.count), clock: clock,
                retryWindowMicros: Int64(c.retryWindowSeconds * 1_000_000),
                connectTimeoutSeconds: Int64((c.connectTimeoutSeconds * c.speed).rounded(.up)),
                bootMicros: Int64(i) * bootStepMicros, intervalMicros: interval)
            hook(device)
            devices.append(device)
        }
        let rssDevices = FleetSimulation.residentKiB()
        if c.isWorker {
            FileManager.default.createFile(atPath: c.workerDirectory + "/ready-\(local.lowerBound)", contents: nil)
            let startFile = c.workerDirectory + "/start"
            while true {
                if let text = try? String(contentsOfFile: startFile, encoding: .utf8), let micros = Int64(text) {
                    clock.realStartMicros = micros
                    break
                }
                usleep(20_000)
            }
        }
        // Boot times were made relative to the start; now that it is known, on the clock.
        let start = clock.simulated(fromReal: clock.realStartMicros)
        for d in devices { d.shift(by: start) }
        // When the last device's last record is due (simulated), and the records all devices make.
        let productionEnd = start + Int64(c.devices - 1) * bootStepMicros + Int64(perDevice) * interval
        let expected = perDevice * c.devices

        var fds: [pollfd] = []
        fds.reserveCapacity(devices.count + 1)
        var owners: [Int] = []
        owners.reserveCapacity(devices.count + 1)
        var booted = 0
        var killed = false, restarted = false
        var lastSweep: Int64 = 0, lastProgress = SystemClock.monotonicMicros, lastCheck: Int64 = 0
        var productionDoneReal: Int64?
        var produced = 0
        var peakRSS = rssDevices
        var complete = false
        // The collector's last progress: a consumer that receives nothing for `stallMicros` while records
        // are missing is reconnected. Seen on RabbitMQ 3.10 with 10,000 devices after a node's SIGKILL:
        // the queue filling on the leader's (surviving) node, its one consumer holding `mqtt.prefetch`
        // (1,000) unacknowledged records and delivering none until the collector connected anew.
        var lastCollected = 0, lastCollectedReal = SystemClock.monotonicMicros, lastCollectorConnects = 0
        let stallMicros: Int64 = 10_000_000

        while true {
            let now = clock.monotonicMicros
            let realNow = SystemClock.monotonicMicros
            let realElapsed = Double(realNow - clock.realStartMicros) / 1e6

            if !killed, let at = c.killAtSeconds, realElapsed >= at {
                killed = true
                killedAtReal = clock.realStartMicros + Int64(at * 1e6)
                if let broker = c.killBroker, let killedAt = killedAtReal {
                    // Up on the node, or already down from it since the kill: a worker whose turn is long
                    // (thousands of devices on a busy machine) may read the loss before it reaches this line
                    // (the parent runs the kill command on its own clock).
                    for d in devices where d.connectedBroker == broker && (d.isUp || (d.downSinceReal ?? 0) >= killedAt) {
                        d.lostKilledNode = true
                        killedNodeDevices += 1
                    }
                }
                if !c.isWorker, let command = c.killCommand { FleetSimulation.launch(command) }
            }
            if !restarted, let at = c.restartAtSeconds, realElapsed >= at {
                restarted = true
                if !c.isWorker, let command = c.restartCommand { FleetSimulation.launch(command) }
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
            if productionDoneReal == nil && booted == devices.count && produced == perDevice * devices.count && now >= productionEnd {
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

            if let collector, collector.distinct != lastCollected || collector.client.connectCount != lastCollectorConnects {
                // A new connection has its own 10 s to deliver (it is not judged by the silence before it).
                lastCollected = collector.distinct
                lastCollectorConnects = collector.client.connectCount
                lastCollectedReal = realNow
            } else if let collector, collector.distinct < expected, collector.client.state == .connected,
                realNow - lastCollectedReal >= stallMicros, (devices.isEmpty && collector.distinct > 0) || productionDoneReal != nil || killed
            {
                lastCollectedReal = realNow
                collectorReconnects += 1
                collector.log?("collector: received nothing for \(stallMicros / 1_000_000) s with \(expected - collector.distinct) records missing: reconnecting it (its session and queue stay)")
                collector.client.shutdown(timeoutMs: 100)
            }
            if realNow - lastCheck >= 500_000 {
                lastCheck = realNow
                peakRSS = max(peakRSS, FleetSimulation.residentKiB())
                let restartPending = c.restartAtSeconds != nil && !restarted && !c.isWorker
                if let done = productionDoneReal, !restartPending {
                    if let collector {
                        if collector.distinct >= expected {
                            complete = true
                            break
                        }
                    } else if devices.allSatisfy({ $0.uplink.deliveredCount >= $0.produced }) {
                        complete = true
                        break
                    }
                    if Double(realNow - done) / 1e6 > c.drainTimeoutSeconds { break }
                }
            }
            if c.progress && realNow - lastProgress >= 5_000_000 {
                lastProgress = realNow
                let up = devices.filter { $0.isUp }.count
                let who = c.workerFirst.map { "worker \($0): " } ?? ""
                FileHandle.standardError.write(Data(
                    "fleet: \(who)t=\(Int(realElapsed))s booted=\(booted) connected=\(up) produced=\(produced) collected=\(collector?.distinct ?? -1)\n".utf8))
            }
        }
        let realSeconds = Double(SystemClock.monotonicMicros - clock.realStartMicros) / 1e6
        var samples = makeSamples(rssBefore: rssBefore, rssDevices: rssDevices, peakRSS: peakRSS)
        for d in devices { d.client.shutdown(timeoutMs: 0) }
        collector?.client.shutdown(timeoutMs: 200)
        let paths = devices.map { $0.uplink.journal.path }
        for d in devices { d.uplink.journal.close() }
        if !c.keepJournals && !memoryJournals {
            for path in paths {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            try? FileManager.default.removeItem(atPath: c.journalDirectory)
        }
        if c.isWorker {
            var report = FleetReport()
            report.workerSamples = samples.json
            report.complete = complete
            return report
        }
        var all = [samples]
        defer { try? FileManager.default.removeItem(atPath: workerDirectory) }
        for (process, output) in workers {
            process.waitUntilExit()
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: output)
            guard let line = text.split(separator: "\n").last, let worker = FleetSamples(json: String(line)) else {
                throw SimulatorError("fleet: a worker ended without its figures (exit \(process.terminationStatus))", status: .software)
            }
            all.append(worker)
        }
        samples = FleetSamples.merged(all)
        return makeReport(samples, devices: c.devices, complete: complete, realSeconds: realSeconds, processes: processes)
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
        client.onDisconnected = { [unowned device] error in
            uplinkDisconnected?(error)
            if device.isUp {
                device.isUp = false
                device.downSinceReal = SystemClock.monotonicMicros
            }
        }
    }

    private func connected(_ device: VirtualDevice) {
        let now = SystemClock.monotonicMicros
        if let down = device.downSinceReal { reconnectMicros.append(now - down) }
        device.downSinceReal = nil
        device.isUp = true
        device.connectedBroker = device.currentBroker
        connects.append((now, device.connectedBroker))
        // Elsewhere: another node of the list; with one broker, the same one once it is back.
        let elsewhere = device.connectedBroker != configuration.killBroker || configuration.brokers.count == 1
        if device.lostKilledNode && device.reconnectedElsewhereReal == nil && elsewhere {
            device.reconnectedElsewhereReal = now
        }
    }

    // MARK: Report

    private func makeSamples(rssBefore: Int, rssDevices: Int, peakRSS: Int) -> FleetSamples {
        var s = FleetSamples()
        s.firstDevice = devices.first?.globalIndex ?? 0
        s.produced = devices.map(\.produced)
        s.acknowledged = devices.reduce(0) { $0 + $1.uplink.deliveredCount }
        s.reconnectMicros = reconnectMicros
        s.memoryJournals = memoryJournals
        s.rssBeforeKiB = rssBefore
        s.rssDevicesKiB = rssDevices
        s.peakRSSKiB = peakRSS
        if let killedAtReal {
            s.killedNodeDevices = killedNodeDevices
            s.movedMicros = devices.compactMap { $0.lostKilledNode ? $0.reconnectedElsewhereReal.map { $0 - killedAtReal } : nil }
            for event in connects where event.real >= killedAtReal && (event.broker != configuration.killBroker || configuration.brokers.count == 1) {
                let second = Int((event.real - killedAtReal) / 1_000_000)
                while s.survivorConnectsPerSecond.count <= second { s.survivorConnectsPerSecond.append(0) }
                s.survivorConnectsPerSecond[second] += 1
            }
        }
        return s
    }

    private func makeReport(_ s: FleetSamples, devices total: Int, complete: Bool, realSeconds: Double, processes: Int) -> FleetReport {
        var r = FleetReport()
        r.devices = total
        r.processes = processes
        r.journals = s.memoryJournals ? "memory" : "files"
        r.brokers = configuration.brokers.count
        r.produced = s.produced.reduce(0, +)
        r.acknowledged = s.acknowledged
        r.complete = complete && s.produced.count == total
        if let collector {
            r.delivered = collector.distinct
            r.received = collector.messages
            r.duplicates = collector.duplicates
            r.differingDuplicates = collector.differingDuplicates
            r.collectorConnects = collector.client.connectCount
            r.collectorStallReconnects = collectorReconnects
            var gaps = 0, devicesWithGaps = 0, beyond = 0
            for (offset, produced) in s.produced.enumerated() {
                let device = s.firstDevice + offset
                let missing = collector.missing(device: device, produced: produced)
                gaps += missing
                if missing > 0 { devicesWithGaps += 1 }
                beyond += collector.beyond(device: device, produced: produced)
            }
            r.gaps = gaps
            r.devicesWithGaps = devicesWithGaps
            r.unexpected = beyond + collector.foreign
        }
        r.reconnects = s.reconnectMicros.count
        let sorted = s.reconnectMicros.sorted()
        r.reconnectP50Seconds = FleetReport.percentile(sorted, 0.50)
        r.reconnectP90Seconds = FleetReport.percentile(sorted, 0.90)
        r.reconnectP99Seconds = FleetReport.percentile(sorted, 0.99)
        r.reconnectMaxSeconds = sorted.last.map { Double($0) / 1e6 }
        if configuration.killAtSeconds != nil {
            r.killedNodeDevices = s.killedNodeDevices
            let moved = s.movedMicros.sorted()
            r.killedNodeReconnected = moved.count
            let needed = Int((Double(s.killedNodeDevices) * 0.99).rounded(.up))
            if needed > 0 && moved.count >= needed {
                r.killedNode99PercentReconnectedSeconds = Double(moved[needed - 1]) / 1e6
            }
            r.peakSurvivorConnectsPerSecond = s.survivorConnectsPerSecond.max() ?? 0
        }
        r.realSeconds = realSeconds
        r.simulatedSeconds = Double(clock.elapsedMicros) / 1e6
        r.memoryPerDeviceKiB = Double(s.rssDevicesKiB - s.rssBeforeKiB) / Double(max(total, 1))
        r.peakMemoryPerDeviceKiB = Double(s.peakRSSKiB - s.rssBeforeKiB) / Double(max(total, 1))
        r.peakRSSMiB = Double(s.peakRSSKiB) / 1024
        return r
    }

    // MARK: Helpers

    /// Device `i`'s broker list: it starts on broker `i mod k`, and the order of the others alternates
    /// between devices, so the devices of a node that dies fail over to all the other nodes, not to one.
    public static func brokerOrder(device i: Int, brokers k: Int) -> [Int] {
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
    ///
    /// Not Foundation's `Process`: with thousands of device sockets open, its emulation of close-on-exec
    /// (a scan of /proc/self/fd while the fleet's sockets come and go) crashed in CI. Here every descriptor
    /// above stderr is marked close-on-exec first, so a restarted broker node never inherits a device's
    /// socket, and `posix_spawn` does the rest.
    public static func launch(_ command: String) {
        markDescriptorsCloseOnExec()
        var pid = pid_t()
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for argument in arguments { free(argument) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        let status = posix_spawn(&pid, "/bin/sh", &actions, nil, arguments, environ)
        if status != 0 {
            FileHandle.standardError.write(Data("fleet: cannot run \(command): \(String(cString: strerror(status)))\n".utf8))
            return
        }
        // Reap it in the background, so that a finished kill or restart command leaves no zombie.
        let child = pid
        Thread.detachNewThread { var wstatus: Int32 = 0; _ = waitpid(child, &wstatus, 0) }
    }

    /// Sets FD_CLOEXEC on every open descriptor above stderr.
    static func markDescriptorsCloseOnExec() {
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        // The name is read where it lies, up to its NUL. Not `entry.pointee`: that copies a whole
        // `struct dirent` (280 bytes), but readdir's records are only as long as their names, so the last
        // one in its buffer can end short of that, on the last mapped page: the copy read past it and
        // crashed the fleet run with about 1 400 descriptors open (CI, session 8).
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(directory) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            guard let fd = Int32(name), fd > STDERR_FILENO, fd != own else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
