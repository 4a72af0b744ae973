import LanternAgent
import LanternCore
import LanternSystem

/// Frames from a YUV4MPEG2 clip (`ClipReader`), at clip time: frame `i` is at `origin + i` frame
/// periods (`ClipTime`), so a replay is reproducible to the microsecond on every build. An optional
/// `transform` changes each frame in a working copy before it is lent (the simulator's perturbations).
public final class ClipSource: FrameSource {
    public let path: String
    public let reader: ClipReader
    public let time: ClipTime
    /// Changes the frame's pixels in place (index, pixels, width, height) before the loop sees them.
    public var transform: ((Int, UnsafeMutableBufferPointer<UInt8>, Int, Int) -> Void)?
    private var scratch: UnsafeMutableBufferPointer<UInt8>?
    private var ended = false

    /// Opens the clip and reads its header; `originSeconds` is the clock origin of frame 0.
    public convenience init(path: String, originSeconds: Int64 = ClipTime.defaultOriginSeconds) throws(FrameSourceError) {
        let reader: ClipReader
        do {
            reader = try ClipReader(path: path)
        } catch {
            if case .cannotOpen(let errno) = error.reason { throw FrameSourceError(.unavailable(errno), error.description) }
            throw FrameSourceError(.malformed, error.description)
        }
        try self.init(reader: reader, originSeconds: originSeconds)
    }

    /// Frames from an open reader (a clip piped in); its name stands for it in messages.
    public init(reader: ClipReader, originSeconds: Int64 = ClipTime.defaultOriginSeconds) throws(FrameSourceError) {
        let path = reader.path
        self.path = path
        self.reader = reader
        if let problem = reader.header.analysisProblem { throw FrameSourceError(.malformed, "\(path): \(problem)") }
        let rate = reader.framesPerSecond
        time = ClipTime(originSeconds: originSeconds, numerator: rate.numerator, denominator: rate.denominator)
    }

    deinit {
        scratch?.deallocate()
    }

    public var name: String { path }
    public var framePeriodMicros: Int64 { time.framePeriodMicros }
    public var isRecorded: Bool { true }
    public var descriptor: FileDescriptor? { nil }
    public var nextFrameTime: Int64? { ended ? nil : time.micros(ofFrame: reader.frameIndex) }
    public var droppedFrames: Int { 0 }
    public var lumaRange: LumaRange? { reader.header.lumaRange }
    public var isOpen: Bool { !ended }
    /// Frames read so far: the index of the next one.
    public var frameIndex: Int { reader.frameIndex }

    public func open() throws(FrameSourceError) {}
    public func close() {}

    public func readFrame(_ body: (GreyImage) -> Void) throws(FrameSourceError) -> FrameRead {
        let index = reader.frameIndex
        let next: GreyImage?
        do {
            next = try reader.nextFrame()
        } catch {
            ended = true
            throw FrameSourceError(.malformed, error.description)
        }
        guard let frame = next else {
            ended = true
            return .end
        }
        guard let transform else {
            body(frame)
            return .frame
        }
        let count = frame.width * frame.height
        if scratch == nil { scratch = .allocate(capacity: count) }
        let pixels = scratch!
        for y in 0..<frame.height {
            _ = UnsafeMutableBufferPointer(rebasing: pixels[(y * frame.width)..<((y + 1) * frame.width)]).initialize(from: frame.row(y))
        }
        transform(index, pixels, frame.width, frame.height)
        body(GreyImage(unsafePixels: UnsafePointer(pixels.baseAddress!), width: frame.width, height: frame.height, stride: frame.width))
        return .frame
    }

    public func skipFrame() throws(FrameSourceError) {
        _ = try readFrame { _ in }
    }
}
