import LanternCore
import LanternSystem

/// What a frame source could not do: one line naming the source, and whether the source is gone for
/// now (a camera unplugged: reopen it) or its data is bad (a truncated clip: stop).
public struct FrameSourceError: Error, CustomStringConvertible {
    public enum Kind: Equatable {
        /// Not there, or gone: try again later (a camera).
        case unavailable(Errno)
        /// The stream itself is broken (a malformed clip): stop with this line.
        case malformed
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// What one read from a frame source gave.
public enum FrameRead: Equatable {
    /// A frame was lent to the body.
    case frame
    /// Nothing was waiting (a camera polled readable but had no buffer yet).
    case none
    /// The stream ended (the end of a clip).
    case end
}

/// Where the run loop's frames come from: the camera (`CameraSource`), a clip (`ClipSource`), or a
/// test's script. Every source lends each frame as a `GreyImage` of luma for the length of one call,
/// and keeps nothing of it.
///
/// A source says when its next frame is due in one of two ways: a descriptor that polls readable (the
/// camera), or a time (a clip's frame time, a scripted frame's).
public protocol FrameSource: AnyObject {
    /// For log lines: `/dev/video0`, `clip.y4m`.
    var name: String { get }
    /// The nominal time between frames, microseconds.
    var framePeriodMicros: Int64 { get }
    /// Whether frames carry recorded time (`nextFrameTime`) rather than the wall clock when read.
    var isRecorded: Bool { get }
    /// Live sources: polls readable when a frame waits (nil while closed, and for recorded sources).
    var descriptor: FileDescriptor? { get }
    /// Recorded sources: the stream time of the next frame (nil at the end). Live sources without a
    /// descriptor (a test's script): the monotonic time at which the next frame is waiting.
    var nextFrameTime: Int64? { get }
    /// The luma range the source declares (a clip's `XCOLORRANGE`); nil: judged from the pixels.
    var lumaRange: LumaRange? { get }
    /// Frames that were captured but never read (V4L2 sequence gaps), since start.
    var droppedFrames: Int { get }
    /// Whether the source is open and delivering.
    var isOpen: Bool { get }
    /// Opens (or reopens) the source.
    func open() throws(FrameSourceError)
    /// Stops and releases the device (or file).
    func close()
    /// Reads the next frame and lends it to `body`.
    func readFrame(_ body: (GreyImage) -> Void) throws(FrameSourceError) -> FrameRead
    /// Drops the next frame unread (a camera faster than the board's rate).
    func skipFrame() throws(FrameSourceError)
}
