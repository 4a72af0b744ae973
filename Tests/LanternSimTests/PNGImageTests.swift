import Foundation
import LanternSim
import Testing

/// The report's and the studio's PNG encoder: a well-formed file whose pixels read back unchanged.
@Suite struct PNGImageTests {
    /// The stored-block zlib stream read back (what a decoder does for BTYPE 00).
    func inflateStored(_ z: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = z.startIndex + 2
        while true {
            let final = z[i] & 1
            let n = Int(z[i + 1]) | Int(z[i + 2]) << 8
            #expect(Int(z[i + 3]) | Int(z[i + 4]) << 8 == ~n & 0xFFFF)
            out += z[(i + 5)..<(i + 5 + n)]
            i += 5 + n
            if final == 1 { break }
        }
        return out
    }

    @Test func greyPixelsReadBack() {
        let width = 300, height = 250  // more than one 65535-byte stored block
        let pixels = (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let png = PNGImage(width: width, height: height, pixels: .grey, data: pixels).bytes
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[12..<16]) == Array("IHDR".utf8))
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82], "IEND with its known CRC")
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        #expect(Array(png[37..<41]) == Array("IDAT".utf8))
        let raw = inflateStored(png[41..<(41 + idatLength)])
        #expect(raw.count == (width + 1) * height)
        var decoded: [UInt8] = []
        for y in 0..<height {
            #expect(raw[y * (width + 1)] == 0, "filter none")
            decoded += raw[(y * (width + 1) + 1)..<((y + 1) * (width + 1))]
        }
        #expect(decoded == pixels)
    }

    @Test func dataURIIsBase64OfTheFile() {
        let png = PNGImage(width: 2, height: 1, pixels: .rgba, data: [255, 0, 0, 255, 0, 0, 255, 128])
        #expect(png.dataURI.hasPrefix("data:image/png;base64,"))
        #expect(Data(base64Encoded: String(png.dataURI.dropFirst("data:image/png;base64,".count))).map { [UInt8]($0) } == png.bytes)
    }
}
