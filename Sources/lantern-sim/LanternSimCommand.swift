import ArgumentParser
import Foundation
import LanternCore
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

/// Runs `body`; a `SimulatorError` becomes one line on stderr and its exit status (`ExitStatus`,
/// sysexits, the same codes as lanternd's).
func reportingErrors(_ body: () throws(SimulatorError) -> Void) throws {
    do {
        try body()
    } catch {
        // The message may echo input (a key, a token, a path): one line, at most 200 characters.
        FileHandle.standardError.write(Data("lantern-sim: \(ShownText.line(error.description))\n".utf8))
        throw ArgumentParser.ExitCode(error.status.rawValue)
    }
}

/// `site.json` in the clip's folder: the bundled sample keeps its site file there.
func defaultSitePath(forClip clip: String) -> String {
    URL(fileURLWithPath: clip).deletingLastPathComponent().appendingPathComponent("site.json").path
}
