import LanternAgent
import LanternCore

/// libFuzzer target (Toolchain/fuzz): board files. Accepted or refused in one line, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBoard(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        _ = try BoardConfig.parse(json: bytes, source: "board.json")
    } catch {
        if error.description.utf8.contains(0x0A) { fatalError("a board error is not one line: \(error.description)") }
    }
    return 0
}
