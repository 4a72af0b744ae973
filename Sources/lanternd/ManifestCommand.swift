import LanternCore

/// `lanternd manifest --site FILE [--device-id ID] [--ngsi-ld]`: prints the privacy manifest
/// (LanternCore/Reports/PrivacyManifest.swift) the agent publishes, one JSON line.
enum ManifestCommand {
    static let usage = """
        USAGE: lanternd manifest --site FILE [--device-id ID] [--ngsi-ld]

        Prints what this device measures and never does (the privacy manifest), as JSON, or as an
        NGSI-LD PrivacyObject entity with --ngsi-ld.
        """

    static func run(_ arguments: [String]) -> Int32 {
        var site: String?
        var device = "lantern"
        var ngsi = false
        var i = 1
        while i < arguments.count {
            let name = arguments[i]
            switch name {
            case "-h", "--help":
                Console.line(usage)
                return 0
            case "--ngsi-ld": ngsi = true
            case "--site", "--device-id":
                guard i + 1 < arguments.count else {
                    Console.error("\(name) needs a value; type `lanternd manifest --site FILE`")
                    return 2
                }
                i += 1
                if name == "--site" { site = arguments[i] } else { device = arguments[i] }
            default:
                Console.error("manifest: unknown option '\(name)'; see `lanternd manifest --help`")
                return 2
            }
            i += 1
        }
        guard let path = site else {
            Console.error("missing --site FILE; type `lanternd manifest --site /etc/lantern/site.json`")
            return 2
        }
        do throws(Failure) {
            let config = try Daemon.loadSite(path)
            let manifest = PrivacyManifest(device: device, site: config, version: BuildInfo.version, build: BuildInfo.build)
            Console.line(ngsi ? manifest.ngsiLD : manifest.json)
            return 0
        } catch {
            Console.error(error.message)
            return 1
        }
    }
}
