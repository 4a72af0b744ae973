/// A command line that cannot run: one line saying what to type instead. Exit code 64 (`ExitStatus.usage`).
public struct UsageError: Error, Equatable, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// One option of a command: its name, the placeholder of its value (nil for a flag) and its help. The
/// table of a command's options is both its parser and its `--help` (and its man page).
public struct OptionSpec: Sendable {
    public let name: String
    /// The value's placeholder (`FILE`, `URL`); nil: a flag that takes no value.
    public let value: String?
    public let help: String
    /// Must be given (shown in the synopsis).
    public let required: Bool

    public init(_ name: String, _ value: String? = nil, required: Bool = false, _ help: String) {
        self.name = name
        self.value = value
        self.help = help
        self.required = required
    }
}

/// A command's options as a table, in the shape of swift-argument-parser (which board code cannot use:
/// it relies on reflection): `--name VALUE` and `--name=VALUE`, flags, `-h`/`--help`, and one usage
/// line for anything unknown.
public struct CommandSpec: Sendable {
    /// What is typed before the options: `lanternd run`.
    public let command: String
    /// One sentence: what it does.
    public let abstract: String
    /// More text after the abstract (may be empty).
    public let discussion: String
    public let options: [OptionSpec]

    public init(command: String, abstract: String, discussion: String = "", options: [OptionSpec]) {
        self.command = command
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
    }

    /// `lanternd run --site FILE [options]`
    public var synopsis: String {
        var text = command
        for o in options where o.required { text += " " + o.name + (o.value.map { " " + $0 } ?? "") }
        if options.contains(where: { !$0.required }) { text += " [options]" }
        return text
    }

    /// The help text: synopsis, abstract, discussion, then one line per option.
    public var usage: String {
        var lines = ["USAGE: " + synopsis, "", abstract]
        if !discussion.isEmpty {
            lines.append("")
            lines.append(discussion)
        }
        lines.append("")
        lines.append("OPTIONS:")
        var rows: [(String, String)] = options.map { ($0.name + ($0.value.map { " " + $0 } ?? ""), $0.help) }
        rows.append(("-h, --help", "show this help"))
        var width = 0
        for row in rows where row.0.utf8.count <= 24 { width = max(width, row.0.utf8.count) }
        for row in rows {
            let pad = row.0.utf8.count <= width ? String(repeating: " ", count: width - row.0.utf8.count) : " "
            lines.append("  " + row.0 + pad + "  " + row.1)
        }
        return lines.joined(separator: "\n")
    }

    /// Parses `arguments` (what follows the command's words). `--help` anywhere wins.
    public func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> ParsedOptions {
        var parsed = ParsedOptions(command: command)
        if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) {
            parsed.helpRequested = true
            return parsed
        }
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let argument = arguments[i]
            i += 1
            var name = argument
            var inline: String?
            if argument.hasPrefix("--"), let equals = argument.utf8.firstIndex(of: UInt8(ascii: "=")) {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                if argument.hasPrefix("-") {
                    throw UsageError("unknown option '\(Self.shown(name))'; see `\(command) --help`")
                }
                throw UsageError("unexpected argument '\(Self.shown(argument))'; see `\(command) --help`")
            }
            guard let placeholder = option.value else {
                if inline != nil { throw UsageError("\(name) takes no value; type `\(command) \(name)`") }
                parsed.entries.append((name, nil))
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < arguments.endIndex, !arguments[i].hasPrefix("--") else {
                    throw UsageError("\(name) needs a value; type `\(command) \(name) \(placeholder)` (see `\(command) --help`)")
                }
                value = arguments[i]
                i += 1
            }
            parsed.entries.append((name, value))
        }
        for o in options where o.required && !parsed.has(o.name) {
            throw UsageError("missing \(o.name)\(o.value.map { " " + $0 } ?? ""); type `\(synopsis)` (see `\(command) --help`)")
        }
        return parsed
    }

    /// At most 60 characters of what was typed, control characters escaped: an error line stays one line.
    static func shown(_ text: String) -> String { ShownText.shown(text) }
}

/// What a `CommandSpec` parsed: each option given, in order, and typed readers that name the option
/// and the expected form when a value is wrong.
public struct ParsedOptions: Sendable {
    public let command: String
    /// `--help` (or `-h`) was given: print the usage, exit 0.
    public internal(set) var helpRequested = false
    var entries: [(name: String, value: String?)] = []

    init(command: String) {
        self.command = command
    }

    /// Whether the option (a flag, or an option with a value) was given.
    public func has(_ name: String) -> Bool {
        entries.contains { $0.name == name }
    }

    /// The option's value (the last one given), or nil.
    public func value(_ name: String) -> String? {
        entries.last { $0.name == name }?.value ?? nil
    }

    /// Every value given for a repeatable option, in order.
    public func values(_ name: String) -> [String] {
        entries.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The option's value as a whole number in `range`, or nil when not given.
    public func integer(_ name: String, in range: ClosedRange<Int64>, example: Int64) throws(UsageError) -> Int64? {
        guard let text = value(name) else { return nil }
        guard let n = DecimalText.integer(text.utf8), range.contains(n) else {
            throw UsageError("\(name) \(CommandSpec.shown(text)): expected a whole number from \(range.lowerBound) to \(range.upperBound), e.g. \(name) \(example)")
        }
        return n
    }
}
