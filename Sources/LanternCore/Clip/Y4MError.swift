/// What is wrong with a YUV4MPEG2 stream. The description is the part of a message after the file
/// name, e.g. `colour space C420p10 is 10-bit; Lantern reads 8-bit clips (ffmpeg -pix_fmt gray)`.
public enum Y4MError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stream does not start with `YUV4MPEG2 `.
    case missingSignature
    /// The header line has no terminating newline within `limit` bytes.
    case headerTooLong(limit: Int)
    /// No `W` (width) token.
    case missingWidth
    /// No `H` (height) token.
    case missingHeight
    /// No `F` (frame rate) token.
    case missingFrameRate
    /// A token whose value is not what its tag needs, e.g. `Wabc` or `F30:0`.
    case badToken(String, expected: String)
    /// A dimension larger than `Y4MHeader.maximumDimension`.
    case tooLarge(String)
    /// A colour space with more than 8 bits per sample, e.g. `C420p10`.
    case notEightBit(colourSpace: String, bits: Int)
    /// A colour space Lantern does not know, e.g. `C420foo`.
    case unknownColourSpace(String)
    /// A frame header line that does not start with `FRAME`.
    case missingFrameMarker

    public var description: String {
        switch self {
        case .missingSignature:
            return "not a YUV4MPEG2 file (no 'YUV4MPEG2 ' signature)"
        case .headerTooLong(let limit):
            return "header line has no end within \(limit) bytes; not a YUV4MPEG2 file or a damaged one"
        case .missingWidth:
            return "header has no width (W token); re-export the clip with ffmpeg -f yuv4mpegpipe"
        case .missingHeight:
            return "header has no height (H token); re-export the clip with ffmpeg -f yuv4mpegpipe"
        case .missingFrameRate:
            return "header has no frame rate (F token); re-export the clip with ffmpeg -f yuv4mpegpipe -r <fps>"
        case .badToken(let token, let expected):
            return "header token '\(token)' is not \(expected)"
        case .tooLarge(let token):
            return "header token '\(token)' is too large (at most \(Y4MHeader.maximumDimension) pixels per side)"
        case .notEightBit(let colourSpace, let bits):
            return "colour space C\(colourSpace) is \(bits)-bit; Lantern reads 8-bit clips (ffmpeg -pix_fmt gray)"
        case .unknownColourSpace(let colourSpace):
            return "unknown colour space C\(colourSpace); Lantern reads mono, 420, 422 and 444 clips (ffmpeg -pix_fmt gray)"
        case .missingFrameMarker:
            return "expected 'FRAME', found garbage"
        }
    }
}
