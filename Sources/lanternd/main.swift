import LanternHardware

// lanternd: the board agent. See RunOptions.swift for the command line.
let arguments = Array(ProcessContext.arguments.dropFirst())

// Technician's subcommands (ManifestCommand.swift, CheckCommand.swift): own parsers, own exit codes.
switch arguments.first {
case "manifest": ProcessContext.exit(ManifestCommand.run(arguments))
case "check" where arguments.contains("--aim"): ProcessContext.exit(AimCommand.run(arguments))
case "check": ProcessContext.exit(CheckCommand.run(arguments))
case "provision": ProcessContext.exit(ProvisionCommand.run(arguments))
default: break
}

let command: Command
do {
    command = try CommandLineParser.parse(arguments)
} catch {
    Console.error(error.message)
    ProcessContext.exit(2)
}

switch command {
case .help:
    Console.line(CommandLineParser.usage)
case .version:
    Console.line("lanternd \(BuildInfo.version) (\(BuildInfo.build))")
case .run(var options):
    do throws(Failure) {
        try FirstBoot.apply(&options, arguments: arguments)
        var daemon = try Daemon(options: options)
        try daemon.run()
    } catch {
        Console.error(error.message)
        ProcessContext.exit(1)
    }
}
ProcessContext.exit(0)
