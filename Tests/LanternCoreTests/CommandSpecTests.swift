import LanternCore
import Testing

@Suite struct CommandSpecTests {
    let spec = CommandSpec(
        command: "tool run", abstract: "Runs.",
        options: [
            OptionSpec("--site", "FILE", required: true, "the site file"),
            OptionSpec("--interval", "SECONDS", "reporting interval"),
            OptionSpec("--quiet", nil, "say less"),
        ])

    @Test func valuesComeAsASeparateArgumentOrAfterAnEqualsSign() throws {
        let a = try spec.parse(["--site", "a.json", "--interval=60", "--quiet"])
        #expect(a.value("--site") == "a.json")
        #expect(try a.integer("--interval", in: 1...86_400, example: 60) == 60)
        #expect(a.has("--quiet"))
        let b = try spec.parse(["--site=b=c.json"])
        #expect(b.value("--site") == "b=c.json")
        #expect(!b.has("--quiet"))
        #expect(try b.integer("--interval", in: 1...86_400, example: 60) == nil)
    }

    @Test func anUnknownOptionIsOneLineNamingItAndTheHelp() {
        #expect(throws: UsageError("unknown option '--bogus'; see `tool run --help`")) { try spec.parse(["--site", "a", "--bogus"]) }
        #expect(throws: UsageError("unknown option '--bogus'; see `tool run --help`")) { try spec.parse(["--bogus=1"]) }
        #expect(throws: UsageError("unexpected argument 'stray'; see `tool run --help`")) { try spec.parse(["stray"]) }
    }

    @Test func missingValuesAndRequiredOptionsSayWhatToType() {
        #expect(throws: UsageError("--site needs a value; type `tool run --site FILE` (see `tool run --help`)")) { try spec.parse(["--site"]) }
        #expect(throws: UsageError("--site needs a value; type `tool run --site FILE` (see `tool run --help`)")) {
            try spec.parse(["--site", "--quiet"])
        }
        #expect(throws: UsageError("missing --site FILE; type `tool run --site FILE [options]` (see `tool run --help`)")) { try spec.parse([]) }
        #expect(throws: UsageError("--quiet takes no value; type `tool run --quiet`")) { try spec.parse(["--site", "a", "--quiet=1"]) }
    }

    @Test func badNumbersNameTheOptionAndTheRange() throws {
        let parsed = try spec.parse(["--site", "a", "--interval", "1.5"])
        #expect(throws: UsageError("--interval 1.5: expected a whole number from 1 to 86400, e.g. --interval 60")) {
            try parsed.integer("--interval", in: 1...86_400, example: 60)
        }
    }

    @Test func helpWinsOverEverythingElseAndTheUsageIsTheTable() throws {
        #expect(try spec.parse(["--bogus", "--help"]).helpRequested)
        #expect(try spec.parse(["--help"]).helpRequested)
        #expect(try spec.parse(["-h", "--bogus"]).helpRequested)
        let usage = spec.usage
        #expect(usage.hasPrefix("USAGE: tool run --site FILE [options]\n\nRuns.\n\nOPTIONS:\n"))
        #expect(usage.contains("  --site FILE         the site file\n"))
        #expect(usage.contains("  --quiet             say less\n"))
        #expect(usage.hasSuffix("  -h, --help          show this help"))
    }

    @Test func controlCharactersInAnUnknownOptionAreEscapedAndLongOnesCut() {
        #expect(throws: UsageError("unknown option '--a\\u{1b}[2J'; see `tool run --help`")) { try spec.parse(["--a\u{1B}[2J"]) }
        let long = "--" + String(repeating: "x", count: 200)
        do {
            _ = try spec.parse([long])
            Issue.record("accepted")
        } catch {
            #expect(error.message.utf8.count < 120)
        }
    }
}
