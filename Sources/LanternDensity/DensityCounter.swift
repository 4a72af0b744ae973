import LanternCore

/// Counts people in a grey image by appearance, moving or not: runs the density network on it and
/// sums the map. One per stream: every buffer is allocated at init for the largest image the stream
/// gives, never per image.
///
/// With a site's `PersonScale`, the image is first resampled as a whole so that a person at the
/// image's middle row is `weights.personHeight` pixels tall (the scale the model was trained at),
/// within `maximumUpscale` and the allocated size. Without one the image is analysed as it is.
///
/// Arithmetic is IEEE float32 with every multiply and add separate (no fused multiply-add) in one fixed
/// order, so x86_64 and aarch64 give bit-identical maps (Weights/MODEL.md).
public final class DensityCounter {
    public let weights: DensityWeights
    public let maximumWidth: Int
    public let maximumHeight: Int
    public let maximumUpscale: Double

    private let workWidth: Int
    private let workHeight: Int
    /// The resampled image when calibration changes the scale.
    private let resampled: UnsafeMutablePointer<UInt8>
    /// A box-averaged copy for large reductions before the bilinear step (under twice the work size per axis).
    private let reduced: UnsafeMutablePointer<UInt8>
    /// The source columns of each resampled column (`ImageResampler.bilinear`).
    private let resampleColumns: UnsafeMutablePointer<ImageResampler.Column>
    private let ping: UnsafeMutablePointer<Float>
    private let pong: UnsafeMutablePointer<Float>
    private let activationCapacity: Int
    private let map: UnsafeMutablePointer<Float>
    /// Every convolution's weights as the kernels read them (`DensityKernels.pack`), layer after layer.
    private let packedWeights: UnsafeMutablePointer<DensityKernels.Splat>
    /// Where each layer's packed weights start in `packedWeights` (pooling layers: where the next would).
    private let packedOffsets: [Int]
    /// Two rows of every channel of a convolution followed by pooling: such a pair of layers runs two
    /// rows at a time through here, so the full-size map is never written out (`poolsAfter`).
    private let rowPair: UnsafeMutablePointer<Float>
    /// A row's sums between chunks of input channels (`DensityKernels.chunkChannels`), for the widest row.
    private let partialSums: UnsafeMutablePointer<DensityKernels.Vector>
    private var mapWidth = 0
    private var mapHeight = 0
    private var mapCellWidth = 0.0
    private var mapCellHeight = 0.0

    /// - Parameters:
    ///   - maxWidth, maxHeight: the largest image `count` will be given; larger ones are scaled down to fit.
    ///   - maximumUpscale: the most calibration may enlarge an image (its cost grows with the square).
    public init(weights: DensityWeights, maxWidth: Int, maxHeight: Int, maximumUpscale: Double = 1.5) {
        precondition(maxWidth > 0 && maxHeight > 0 && maximumUpscale >= 1, "DensityCounter: bad size")
        self.weights = weights
        maximumWidth = maxWidth
        maximumHeight = maxHeight
        self.maximumUpscale = maximumUpscale
        workWidth = Int((Double(maxWidth) * maximumUpscale).rounded(.up))
        workHeight = Int((Double(maxHeight) * maximumUpscale).rounded(.up))
        resampled = .allocate(capacity: workWidth * workHeight)
        reduced = .allocate(capacity: 4 * workWidth * workHeight)
        resampleColumns = .allocate(capacity: workWidth)
        var capacity = (workWidth + 2) * (workHeight + 2)
        var rowPairCapacity = 0
        var w = workWidth, h = workHeight
        for (index, layer) in weights.layers.enumerated() {
            if layer.kind == .maxPool2 {
                w /= 2
                h /= 2
            } else if Self.poolsAfter(index, in: weights.layers) {
                // Never written at this size: `convolveAndPool` writes the pooled planes (the next layer's).
                rowPairCapacity = max(rowPairCapacity, 2 * layer.outputChannels * w)
                continue
            }
            capacity = max(capacity, layer.outputChannels * (w + 2) * (h + 2))
        }
        rowPair = .allocate(capacity: max(1, rowPairCapacity))
        partialSums = .allocate(capacity: DensityKernels.partialCount(width: workWidth))
        activationCapacity = capacity
        ping = .allocate(capacity: capacity)
        pong = .allocate(capacity: capacity)
        ping.initialize(repeating: 0, count: capacity)
        pong.initialize(repeating: 0, count: capacity)
        map = .allocate(capacity: max(1, w * h))
        var offsets: [Int] = []
        var packedCount = 0
        for layer in weights.layers {
            offsets.append(packedCount)
            if layer.kind != .maxPool2 {
                packedCount += DensityKernels.packedCount(
                    inputChannels: layer.inputChannels, outputChannels: layer.outputChannels, kernelSize: layer.kind.kernelSize)
            }
        }
        packedOffsets = offsets
        packedWeights = .allocate(capacity: max(1, packedCount))
        for (layer, offset) in zip(weights.layers, offsets) where layer.kind != .maxPool2 {
            layer.weights.withUnsafeBufferPointer { weightBuffer in
                DensityKernels.pack(
                    weights: weightBuffer.baseAddress!, inputChannels: layer.inputChannels, outputChannels: layer.outputChannels,
                    kernelSize: layer.kind.kernelSize, into: packedWeights + offset)
            }
        }
    }

    deinit {
        resampled.deallocate()
        reduced.deallocate()
        resampleColumns.deallocate()
        ping.deallocate()
        pong.deallocate()
        map.deallocate()
        packedWeights.deallocate()
        rowPair.deallocate()
        partialSums.deallocate()
    }

    /// Whether layer `index` is a convolution that a 2x2 max pooling follows.
    private static func poolsAfter(_ index: Int, in layers: [DensityLayer]) -> Bool {
        layers[index].kind != .maxPool2 && index + 1 < layers.count && layers[index + 1].kind == .maxPool2
    }

    /// The scale factor `count` applies to `image` under `personScale` (1 without one).
    /// - Parameter frameRowOffset: the image's top row in the full frame the calibration refers to (the site's crop y).
    public func scale(forWidth width: Int, height: Int, personScale: PersonScale?, frameRowOffset: Int = 0) -> Double {
        var s = 1.0
        if let personScale {
            let middle = Double(frameRowOffset) + Double(height) / 2
            s = Double(weights.personHeight) / personScale.height(atCentreRow: middle)
            s = min(max(s, 1.0 / 8), maximumUpscale)
        }
        // Whatever the calibration, the image must fit what was allocated.
        s = min(s, Double(workWidth) / Double(width), Double(workHeight) / Double(height))
        return s
    }

    /// The number of people in `image` (the sum of its density map).
    /// - Parameters:
    ///   - personScale: the site's person heights, or nil to analyse the image at its own scale.
    ///   - frameRowOffset: the image's top row in the frame `personScale` refers to.
    @discardableResult
    public func count(_ image: GreyImage, personScale: PersonScale? = nil, frameRowOffset: Int = 0) -> Double {
        let s = scale(forWidth: image.width, height: image.height, personScale: personScale, frameRowOffset: frameRowOffset)
        var width = image.width, height = image.height
        if s != 1 {
            width = max(1, min(workWidth, Int((Double(image.width) * s).rounded())))
            height = max(1, min(workHeight, Int((Double(image.height) * s).rounded())))
            let source = reduceForResampling(image, width: width, height: height)
            ImageResampler.bilinear(from: source, to: resampled, width: width, height: height, columns: resampleColumns)
            DensityKernels.loadPlane(GreyImage(unsafePixels: resampled, width: width, height: height, stride: width), into: ping)
        } else {
            DensityKernels.loadPlane(image, into: ping)
        }
        var input = ping, output = pong
        var w = width, h = height
        let layers = weights.layers
        var index = 0
        while index < layers.count {
            let layer = layers[index], packed = packedWeights + packedOffsets[index]
            if layer.kind == .maxPool2 || Self.poolsAfter(index, in: layers) {
                let nw = w / 2, nh = h / 2
                if nw == 0 || nh == 0 { return emptyMap() }
                DensityKernels.zeroBorders(output, planes: layer.outputChannels, width: nw, height: nh)
                if layer.kind == .maxPool2 {
                    DensityKernels.maxPool2(input: input, output: output, width: w, height: h, channels: layer.inputChannels)
                    index += 1
                } else {
                    convolveAndPool(layer, packed: packed, input: input, output: output, width: w, height: h)
                    index += 2
                }
                w = nw
                h = nh
            } else {
                DensityKernels.zeroBorders(output, planes: layer.outputChannels, width: w, height: h)
                layer.bias.withUnsafeBufferPointer { biasBuffer in
                    if layer.kind.kernelSize == 3 {
                        DensityKernels.conv3x3(
                            input: input, output: output, width: w, height: h, inputChannels: layer.inputChannels,
                            outputChannels: layer.outputChannels, packed: packed, bias: biasBuffer.baseAddress!,
                            relu: layer.kind.appliesReLU, partial: partialSums)
                    } else {
                        DensityKernels.conv1x1(
                            input: input, output: output, width: w, height: h, inputChannels: layer.inputChannels,
                            outputChannels: layer.outputChannels, packed: packed, bias: biasBuffer.baseAddress!,
                            relu: layer.kind.appliesReLU, partial: partialSums)
                    }
                }
                index += 1
            }
            swap(&input, &output)
        }
        // `input` now holds the one-channel output map, padded.
        for y in 0..<h {
            (map + y * w).update(from: input + (y + 1) * (w + 2) + 1, count: w)
        }
        mapWidth = w
        mapHeight = h
        mapCellWidth = Double(weights.cellSize) * Double(image.width) / Double(width)
        mapCellHeight = Double(weights.cellSize) * Double(image.height) / Double(height)
        return withDensityMap { $0.count }
    }

    /// Lends the density map of the last `count` (empty before the first).
    public func withDensityMap<R, E: Error>(_ body: (DensityMap) throws(E) -> R) throws(E) -> R {
        try body(DensityMap(
            width: mapWidth, height: mapHeight, values: UnsafeBufferPointer(start: map, count: mapWidth * mapHeight),
            cellWidth: mapCellWidth, cellHeight: mapCellHeight))
    }

    /// A convolution and the 2x2 max pooling after it, two convolved rows at a time into `rowPair` and
    /// pooled from there into `output`'s padded planes (`width / 2` x `height / 2`, borders already zero):
    /// the same values as the two layers one after the other, without writing the full-size map.
    private func convolveAndPool(
        _ layer: DensityLayer, packed: UnsafePointer<DensityKernels.Splat>, input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, width w: Int, height h: Int
    ) {
        let channels = layer.outputChannels
        let opw = w / 2 + 2, oplane = opw * (h / 2 + 2)
        layer.bias.withUnsafeBufferPointer { biasBuffer in
            let bias = biasBuffer.baseAddress!
            for y in 0..<(h / 2) {
                let rows = (2 * y)..<(2 * y + 2)
                if layer.kind.kernelSize == 3 {
                    DensityKernels.conv3x3(
                        input: input, width: w, height: h, rows: rows, output: rowPair, outputPlane: 2 * w, outputRowStride: w,
                        inputChannels: layer.inputChannels, outputChannels: channels, packed: packed, bias: bias,
                        relu: layer.kind.appliesReLU, partial: partialSums)
                } else {
                    DensityKernels.conv1x1(
                        input: input, width: w, height: h, rows: rows, output: rowPair, outputPlane: 2 * w, outputRowStride: w,
                        inputChannels: layer.inputChannels, outputChannels: channels, packed: packed, bias: bias,
                        relu: layer.kind.appliesReLU, partial: partialSums)
                }
                DensityKernels.maxPool2Row(
                    top: rowPair, rowStride: w, inputPlane: 2 * w, width: w, channels: channels,
                    output: output + ((y + 1) * opw + 1), outputPlane: oplane)
            }
        }
    }

    private func emptyMap() -> Double {
        mapWidth = 0
        mapHeight = 0
        return 0
    }

    /// `image` itself, or a box-averaged copy when the reduction is 2x or more (bilinear alone would alias).
    private func reduceForResampling(_ image: GreyImage, width: Int, height: Int) -> GreyImage {
        let factor = min(image.width / width, image.height / height)
        guard factor >= 2 else { return image }
        let w = image.width / factor, h = image.height / factor
        ImageResampler.boxAverage(image, factor: factor, into: reduced)
        return GreyImage(unsafePixels: reduced, width: w, height: h, stride: w)
    }
}
