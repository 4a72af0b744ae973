import Foundation
import LanternCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Test fixtures: temp dirs, free ports, a real mosquitto broker, a mosquitto_sub subscriber, a
/// python JSON Schema validator. Everything they start is stopped by the test that started it.

enum Fixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Installs the Debian packages the uplink tests need (idempotent, quiet when present).
    static let dependencies: Void = {
        var packages = ["mosquitto", "mosquitto-clients", "openssl"]
        // jsonschema may come from pip; only ask apt for it when python cannot import it.
        if run("/usr/bin/python3", ["-c", "import jsonschema"]).status != 0 { packages.append("python3-jsonschema") }
        let installed = run("/bin/bash", [packageRoot.appendingPathComponent("Toolchain/install-deps").path] + packages)
        precondition(installed.status == 0, "Toolchain/install-deps failed: \(installed.output)")
    }()

    /// Children of the test process inherit its blocked/ignored signals (SIGTERM, SIGALRM), so
    /// `terminate()` and `mosquitto_sub -W` would do nothing: every child is started through this
    /// wrapper, which restores default signal handling and then execs the program.
    static func resettingSignals(_ path: String, _ arguments: [String]) -> (URL, [String]) {
        let wrapper = "import os, signal, sys\n"
            + "signal.pthread_sigmask(signal.SIG_SETMASK, [])\n"
            + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGPIPE, signal.SIGHUP)]\n"
            + "os.execv(sys.argv[1], sys.argv[1:])\n"
        return (URL(fileURLWithPath: "/usr/bin/python3"), ["-c", wrapper, path] + arguments)
    }

    static func temporaryDirectory(_ name: String) -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("lantern-uplink-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // mosquitto running as root drops to the `mosquitto` user: let it write persistence here.
        chmod(url.path, 0o777)
        return url
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                _ = bind(fd, s, length)
                _ = getsockname(fd, s, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program to completion; returns its exit status and combined output.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], stdin: String? = nil) -> (status: Int32, output: String) {
        let process = Process()
        (process.executableURL, process.arguments) = resettingSignals(path, arguments)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try! process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin.data(using: .utf8)!)
            try? input.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Validates each JSON document (one per line) against a schema in `Schemas/`. Returns the
    /// validator's complaints, empty when every document is valid.
    static func schemaErrors(_ schema: String, _ documents: [String]) -> String {
        _ = dependencies
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            bad = 0
            for n, line in enumerate(sys.stdin):
                for e in v.iter_errors(json.loads(line)):
                    bad += 1
                    print(f"document {n}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
            sys.exit(1 if bad else 0)
            """
        let path = packageRoot.appendingPathComponent("Schemas/\(schema)").path
        let result = run("/usr/bin/python3", ["-c", script, path], stdin: documents.joined(separator: "\n") + "\n")
        return result.status == 0 ? "" : (result.output.isEmpty ? "validator exited \(result.status)" : result.output)
    }

    /// Validates NGSI-LD entities (one JSON object or array a line) against the official Smart Data
    /// Models schemas vendored in `Schemas/sdm` (`Schemas/sdm/validate.py`: keyValues form, `$ref`s
    /// resolved offline). Returns the validator's complaints (empty when all are valid) and its summary,
    /// `[type: (entities, valid)]`.
    static func smartDataModelCheck(_ documents: [String]) -> (errors: String, summary: [String: (entities: Int, valid: Int)]) {
        _ = dependencies
        let script = packageRoot.appendingPathComponent("Schemas/sdm/validate.py").path
        let result = run("/usr/bin/python3", [script], stdin: documents.joined(separator: "\n") + "\n")
        var summary: [String: (entities: Int, valid: Int)] = [:]
        var errors: [String] = []
        for line in result.output.split(separator: "\n").map(String.init) {
            let parts = line.split(separator: " ")
            if parts.count == 3, let n = Int(parts[1]), let valid = Int(parts[2]) {
                summary[String(parts[0])] = (n, valid)
            } else {
                errors.append(line)
            }
        }
        if result.status != 0 && errors.isEmpty { errors.append("validator exited \(result.status)") }
        return (errors.joined(separator: "\n"), summary)
    }

    /// How much slower than an idle machine a test may run before a wait gives up: the bounds below
    /// catch hangs, they never measure pace (the suite must pass on a loaded machine).
    static let patience = 6.0

    /// Serves `body` until it returns true or `seconds` (times `patience`) pass; returns whether it
    /// returned true. It returns as soon as `body` does, so the bound costs nothing when all is well.
    static func wait(seconds: Double, step: () -> Void = { usleep(20_000) }, until body: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds * patience)
        while Date() < deadline {
            if body() { return true }
            step()
        }
        return body()
    }
}

/// A mosquitto broker on a loopback port, with persistence (so a persistent subscriber's session and
/// queue survive a restart, as a city's broker would).
final class Broker {
    let directory: URL
    let port: Int
    let extraConfiguration: String
    private var process: Process?

    init(port: Int = Fixture.freePort(), extraConfiguration: String = "") {
        _ = Fixture.dependencies
        directory = Fixture.temporaryDirectory("broker")
        self.port = port
        self.extraConfiguration = extraConfiguration
    }

    func start() {
        let configuration = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location \(directory.path)/
            log_dest file \(directory.path)/mosquitto.log
            \(extraConfiguration)
            """
        let path = directory.appendingPathComponent("mosquitto.conf").path
        try! configuration.write(toFile: path, atomically: true, encoding: .utf8)
        let p = Process()
        (p.executableURL, p.arguments) = Fixture.resettingSignals("/usr/sbin/mosquitto", ["-c", path])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try! p.run()
        process = p
        // Ready when the port accepts connections.
        let ready = Fixture.wait(seconds: 5) { Broker.accepts(port: port) }
        precondition(ready, "mosquitto did not start on port \(port): see \(directory.path)/mosquitto.log")
    }

    /// SIGTERM (mosquitto saves its persistence file) and wait for the exit.
    func stop() {
        guard let p = process else { return }
        p.terminate()
        p.waitUntilExit()
        process = nil
    }

    deinit { stop() }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                connect(fd, s, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// `mosquitto_sub` with a persistent session at QoS 1, its output (one payload a line) in a file.
final class Subscriber {
    let output: URL
    private let process: Process

    init(port: Int, topic: String, clientID: String = "lantern-test-sub-\(UInt32.random(in: 0...UInt32.max))",
         extraArguments: [String] = []) {
        output = Fixture.temporaryDirectory("sub").appendingPathComponent("messages.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process = Process()
        (process.executableURL, process.arguments) = Fixture.resettingSignals("/usr/bin/mosquitto_sub",
            ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-q", "1", "-c", "-i", clientID] + extraArguments)
        process.standardOutput = try! FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try! process.run()
    }

    /// Lines received so far (complete lines only).
    var lines: [String] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        var parts = text.components(separatedBy: "\n")
        parts.removeLast()  // the part after the last newline is incomplete (or empty)
        return parts
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Records for tests: deterministic, varied, every status.
enum Records {
    static func make(_ i: Int, zone: String? = nil, status: IntervalRecord.Status = .ok, line: String? = nil) -> IntervalRecord {
        IntervalRecord(
            zone: line == nil ? zone : nil, start: UTCTime(secondsSinceEpoch: 1_795_000_000 + Int64(i) * 60),
            end: UTCTime(secondsSinceEpoch: 1_795_000_060 + Int64(i) * 60), occupancyMean: Double(i % 9) * 0.37,
            occupancyMax: i % 9, crossingsIn: i % 4, crossingsOut: i % 3, coverage: status == .unknown ? 0.2 : 0.98,
            status: status, pirEvents: i % 2, dark: i % 3 == 0 ? nil : i % 3 == 1,
            personSeconds: Double(i % 9) * 0.37 * 58.8, occupied: i % 9 == 0 ? 0 : Double(i % 9) / 9, line: line)
    }
}

/// The `seq` of a Lantern JSON line.
func seqOf(_ line: String) -> Int64? {
    guard let value = try? JSONParser.parse(line), case .number(let n)? = value["seq"] else { return nil }
    return Int64(n)
}
