import Foundation
import LanternCore
import LanternRuntime
import LanternSystem
import Testing

/// The luma value the test clips hold at (x, y) of frame `f`: differs per pixel, row and frame, so a
/// reader that misaligns by one byte or skips the wrong amount of chroma fails the pixel checks.
private func lumaValue(frame f: Int, x: Int, y: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: 17 + f * 41 + y * 13 + x * 3)
}

/// Bytes of a YUV4MPEG2 clip: `header` (after the signature), then `frames` frames of
/// `FRAME<frameSuffix>\n`, the test luma pattern and `chromaSize` bytes of chroma.
private func clipBytes(
    header: String, width: Int, height: Int, chromaSize: Int, frames: Int, frameSuffix: String = ""
) -> Data {
    var data = Data("YUV4MPEG2 \(header)\n".utf8)
    for f in 0..<frames {
        data.append(contentsOf: Array("FRAME\(frameSuffix)\n".utf8))
        var plane = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { plane[y * width + x] = lumaValue(frame: f, x: x, y: y) }
        }
        data.append(contentsOf: plane)
        // Chroma that looks like FRAME lines and luma, to catch a reader that does not skip it all.
        data.append(contentsOf: (0..<chromaSize).map { i in Array("FRAME\n".utf8)[i % 6] })
    }
    return data
}

/// A fresh temporary directory per test, removed at the end.
private final class TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-clip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `data` to `name` in the directory and returns its path.
    func write(_ name: String, _ data: Data) throws -> String {
        let file = url.appendingPathComponent(name)
        try data.write(to: file)
        return file.path
    }
}

/// Reads every frame, checking each luma pixel against the pattern; returns the frame count.
private func readAllFrames(_ reader: ClipReader, width: Int, height: Int) throws -> Int {
    var count = 0
    while let image = try reader.nextFrame() {
        #expect(image.width == width && image.height == height)
        var mismatches = 0
        for y in 0..<height {
            for x in 0..<width where image[x, y] != lumaValue(frame: count, x: x, y: y) { mismatches += 1 }
        }
        #expect(mismatches == 0, "frame \(count): \(mismatches) luma pixels differ")
        count += 1
        #expect(reader.frameIndex == count)
    }
    return count
}

/// The error text `ClipReader` gives for the clip `bytes`, read to the end.
private func errorText(_ name: String, _ bytes: Data) throws -> String? {
    let dir = try TempDir()
    let path = try dir.write(name, bytes)
    do {
        let reader = try ClipReader(path: path)
        while try reader.nextFrame() != nil {}
        return nil
    } catch {
        return error.description
    }
}

@Suite("ClipReader")
struct ClipReaderTests {
    /// Colour space token, and the chroma bytes it adds to a 7x5 frame (odd sizes round chroma up).
    static let colourSpaces: [(token: String, chroma: Int)] = [
        ("Cmono", 0),
        ("C420", 2 * 4 * 3), ("C420jpeg", 2 * 4 * 3), ("C420paldv", 2 * 4 * 3), ("C420mpeg2", 2 * 4 * 3),
        ("", 2 * 4 * 3),  // no C token: 420jpeg
        ("C411", 2 * 2 * 5),
        ("C422", 2 * 4 * 5),
        ("C444", 2 * 7 * 5),
        ("C444alpha", 3 * 7 * 5),
    ]

    @Test("reads the luma of every frame exactly, for every 8-bit colour space, at an odd size",
          arguments: colourSpaces)
    func readsLumaOfEveryColourSpace(token: String, chroma: Int) throws {
        let dir = try TempDir()
        let path = try dir.write("clip.y4m", clipBytes(
            header: "W7 H5 F25:1 Ip A1:1 \(token)", width: 7, height: 5, chromaSize: chroma, frames: 3))
        let reader = try ClipReader(path: path)
        #expect(reader.header.lumaSize == 35)
        #expect(reader.header.frameSize == 35 + chroma)
        #expect(try readAllFrames(reader, width: 7, height: 5) == 3)
        #expect(try reader.nextFrame() == nil, "stays at end of file")
    }

    @Test("skips FRAME parameters, X tokens and any interlacing mode")
    func skipsFrameParametersAndAcceptsInterlacing() throws {
        for interlacing in ["Ip", "It", "Ib", "I?", "Im"] {
            let dir = try TempDir()
            let path = try dir.write("clip.y4m", clipBytes(
                header: "W7 H5 F30000:1001 \(interlacing) A0:0 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED",
                width: 7, height: 5, chromaSize: 24, frames: 2, frameSuffix: " Ixx Xfoo=bar"))
            let reader = try ClipReader(path: path)
            #expect(reader.framesPerSecond == (30000, 1001))
            #expect(reader.header.colourSpace == .yuv420mpeg2)
            #expect(try readAllFrames(reader, width: 7, height: 5) == 2)
        }
    }

    @Test("reads frames larger than its read buffer")
    func readsFramesLargerThanTheReadBuffer() throws {
        let dir = try TempDir()
        let path = try dir.write("big.y4m", clipBytes(
            header: "W401 H301 F15:1 C420", width: 401, height: 301, chromaSize: 2 * 201 * 151, frames: 3))
        let reader = try ClipReader(path: path)
        #expect(reader.header.lumaSize > ClipReader.readBufferSize)
        #expect(try readAllFrames(reader, width: 401, height: 301) == 3)
    }

    @Test("reads a 44 MB clip in well under a second")
    func readsFortyFourMegabytesQuickly() throws {
        let dir = try TempDir()
        let frames = 96  // 640x480 4:2:0 is 460800 bytes a frame: 44 MB
        let frame = Data(repeating: 0x80, count: 640 * 480 * 3 / 2)
        var data = Data("YUV4MPEG2 W640 H480 F25:1 Ip A1:1 C420jpeg\n".utf8)
        for _ in 0..<frames {
            data.append(contentsOf: Array("FRAME\n".utf8))
            data.append(frame)
        }
        let path = try dir.write("long.y4m", data)
        let clock = ContinuousClock()
        var count = 0
        var checksum = 0
        let elapsed = try clock.measure {
            let reader = try ClipReader(path: path)
            while let image = try reader.nextFrame() {
                checksum += Int(image[639, 479])
                count += 1
            }
        }
        #expect(count == frames)
        #expect(checksum == frames * 0x80)
        #expect(elapsed < .milliseconds(500), "read 44 MB in \(elapsed)")
        print("ClipReader: 44 MB in \(elapsed)")
    }

    // MARK: - Malformed clips: each message names the file, the frame when there is one, and the fix

    @Test("a missing file cannot be opened")
    func missingFile() throws {
        let dir = try TempDir()
        let path = dir.url.appendingPathComponent("absent.y4m").path
        #expect(throws: ClipError.self) { try ClipReader(path: path) }
        do {
            _ = try ClipReader(path: path)
        } catch {
            #expect(error.description == "\(path): cannot open: No such file or directory")
        }
    }

    @Test("an empty file says so")
    func emptyFile() throws {
        let text = try errorText("empty.y4m", Data())
        #expect(text?.hasSuffix("empty.y4m: empty file") == true, "\(text ?? "no error")")
    }

    @Test("a file without the signature is not a YUV4MPEG2 file")
    func missingSignature() throws {
        for bytes in ["RIFF....WAVEfmt ", "YUV4", "YUV4MPEG2W7 H5\n", "\u{0}\u{1}\u{2}garbage with no newline at all"] {
            let text = try errorText("clip.y4m", Data(bytes.utf8))
            #expect(text?.hasSuffix("clip.y4m: not a YUV4MPEG2 file (no 'YUV4MPEG2 ' signature)") == true,
                    "\(bytes): \(text ?? "no error")")
        }
    }

    @Test("a garbled header token names the token")
    func garbledHeader() throws {
        let cases = [
            ("W7x H5 F25:1", "header token 'W7x' is not a positive whole number"),
            ("W7 H0 F25:1", "header token 'H0' is not a positive whole number"),
            ("W7 H5 F25", "header token 'F25' is not a frame rate like F25:1"),
            ("W7 H5 F25:0", "header token 'F25:0' is not a frame rate like F25:1"),
            ("W7 H5 F25:1 Ix", "header token 'Ix' is not an interlacing mode"),
            ("W99999 H5 F25:1", "header token 'W99999' is too large"),
        ]
        for (header, message) in cases {
            let text = try errorText("clip.y4m", Data("YUV4MPEG2 \(header)\nFRAME\n".utf8))
            #expect(text?.contains("clip.y4m: \(message)") == true, "\(header): \(text ?? "no error")")
        }
    }

    @Test("a header without width or height says which")
    func missingWidthOrHeight() throws {
        let noWidth = try errorText("clip.y4m", Data("YUV4MPEG2 H5 F25:1\n".utf8))
        #expect(noWidth?.contains("clip.y4m: header has no width (W token)") == true, "\(noWidth ?? "no error")")
        let noHeight = try errorText("clip.y4m", Data("YUV4MPEG2 W7 F25:1\n".utf8))
        #expect(noHeight?.contains("clip.y4m: header has no height (H token)") == true, "\(noHeight ?? "no error")")
        let noRate = try errorText("clip.y4m", Data("YUV4MPEG2 W7 H5\n".utf8))
        #expect(noRate?.contains("clip.y4m: header has no frame rate (F token)") == true, "\(noRate ?? "no error")")
    }

    @Test("a header line without an end is refused")
    func headerWithoutEnd() throws {
        let text = try errorText("clip.y4m", Data(("YUV4MPEG2 W7 H5 F25:1" + String(repeating: " Xpad", count: 2000)).utf8))
        #expect(text?.contains("clip.y4m: header line has no end within 4096 bytes") == true, "\(text ?? "no error")")
    }

    @Test("deeper than 8-bit colour spaces are refused with the ffmpeg option to fix them",
          arguments: [("420p16", 16), ("mono16", 16), ("444p10", 10), ("420p10", 10), ("422p12", 12), ("420p9", 9)])
    func deepColourSpaces(name: String, bits: Int) throws {
        let text = try errorText("clip.y4m", Data("YUV4MPEG2 W7 H5 F25:1 C\(name)\n".utf8))
        #expect(text?.hasSuffix(
            "clip.y4m: colour space C\(name) is \(bits)-bit; Lantern reads 8-bit clips (ffmpeg -pix_fmt gray)") == true,
            "\(text ?? "no error")")
    }

    @Test("an unknown colour space is refused", arguments: ["999", "420foo", "rgb", "mono8x"])
    func unknownColourSpace(name: String) throws {
        let text = try errorText("clip.y4m", Data("YUV4MPEG2 W7 H5 F25:1 C\(name)\n".utf8))
        #expect(text?.contains("clip.y4m: unknown colour space C\(name);") == true, "\(text ?? "no error")")
    }

    @Test("a clip that ends mid-frame names the frame and the bytes it got")
    func truncatedFrame() throws {
        var bytes = clipBytes(header: "W7 H5 F25:1 C420", width: 7, height: 5, chromaSize: 24, frames: 3)
        bytes.removeLast(10)  // frame 2 has 59 bytes; keep 49
        let text = try errorText("clip.y4m", bytes)
        #expect(text?.hasSuffix(
            "clip.y4m: frame 2: truncated (got 49 of 59 bytes); the clip ends mid-frame, re-export it") == true,
            "\(text ?? "no error")")

        var inLuma = clipBytes(header: "W7 H5 F25:1 Cmono", width: 7, height: 5, chromaSize: 0, frames: 2)
        inLuma.removeLast(30)
        let lumaText = try errorText("clip.y4m", inLuma)
        #expect(lumaText?.hasSuffix("clip.y4m: frame 1: truncated (got 5 of 35 bytes); the clip ends mid-frame, re-export it") == true,
                "\(lumaText ?? "no error")")

        var inFrameLine = clipBytes(header: "W7 H5 F25:1 Cmono", width: 7, height: 5, chromaSize: 0, frames: 1)
        inFrameLine.append(contentsOf: Array("FRA".utf8))
        let lineText = try errorText("clip.y4m", inFrameLine)
        #expect(lineText?.contains("clip.y4m: frame 1: truncated") == true, "\(lineText ?? "no error")")
    }

    @Test("garbage where a FRAME line belongs names the frame")
    func missingFrameMarker() throws {
        let first = try errorText("clip.y4m", Data("YUV4MPEG2 W7 H5 F25:1 Cmono\n".utf8) + Data(repeating: 7, count: 35))
        #expect(first?.hasSuffix("clip.y4m: frame 0: expected 'FRAME', found garbage") == true, "\(first ?? "no error")")

        // One chroma byte too many in frame 0 shifts frame 1's marker.
        var shifted = clipBytes(header: "W7 H5 F25:1 C420", width: 7, height: 5, chromaSize: 25, frames: 2)
        shifted.append(contentsOf: [UInt8](repeating: 1, count: 1))
        let second = try errorText("clip.y4m", shifted)
        #expect(second?.hasSuffix("clip.y4m: frame 1: expected 'FRAME', found garbage") == true, "\(second ?? "no error")")

        let glued = try errorText("clip.y4m", Data("YUV4MPEG2 W1 H1 F25:1 Cmono\nFRAMEX\n\u{1}".utf8))
        #expect(glued?.hasSuffix("clip.y4m: frame 0: expected 'FRAME', found garbage") == true, "\(glued ?? "no error")")
    }
}

@Suite("Y4MHeader")
struct Y4MHeaderTests {
    private func parse(_ line: String) throws(Y4MError) -> Y4MHeader {
        try Y4MHeader(parsing: Array(line.utf8))
    }

    @Test("parses every field and rounds odd chroma sizes up")
    func parsesFields() throws {
        let header = try parse("YUV4MPEG2 W7 H5 F30000:1001 It A10:11 C422 XYSCSS=422")
        #expect(header.width == 7 && header.height == 5)
        #expect(header.frameRate == .init(30000, 1001))
        #expect(header.interlacing == .topFieldFirst)
        #expect(header.pixelAspect == .init(10, 11))
        #expect(header.colourSpace == .yuv422)
        #expect(header.lumaSize == 35 && header.chromaSize == 40 && header.frameSize == 75)
    }

    @Test("defaults to progressive 420jpeg with unknown aspect")
    func defaults() throws {
        let header = try parse("YUV4MPEG2 W8 H6 F25:1")
        #expect(header.colourSpace == .yuv420jpeg && header.interlacing == .progressive)
        #expect(header.pixelAspect == .init(0, 0))
        #expect(header.frameSize == 48 + 24)
    }

    @Test("FRAME lines may carry parameters but nothing glued on")
    func frameLines() throws {
        try Y4MHeader.checkFrameLine(Array("FRAME".utf8))
        try Y4MHeader.checkFrameLine(Array("FRAME Ip Xa=b".utf8))
        #expect(throws: Y4MError.missingFrameMarker) { try Y4MHeader.checkFrameLine(Array("FRAMES".utf8)) }
        #expect(throws: Y4MError.missingFrameMarker) { try Y4MHeader.checkFrameLine(Array("".utf8)) }
    }
}
