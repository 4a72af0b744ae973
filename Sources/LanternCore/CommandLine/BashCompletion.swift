/// A bash completion script made from a tool's option tables (`CommandSpec`), so completion cannot
/// disagree with the parser: subcommands at the first word, each subcommand's options after it, and
/// file (or directory) names after an option whose value is a `FILE`, `CLIP` or `DIR`.
public enum BashCompletion {
    /// - Parameters:
    ///   - tool: the command's name (`lanternd`).
    ///   - subcommands: each subcommand's word and its table.
    ///   - topLevel: options taken in place of a subcommand (`--help`, `--version`).
    public static func script(tool: String, subcommands: [(name: String, spec: CommandSpec)], topLevel: [String]) -> String {
        let function = "_" + tool.replacingDashes()
        var text = "# bash completion for \(tool), generated from its option tables: \(tool) --completion-script bash\n"
        text += "\(function)() {\n"
        text += "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
        text += "    if [[ $COMP_CWORD -eq 1 ]]; then\n"
        text += "        COMPREPLY=($(compgen -W \"\(joined(subcommands.map { $0.name } + topLevel))\" -- \"$cur\"))\n"
        text += "        return\n"
        text += "    fi\n"
        text += "    case \"${COMP_WORDS[1]}\" in\n"
        for (name, spec) in subcommands {
            text += "    \(name))\n"
            let files = spec.options.filter { $0.value == "FILE" || $0.value == "CLIP" }.map { $0.name }
            let dirs = spec.options.filter { $0.value == "DIR" }.map { $0.name }
            let others = spec.options.filter { $0.value != nil && $0.value != "FILE" && $0.value != "CLIP" && $0.value != "DIR" }.map { $0.name }
            text += "        case \"$prev\" in\n"
            if !files.isEmpty { text += "        \(files.joined(separator: "|"))) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n" }
            if !dirs.isEmpty { text += "        \(dirs.joined(separator: "|"))) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n" }
            if !others.isEmpty { text += "        \(others.joined(separator: "|"))) COMPREPLY=(); return ;;\n" }
            text += "        esac\n"
            text += "        COMPREPLY=($(compgen -W \"\(joined(spec.options.map { $0.name } + ["--help"]))\" -- \"$cur\")) ;;\n"
        }
        text += "    esac\n"
        text += "}\n"
        text += "complete -o default -F \(function) \(tool)\n"
        return text
    }

    static func joined(_ words: [String]) -> String { words.joined(separator: " ") }
}

extension String {
    /// `lantern-sim` as a shell function name: `lantern_sim`.
    func replacingDashes() -> String {
        var out = ""
        for c in self { out.append(c == "-" ? "_" : c) }
        return out
    }
}
