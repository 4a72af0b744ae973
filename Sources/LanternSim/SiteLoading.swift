import Foundation
import LanternCore

extension SiteConfig {
    /// Reads and parses a site file; errors are one line naming the file and the key path.
    public static func load(path: String) throws(SimulatorError) -> SiteConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulatorError("\(path): no such site file; pass --site FILE with the scene's site file")
        }
        do {
            return try SiteConfig.parse(json: [UInt8](data), source: path)
        } catch {
            throw SimulatorError(error.description)
        }
    }
}
