import CLantern
import LanternCore
import LanternSystem

/// libFuzzer target (Toolchain/fuzz): YUV4MPEG2 clips, header and frames, through the clip reader
/// the tools use (`LanternRuntime/FrameSources/ClipReader.swift`, compiled in). The input is written
/// to a file in /dev/shm and read to its end (at most 64 frames).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let end = bytes.firstIndex(of: 0x0A) {
        _ = try? Y4MHeader(parsing: bytes[..<end])
    }
    let path = "/dev/shm/lantern-fuzz-clip-\(lantern_process_id()).y4m"
    do throws(Errno) {
        try FileContents.replace(path, with: bytes)
    } catch {
        fatalError("cannot write \(path): \(error)")
    }
    do {
        let reader = try ClipReader(path: path)
        var frames = 0
        while frames < 64, let image = try reader.nextFrame() {
            precondition(image.width == reader.header.width && image.height == reader.header.height)
            frames += 1
        }
    } catch {
        if error.description.utf8.contains(0x0A) { fatalError("a clip error is not one line: \(error.description)") }
    }
    return 0
}
