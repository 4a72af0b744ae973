import Foundation
import LanternCore

/// libFuzzer target (Toolchain/fuzz): ground-truth CSV files (`counts.csv`, `boxes.csv`), through
/// the simulator's readers (`LanternSim/GroundTruth.swift`, compiled in).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTruth(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Data(UnsafeBufferPointer(start: $0, count: size)) } ?? Data()
    let path = "/dev/shm/lantern-fuzz-truth-\(getpid()).csv"
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { fatalError("cannot write \(path)") }
    for load in [{ _ = try GroundTruth.load(countsCSV: path) }, { _ = try TruthBox.load(boxesCSV: path) }] as [() throws -> Void] {
        do {
            try load()
        } catch let error as SimulatorError {
            if error.description.utf8.contains(0x0A) { fatalError("a truth error is not one line: \(error.description)") }
        } catch {
            fatalError("unexpected error \(error)")
        }
    }
    return 0
}
