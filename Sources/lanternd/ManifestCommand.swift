import LanternCore
import LanternRuntime

/// `lanternd manifest`: prints the privacy manifest (LanternCore/Reports/PrivacyManifest.swift) the
/// agent publishes, one JSON line.
enum ManifestCommand {
    static let spec = CommandSpec(
        command: "lanternd manifest",
        abstract: "Prints what this device measures and never does (the privacy manifest), as JSON.",
        options: [
            OptionSpec("--site", "FILE", required: true, "the site file"),
            OptionSpec("--device-id", "ID", "the device's name (default lantern)"),
            OptionSpec("--interval", "SECONDS", "the interval lanternd run --interval sets (default the site file's)"),
            OptionSpec("--ngsi-ld", nil, "print it as an NGSI-LD PrivacyObject entity"),
        ] + Console.options)

    static func run(_ parsed: ParsedOptions) throws(Failure) {
        var site = try ConfigFiles.site(parsed.value("--site")!)
        do throws(UsageError) {
            if let n = try parsed.integer("--interval", in: 1...86_400, example: 60) { site.intervalSeconds = Int(n) }
        } catch {
            throw Failure(error.message, code: .usage)
        }
        let manifest = PrivacyManifest(
            device: parsed.value("--device-id") ?? "lantern", site: site, version: BuildInfo.version, build: BuildInfo.build)
        Console.line(parsed.has("--ngsi-ld") ? manifest.ngsiLD() : manifest.json)
    }
}
