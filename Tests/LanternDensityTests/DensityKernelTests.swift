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

    /// One convolution the obvious way, on unpadded planes `[channel][y][x]`: per output value, bias, then
    /// + weight x input in (input channel, ky, kx) order, zero outside the map.
    static func referenceConvolution(
        _ input: [Float], width w: Int, height h: Int, inputChannels cin: Int, outputChannels cout: Int,
        kernelSize k: Int, weights: [Float], bias: [Float], relu: Bool
    ) -> [Float] {
        let r = k / 2
        var out = [Float](repeating: 0, count: cout * w * h)
        for co in 0..<cout {
            for y in 0..<h {
                for x in 0..<w {
                    var a = bias[co]
                    for ci in 0..<cin {
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let sy = y + ky - r, sx = x + kx - r
                                let v: Float = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? input[(ci * h + sy) * w + sx] : 0
                                a = a + v * weights[((co * cin + ci) * k + ky) * k + kx]
                            }
                        }
                    }
                    out[(co * h + y) * w + x] = relu && a < 0 ? 0 : a
                }
            }
        }
        return out
    }

    /// Padded planes (zero border) of unpadded `[channel][y][x]` values, with `slack` more floats after them.
    static func padded(_ values: [Float], channels: Int, width w: Int, height h: Int, slack: Int, fill: Float) -> [Float] {
        let pw = w + 2, plane = pw * (h + 2)
        var result = [Float](repeating: fill, count: channels * plane + slack)
        for c in 0..<channels {
            for y in 0..<(h + 2) {
                for x in 0..<pw {
                    let inside = y >= 1 && y <= h && x >= 1 && x <= w
                    result[c * plane + y * pw + x] = inside ? values[(c * h + y - 1) * w + x - 1] : 0
                }
            }
        }
        return result
    }

    /// The 3x3 and 1x1 kernels (weights packed as `DensityCounter` packs them) against
    /// `referenceConvolution`, bit for bit, on random inputs: widths below 8, multiples of 8 and
    /// between, 1 to 13 input channels, output channel counts that are and are not multiples of the
    /// kernels' block of 4. The kernels must also leave the planes' zero borders and what follows the
    /// last plane untouched (a row's last vector overlaps the one before instead of running past the row).
    @Test(arguments: [3, 1])
    func convolutionKernelsEqualTheScalarReferenceBitForBit(kernelSize k: Int) {
        var numbers = Numbers(state: UInt64(k) * 1_000_003)
        var shapes: [(w: Int, h: Int, cin: Int, cout: Int)] = [
            (1, 1, 1, 1), (7, 3, 1, 4), (8, 2, 2, 5), (9, 5, 3, 3), (16, 4, 4, 8), (17, 3, 5, 9), (23, 7, 12, 6), (40, 5, 13, 11),
            // More input channels than one chunk (`chunkChannels`: 14 for 3x3, 128 for 1x1): sums carried
            // between chunks, on rows whose last vector overlaps the one before.
            (10, 3, 15, 8), (22, 4, 29, 16), (13, 2, 56, 9), (6, 3, 130, 8), (3, 2, 20, 8),
        ]
        for _ in 0..<30 {
            shapes.append((
                w: 1 + Int(numbers.next() % 37), h: 1 + Int(numbers.next() % 9),
                cin: 1 + Int(numbers.next() % 13), cout: 1 + Int(numbers.next() % 11)))
        }
        for (index, shape) in shapes.enumerated() {
            let (w, h, cin, cout) = shape
            let relu = index % 2 == 0
            // Inputs of mixed sign and magnitude, some exactly zero (as after a ReLU).
            let input = (0..<(cin * w * h)).map { _ -> Float in
                let v = numbers.float() * 300
                return numbers.next() % 5 == 0 ? 0 : v
            }
            let weights = (0..<(cout * cin * k * k)).map { _ in numbers.float() * 0.3 }
            let bias = (0..<cout).map { _ in numbers.float() }
            let expected = Self.referenceConvolution(
                input, width: w, height: h, inputChannels: cin, outputChannels: cout, kernelSize: k, weights: weights, bias: bias, relu: relu)

            let slack = 64, sentinel = Float(bitPattern: 0x7FC0_1234)
            let paddedInput = Self.padded(input, channels: cin, width: w, height: h, slack: slack, fill: sentinel)
            var output = Self.padded(
                [Float](repeating: sentinel, count: cout * w * h), channels: cout, width: w, height: h, slack: slack, fill: sentinel)
            var packed = [DensityKernels.Splat](
                repeating: .zero, count: DensityKernels.packedCount(inputChannels: cin, outputChannels: cout, kernelSize: k))
            weights.withUnsafeBufferPointer { weightBuffer in
                packed.withUnsafeMutableBufferPointer { packedBuffer in
                    DensityKernels.pack(
                        weights: weightBuffer.baseAddress!, inputChannels: cin, outputChannels: cout, kernelSize: k,
                        into: packedBuffer.baseAddress!)
                }
            }
            let partial = UnsafeMutableBufferPointer<DensityKernels.Vector>.allocate(capacity: DensityKernels.partialCount(width: w))
            defer { partial.deallocate() }
            paddedInput.withUnsafeBufferPointer { inputBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    packed.withUnsafeBufferPointer { packedBuffer in
                        bias.withUnsafeBufferPointer { biasBuffer in
                            if k == 3 {
                                DensityKernels.conv3x3(
                                    input: inputBuffer.baseAddress!, output: outputBuffer.baseAddress!, width: w, height: h,
                                    inputChannels: cin, outputChannels: cout, packed: packedBuffer.baseAddress!,
                                    bias: biasBuffer.baseAddress!, relu: relu, partial: partial.baseAddress!)
                            } else {
                                DensityKernels.conv1x1(
                                    input: inputBuffer.baseAddress!, output: outputBuffer.baseAddress!, width: w, height: h,
                                    inputChannels: cin, outputChannels: cout, packed: packedBuffer.baseAddress!,
                                    bias: biasBuffer.baseAddress!, relu: relu, partial: partial.baseAddress!)
                            }
                        }
                    }
                }
            }
            let wanted = Self.padded(expected, channels: cout, width: w, height: h, slack: slack, fill: sentinel)
            let differing = zip(output, wanted).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(k)x\(k) \(w)x\(h) \(cin)->\(cout) relu=\(relu): \(differing) values differ")
        }
    }

    /// Max pooling against the scalar network's (`Swift.max`, the same operand order), on odd and even sizes.
    @Test func maxPoolingEqualsTheScalarReferenceBitForBit() {
        var numbers = Numbers(state: 99)
        for (w, h, channels) in [(1, 1, 1), (2, 2, 1), (3, 5, 2), (16, 4, 3), (17, 9, 4), (33, 6, 2)] {
            let input = (0..<(channels * w * h)).map { _ -> Float in
                switch numbers.next() % 5 {
                case 0: return -0.0
                case 1: return 0
                default: return numbers.float()
                }
            }
            let ow = w / 2, oh = h / 2
            var expected = [Float](repeating: 0, count: channels * ow * oh)
            for c in 0..<channels {
                for y in 0..<oh {
                    for x in 0..<ow {
                        let p = { (yy: Int, xx: Int) in input[(c * h + yy) * w + xx] }
                        expected[(c * oh + y) * ow + x] = max(max(p(2 * y, 2 * x), p(2 * y, 2 * x + 1)), max(p(2 * y + 1, 2 * x), p(2 * y + 1, 2 * x + 1)))
                    }
                }
            }
            let slack = 64, sentinel = Float(bitPattern: 0x7FC0_1234)
            let paddedInput = Self.padded(input, channels: channels, width: w, height: h, slack: slack, fill: sentinel)
            var output = Self.padded(
                [Float](repeating: sentinel, count: channels * ow * oh), channels: channels, width: ow, height: oh, slack: slack, fill: sentinel)
            paddedInput.withUnsafeBufferPointer { inputBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    DensityKernels.maxPool2(
                        input: inputBuffer.baseAddress!, output: outputBuffer.baseAddress!, width: w, height: h, channels: channels)
                }
            }
            let wanted = Self.padded(expected, channels: channels, width: ow, height: oh, slack: slack, fill: sentinel)
            let differing = zip(output, wanted).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(w)x\(h)x\(channels): \(differing) values differ")
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
