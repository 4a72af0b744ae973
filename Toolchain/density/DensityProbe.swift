// Runs the bundled density model on fixed synthetic images and prints each map's fingerprint, so the
// same source built for the host and for aarch64 (Toolchain/check-density-aarch64) can be compared bit
// for bit. Embedded-Swift compatible (one-argument print, no Foundation).
import LanternCore
import LanternDensity

func fingerprint(_ map: DensityMap) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for value in map.values {
        hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01b3
    }
    return hash
}

func pixels(width: Int, height: Int, seed: UInt32) -> [UInt8] {
    var state = seed
    var result = [UInt8](repeating: 0, count: width * height)
    for y in 0..<height {
        for x in 0..<width {
            state = state &* 1_664_525 &+ 1_013_904_223
            let blob = ((x / 11) ^ (y / 17)) & 3 == 0 ? 60 : 150
            result[y * width + x] = UInt8(truncatingIfNeeded: blob + Int(state >> 28) * 4 + y / 8)
        }
    }
    return result
}

let weights: DensityWeights
do {
    weights = try DensityWeights.bundled()
} catch {
    print("density-probe: \(error.description)")
    fatalError("no weights")
}
let counter = DensityCounter(weights: weights, maxWidth: 640, maxHeight: 480)
let perspective = PersonScale(samples: [.init(row: 0, height: 40), .init(row: 480, height: 160)])
let cases: [(Int, Int, PersonScale?)] = [(640, 480, nil), (320, 240, nil), (97, 61, nil), (640, 480, perspective), (333, 250, perspective)]
for (index, (width, height, scale)) in cases.enumerated() {
    let image = pixels(width: width, height: height, seed: UInt32(index + 1))
    let count = image.withUnsafeBufferPointer { p in
        counter.count(GreyImage(unsafePixels: p.baseAddress!, width: width, height: height, stride: width), personScale: scale)
    }
    let hash = counter.withDensityMap { fingerprint($0) }
    print("\(width)x\(height)\(scale == nil ? "" : " calibrated") count=\(String(count.bitPattern, radix: 16)) map=\(String(hash, radix: 16))")
}
