import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem

/// Frames from the board file's camera (V4L2 through libv4l2), stamped by the loop with the wall clock
/// when read. Opening asks first for the board file's format; a camera that cannot be opened, or that
/// goes away, is `unavailable` and the loop reopens it with backoff.
public final class CameraSource: FrameSource {
    public let spec: CameraSpec
    public private(set) var device: VideoDevice?
    /// Dropped frames of devices closed since start (a reopened camera counts from zero).
    private var droppedBefore = 0

    public init(spec: CameraSpec) {
        self.spec = spec
    }

    public var name: String { spec.device }
    public var framePeriodMicros: Int64 { 1_000_000 / Int64(max(spec.fps, 1)) }
    public var isRecorded: Bool { false }
    public var descriptor: FileDescriptor? { device?.descriptor }
    public var nextFrameTime: Int64? { nil }
    public var droppedFrames: Int { droppedBefore + (device?.droppedFrames ?? 0) }
    /// V4L2 drivers rarely say (and libv4l2's conversions less): judged from the pixels.
    public var lumaRange: LumaRange? { nil }
    public var isOpen: Bool { device != nil }
    /// The last frame's V4L2 sequence number (the emulated board's frame log).
    public var lastSequence: UInt32? { device?.lastSequence }

    public func open() throws(FrameSourceError) {
        close()
        do {
            device = try CameraSource.openDevice(spec)
        } catch {
            throw FrameSourceError(.unavailable(error), "\(spec.device): \(ConfigFiles.deviceProblem(error))")
        }
    }

    public func close() {
        guard let device else { return }
        droppedBefore += device.droppedFrames
        device.stop()
        self.device = nil
    }

    public func readFrame(_ body: (GreyImage) -> Void) throws(FrameSourceError) -> FrameRead {
        guard let device else { return .none }
        do {
            let got = try device.withNextFrame { base, width, height, stride in
                body(GreyImage(unsafePixels: base, width: width, height: height, stride: stride))
            }
            return got ? .frame : .none
        } catch {
            throw FrameSourceError(.unavailable(error), "\(spec.device): lost (\(error))")
        }
    }

    public func skipFrame() throws(FrameSourceError) {
        guard let device else { return }
        do {
            _ = try device.skipNextFrame()
        } catch {
            throw FrameSourceError(.unavailable(error), "\(spec.device): lost (\(error))")
        }
    }

    /// Opens the board file's camera, asking first for its preferred format.
    static func openDevice(_ spec: CameraSpec) throws(Errno) -> VideoDevice {
        let fourcc: UInt32
        switch spec.format {
        case .grey: fourcc = VideoDevice.fourccGREY
        case .yuyv: fourcc = VideoDevice.fourccYUYV
        case .nv12: fourcc = VideoDevice.fourccNV12
        case .mjpeg: fourcc = VideoDevice.fourccMJPEG
        }
        return try VideoDevice(path: spec.device, width: spec.width, height: spec.height, fps: spec.fps, preferredFourCC: fourcc)
    }

    /// `/dev/video0: streaming 640x480 luma`.
    public var streamingLine: String {
        guard let device else { return "\(spec.device): not open" }
        return "\(device.path): streaming \(device.width)x\(device.height) \(device.layout == .packedYUYV ? "YUYV" : "luma")"
    }
}
