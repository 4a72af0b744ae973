import CLanternJPEG
import Foundation

/// An 8-bit grey image decoded from a JPEG file (colour files are converted by libjpeg).
public struct JPEGImage {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    /// Decodes `path`; a missing, unreadable or damaged file is one `SimulatorError` line.
    /// The corresponding C function is `jpeg_read_scanlines` (through `lantern_jpeg_decode_grey`).
    public static func load(path: String) throws(SimulatorError) -> JPEGImage {
        let bytes = try readBytes(path)
        var message = [CChar](repeating: 0, count: 200)
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        let status = bytes.withUnsafeBufferPointer { data in
            lantern_jpeg_decode_grey(data.baseAddress, data.count, &pixels, &width, &height, &message, message.count)
        }
        guard status == 0, let pixels else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw SimulatorError("\(path): not a readable JPEG (\(reason)); check the file")
        }
        defer { free(pixels) }
        let count = Int(width) * Int(height)
        return JPEGImage(width: Int(width), height: Int(height), pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height)
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
