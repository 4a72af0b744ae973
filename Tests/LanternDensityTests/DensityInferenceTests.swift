import Foundation
import LanternCore
import Testing
@testable import LanternDensity

/// The Swift engine against the training framework: Fixtures/density-fixture.json holds synthetic
/// images and the maps JAX (float32) computes for them with the shipped weights
/// (Toolchain/density/fixture.py). The two add the same products in different orders, so they agree
/// within float32 rounding, not bit for bit: each cell within 1e-5 + 1e-4 x |value|, each count within
/// 1e-4 x max(1, |count|).
@Suite struct DensityInferenceTests {
    struct Case: Decodable {
        var width: Int
        var height: Int
        var pixels: [UInt8]
        var mapWidth: Int
        var mapHeight: Int
        var density: [Float]
        var count: Double
    }

    struct Fixture: Decodable {
        var weightsCRC32: UInt32
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "density-fixture", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func fixtureWasMadeWithTheBundledWeights() throws {
        let bytes = DensityWeights.bundledBytes
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self))
        #expect(try Self.fixture().weightsCRC32 == stored, "regenerate the fixture: .venv-density/bin/python Toolchain/density/fixture.py")
    }

    @Test func matchesTheTrainingFrameworksDensityMaps() throws {
        let counter = DensityCounter(weights: try DensityWeights.bundled(), maxWidth: 128, maxHeight: 128)
        var worstCell: Float = 0
        for c in try Self.fixture().cases {
            let count = c.pixels.withUnsafeBufferPointer { pixels in
                counter.count(GreyImage(unsafePixels: pixels.baseAddress!, width: c.width, height: c.height, stride: c.width))
            }
            counter.withDensityMap { map in
                #expect(map.width == c.mapWidth && map.height == c.mapHeight)
                guard map.values.count == c.density.count else { return }
                for (got, expected) in zip(map.values, c.density) {
                    let difference = abs(got - expected)
                    worstCell = max(worstCell, difference)
                    #expect(difference <= 1e-5 + 1e-4 * abs(expected), "cell \(got) vs JAX \(expected)")
                }
            }
            #expect(abs(count - c.count) <= 1e-4 * max(1, abs(c.count)), "count \(count) vs JAX \(c.count)")
        }
        print("DensityInferenceTests: largest cell difference from JAX \(worstCell)")
    }
}
