import LanternCore

/// The network's kernels over padded float planes: a plane of a `width` x `height` map is stored as
/// `(width + 2) x (height + 2)` floats with a zero border, so 3x3 convolutions read their neighbours
/// without bounds tests; channels are consecutive planes.
///
/// Every output is `bias + w0 * x0 + w1 * x1 + ...` accumulated in the order (input channel, ky, kx),
/// each product and sum rounded on its own (no fused multiply-add), in 8 lanes of SIMD: the same
/// operations in the same order on every machine, so x86_64 and aarch64 produce the same bits. Lanes
/// are independent, so a row whose width is not a multiple of 8 ends with one vector that overlaps the
/// previous one (its shared pixels are computed again, to the same bits); a row narrower than 8 runs the
/// same sequence one value at a time.
///
/// Convolution weights are first arranged by `pack` (once per stream): four output channels share each
/// input load, and their weights lie in the order the loop reads them, already repeated over four lanes,
/// so the inner loop has no broadcasts.
enum DensityKernels {
    typealias Vector = SIMD8<Float>
    /// One weight repeated over four lanes (a packed weight; `splat` widens it to a `Vector`).
    typealias Splat = SIMD4<Float>

    /// Output channels computed together by the convolutions.
    static let block = 4

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    @inline(__always)
    static func splat(_ pointer: UnsafePointer<Splat>) -> Vector {
        let s = pointer.pointee
        return Vector(lowHalf: s, highHalf: s)
    }

    @inline(__always)
    static func relu(_ value: Vector) -> Vector { value.replacing(with: 0, where: value .< 0) }

    @inline(__always)
    static func relu(_ value: Float) -> Float { value < 0 ? 0 : value }

    /// The number of `Splat`s `pack` writes for a convolution.
    static func packedCount(inputChannels cin: Int, outputChannels cout: Int, kernelSize k: Int) -> Int {
        cout * cin * k * k
    }

    /// Arranges a convolution's weights `[out][in][ky][kx]` for the kernels: per block of `block`
    /// output channels, per input channel and tap (ky, kx), the block's weights one after another;
    /// then each remaining output channel's weights in (in, ky, kx) order. Either way the weights of
    /// output channel `co` start at `co * cin * k * k`. Every weight is repeated over a `Splat`'s lanes.
    static func pack(
        weights: UnsafePointer<Float>, inputChannels cin: Int, outputChannels cout: Int, kernelSize k: Int,
        into packed: UnsafeMutablePointer<Splat>
    ) {
        let taps = k * k
        let blocked = cout / block * block
        for co in 0..<cout {
            for ci in 0..<cin {
                for t in 0..<taps {
                    let value = weights[(co * cin + ci) * taps + t]
                    let index: Int
                    if co < blocked {
                        let first = co / block * block
                        index = first * cin * taps + (ci * taps + t) * block + (co - first)
                    } else {
                        index = co * cin * taps + ci * taps + t
                    }
                    packed[index] = Splat(repeating: value)
                }
            }
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

    /// The x of each vector of a row `width` wide: 0, 8, 16, ..., and last `width - 8` when the width is
    /// not a multiple of 8 (overlapping the vector before). Empty below 8 pixels.
    @inline(__always)
    static func vectorStart(_ index: Int, width: Int) -> Int {
        min(index &* 8, width &- 8)
    }

    @inline(__always)
    static func vectorCount(width: Int) -> Int {
        width < 8 ? 0 : (width &+ 7) / 8
    }

    /// 3x3 convolution with zero padding, stride 1: `outputChannels` planes from `inputChannels`.
    /// `packed` holds the weights as `pack` arranges them (kernel size 3).
    static func conv3x3(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool
    ) {
        let pw = w &+ 2, plane = pw &* (h &+ 2)
        let vectors = vectorCount(width: w)
        let taps = (0, 1, 2, pw, pw &+ 1, pw &+ 2, 2 &* pw, 2 &* pw &+ 1, 2 &* pw &+ 2)
        var co = 0
        while co &+ 4 <= cout {
            let weights = packed + co &* cin &* 9
            let b0 = Vector(repeating: bias[co]), b1 = Vector(repeating: bias[co &+ 1])
            let b2 = Vector(repeating: bias[co &+ 2]), b3 = Vector(repeating: bias[co &+ 3])
            let out0 = output + (co &* plane &+ pw &+ 1)
            for y in 0..<h {
                let rowIn = input + y &* pw
                let rowOut = out0 + y &* pw
                for i in 0..<vectors {
                    let x = vectorStart(i, width: w)
                    var a0 = b0, a1 = b1, a2 = b2, a3 = b3
                    var source = rowIn + x
                    var k = weights
                    for _ in 0..<cin {
                        @inline(__always) func tap(_ offset: Int, _ t: Int) {
                            let v = load(source + offset)
                            let kt = k + t &* 4
                            a0 = a0 + v * splat(kt)
                            a1 = a1 + v * splat(kt + 1)
                            a2 = a2 + v * splat(kt + 2)
                            a3 = a3 + v * splat(kt + 3)
                        }
                        tap(taps.0, 0)
                        tap(taps.1, 1)
                        tap(taps.2, 2)
                        tap(taps.3, 3)
                        tap(taps.4, 4)
                        tap(taps.5, 5)
                        tap(taps.6, 6)
                        tap(taps.7, 7)
                        tap(taps.8, 8)
                        source += plane
                        k += 36
                    }
                    if useReLU {
                        a0 = relu(a0)
                        a1 = relu(a1)
                        a2 = relu(a2)
                        a3 = relu(a3)
                    }
                    store(a0, rowOut + x)
                    store(a1, rowOut + (plane &+ x))
                    store(a2, rowOut + (2 &* plane &+ x))
                    store(a3, rowOut + (3 &* plane &+ x))
                }
                if vectors == 0 {
                    for x in 0..<w {
                        for j in 0..<4 {
                            rowOut[j &* plane &+ x] = conv3x3Pixel(
                                input: rowIn + x, plane: plane, pw: pw, inputChannels: cin,
                                weights: weights + j, stride: 4, bias: bias[co &+ j], relu: useReLU)
                        }
                    }
                }
            }
            co &+= 4
        }
        while co < cout {
            let weights = packed + co &* cin &* 9
            let b0 = Vector(repeating: bias[co])
            let out0 = output + (co &* plane &+ pw &+ 1)
            for y in 0..<h {
                let rowIn = input + y &* pw
                let rowOut = out0 + y &* pw
                for i in 0..<vectors {
                    let x = vectorStart(i, width: w)
                    var a0 = b0
                    var source = rowIn + x
                    var k = weights
                    for _ in 0..<cin {
                        a0 = a0 + load(source + taps.0) * splat(k)
                        a0 = a0 + load(source + taps.1) * splat(k + 1)
                        a0 = a0 + load(source + taps.2) * splat(k + 2)
                        a0 = a0 + load(source + taps.3) * splat(k + 3)
                        a0 = a0 + load(source + taps.4) * splat(k + 4)
                        a0 = a0 + load(source + taps.5) * splat(k + 5)
                        a0 = a0 + load(source + taps.6) * splat(k + 6)
                        a0 = a0 + load(source + taps.7) * splat(k + 7)
                        a0 = a0 + load(source + taps.8) * splat(k + 8)
                        source += plane
                        k += 9
                    }
                    store(useReLU ? relu(a0) : a0, rowOut + x)
                }
                if vectors == 0 {
                    for x in 0..<w {
                        rowOut[x] = conv3x3Pixel(
                            input: rowIn + x, plane: plane, pw: pw, inputChannels: cin,
                            weights: weights, stride: 1, bias: bias[co], relu: useReLU)
                    }
                }
            }
            co &+= 1
        }
    }

    /// One output value of a 3x3 convolution, in the same order as a SIMD lane. `input` is the window's
    /// top-left value in the first input channel; the weight of tap `t` of input channel `ci` is lane 0
    /// of `weights[(ci * 9 + t) * stride]`.
    @inline(__always)
    static func conv3x3Pixel(
        input: UnsafePointer<Float>, plane: Int, pw: Int, inputChannels cin: Int,
        weights: UnsafePointer<Splat>, stride: Int, bias: Float, relu useReLU: Bool
    ) -> Float {
        var a = bias
        for ci in 0..<cin {
            let source = input + ci &* plane
            for ky in 0..<3 {
                for kx in 0..<3 {
                    a = a + source[ky &* pw &+ kx] * weights[(ci &* 9 &+ ky &* 3 &+ kx) &* stride][0]
                }
            }
        }
        return useReLU ? relu(a) : a
    }

    /// 1x1 convolution: each output plane is bias plus the weighted input planes, in channel order.
    /// `packed` holds the weights as `pack` arranges them (kernel size 1).
    static func conv1x1(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int,
        inputChannels cin: Int, outputChannels cout: Int, packed: UnsafePointer<Splat>, bias: UnsafePointer<Float>, relu useReLU: Bool
    ) {
        let pw = w &+ 2, plane = pw &* (h &+ 2)
        let vectors = vectorCount(width: w)
        var co = 0
        while co &+ 4 <= cout {
            let weights = packed + co &* cin
            let b0 = Vector(repeating: bias[co]), b1 = Vector(repeating: bias[co &+ 1])
            let b2 = Vector(repeating: bias[co &+ 2]), b3 = Vector(repeating: bias[co &+ 3])
            for y in 0..<h {
                let row = (y &+ 1) &* pw &+ 1
                let rowIn = input + row
                let rowOut = output + (co &* plane &+ row)
                for i in 0..<vectors {
                    let x = vectorStart(i, width: w)
                    var a0 = b0, a1 = b1, a2 = b2, a3 = b3
                    var source = rowIn + x
                    var k = weights
                    for _ in 0..<cin {
                        let v = load(source)
                        a0 = a0 + v * splat(k)
                        a1 = a1 + v * splat(k + 1)
                        a2 = a2 + v * splat(k + 2)
                        a3 = a3 + v * splat(k + 3)
                        source += plane
                        k += 4
                    }
                    if useReLU {
                        a0 = relu(a0)
                        a1 = relu(a1)
                        a2 = relu(a2)
                        a3 = relu(a3)
                    }
                    store(a0, rowOut + x)
                    store(a1, rowOut + (plane &+ x))
                    store(a2, rowOut + (2 &* plane &+ x))
                    store(a3, rowOut + (3 &* plane &+ x))
                }
                if vectors == 0 {
                    for x in 0..<w {
                        for j in 0..<4 {
                            var a = bias[co &+ j]
                            for ci in 0..<cin { a = a + rowIn[ci &* plane &+ x] * weights[ci &* 4 &+ j][0] }
                            rowOut[j &* plane &+ x] = useReLU ? relu(a) : a
                        }
                    }
                }
            }
            co &+= 4
        }
        while co < cout {
            let weights = packed + co &* cin
            let b0 = Vector(repeating: bias[co])
            for y in 0..<h {
                let row = (y &+ 1) &* pw &+ 1
                let rowIn = input + row
                let rowOut = output + (co &* plane &+ row)
                for i in 0..<vectors {
                    let x = vectorStart(i, width: w)
                    var a = b0
                    var source = rowIn + x
                    for ci in 0..<cin {
                        a = a + load(source) * splat(weights + ci)
                        source += plane
                    }
                    store(useReLU ? relu(a) : a, rowOut + x)
                }
                if vectors == 0 {
                    for x in 0..<w {
                        var a = bias[co]
                        for ci in 0..<cin { a = a + rowIn[ci &* plane &+ x] * weights[ci][0] }
                        rowOut[x] = useReLU ? relu(a) : a
                    }
                }
            }
            co &+= 1
        }
    }

    /// 2x2 max pooling, stride 2, of `channels` planes of a `width` x `height` map; an odd last row or
    /// column is dropped. Output planes are `(width / 2 + 2) x (height / 2 + 2)`.
    static func maxPool2(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int, channels: Int) {
        let pw = w + 2, plane = pw * (h + 2)
        let ow = w / 2, oh = h / 2, opw = ow + 2, oplane = opw * (oh + 2)
        for c in 0..<channels {
            for y in 0..<oh {
                let top = input + (c &* plane &+ (2 &* y &+ 1) &* pw &+ 1)
                let bottom = top + pw
                let target = output + (c &* oplane &+ (y &+ 1) &* opw &+ 1)
                for x in 0..<ow {
                    target[x] = max(max(top[2 &* x], top[2 &* x &+ 1]), max(bottom[2 &* x], bottom[2 &* x &+ 1]))
                }
            }
        }
    }
}
