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
}

/// Runs the built product `name` to its end, as a user would from `directory`.
public func runBuiltProduct(_ name: String, _ arguments: [String], in directory: URL? = nil) throws -> ProductRun {
    let process = Process()
    process.executableURL = builtProduct(name)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
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
