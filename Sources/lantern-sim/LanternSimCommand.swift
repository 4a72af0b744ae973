import ArgumentParser
import Foundation
import LanternCore
import LanternRuntime
import LanternSim

@main
struct LanternSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lantern-sim",
        abstract: "Replays recorded clips through Lantern's occupancy pipeline and scores the counts.",
        discussion: """
            The estimator is the board's own code; only the frames come from a file. A clip is YUV4MPEG2, `-` for \
            standard input, or any video ffmpeg reads (converted through a pipe when ffmpeg is installed). Shell \
            completions: `lantern-sim --generate-completion-script bash` (or zsh, fish).
            """,
        version: "lantern-sim \(LanternVersion.number)",
        subcommands: [ReplayCommand.self, EvaluateCommand.self, BenchCommand.self, CountImagesCommand.self, CalibrateCommand.self, FleetCommand.self, ReportCommand.self, StudioCommand.self, DensityProbeCommand.self]
    )
}

/// `--verbose` and `--quiet`, as lanternd has them: the same table (`Console.options`), the same
/// meaning (stderr: debug lines too; only warnings and errors), the same journald priorities.
struct LoggingOptions: ParsableArguments {
    @Flag(name: .customLong("verbose"), help: ArgumentHelp(stringLiteral: Console.options[0].help))
    var verbose = false

    @Flag(name: .customLong("quiet"), help: ArgumentHelp(stringLiteral: Console.options[1].help + "; replay and count-images: only the summary"))
    var quiet = false
}

/// Runs `body` with `logging` applied; a `SimulatorError` becomes one line on stderr and its exit
/// status (`ExitStatus`, sysexits, the same codes as lanternd's).
func reportingErrors(_ logging: LoggingOptions, _ body: () throws(SimulatorError) -> Void) throws {
    Console.tool = "lantern-sim"
    Console.configure(verbose: logging.verbose, quiet: logging.quiet)
    do {
        try body()
    } catch {
        // The message may echo input (a key, a token, a path): one line, at most 200 characters.
        Console.error(ShownText.line(error.description))
        throw ArgumentParser.ExitCode(error.status.rawValue)
    }
}

/// `site.json` in the clip's folder: the bundled sample keeps its site file there.
func defaultSitePath(forClip clip: String) -> String {
    URL(fileURLWithPath: clip).deletingLastPathComponent().appendingPathComponent("site.json").path
}

/// Writes a text output file (a report page, a site file); one that cannot be written is one line and exit 73.
func writeOutput(_ text: String, to path: String) throws(SimulatorError) {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw SimulatorError("\(path): cannot write it (\(error.localizedDescription)); check the folder exists and is writable", status: .cannotCreate)
    }
}
