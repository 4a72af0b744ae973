import LanternCore

/// The network's kernels over padded float planes: a plane of a `width` x `height` map is stored as
/// `(width + 2) x (height + 2)` floats with a zero border, so 3x3 convolutions read their neighbours
/// without bounds tests; channels are consecutive planes.
///
/// Every output is `bias + w0 * x0 + w1 * x1 + ...` accumulated in the order (input channel, ky, kx),
/// each product and sum rounded on its own (no fused multiply-add), in 4 lanes of SIMD: the same
/// operations in the same order on every machine, so x86_64 and aarch64 produce the same bits. Lanes
/// are independent, so a row whose width is not a multiple of 4 ends with one vector that overlaps the
/// previous one (its shared pixels are computed again, to the same bits); a row narrower than 4 runs the
/// same sequence one value at a time.
///
/// Convolution weights are first arranged by `pack` (once per stream): up to eight output channels share
/// each input load (`blockSize`), and their weights lie in the order the loop reads them, already
/// repeated over the lanes, so the inner loop is little but its multiplies and adds (per input vector:
/// 8 products, 8 sums, the weights read as operands). Memory is saved by pooling straight from two
/// convolved rows (`maxPool2Row`, used by `DensityCounter`).
enum DensityKernels {
    typealias Vector = SIMD4<Float>
    /// One weight repeated over a vector's lanes (a packed weight).
    typealias Splat = SIMD4<Float>

    /// Pixels per vector.
    static let lanes = 4

    /// Output channels computed together from `co` on: 8 while there are 8 left, else 4, else 1. Each
    /// input vector loaded serves the whole block; 8 accumulators of 4 lanes, the input and a product
    /// fit x86_64's 16 vector registers (aarch64 has 32).
    @inline(__always)
    static func blockSize(startingAt co: Int, outputChannels cout: Int) -> Int {
        co &+ 8 <= cout ? 8 : co &+ 4 <= cout ? 4 : 1
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>, relu useReLU: Bool) {
        store(useReLU ? relu(value) : value, pointer)
    }

    @inline(__always)
    static func relu(_ value: Vector) -> Vector { value.replacing(with: 0, where: value .< 0) }

    @inline(__always)
    static func relu(_ value: Float) -> Float { value < 0 ? 0 : value }

    /// The number of `Splat`s `pack` writes for a convolution.
    static func packedCount(inputChannels cin: Int, outputChannels cout: Int, kernelSize k: Int) -> Int {
        cout * cin * k * k
    }

    /// Arranges a convolution's weights `[out][in][ky][kx]` for the kernels: per block of output
    /// channels (`blockSize`), per input channel and tap (ky, kx), the block's weights one after another.
    /// The weights of a block starting at output channel `co` start at `co * cin * k * k`. Every weight
    /// is repeated over a `Splat`'s lanes.
    static func pack(
        weights: UnsafePointer<Float>, inputChannels cin: Int, outputChannels cout: Int, kernelSize k: Int,
        into packed: UnsafeMutablePointer<Splat>
    ) {
        let taps = k * k
        var first = 0
        while first < cout {
            let size = blockSize(startingAt: first, outputChannels: cout)
            for j in 0..<size {
                for ci in 0..<cin {
                    for t in 0..<taps {
                        let value = weights[((first + j) * cin + ci) * taps + t]
                        packed[first * cin * taps + (ci * taps + t) * size + j] = Splat(repeating: value)
                    }
                }
            }
            first += size
        }
    }

    /// Writes the image's pixels (0...255) into the interior of a padded plane and zeroes its border.
    static func loadPlane(_ image: GreyImage, into plane: UnsafeMutablePointer<Float>) {
        let w = image.width, h = image.height, pw = w + 2
        zeroBorders(plane, planes: 1, width: w, height: h)
        for y in 0..<h {
            let source = image.base + y &* image.stride
            let target = plane + ((y &+ 1) &* pw &+ 1)
            for x in 0..<w { target[x] = Float(source[x]) }
        }
    }

    /// Zeroes the one-pixel border of `planes` padded planes of a `width` x `height` map.
    static func zeroBorders(_ base: UnsafeMutablePointer<Float>, planes: Int, width: Int, height: Int) {
        let pw = width + 2, ph = height + 2
        for c in 0..<planes {
            let plane = base + c &* pw &* ph
            plane.update(repeating: 0, count: pw)
            (plane + (ph &- 1) &* pw).update(repeating: 0, count: pw)
            for y in 1..<(ph - 1) {
                plane[y &* pw] = 0
                plane[y &* pw &+ pw &- 1] = 0
            }
        }
    }

    /// The x of each vector of a row `width` wide: 0, 4, 8, ..., and last `width - 4` when the width is
    /// not a multiple of 4 (overlapping the vector before). Empty below 4 pixels.
    @inline(__always)
    static func vectorStart(_ index: Int, width: Int) -> Int {
        min(index &* lanes, width &- lanes)
    }

    @inline(__always)
    static func vectorCount(width: Int) -> Int {
        width < lanes ? 0 : (width &+ lanes &- 1) / lanes
    }

    /// Input channels whose weights one block of 8 output channels reads per pass over a row: 8 x 128
    /// packed weights (16 KiB), which stay in a first-level data cache (a Cortex-A72's is 32 KiB) while
    /// the row's vectors use them. Unchunked, a block of 56 input channels of a 3x3 layer reads 63 KiB
    /// per vector: from the second-level cache, at a fifth of the speed per multiply (measured on x86_64).
    @inline(__always)
    static func chunkChannels(kernelSize k: Int) -> Int { max(1, 128 / (k &* k)) }

    /// The `Vector`s of row sums the convolutions need (`partial`) for rows up to `width` pixels wide.
    static func partialCount(width: Int) -> Int { 8 &* max(1, vectorCount(width: width)) }

    /// 3x3 convolution with zero padding, stride 1: `outputChannels` padded planes from `inputChannels`.
    /// `packed` holds the weights as `pack` arranges them (kernel size 3); `partial`, `partialCount(width:)`
    /// vectors of scratch.
    static func conv3x3(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool,
        partial: UnsafeMutablePointer<Vector>
    ) {
        let pw = w + 2, plane = pw * (h + 2)
        conv3x3(
            input: input, width: w, height: h, rows: 0..<h, output: output + (pw + 1), outputPlane: plane, outputRowStride: pw,
            inputChannels: cin, outputChannels: cout, packed: packed, bias: bias, relu: useReLU, partial: partial)
    }

    /// 1x1 convolution: each output plane is bias plus the weighted input planes, in channel order.
    /// `packed` holds the weights as `pack` arranges them (kernel size 1); `partial` as for `conv3x3`.
    static func conv1x1(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool,
        partial: UnsafeMutablePointer<Vector>
    ) {
        let pw = w + 2, plane = pw * (h + 2)
        conv1x1(
            input: input, width: w, height: h, rows: 0..<h, output: output + (pw + 1), outputPlane: plane, outputRowStride: pw,
            inputChannels: cin, outputChannels: cout, packed: packed, bias: bias, relu: useReLU, partial: partial)
    }

    /// Rows `rows` of a 3x3 convolution of padded input planes; output value (channel c, row y, column x)
    /// goes to `output[c * outputPlane + (y - rows.lowerBound) * outputRowStride + x]`.
    @inline(never)
    static func conv3x3(
        input: UnsafePointer<Float>, width w: Int, height h: Int, rows: Range<Int>,
        output: UnsafeMutablePointer<Float>, outputPlane: Int, outputRowStride: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool,
        partial: UnsafeMutablePointer<Vector>
    ) {
        convolution(
            kernelSize: 3, input: input, width: w, height: h, rows: rows, output: output, outputPlane: outputPlane,
            outputRowStride: outputRowStride, inputChannels: cin, outputChannels: cout, packed: packed, bias: bias, relu: useReLU,
            partial: partial)
    }

    /// Rows `rows` of a 1x1 convolution, written as `conv3x3(input:width:height:rows:...)` writes.
    @inline(never)
    static func conv1x1(
        input: UnsafePointer<Float>, width w: Int, height h: Int, rows: Range<Int>,
        output: UnsafeMutablePointer<Float>, outputPlane: Int, outputRowStride: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool,
        partial: UnsafeMutablePointer<Vector>
    ) {
        convolution(
            kernelSize: 1, input: input, width: w, height: h, rows: rows, output: output, outputPlane: outputPlane,
            outputRowStride: outputRowStride, inputChannels: cin, outputChannels: cout, packed: packed, bias: bias, relu: useReLU,
            partial: partial)
    }

    /// A `kernelSize` x `kernelSize` convolution (3 or 1, a constant where inlined), block of output
    /// channels after block (`blockSize`), row after row, one vector of pixels at a time: its
    /// accumulators stay in registers over every input channel and tap.
    @inline(__always)
    static func convolution(
        kernelSize k: Int, input: UnsafePointer<Float>, width w: Int, height h: Int, rows: Range<Int>,
        output: UnsafeMutablePointer<Float>, outputPlane: Int, outputRowStride: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool,
        partial: UnsafeMutablePointer<Vector>
    ) {
        let pw = w &+ 2, plane = pw &* (h &+ 2)
        let taps = k &* k
        // Input of output pixel (0, 0) at tap (0, 0): the window's top-left, or the pixel itself for 1x1.
        let origin = k == 3 ? 0 : pw &+ 1
        let pw2 = 2 &* pw
        let vectors = vectorCount(width: w)
        let chunk = chunkChannels(kernelSize: k)
        var co = 0
        while co < cout {
            let size = blockSize(startingAt: co, outputChannels: cout)
            let weights = packed + co &* cin &* taps
            let out0 = output + co &* outputPlane
            for y in rows {
                let rowIn = input + (y &* pw &+ origin)
                let rowOut = out0 + (y &- rows.lowerBound) &* outputRowStride
                switch size {
                case 8:
                    // Input channels a chunk at a time (`chunkChannels`), the row's sums kept in `partial`
                    // between chunks, so the chunk's weights stay in the first-level cache across the row.
                    var c0 = 0
                    repeat {
                        let c1 = min(cin, c0 &+ chunk)
                        let first = c0 == 0, last = c1 == cin
                        for i in 0..<vectors {
                            let x = vectorStart(i, width: w)
                            let sums = partial + i &* 8
                            var a0 = first ? Vector(repeating: bias[co]) : sums[0]
                            var a1 = first ? Vector(repeating: bias[co &+ 1]) : sums[1]
                            var a2 = first ? Vector(repeating: bias[co &+ 2]) : sums[2]
                            var a3 = first ? Vector(repeating: bias[co &+ 3]) : sums[3]
                            var a4 = first ? Vector(repeating: bias[co &+ 4]) : sums[4]
                            var a5 = first ? Vector(repeating: bias[co &+ 5]) : sums[5]
                            var a6 = first ? Vector(repeating: bias[co &+ 6]) : sums[6]
                            var a7 = first ? Vector(repeating: bias[co &+ 7]) : sums[7]
                            var source = rowIn + (x &+ c0 &* plane)
                            var kp = weights + c0 &* taps &* 8
                            for _ in c0..<c1 {
                                @inline(__always) func tap(_ offset: Int) {
                                    let v = load(source + offset)
                                    a0 = a0 + v * kp[0]
                                    a1 = a1 + v * kp[1]
                                    a2 = a2 + v * kp[2]
                                    a3 = a3 + v * kp[3]
                                    a4 = a4 + v * kp[4]
                                    a5 = a5 + v * kp[5]
                                    a6 = a6 + v * kp[6]
                                    a7 = a7 + v * kp[7]
                                    kp += 8
                                }
                                if k == 3 {
                                    tap(0); tap(1); tap(2); tap(pw); tap(pw &+ 1); tap(pw &+ 2); tap(pw2); tap(pw2 &+ 1); tap(pw2 &+ 2)
                                } else {
                                    tap(0)
                                }
                                source += plane
                            }
                            if !last {
                                sums[0] = a0; sums[1] = a1; sums[2] = a2; sums[3] = a3
                                sums[4] = a4; sums[5] = a5; sums[6] = a6; sums[7] = a7
                                continue
                            }
                            store(a0, rowOut + x, relu: useReLU)
                            store(a1, rowOut + (outputPlane &+ x), relu: useReLU)
                            store(a2, rowOut + (2 &* outputPlane &+ x), relu: useReLU)
                            store(a3, rowOut + (3 &* outputPlane &+ x), relu: useReLU)
                            store(a4, rowOut + (4 &* outputPlane &+ x), relu: useReLU)
                            store(a5, rowOut + (5 &* outputPlane &+ x), relu: useReLU)
                            store(a6, rowOut + (6 &* outputPlane &+ x), relu: useReLU)
                            store(a7, rowOut + (7 &* outputPlane &+ x), relu: useReLU)
                        }
                        c0 = c1
                    } while c0 < cin
                case 4:
                    for i in 0..<vectors {
                        let x = vectorStart(i, width: w)
                        var a0 = Vector(repeating: bias[co]), a1 = Vector(repeating: bias[co &+ 1])
                        var a2 = Vector(repeating: bias[co &+ 2]), a3 = Vector(repeating: bias[co &+ 3])
                        var source = rowIn + x
                        var kp = weights
                        for _ in 0..<cin {
                            @inline(__always) func tap(_ offset: Int) {
                                let v = load(source + offset)
                                a0 = a0 + v * kp[0]
                                a1 = a1 + v * kp[1]
                                a2 = a2 + v * kp[2]
                                a3 = a3 + v * kp[3]
                                kp += 4
                            }
                            if k == 3 {
                                tap(0); tap(1); tap(2); tap(pw); tap(pw &+ 1); tap(pw &+ 2); tap(pw2); tap(pw2 &+ 1); tap(pw2 &+ 2)
                            } else {
                                tap(0)
                            }
                            source += plane
                        }
                        store(a0, rowOut + x, relu: useReLU)
                        store(a1, rowOut + (outputPlane &+ x), relu: useReLU)
                        store(a2, rowOut + (2 &* outputPlane &+ x), relu: useReLU)
                        store(a3, rowOut + (3 &* outputPlane &+ x), relu: useReLU)
                    }
                default:
                    // One channel: two vectors at a time where the row has them, for two independent sums.
                    var i = 0
                    while i &+ 2 <= vectors {
                        let x0 = vectorStart(i, width: w), x1 = vectorStart(i &+ 1, width: w)
                        var a0 = Vector(repeating: bias[co]), a1 = a0
                        var s0 = rowIn + x0, s1 = rowIn + x1
                        var kp = weights
                        for _ in 0..<cin {
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    let offset = ky &* pw &+ kx
                                    a0 = a0 + load(s0 + offset) * kp[0]
                                    a1 = a1 + load(s1 + offset) * kp[0]
                                    kp += 1
                                }
                            }
                            s0 += plane
                            s1 += plane
                        }
                        store(a0, rowOut + x0, relu: useReLU)
                        store(a1, rowOut + x1, relu: useReLU)
                        i &+= 2
                    }
                    if i < vectors {
                        let x = vectorStart(i, width: w)
                        var a0 = Vector(repeating: bias[co])
                        var source = rowIn + x
                        var kp = weights
                        for _ in 0..<cin {
                            for ky in 0..<k {
                                for kx in 0..<k {
                                    a0 = a0 + load(source + (ky &* pw &+ kx)) * kp[0]
                                    kp += 1
                                }
                            }
                            source += plane
                        }
                        store(a0, rowOut + x, relu: useReLU)
                    }
                }
                if vectors == 0 {
                    // A row narrower than a vector: the same sequence, one value at a time.
                    for x in 0..<w {
                        for j in 0..<size {
                            var a = bias[co &+ j]
                            var source = rowIn + x
                            var kp = weights + j
                            for _ in 0..<cin {
                                for ky in 0..<k {
                                    for kx in 0..<k {
                                        a = a + source[ky &* pw &+ kx] * kp[0][0]
                                        kp += size
                                    }
                                }
                                source += plane
                            }
                            rowOut[j &* outputPlane &+ x] = useReLU ? relu(a) : a
                        }
                    }
                }
            }
            co &+= size
        }
    }

    /// 2x2 max pooling, stride 2, of `channels` planes of a `width` x `height` map; an odd last row or
    /// column is dropped. Output planes are `(width / 2 + 2) x (height / 2 + 2)`.
    static func maxPool2(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int, channels: Int) {
        let pw = w + 2, plane = pw * (h + 2)
        let opw = w / 2 + 2, oplane = opw * (h / 2 + 2)
        for y in 0..<(h / 2) {
            maxPool2Row(
                top: input + ((2 * y + 1) * pw + 1), rowStride: pw, inputPlane: plane, width: w, channels: channels,
                output: output + ((y + 1) * opw + 1), outputPlane: oplane)
        }
    }

    /// One output row of 2x2 max pooling: `output[c * outputPlane + x]` is the largest of the two values at
    /// `2x`, `2x + 1` of `top + c * inputPlane` and of the row `rowStride` below, for x < `width / 2`.
    /// Each max is `Swift.max(a, b)` (b if b >= a, else a; which zero of +0 and -0 it keeps matters for the bits).
    static func maxPool2Row(
        top: UnsafePointer<Float>, rowStride: Int, inputPlane: Int, width w: Int, channels: Int,
        output: UnsafeMutablePointer<Float>, outputPlane: Int
    ) {
        @inline(__always) func larger(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .>= a) }
        let ow = w / 2
        let vectors = vectorCount(width: ow)
        for c in 0..<channels {
            let upper = top + c &* inputPlane, lower = upper + rowStride
            let target = output + c &* outputPlane
            for i in 0..<vectors {
                let x = vectorStart(i, width: ow)
                let a = UnsafeRawPointer(upper + 2 &* x).loadUnaligned(as: SIMD8<Float>.self)
                let b = UnsafeRawPointer(lower + 2 &* x).loadUnaligned(as: SIMD8<Float>.self)
                store(larger(larger(a.evenHalf, a.oddHalf), larger(b.evenHalf, b.oddHalf)), target + x)
            }
            if vectors == 0 {
                for x in 0..<ow {
                    target[x] = max(max(upper[2 &* x], upper[2 &* x &+ 1]), max(lower[2 &* x], lower[2 &* x &+ 1]))
                }
            }
        }
    }
}
