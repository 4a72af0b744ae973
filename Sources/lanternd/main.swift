import LanternCore
import LanternRuntime
import LanternSystem

// lanternd: the board agent. One file per subcommand; each has an option table (`CommandSpec`) that
// parses its command line and prints its `--help`. Exit codes: `ExitStatus` (sysexits).

/// A subcommand: its table, and what it does with what was parsed (its exit code, or a `Failure`).
struct Subcommand {
    let name: String
    let spec: CommandSpec
    let run: (ParsedOptions) throws(Failure) -> ExitStatus
}

let subcommands = [
    Subcommand(name: "run", spec: RunCommand.spec) { (parsed) throws(Failure) in
        try RunCommand.run(parsed)
        return .success
    },
    Subcommand(name: "check", spec: CheckCommand.spec) { (parsed) throws(Failure) in try CheckCommand.run(parsed) },
    Subcommand(name: "aim", spec: AimCommand.spec) { (parsed) throws(Failure) in
        try AimCommand.run(parsed)
        return .success
    },
    Subcommand(name: "manifest", spec: ManifestCommand.spec) { (parsed) throws(Failure) in
        try ManifestCommand.run(parsed)
        return .success
    },
    Subcommand(name: "provision", spec: ProvisionCommand.spec) { (parsed) throws(Failure) in
        try ProvisionCommand.run(parsed)
        return .success
    },
]

let usage = """
    USAGE: lanternd <subcommand> [options]

    The Lantern agent: counts people in view of a lamppost camera, anonymously, and reports counts per
    interval. Never stores or sends imagery.

    SUBCOMMANDS:
      run        count, and report each finished interval (the service)
      check      the technician's self-check: PASS/WARN/FAIL per item
      aim        draw where motion is seen, to aim the camera without a picture
      manifest   print what this agent measures and never does (the privacy manifest)
      provision  write a device's configuration and key

    Each takes --help. `lanternd --version` prints the version; `lanternd --completion-script bash` a
    bash completion script.
    Exit codes: 0 done, 1 check found a FAIL, 64 usage, 65 bad data, 66 cannot read an input,
    69 device unavailable, 73 cannot create an output, 74 I/O error, 77 permission, 78 bad configuration.
    """

let arguments = ProcessContext.arguments.dropFirst()
guard let first = arguments.first else {
    Console.error("missing subcommand; type `lanternd run --site FILE ...` or `lanternd --help`")
    ProcessContext.exit(ExitStatus.usage.rawValue)
}
switch first {
case "-h", "--help", "help":
    Console.line(usage)
    ProcessContext.exit(ExitStatus.success.rawValue)
case "--dump-help":
    // Every subcommand's option table as JSON, for the man page (Toolchain/man-pages).
    var w = JSONWriter()
    w.beginObject()
    w.field("command", "lanternd")
    w.field("usage", usage)
    w.key("subcommands")
    w.beginArray()
    for command in subcommands { command.spec.write(json: &w) }
    w.endArray()
    w.endObject()
    Console.line(w.text)
    ProcessContext.exit(ExitStatus.success.rawValue)
case "--completion-script":
    // A bash completion script from the same option tables (README "The board agent").
    guard arguments.dropFirst().first == "bash" else {
        Console.error("--completion-script: only bash is offered; type `lanternd --completion-script bash > /etc/bash_completion.d/lanternd`")
        ProcessContext.exit(ExitStatus.usage.rawValue)
    }
    Console.write(BashCompletion.script(
        tool: "lanternd", subcommands: subcommands.map { ($0.name, $0.spec) }, topLevel: ["--help", "--version", "--completion-script"]),
        to: .standardOutput)
    ProcessContext.exit(ExitStatus.success.rawValue)
case "--version":
    Console.line("lanternd \(BuildInfo.version) (\(BuildInfo.build))")
    ProcessContext.exit(ExitStatus.success.rawValue)
default:
    break
}
guard let command = subcommands.first(where: { $0.name == first }) else {
    Console.error("unknown subcommand '\(first)'; one of run, check, aim, manifest, provision (see `lanternd --help`)")
    ProcessContext.exit(ExitStatus.usage.rawValue)
}
let parsed: ParsedOptions
do throws(UsageError) {
    parsed = try command.spec.parse(arguments.dropFirst())
} catch {
    Console.error(error.message)
    ProcessContext.exit(ExitStatus.usage.rawValue)
}
Console.configure(verbose: parsed.has("--verbose"), quiet: parsed.has("--quiet"))
if parsed.helpRequested {
    Console.line(command.spec.usage)
    ProcessContext.exit(ExitStatus.success.rawValue)
}
do throws(Failure) {
    ProcessContext.exit(try command.run(parsed).rawValue)
} catch {
    // The message may echo input (a key, a token, a path): one line, at most 200 characters.
    Console.error(ShownText.line(error.message))
    ProcessContext.exit(error.code.rawValue)
}
