import Foundation

/// A PNG file made from 8-bit pixels (host only: the report's frames and the studio's frames). The
/// image data is deflate's stored blocks (no compression): deterministic, no zlib, and a few frames of
/// a clip stay well within a report's size.
public struct PNGImage {
    public enum Pixels {
        /// One grey byte per pixel.
        case grey
        /// Red, green, blue, alpha: four bytes per pixel.
        case rgba
    }

    public let bytes: [UInt8]

    /// - Parameter pixels: `width * height` (grey) or `4 * width * height` (rgba) bytes, row-major.
    public init(width: Int, height: Int, pixels kind: Pixels, data: [UInt8]) {
        let channels = kind == .grey ? 1 : 4
        precondition(width > 0 && height > 0 && data.count == width * height * channels, "PNGImage: pixel count")
        var raw = [UInt8]()
        raw.reserveCapacity((width * channels + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter: none
            raw.append(contentsOf: data[(y * width * channels)..<((y + 1) * width * channels)])
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, kind == .grey ? 0 : 6, 0, 0, 0]
        PNGImage.chunk("IHDR", header, into: &out)
        PNGImage.chunk("IDAT", PNGImage.zlibStored(raw), into: &out)
        PNGImage.chunk("IEND", [], into: &out)
        bytes = out
    }

    /// `data:image/png;base64,...`, for an `<img>` or an SVG `<image>` in a self-contained page.
    public var dataURI: String { "data:image/png;base64," + Data(bytes).base64EncodedString() }

    static func chunk(_ type: String, _ body: [UInt8], into out: inout [UInt8]) {
        out.appendBigEndian(UInt32(body.count))
        let typed = Array(type.utf8) + body
        out += typed
        out.appendBigEndian(crc32(typed))
    }

    /// A zlib stream of stored (uncompressed) deflate blocks, at most 65535 bytes each.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            out.append(offset + n == data.count ? 1 : 0)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        out.appendBigEndian(adler32(data))
        return out
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunk in stride(from: 0, to: data.count, by: 5552) {
            for x in data[chunk..<min(chunk + 5552, data.count)] {
                a += UInt32(x)
                b += a
            }
            a %= 65_521
            b %= 65_521
        }
        return b << 16 | a
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8(v & 0xFF))
    }
}
