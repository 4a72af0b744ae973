import LanternAgent
import LanternCore

/// libFuzzer target (Toolchain/fuzz): `lantern.conf` and GPIO trace files (the agent's line-based
/// configuration). Accepted or refused in one line, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        _ = try DeviceConfig.parse(bytes, source: "lantern.conf")
    } catch {
        if error.message.utf8.contains(0x0A) { fatalError("a lantern.conf error is not one line: \(error.message)") }
    }
    do {
        _ = try GPIOTrace.parse(bytes, source: "trace.txt")
    } catch {
        if error.description.utf8.contains(0x0A) { fatalError("a trace error is not one line: \(error.description)") }
    }
    return 0
}
