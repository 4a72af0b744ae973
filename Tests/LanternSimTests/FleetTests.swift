import Foundation
import LanternCore
import LanternSim
import LanternTestSupport
import Testing

@Suite(.serialized) struct FleetTests {
    /// Devices start spread over the brokers, and the devices of one broker fail over to all the
    /// others, not all to the same one.
    @Test func devicesSpreadOverTheBrokersAndFailOverToAllTheOthers() {
        var first = [0, 0, 0]
        var second: [Int: [Int]] = [0: [0, 0, 0], 1: [0, 0, 0], 2: [0, 0, 0]]
        for i in 0..<600 {
            let order = FleetSimulation.brokerOrder(device: i, brokers: 3)
            #expect(Set(order) == [0, 1, 2])
            first[order[0]] += 1
            second[order[0]]![order[1]] += 1
        }
        #expect(first == [200, 200, 200])
        for (node, next) in second {
            #expect(next[node] == 0)
            #expect(next.filter { $0 == 100 }.count == 2, "node \(node)'s devices go half to each other node: \(next)")
        }
        #expect(FleetSimulation.brokerOrder(device: 7, brokers: 1) == [0])
    }

    /// A broker node restarted mid-run must not inherit the devices' sockets (it would hold their
    /// connections open after the fleet closes them), however many are open.
    @Test func aLaunchedCommandInheritsNoDeviceSocket() throws {
        var pipes: [Int32] = []
        defer { for fd in pipes { close(fd) } }
        for _ in 0..<1_500 {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { break }
            pipes += ends
        }
        #expect(pipes.count >= 2_000, "opened \(pipes.count) descriptors")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("launch-\(getpid()).txt").path
        try? FileManager.default.removeItem(atPath: output)
        FleetSimulation.launch("ls /proc/$$/fd > \(output).part && mv \(output).part \(output)")
        // Not a timing assertion: the command is awaited until it has written its answer.
        var listing: String?
        for _ in 0..<600 where listing == nil {
            listing = try? String(contentsOfFile: output, encoding: .utf8)
            if listing == nil { usleep(50_000) }
        }
        try? FileManager.default.removeItem(atPath: output)
        let descriptors = try #require(listing).split(whereSeparator: \.isNewline).compactMap { Int($0) }
        // stdin, stdout, stderr, and at most the one the shell saves stdout in while redirecting.
        #expect(descriptors.count <= 4 && descriptors.contains(2), "the command's shell holds \(descriptors.count) descriptors")
    }

    @Test func percentilesAreNearestRank() {
        let micros: [Int64] = (1...100).map { Int64($0) * 10_000 }
        #expect(FleetReport.percentile(micros, 0.5) == 0.5)
        #expect(FleetReport.percentile(micros, 0.99) == 0.99)
        #expect(FleetReport.percentile([], 0.99) == nil)
        #expect(FleetReport.percentile([2_000_000], 0.99) == 2.0)
    }

    /// Children of the test process inherit its blocked signals (SIGTERM): the brokers, and lantern-sim
    /// with the brokers it restarts, are started through this wrapper, which restores them and execs.
    static func resettingSignals(_ path: String, _ arguments: [String]) -> (URL, [String]) {
        let wrapper = "import os, signal, sys\n"
            + "signal.pthread_sigmask(signal.SIG_SETMASK, [])\n"
            + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGPIPE, signal.SIGHUP)]\n"
            + "os.execv(sys.argv[1], sys.argv[1:])\n"
        return (URL(fileURLWithPath: "/usr/bin/python3"), ["-c", wrapper, path] + arguments)
    }

    /// 20 virtual devices against a real mosquitto that is stopped mid-run and started again on the same
    /// port: every device's records 1...n reach the collector (a persistent session), duplicates
    /// byte-identical, and every device that lost the broker reconnected.
    @Test(.timeLimit(.minutes(2))) func aBrokerRestartMidRunLosesNoRecord() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-fleet-test-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o777)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = 20_000 + Int(getpid() % 10_000)
        let configuration = directory.appendingPathComponent("mosquitto.conf").path
        try """
            listener \(port) 127.0.0.1
            allow_anonymous true
            max_queued_messages 0
            persistence true
            persistence_location \(directory.path)/
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let pidFile = directory.appendingPathComponent("pid").path
        // The broker as a child of the test (its pid in the file the kill command reads); the restart
        // command starts the next one and overwrites the file.
        let broker = Process()
        (broker.executableURL, broker.arguments) = FleetTests.resettingSignals("/usr/sbin/mosquitto", ["-c", configuration])
        broker.standardOutput = FileHandle.nullDevice
        broker.standardError = FileHandle.nullDevice
        try broker.run()
        try String(broker.processIdentifier).write(toFile: pidFile, atomically: true, encoding: .utf8)
        defer {
            let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
            if let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
                kill(pid, SIGTERM)
                // Gone before its directory is removed (it writes its persistence file on the way out).
                for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
                kill(pid, SIGKILL)
            }
            if broker.isRunning { broker.terminate() }
        }
        let start = "mosquitto -c \(configuration) </dev/null >/dev/null 2>&1 & echo $! > \(pidFile)"
        usleep(300_000)

        let (python, wrapped) = FleetTests.resettingSignals(builtProduct("lantern-sim").path, [
            "fleet", "--devices", "20", "--broker", "mqtt://127.0.0.1:\(port)", "--speed", "300", "--duration", "1500",
            "--retry-window", "10", "--journal-dir", directory.appendingPathComponent("journals").path, "--json",
            "--kill-at", "2.5", "--kill-broker", "1", "--kill-command", "kill -TERM $(cat \(pidFile))",
            "--restart-at", "3.5", "--restart-command", start, "--drain-timeout", "60",
        ])
        let run = try runProgram(python, wrapped)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["produced"] == .number(500))
        #expect(report["delivered"] == .number(500))
        #expect(report["gaps"] == .number(0))
        #expect(report["differingDuplicates"] == .number(0))
        #expect(report["unexpected"] == .number(0))
        // Every device connected when the broker went away came back (how many were connected at that
        // moment depends on the machine's load, so it is not asserted).
        #expect(report["killedNodeDevices"] == report["killedNodeReconnected"])
    }
}
