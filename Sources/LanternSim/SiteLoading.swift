import LanternCore

extension SiteConfig {
    /// Reads and parses a site file; errors are one line naming the file and the key path.
    public static func load(path: String) throws(SimulatorError) -> SiteConfig {
        let bytes = try readBytes(path, hint: "pass --site FILE with the scene's site file", limit: 1 << 20, tooLarge: .configuration)
        do {
            return try SiteConfig.parse(json: bytes, source: path)
        } catch {
            throw SimulatorError(error.description, status: .configuration)
        }
    }
}
