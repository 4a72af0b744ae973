/// Why a density weights file was refused. The description is one line saying what to do.
public enum DensityWeightsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with `LDEN`.
    case notAWeightsFile
    /// A format version this build does not read.
    case unsupportedVersion(found: UInt32, expected: UInt32)
    /// The file's length differs from the length its header and layers call for.
    case wrongSize(found: Int, expected: Int)
    /// The CRC-32 at the end does not match the bytes before it.
    case checksumMismatch(found: UInt32, computed: UInt32)
    /// A layer the engine cannot run: an unknown kind, or channels that do not chain.
    case badLayer(index: Int, reason: String)

    public var description: String {
        switch self {
        case .notAWeightsFile:
            return "not a Lantern density weights file (no 'LDEN' signature); use Sources/LanternDensity/Weights/density-v6.bin"
        case .unsupportedVersion(let found, let expected):
            return "weights file version \(found), this build reads version \(expected); use the file built with this version"
        case .wrongSize(let found, let expected):
            return "weights file is \(found) bytes, its header calls for \(expected); the file is truncated or damaged, copy it again"
        case .checksumMismatch(let found, let computed):
            return "weights file checksum \(hex(found)) does not match its content (\(hex(computed))); the file is damaged, copy it again"
        case .badLayer(let index, let reason):
            return "weights file layer \(index): \(reason); re-export it with Toolchain/train-density"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    var text = "0x"
    for shift in stride(from: 28, through: 0, by: -4) { text.append(digits[Int((value >> UInt32(shift)) & 0xF)]) }
    return text
}
