/// An 8-bit grey (luma) image over memory that someone else owns: a capture buffer, a clip reader's
/// frame buffer. It never copies or retains the pixels, so it must not outlive the frame it views.
public struct GreyImage {
    public let base: UnsafePointer<UInt8>
    public let width: Int
    public let height: Int
    /// Bytes from the start of one row to the start of the next (>= width).
    public let stride: Int

    @inlinable
    public init(unsafePixels base: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int) {
        precondition(width > 0 && height > 0 && stride >= width, "GreyImage: bad geometry")
        self.base = base
        self.width = width
        self.height = height
        self.stride = stride
    }

    @inlinable
    public subscript(x: Int, y: Int) -> UInt8 {
        precondition(x >= 0 && x < width && y >= 0 && y < height)
        return base[y * stride + x]
    }

    /// The pixels of one row.
    @inlinable
    public func row(_ y: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(y >= 0 && y < height)
        return UnsafeBufferPointer(start: base + y * stride, count: width)
    }

    /// A view of a rectangle of this image, sharing its memory. The rectangle is clamped to the image.
    @inlinable
    public func cropped(to rect: PixelRect) -> GreyImage {
        let r = rect.clamped(width: width, height: height)
        return GreyImage(unsafePixels: base + r.y * stride + r.x, width: r.width, height: r.height, stride: stride)
    }
}

/// An axis-aligned rectangle in whole pixels.
public struct PixelRect: Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    @inlinable
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    @inlinable
    public func clamped(width w: Int, height h: Int) -> PixelRect {
        let x0 = min(max(x, 0), w - 1), y0 = min(max(y, 0), h - 1)
        let x1 = min(max(x + width, x0 + 1), w), y1 = min(max(y + height, y0 + 1), h)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
