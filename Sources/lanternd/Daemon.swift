import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem

/// `lanternd run`: loads the site (and board, trace, state), then runs the replay loop or the board
/// loop. Single-threaded throughout (qemu-user cannot run threads, and one poll loop is enough).
struct Daemon {
    let options: RunOptions
    var sequence: ReportSequence
    let seqPath: String?
    /// MQTT and the journal, NGSI-LD (Daemon+Uplink.swift); nil without --mqtt-url and --ngsi-url.
    var uplinkSession: UplinkSession? = nil
    /// A stop signal ended the run: the end of a replay does not wait for the journal to drain.
    var stopRequested = false
    /// systemd's readiness and watchdog (ServiceNotifier.swift); inert outside systemd.
    let notifier = ServiceNotifier()

    init(options: RunOptions) throws(Failure) {
        self.options = options
        var next: Int64 = 1
        if let dir = options.stateDirectory {
            let path = dir + "/next-seq"
            seqPath = path
            var bytes: [UInt8]? = nil
            do throws(Errno) {
                bytes = try FileContents.read(path)
            } catch {
                if error != .noSuchFileOrDirectory {
                    throw Failure("\(path): cannot read: \(error); check --state-dir is a writable directory")
                }
            }
            if var digits = bytes {
                while let last = digits.last, last == 0x0A || last == 0x20 { digits.removeLast() }
                guard let n = DecimalText.integer(digits), n >= 1 else {
                    throw Failure("\(path): not a record number; delete it to start again from 1")
                }
                next = n
            }
        } else {
            seqPath = nil
        }
        sequence = ReportSequence(device: options.deviceID, next: next)
    }

    mutating func run() throws(Failure) {
        _ = try? SignalFlags.install()
        let site = try Daemon.loadSite(options.site!)
        sequence.suppressBelow = site.suppressBelow
        if options.uplink.isEnabled {
            let session = try UplinkSession(options: options, site: site, nextSeq: sequence.next)
            uplinkSession = session
            // The journal may be ahead of next-seq (a crash before it was saved): a record the journal
            // fails to take is numbered from here, so it never repeats a journaled seq.
            sequence = ReportSequence(
                device: sequence.device, next: max(session.nextSeq, sequence.next), suppressBelow: sequence.suppressBelow)
        }
        var board: BoardConfig?
        if let path = options.board { board = try Daemon.loadBoard(path) }
        if let clip = options.replay {
            var trace = GPIOTrace(events: [])
            if let path = options.gpioTrace { trace = try Daemon.loadTrace(path) }
            try runReplay(clip: clip, site: site, board: board, trace: trace)
            uplinkSession?.finish(drain: !stopRequested)
        } else {
            try runBoard(site: site, board: board!, boardPath: options.board!)
            uplinkSession?.finish(drain: false)
        }
        notifier.stopping("stopped")
    }

    // MARK: Loading

    static func read(_ path: String, what: String, option: String) throws(Failure) -> [UInt8] {
        do {
            return try FileContents.read(path)
        } catch {
            throw Failure("\(path): cannot read the \(what): \(error); check the path given to \(option)")
        }
    }

    static func loadSite(_ path: String) throws(Failure) -> SiteConfig {
        let bytes = try read(path, what: "site file", option: "--site")
        do {
            return try SiteConfig.parse(json: bytes, source: path)
        } catch {
            throw Failure("\(error.description); fix the site file")
        }
    }

    static func loadBoard(_ path: String) throws(Failure) -> BoardConfig {
        let bytes = try read(path, what: "board file", option: "--board")
        do {
            return try BoardConfig.parse(json: bytes, source: path)
        } catch {
            throw Failure("\(error.description); fix the board file")
        }
    }

    static func loadTrace(_ path: String) throws(Failure) -> GPIOTrace {
        let bytes = try read(path, what: "GPIO trace", option: "--gpio-trace")
        do {
            return try GPIOTrace.parse(bytes, source: path)
        } catch {
            throw Failure("\(error.description); fix the trace file")
        }
    }

    // MARK: Output

    /// Prints each record as one JSON line, then saves the next number (if there is a state directory).
    mutating func emit(_ records: [IntervalRecord]) {
        guard !records.isEmpty else { return }
        for record in records {
            if let uplinkSession {
                Console.line(uplinkSession.record(record, sequence: &sequence))
            } else {
                Console.line(sequence.encode(record))
            }
        }
        if let path = seqPath {
            do {
                try FileContents.replace(path, with: "\(sequence.next)\n")
            } catch {
                Console.error("\(path): cannot save the record number: \(error); check --state-dir is writable")
            }
        }
    }
}
