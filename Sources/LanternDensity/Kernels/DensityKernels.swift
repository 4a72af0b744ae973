import LanternCore

/// The network's kernels over padded float planes: a plane of a `width` x `height` map is stored as
/// `(width + 2) x (height + 2)` floats with a zero border, so 3x3 convolutions read their neighbours
/// without bounds tests; channels are consecutive planes.
///
/// Every output is `bias + w0 * x0 + w1 * x1 + ...` accumulated in the order (input channel, ky, kx),
/// each product and sum rounded on its own (no fused multiply-add), in 8 lanes of SIMD where a row has
/// 8 pixels left and one lane at a time for the rest: the same operations in the same order on every
/// machine, so x86_64 and aarch64 produce the same bits.
enum DensityKernels {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    @inline(__always)
    static func relu(_ value: Vector) -> Vector { value.replacing(with: 0, where: value .< 0) }

    @inline(__always)
    static func relu(_ value: Float) -> Float { value < 0 ? 0 : value }

    /// Writes the image's pixels (0...255) into the interior of a padded plane and zeroes its border.
    static func loadPlane(_ image: GreyImage, into plane: UnsafeMutablePointer<Float>) {
        let w = image.width, h = image.height, pw = w + 2
        zeroBorders(plane, planes: 1, width: w, height: h)
        for y in 0..<h {
            let source = image.base + y * image.stride
            let target = plane + (y + 1) * pw + 1
            for x in 0..<w { target[x] = Float(source[x]) }
        }
    }

    /// Zeroes the one-pixel border of `planes` padded planes of a `width` x `height` map.
    static func zeroBorders(_ base: UnsafeMutablePointer<Float>, planes: Int, width: Int, height: Int) {
        let pw = width + 2, ph = height + 2
        for c in 0..<planes {
            let plane = base + c * pw * ph
            plane.update(repeating: 0, count: pw)
            (plane + (ph - 1) * pw).update(repeating: 0, count: pw)
            for y in 1..<(ph - 1) {
                plane[y * pw] = 0
                plane[y * pw + pw - 1] = 0
            }
        }
    }

    /// 3x3 convolution with zero padding, stride 1: `outputChannels` planes from `inputChannels`.
    /// Weights `[out][in][ky][kx]`. Four output channels share each input load.
    static func conv3x3(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int,
        inputChannels cin: Int, outputChannels cout: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu useReLU: Bool
    ) {
        let pw = w + 2, plane = pw * (h + 2)
        var co = 0
        while co + 4 <= cout {
            let w0 = weights + co * cin * 9, w1 = w0 + cin * 9, w2 = w1 + cin * 9, w3 = w2 + cin * 9
            for y in 0..<h {
                let rowOut = (y + 1) * pw + 1
                var x = 0
                while x + 8 <= w {
                    var a0 = Vector(repeating: bias[co]), a1 = Vector(repeating: bias[co + 1])
                    var a2 = Vector(repeating: bias[co + 2]), a3 = Vector(repeating: bias[co + 3])
                    for ci in 0..<cin {
                        let source = input + ci * plane + y * pw + x
                        let k0 = w0 + ci * 9, k1 = w1 + ci * 9, k2 = w2 + ci * 9, k3 = w3 + ci * 9
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let v = load(source + ky * pw + kx)
                                let k = ky * 3 + kx
                                a0 = a0 + v * Vector(repeating: k0[k])
                                a1 = a1 + v * Vector(repeating: k1[k])
                                a2 = a2 + v * Vector(repeating: k2[k])
                                a3 = a3 + v * Vector(repeating: k3[k])
                            }
                        }
                    }
                    if useReLU {
                        a0 = relu(a0)
                        a1 = relu(a1)
                        a2 = relu(a2)
                        a3 = relu(a3)
                    }
                    store(a0, output + co * plane + rowOut + x)
                    store(a1, output + (co + 1) * plane + rowOut + x)
                    store(a2, output + (co + 2) * plane + rowOut + x)
                    store(a3, output + (co + 3) * plane + rowOut + x)
                    x += 8
                }
                while x < w {
                    for j in 0..<4 {
                        output[(co + j) * plane + rowOut + x] = conv3x3Pixel(
                            input: input, x: x, y: y, pw: pw, plane: plane, inputChannels: cin,
                            weights: weights + (co + j) * cin * 9, bias: bias[co + j], relu: useReLU)
                    }
                    x += 1
                }
            }
            co += 4
        }
        while co < cout {
            let k0 = weights + co * cin * 9
            for y in 0..<h {
                let rowOut = (y + 1) * pw + 1
                var x = 0
                while x + 8 <= w {
                    var a0 = Vector(repeating: bias[co])
                    for ci in 0..<cin {
                        let source = input + ci * plane + y * pw + x
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                a0 = a0 + load(source + ky * pw + kx) * Vector(repeating: k0[ci * 9 + ky * 3 + kx])
                            }
                        }
                    }
                    store(useReLU ? relu(a0) : a0, output + co * plane + rowOut + x)
                    x += 8
                }
                while x < w {
                    output[co * plane + rowOut + x] = conv3x3Pixel(
                        input: input, x: x, y: y, pw: pw, plane: plane, inputChannels: cin, weights: k0, bias: bias[co], relu: useReLU)
                    x += 1
                }
            }
            co += 1
        }
    }

    /// One output value of a 3x3 convolution, in the same order as a SIMD lane.
    @inline(__always)
    static func conv3x3Pixel(
        input: UnsafePointer<Float>, x: Int, y: Int, pw: Int, plane: Int, inputChannels cin: Int,
        weights: UnsafePointer<Float>, bias: Float, relu useReLU: Bool
    ) -> Float {
        var a = bias
        for ci in 0..<cin {
            let source = input + ci * plane + y * pw + x
            for ky in 0..<3 {
                for kx in 0..<3 {
                    a = a + source[ky * pw + kx] * weights[ci * 9 + ky * 3 + kx]
                }
            }
        }
        return useReLU ? relu(a) : a
    }

    /// 1x1 convolution: each output plane is bias plus the weighted input planes, in channel order.
    static func conv1x1(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int,
        inputChannels cin: Int, outputChannels cout: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu useReLU: Bool
    ) {
        let pw = w + 2, plane = pw * (h + 2)
        for co in 0..<cout {
            let k = weights + co * cin
            for y in 0..<h {
                let row = (y + 1) * pw + 1
                var x = 0
                while x + 8 <= w {
                    var a = Vector(repeating: bias[co])
                    for ci in 0..<cin { a = a + load(input + ci * plane + row + x) * Vector(repeating: k[ci]) }
                    store(useReLU ? relu(a) : a, output + co * plane + row + x)
                    x += 8
                }
                while x < w {
                    var a = bias[co]
                    for ci in 0..<cin { a = a + input[ci * plane + row + x] * k[ci] }
                    output[co * plane + row + x] = useReLU ? relu(a) : a
                    x += 1
                }
            }
        }
    }

    /// 2x2 max pooling, stride 2, of `channels` planes of a `width` x `height` map; an odd last row or
    /// column is dropped. Output planes are `(width / 2 + 2) x (height / 2 + 2)`.
    static func maxPool2(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, width w: Int, height h: Int, channels: Int) {
        let pw = w + 2, plane = pw * (h + 2)
        let ow = w / 2, oh = h / 2, opw = ow + 2, oplane = opw * (oh + 2)
        for c in 0..<channels {
            for y in 0..<oh {
                let top = input + c * plane + (2 * y + 1) * pw + 1
                let bottom = top + pw
                let target = output + c * oplane + (y + 1) * opw + 1
                for x in 0..<ow {
                    target[x] = max(max(top[2 * x], top[2 * x + 1]), max(bottom[2 * x], bottom[2 * x + 1]))
                }
            }
        }
    }
}
