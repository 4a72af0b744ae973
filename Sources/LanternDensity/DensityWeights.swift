import CLanternDensityWeights

/// The density network: its layers and the person height it was trained to see. Parsed from the
/// versioned weights file (format: Toolchain/density/weights_file.py; model: Weights/MODEL.md).
public struct DensityWeights: Sendable {
    public static let signature: [UInt8] = [0x4C, 0x44, 0x45, 0x4E]  // "LDEN"
    public static let version: UInt32 = 1
    static let headerSize = 20
    static let layerRecordSize = 12

    public let layers: [DensityLayer]
    /// Height in pixels of a standing person at the scale the model was trained on; a calibrated
    /// camera's frames are resampled so that its people have this height.
    public let personHeight: Float

    /// The weights compiled into this binary from Sources/LanternDensity/Weights/density-v6.bin.
    public static func bundled() throws(DensityWeightsError) -> DensityWeights {
        try DensityWeights(bytes: bundledBytes)
    }

    /// The embedded file's bytes (they live as long as the program).
    public static var bundledBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: lantern_density_weights_start(), count: lantern_density_weights_size())
    }

    /// Parses a weights file held in memory; refuses a wrong signature, version, size or checksum.
    public init(bytes: UnsafeRawBufferPointer) throws(DensityWeightsError) {
        guard bytes.count >= Self.headerSize + 4 else {
            if bytes.count >= 4 && !Self.hasSignature(bytes) { throw .notAWeightsFile }
            throw .wrongSize(found: bytes.count, expected: Self.headerSize + 4)
        }
        guard Self.hasSignature(bytes) else { throw .notAWeightsFile }
        let version = Self.u32(bytes, 4)
        guard version == Self.version else { throw .unsupportedVersion(found: version, expected: Self.version) }
        let declared = Int(Self.u32(bytes, 8))
        guard declared == bytes.count else { throw .wrongSize(found: bytes.count, expected: declared) }
        let stored = Self.u32(bytes, bytes.count - 4)
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)]))
        guard stored == computed else { throw .checksumMismatch(found: stored, computed: computed) }
        let personHeight = Float(bitPattern: Self.u32(bytes, 12))
        guard personHeight.isFinite && personHeight > 0 else {
            throw .badLayer(index: -1, reason: "person height \(personHeight) is not a positive number")
        }
        let count = Int(Self.u32(bytes, 16))
        var offset = Self.headerSize + count * Self.layerRecordSize
        guard count > 0 && count <= 64 && offset + 4 <= bytes.count else {
            throw .wrongSize(found: bytes.count, expected: offset + 4)
        }
        var layers: [DensityLayer] = []
        var channels = 1
        for index in 0..<count {
            let record = Self.headerSize + index * Self.layerRecordSize
            guard let kind = DensityLayer.Kind(rawValue: Self.u32(bytes, record)) else {
                throw .badLayer(index: index, reason: "unknown kind \(Self.u32(bytes, record))")
            }
            if kind == .maxPool2 {
                layers.append(DensityLayer(kind: kind, inputChannels: channels, outputChannels: channels, weights: [], bias: []))
                continue
            }
            let inputs = Int(Self.u32(bytes, record + 4)), outputs = Int(Self.u32(bytes, record + 8))
            guard inputs == channels else {
                throw .badLayer(index: index, reason: "takes \(inputs) channels, the layer before gives \(channels)")
            }
            guard outputs >= 1 && outputs <= 1024 else { throw .badLayer(index: index, reason: "\(outputs) output channels") }
            let weightCount = outputs * inputs * kind.kernelSize * kind.kernelSize
            guard offset + 4 * (weightCount + outputs) + 4 <= bytes.count else {
                throw .wrongSize(found: bytes.count, expected: offset + 4 * (weightCount + outputs) + 4)
            }
            let weights = Self.floats(bytes, offset, weightCount)
            offset += 4 * weightCount
            let bias = Self.floats(bytes, offset, outputs)
            offset += 4 * outputs
            layers.append(DensityLayer(kind: kind, inputChannels: inputs, outputChannels: outputs, weights: weights, bias: bias))
            channels = outputs
        }
        guard offset + 4 == bytes.count else { throw .wrongSize(found: bytes.count, expected: offset + 4) }
        guard channels == 1 else { throw .badLayer(index: count - 1, reason: "the last layer gives \(channels) channels, not 1") }
        self.layers = layers
        self.personHeight = personHeight
    }

    /// Weights built in code (tests, tools); `init(bytes:)` checks a file's layers the same way.
    public init(layers: [DensityLayer], personHeight: Float) {
        self.layers = layers
        self.personHeight = personHeight
    }

    /// Learnt numbers (weights and biases).
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count + $1.bias.count } }

    /// Input pixels per output cell along each axis (2 per pooling).
    public var cellSize: Int { layers.reduce(1) { $0 * ($1.kind == .maxPool2 ? 2 : 1) } }

    /// Multiply-accumulates for one inference on a `width` x `height` input.
    public func multiplyAccumulates(width: Int, height: Int) -> Int {
        var w = width, h = height, total = 0
        for layer in layers {
            if layer.kind == .maxPool2 {
                w /= 2
                h /= 2
            } else {
                total += w * h * layer.macsPerOutputPixel
            }
        }
        return total
    }

    private static func hasSignature(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes[0] == signature[0] && bytes[1] == signature[1] && bytes[2] == signature[2] && bytes[3] == signature[3]
    }

    private static func u32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    private static func floats(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = Float(bitPattern: u32(bytes, offset + 4 * i)) }
        return values
    }
}
