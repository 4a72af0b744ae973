import Foundation

/// The executable product `name` as built for the tests: SwiftPM puts products beside the test bundle.
public func builtProduct(_ name: String) -> URL {
    var dir = Bundle.main.bundleURL
    var binary = dir.appendingPathComponent(name)
    for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: binary.path) {
        dir = dir.deletingLastPathComponent()
        binary = dir.appendingPathComponent(name)
    }
    return binary
}

/// How a run of a built product ended, and what it printed.
public struct ProductRun {
    public var status: Int32
    public var reason: Process.TerminationReason
    public var stdout: String
    public var stderr: String

    public init(status: Int32, reason: Process.TerminationReason, stdout: String, stderr: String) {
        self.status = status
        self.reason = reason
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs the built product `name` to its end, as a user would from `directory`, with `environment`
/// added to (or, for a nil value, removed from) the test's own.
public func runBuiltProduct(
    _ name: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:]
) throws -> ProductRun {
    try runProgram(builtProduct(name), arguments, in: directory, environment: environment)
}

/// Runs `executable` to its end with `arguments` from `directory`; stdout and stderr are collected.
public func runProgram(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:]
) throws -> ProductRun {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if !environment.isEmpty {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return ProductRun(status: process.terminationStatus, reason: process.terminationReason, stdout: stdout, stderr: stderr)
}

/// The repository's root folder (tests run from anywhere; the sample and the boards are found from here).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
