import LanternCore

/// libFuzzer target (Toolchain/fuzz): site files. A parsed site must be usable by the estimator:
/// one blank frame of the site's size goes through `OccupancyEstimator` (no precondition reachable
/// from a file); a refused one must say why in one line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSite(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let site = try SiteConfig.parse(json: bytes, source: "site.json")
        let width = site.frame?.width ?? 64, height = site.frame?.height ?? 48
        guard width * height <= 1 << 20 else { return 0 }  // keep each run fast; the limits are tested elsewhere
        let pixels = [UInt8](repeating: 90, count: width * height)
        let estimator = OccupancyEstimator(site: site, frameWidth: width, frameHeight: height)
        pixels.withUnsafeBufferPointer { buffer in
            _ = estimator.process(GreyImage(unsafePixels: buffer.baseAddress!, width: width, height: height, stride: width))
        }
    } catch {
        if error.description.utf8.contains(0x0A) { fatalError("a site error is not one line: \(error.description)") }
    }
    return 0
}
