import ArgumentParser
import Foundation
import LanternCore
import LanternRuntime
import LanternSim
import LanternUplink

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run N virtual lampposts (the board's journal and MQTT client each) against real brokers, with a collector.",
        discussion: """
            Each device journals a made-up interval record every --interval seconds of a clock running --speed times \
            faster than real time, and sends it with the board's uplink (persistent session, QoS 1, failover over \
            the --broker list, jittered backoff). A collector subscribed to lantern/+/intervals with a persistent \
            session checks that every device's seq 1..n arrives, and that duplicates are byte-identical. Prints \
            produced and delivered records, gaps, duplicates and reconnect times (real seconds) as percentiles.
            """
    )

    @Option(help: "Virtual devices.")
    var devices: Int = 100

    @Option(help: "Brokers, comma-separated (mqtt://host:port,...); device i starts on broker i mod k.")
    var broker: String

    @Option(help: "Simulated seconds per real second.")
    var speed: Double = 60

    @Option(help: "Simulated seconds each device produces records for.")
    var duration: Int = 1800

    @Option(help: "Simulated seconds per interval record.")
    var interval: Int = 60

    @Option(help: "First reconnect window, simulated seconds (the board's --retry-window).")
    var retryWindow: Double = 30

    @Option(help: "Real seconds a connection may take to bring a CONNACK.")
    var connectTimeout: Double = 10

    @Option(help: "Devices booting per real second.")
    var bootRate: Double = 1000

    @Option(help: "Directory for the devices' journals (default: a new one under /dev/shm).")
    var journalDir: String?

    @Option(help: "Real seconds to wait after the last record for the collector to have them all.")
    var drainTimeout: Double = 300

    @Option(help: "Real seconds after the start at which to run --kill-command.")
    var killAt: Double?

    @Option(help: "Shell command that kills a broker (run once, at --kill-at).")
    var killCommand: String?

    @Option(help: "The killed broker's position in --broker (1-based), for the failover figures.")
    var killBroker: Int?

    @Option(help: "Real seconds after the start at which to run --restart-command.")
    var restartAt: Double?

    @Option(help: "Shell command that starts the killed broker again.")
    var restartCommand: String?

    @Flag(help: "Keep the journals in memory (SQLite :memory:; chosen by itself when the descriptor limit is too low for files).")
    var memoryJournals = false

    @Option(help: "Processes to run the devices in (default: as few as the descriptor limit allows, about 6,000 devices each).")
    var processes: Int?

    @Option(help: .hidden) var workerFirst: Int?
    @Option(help: .hidden) var workerCount: Int = 0
    @Option(help: .hidden) var workerDirectory: String = ""

    @Flag(help: "Run without the collector (delivery is then the devices' PUBACKs).")
    var noCollector = false

    @Flag(help: "Keep the journals after the run.")
    var keepJournals = false

    @Flag(help: "Print one JSON line instead of the summary.")
    var json = false

    @Flag(help: "A progress line on stderr every 5 s.")
    var progress = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging) { () throws(SimulatorError) in
            let brokers: [MQTTURL]
            switch MQTTURL.parseList(broker) {
            case .success(let urls): brokers = urls
            case .failure(let error): throw SimulatorError("--broker \(error.description)", status: .usage)
            }
            guard devices >= 1, speed > 0, interval >= 1, duration >= interval else {
                throw SimulatorError("fleet: need --devices >= 1, --speed > 0 and --duration >= --interval >= 1", status: .usage)
            }
            if let killBroker, killBroker < 1 || killBroker > brokers.count {
                throw SimulatorError("--kill-broker \(killBroker): expected 1 to \(brokers.count) (a position in --broker)", status: .usage)
            }
            let directory = journalDir ?? "/dev/shm/lantern-fleet-\(getpid())"
            var c = FleetSimulation.Configuration(devices: devices, brokers: brokers, journalDirectory: directory)
            c.speed = speed
            c.durationSeconds = Int64(duration)
            c.intervalSeconds = Int64(interval)
            c.retryWindowSeconds = retryWindow
            c.connectTimeoutSeconds = connectTimeout
            c.bootRate = bootRate
            c.drainTimeoutSeconds = drainTimeout
            c.collector = !noCollector
            c.killAtSeconds = killAt
            c.killCommand = killCommand
            c.killBroker = killBroker.map { $0 - 1 }
            c.restartAtSeconds = restartAt
            c.restartCommand = restartCommand
            c.keepJournals = keepJournals
            c.memoryJournals = memoryJournals
            c.processes = processes
            c.workerFirst = workerFirst
            c.workerCount = workerCount
            c.workerDirectory = workerDirectory
            c.executable = CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : "/proc/self/exe"
            c.progress = progress
            let report = try FleetSimulation(c).run()
            if let samples = report.workerSamples {
                print(samples)
                return
            }
            if json {
                print(report.json)
            } else {
                for line in report.summary { print(line) }
            }
            if !report.complete || report.gaps > 0 || report.differingDuplicates > 0 || report.unexpected > 0 {
                throw SimulatorError("fleet: not every record arrived intact (gaps \(report.gaps), differing duplicates \(report.differingDuplicates), unexpected \(report.unexpected))", status: .findingFailed)
            }
        }
    }
}
