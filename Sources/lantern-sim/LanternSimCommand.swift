import ArgumentParser
import Foundation
import LanternSim

@main
struct LanternSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lantern-sim",
        abstract: "Replays recorded clips through Lantern's occupancy pipeline and scores the counts.",
        discussion: "The estimator is the board's own code; only the frames come from a file.",
        subcommands: [ReplayCommand.self, EvaluateCommand.self, BenchCommand.self, CountImagesCommand.self]
    )
}

/// Runs `body`; a `SimulatorError` becomes one line on stderr and exit status 1.
func reportingErrors(_ body: () throws(SimulatorError) -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("lantern-sim: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}

/// `site.json` in the clip's folder: the bundled sample keeps its site file there.
func defaultSitePath(forClip clip: String) -> String {
    URL(fileURLWithPath: clip).deletingLastPathComponent().appendingPathComponent("site.json").path
}
