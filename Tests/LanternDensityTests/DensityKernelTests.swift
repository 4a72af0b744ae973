import LanternCore
import Testing
@testable import LanternDensity

/// The SIMD engine against a plain scalar network written here with the same operation order: they
/// must agree bit for bit (that order is what makes x86_64 and aarch64 agree too), whatever the image
/// size (rows not a multiple of 8, odd sizes before pooling) and channel counts (not multiples of 4).
@Suite struct DensityKernelTests {
    /// A deterministic pseudo-random generator (SplitMix64).
    struct Numbers {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    }

    static func randomWeights(seed: UInt64) -> DensityWeights {
        var numbers = Numbers(state: seed)
        let plan: [(DensityLayer.Kind, Int, Int)] = [
            (.conv3x3ReLU, 1, 5), (.maxPool2, 5, 5), (.conv3x3ReLU, 5, 6), (.conv3x3, 6, 9), (.maxPool2, 9, 9),
            (.conv1x1ReLU, 9, 4), (.conv1x1, 4, 1),
        ]
        let layers = plan.map { kind, inputs, outputs in
            let k = kind.kernelSize
            let count = kind == .maxPool2 ? 0 : outputs * inputs * k * k
            return DensityLayer(
                kind: kind, inputChannels: inputs, outputChannels: outputs,
                weights: (0..<count).map { _ in numbers.float() * 0.02 },
                bias: kind == .maxPool2 ? [] : (0..<outputs).map { _ in numbers.float() * 0.1 })
        }
        return DensityWeights(layers: layers, personHeight: 80)
    }

    /// The network one value at a time: bias, then + weight x input in (channel, ky, kx) order.
    static func reference(_ weights: DensityWeights, pixels: [UInt8], width: Int, height: Int) -> (values: [Float], width: Int, height: Int) {
        var planes = [pixels.map(Float.init)]
        var w = width, h = height
        for layer in weights.layers {
            if layer.kind == .maxPool2 {
                let nw = w / 2, nh = h / 2
                planes = planes.map { p in
                    var out = [Float](repeating: 0, count: nw * nh)
                    for y in 0..<nh {
                        for x in 0..<nw {
                            out[y * nw + x] = max(max(p[2 * y * w + 2 * x], p[2 * y * w + 2 * x + 1]),
                                                  max(p[(2 * y + 1) * w + 2 * x], p[(2 * y + 1) * w + 2 * x + 1]))
                        }
                    }
                    return out
                }
                w = nw
                h = nh
                continue
            }
            let k = layer.kind.kernelSize, r = k / 2
            var next: [[Float]] = []
            for co in 0..<layer.outputChannels {
                var out = [Float](repeating: 0, count: w * h)
                for y in 0..<h {
                    for x in 0..<w {
                        var a = layer.bias[co]
                        for ci in 0..<layer.inputChannels {
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let sy = y + ky - r, sx = x + kx - r
                                    let v: Float = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? planes[ci][sy * w + sx] : 0
                                    a = a + v * layer.weights[((co * layer.inputChannels + ci) * k + ky) * k + kx]
                                }
                            }
                        }
                        out[y * w + x] = layer.kind.appliesReLU && a < 0 ? 0 : a
                    }
                }
                next.append(out)
            }
            planes = next
        }
        return (planes[0], w, h)
    }

    @Test(arguments: [(8, 8), (23, 17), (40, 31), (9, 4)])
    func simdEngineEqualsTheScalarNetworkBitForBit(width: Int, height: Int) {
        let weights = Self.randomWeights(seed: UInt64(width * 100 + height))
        var numbers = Numbers(state: 7)
        let pixels = (0..<(width * height)).map { _ in UInt8(truncatingIfNeeded: numbers.next()) }
        let counter = DensityCounter(weights: weights, maxWidth: 64, maxHeight: 64)
        pixels.withUnsafeBufferPointer { p in
            _ = counter.count(GreyImage(unsafePixels: p.baseAddress!, width: width, height: height, stride: width))
        }
        let expected = Self.reference(weights, pixels: pixels, width: width, height: height)
        counter.withDensityMap { map in
            #expect(map.width == expected.width && map.height == expected.height)
            #expect(Array(map.values).map(\.bitPattern) == expected.values.map(\.bitPattern))
        }
    }

    @Test func anImageTooSmallForTheNetworkCountsNobody() {
        let pixels = [UInt8](repeating: 90, count: 3 * 3)
        let counter = DensityCounter(weights: Self.randomWeights(seed: 1), maxWidth: 16, maxHeight: 16)
        let count = pixels.withUnsafeBufferPointer { p in
            counter.count(GreyImage(unsafePixels: p.baseAddress!, width: 3, height: 3, stride: 3))
        }
        #expect(count == 0)
        counter.withDensityMap { #expect($0.values.isEmpty) }
    }

    @Test func calibrationResamplesSoAPersonHasTheTrainedHeight() {
        let counter = DensityCounter(weights: Self.randomWeights(seed: 1), maxWidth: 640, maxHeight: 480)
        // People 160 px tall everywhere: halve the image for a model trained at 80 px.
        let tall = PersonScale(samples: [.init(row: 0, height: 160), .init(row: 480, height: 160)])
        #expect(counter.scale(forWidth: 640, height: 480, personScale: tall) == 0.5)
        // People 40 px tall: enlarge, but no more than maximumUpscale (1.5).
        let small = PersonScale(samples: [.init(row: 0, height: 40), .init(row: 480, height: 40)])
        #expect(counter.scale(forWidth: 640, height: 480, personScale: small) == 1.5)
        // The middle row of a crop counts in frame rows: 20 + 100 / 2 = row 70, where people are 80 px.
        let slope = PersonScale(samples: [.init(row: 0, height: 10), .init(row: 700, height: 710)])
        #expect(counter.scale(forWidth: 100, height: 100, personScale: slope, frameRowOffset: 20) > 0.5)
        #expect(counter.scale(forWidth: 640, height: 480, personScale: nil) == 1)
    }

    @Test func anImageLargerThanAllocatedIsScaledDownToFit() {
        let weights = Self.randomWeights(seed: 1)
        let counter = DensityCounter(weights: weights, maxWidth: 32, maxHeight: 32, maximumUpscale: 1)
        let pixels = [UInt8](repeating: 200, count: 100 * 50)
        pixels.withUnsafeBufferPointer { p in
            _ = counter.count(GreyImage(unsafePixels: p.baseAddress!, width: 100, height: 50, stride: 100))
        }
        counter.withDensityMap { map in
            // 100x50 fits 32 wide at 0.32: 32x16 pixels.
            #expect(map.width == 32 / weights.cellSize && map.height == 16 / weights.cellSize)
            #expect(abs(map.cellWidth - Double(weights.cellSize) * 100.0 / 32) < 1e-9)
        }
    }
}
