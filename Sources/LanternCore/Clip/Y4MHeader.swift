/// The stream header of a YUV4MPEG2 (`.y4m`) clip: `YUV4MPEG2 W640 H480 F25:1 Ip A1:1 C420jpeg\n`.
///
/// Pure parsing, no I/O: the clip reader hands it the header line. Lantern only uses luma, so every
/// 8-bit colour space and interlacing mode is accepted; the chroma planes are only sized, to be skipped.
/// Format reference: https://wiki.multimedia.cx/index.php/YUV4MPEG2 and ffmpeg's libavformat/yuv4mpegenc.c.
public struct Y4MHeader: Equatable, Sendable {
    /// Every stream starts with these bytes.
    public static let signature: [UInt8] = Array("YUV4MPEG2 ".utf8)
    /// Every frame starts with a line beginning with these bytes (then optional parameters).
    public static let frameMarker: [UInt8] = Array("FRAME".utf8)
    /// Widths and heights above this are refused: what the estimator's buffers are built for (a
    /// 4096 x 4096 frame is 16 MB of luma), and far from overflow.
    public static let maximumDimension = 4096
    /// The smallest width and height the estimator analyses (it works on 2x2 cells with a margin for
    /// camera shake, and a frame of a few pixels holds no person). The format allows smaller: the
    /// clip sources refuse them (`analysisProblem`).
    public static let minimumDimension = 16
    /// Frame rates above this are refused (a camera on a lamppost gives 5 to 30).
    public static let maximumFramesPerSecond = 240
    /// Frame rates below one frame a minute are refused: each frame would span many intervals, and
    /// a 3 MB clip written `F1:86400` would make a record per interval for days of clip time.
    public static let minimumSecondsPerFrame = 60

    /// A frame rate or pixel aspect ratio, as written (`F30000:1001`).
    public struct Ratio: Equatable, Sendable {
        public var numerator: Int
        public var denominator: Int

        @inlinable
        public init(_ numerator: Int, _ denominator: Int) {
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    /// Sample layout of a frame (the `C` token). All are 8 bits per sample.
    public enum ColourSpace: Equatable, Sendable {
        /// Luma only (`Cmono`).
        case mono
        /// 4:2:0 chroma, siting as the token says: `C420`, `C420jpeg`, `C420paldv`, `C420mpeg2`.
        case yuv420, yuv420jpeg, yuv420paldv, yuv420mpeg2
        /// 4:1:1 chroma (`C411`).
        case yuv411
        /// 4:2:2 chroma (`C422`).
        case yuv422
        /// 4:4:4 chroma (`C444`).
        case yuv444
        /// 4:4:4 chroma plus an alpha plane (`C444alpha`).
        case yuva444

        /// The colour space a header without `C` token uses.
        public static var `default`: ColourSpace { .yuv420jpeg }

        /// The `C` token value, e.g. `420jpeg`.
        public var name: String {
            switch self {
            case .mono: "mono"
            case .yuv420: "420"
            case .yuv420jpeg: "420jpeg"
            case .yuv420paldv: "420paldv"
            case .yuv420mpeg2: "420mpeg2"
            case .yuv411: "411"
            case .yuv422: "422"
            case .yuv444: "444"
            case .yuva444: "444alpha"
            }
        }

        /// Every colour space Lantern reads.
        public static let all: [ColourSpace] = [
            .mono, .yuv420, .yuv420jpeg, .yuv420paldv, .yuv420mpeg2, .yuv411, .yuv422, .yuv444, .yuva444,
        ]
    }

    /// Field order (the `I` token). Lantern treats every frame as a whole picture.
    public enum Interlacing: Equatable, Sendable {
        case progressive, topFieldFirst, bottomFieldFirst, unknown, mixed
    }

    public var width: Int
    public var height: Int
    public var frameRate: Ratio
    public var interlacing: Interlacing
    /// `A` token; 0:0 when unknown or absent.
    public var pixelAspect: Ratio
    public var colourSpace: ColourSpace
    /// The luma range the header declares (`XCOLORRANGE=LIMITED` or `XCOLORRANGE=FULL`, as ffmpeg writes
    /// it); nil when it does not say.
    public var lumaRange: LumaRange?

    /// Why the estimator cannot analyse frames of this header (nil: it can): one line.
    public var analysisProblem: String? {
        guard width >= Y4MHeader.minimumDimension && height >= Y4MHeader.minimumDimension else {
            return "frames of \(width)x\(height) are too small to analyse (at least \(Y4MHeader.minimumDimension) pixels per side)"
        }
        return nil
    }

    /// Bytes of the luma (Y) plane: width x height, no padding.
    public var lumaSize: Int { width * height }

    /// Bytes of the planes after luma (Cb, Cr, alpha), rounded up as ffmpeg does for odd sizes.
    public var chromaSize: Int {
        let halfWidth = (width + 1) / 2, halfHeight = (height + 1) / 2
        switch colourSpace {
        case .mono: return 0
        case .yuv420, .yuv420jpeg, .yuv420paldv, .yuv420mpeg2: return 2 * halfWidth * halfHeight
        case .yuv411: return 2 * ((width + 3) / 4) * height
        case .yuv422: return 2 * halfWidth * height
        case .yuv444: return 2 * width * height
        case .yuva444: return 3 * width * height
        }
    }

    /// Bytes after each `FRAME...\n` line.
    public var frameSize: Int { lumaSize + chromaSize }

    /// Frames per second as a floating-point value, for display and timing.
    public var framesPerSecond: Double {
        Double(frameRate.numerator) / Double(frameRate.denominator)
    }

    public init(
        width: Int, height: Int, frameRate: Ratio,
        interlacing: Interlacing = .progressive, pixelAspect: Ratio = Ratio(0, 0),
        colourSpace: ColourSpace = .default, lumaRange: LumaRange? = nil
    ) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.interlacing = interlacing
        self.pixelAspect = pixelAspect
        self.colourSpace = colourSpace
        self.lumaRange = lumaRange
    }

    /// Parses a header line, starting with `YUV4MPEG2 `, without its terminating newline.
    /// Unknown tags and `X` tokens other than `XCOLORRANGE` are ignored; a repeated tag keeps its last value.
    public init(parsing line: some Collection<UInt8>) throws(Y4MError) {
        var bytes = Array(line)
        // A header written with CRLF line ends (Windows tools): the CR is not part of the last token.
        if bytes.last == 0x0D { bytes.removeLast() }
        guard bytes.starts(with: Y4MHeader.signature) else { throw .missingSignature }
        var width: Int?, height: Int?, frameRate: Ratio?
        var interlacing = Interlacing.progressive
        var pixelAspect = Ratio(0, 0)
        var colourSpace = ColourSpace.default
        var lumaRange: LumaRange?
        for token in bytes[Y4MHeader.signature.count...].split(separator: UInt8(ascii: " ")) {
            let value = token.dropFirst()
            switch token.first! {
            case UInt8(ascii: "W"): width = try Y4MHeader.dimension(value, token: token)
            case UInt8(ascii: "H"): height = try Y4MHeader.dimension(value, token: token)
            case UInt8(ascii: "F"):
                guard let rate = Y4MHeader.ratio(value), rate.numerator > 0, rate.denominator > 0 else {
                    throw .badToken(ShownText.shown(token), expected: "a frame rate like F25:1")
                }
                guard rate.numerator <= Y4MHeader.maximumFramesPerSecond * rate.denominator,
                      rate.denominator <= Y4MHeader.minimumSecondsPerFrame * rate.numerator else {
                    throw .badToken(ShownText.shown(token), expected: "a frame rate from one frame a minute (F1:60) to \(Y4MHeader.maximumFramesPerSecond) frames a second")
                }
                frameRate = rate
            case UInt8(ascii: "A"):
                guard let aspect = Y4MHeader.ratio(value) else {
                    throw .badToken(ShownText.shown(token), expected: "a pixel aspect like A1:1")
                }
                pixelAspect = aspect
            case UInt8(ascii: "I"):
                switch value.count == 1 ? value.first! : 0 {
                case UInt8(ascii: "p"): interlacing = .progressive
                case UInt8(ascii: "t"): interlacing = .topFieldFirst
                case UInt8(ascii: "b"): interlacing = .bottomFieldFirst
                case UInt8(ascii: "?"): interlacing = .unknown
                case UInt8(ascii: "m"): interlacing = .mixed
                default:
                    throw .badToken(ShownText.shown(token), expected: "an interlacing mode (Ip, It, Ib, I?, Im)")
                }
            case UInt8(ascii: "C"): colourSpace = try Y4MHeader.colourSpace(Array(value))
            case UInt8(ascii: "X"):
                if value.elementsEqual("COLORRANGE=LIMITED".utf8) { lumaRange = .limited }
                if value.elementsEqual("COLORRANGE=FULL".utf8) { lumaRange = .full }
            default: break  // tags from later versions
            }
        }
        guard let width else { throw .missingWidth }
        guard let height else { throw .missingHeight }
        guard let frameRate else { throw .missingFrameRate }
        self.init(
            width: width, height: height, frameRate: frameRate,
            interlacing: interlacing, pixelAspect: pixelAspect, colourSpace: colourSpace, lumaRange: lumaRange
        )
    }

    /// Checks a frame header line (without its newline): `FRAME`, then nothing or ` ` and parameters.
    /// Inlinable and without `starts(with:)`: it runs once per frame, and the unspecialised generic
    /// comparison allocated an iterator on every call.
    @inlinable
    public static func checkFrameLine(_ line: some Collection<UInt8>) throws(Y4MError) {
        var i = line.startIndex
        for expected in "FRAME".utf8 {
            guard i != line.endIndex, line[i] == expected else { throw .missingFrameMarker }
            line.formIndex(after: &i)
        }
        guard i == line.endIndex || line[i] == UInt8(ascii: " ") || line[i] == 0x0D else { throw .missingFrameMarker }
    }

    // MARK: - Tokens

    // Compared as bytes, not Strings: String equality would pull Unicode tables into the board image.
    private static func colourSpace(_ name: [UInt8]) throws(Y4MError) -> ColourSpace {
        for space in ColourSpace.all where name.elementsEqual(space.name.utf8) { return space }
        // ffmpeg spells deeper samples as a suffix: mono16, 420p10, 444p12, 422p9.
        var base = name[...]
        while let last = base.last, last >= UInt8(ascii: "0"), last <= UInt8(ascii: "9") { base.removeLast() }
        let text = ShownText.shown(name)
        if let bits = number(name[base.endIndex...]), bits > 8, bits <= 32,
           ["mono", "420p", "422p", "444p", "444alphap"].contains(where: { base.elementsEqual($0.utf8) }) {
            throw .notEightBit(colourSpace: text, bits: bits)
        }
        throw .unknownColourSpace(text)
    }

    private static func dimension(_ value: some Collection<UInt8>, token: some Collection<UInt8>) throws(Y4MError) -> Int {
        guard let n = number(value), n > 0 else {
            throw .badToken(ShownText.shown(token), expected: "a positive whole number")
        }
        guard n <= maximumDimension else { throw .tooLarge(ShownText.shown(token)) }
        return n
    }

    private static func ratio(_ value: some Collection<UInt8>) -> Ratio? {
        let parts = value.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2, let n = number(parts[0]), let d = number(parts[1]) else { return nil }
        return Ratio(n, d)
    }

    /// A decimal number of at most 9 digits (no sign, no overflow), or nil.
    private static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var n = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(d - UInt8(ascii: "0"))
        }
        return n
    }
}
