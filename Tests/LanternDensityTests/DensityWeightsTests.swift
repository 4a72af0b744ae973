import LanternCore
import Testing
@testable import LanternDensity

@Suite struct DensityWeightsTests {
    /// The bytes compiled into the binary, as DensityWeights.bundled() reads them.
    static func bundledBytes() -> [UInt8] { Array(DensityWeights.bundledBytes) }

    static func parse(_ bytes: [UInt8]) -> DensityWeightsError? {
        bytes.withUnsafeBytes { parse(buffer: $0) }
    }

    static func parse(buffer: UnsafeRawBufferPointer) -> DensityWeightsError? {
        do {
            _ = try DensityWeights(bytes: buffer)
            return nil
        } catch {
            return error
        }
    }

    @Test func loadsTheBundledFile() throws {
        let weights = try DensityWeights.bundled()
        #expect(weights.layers.last?.outputChannels == 1)
        #expect(weights.parameterCount > 1000)
        #expect(weights.cellSize == 8)
    }

    @Test func refusesAFileWithAnotherSignature() {
        var bytes = Self.bundledBytes()
        bytes[0] = 0x58
        #expect(Self.parse(bytes) == .notAWeightsFile)
    }

    @Test func refusesAnotherVersion() {
        var bytes = Self.bundledBytes()
        bytes[4] = 2
        #expect(Self.parse(bytes) == .unsupportedVersion(found: 2, expected: 1))
    }

    @Test func refusesATruncatedFile() {
        let bytes = Array(Self.bundledBytes().dropLast(10))
        #expect(Self.parse(bytes) == .wrongSize(found: bytes.count, expected: bytes.count + 10))
    }

    @Test func refusesAFileWhoseContentChanged() {
        var bytes = Self.bundledBytes()
        bytes[bytes.count / 2] ^= 0x01
        guard let error = Self.parse(bytes), case .checksumMismatch = error else {
            Issue.record("a changed byte was not refused for its checksum")
            return
        }
        #expect(error.description.contains("checksum"))
        #expect(!error.description.contains("\n"))
    }
}
