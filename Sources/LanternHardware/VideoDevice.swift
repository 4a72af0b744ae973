import CLantern
import LanternSystem

/// A V4L2 capture device through libv4l2, streaming luma frames from an mmap ring.
///
/// Open: QUERYCAP (capture + streaming), S_FMT preferring the board's format, then GREY, YUYV or NV12 as the device offers them natively,
/// then through libv4l2's conversion (MJPEG decoded to YUV420, whose first plane is luma),
/// S_PARM for the frame rate, REQBUFS of `ringSize` mmap buffers, QBUF all, STREAMON. Each frame is
/// handed to the caller in place and re-queued as soon as the caller returns: no pixel leaves the process,
/// and none outlives its buffer.
public final class VideoDevice {
    public enum Layout: Equatable {
        /// One byte per pixel, luma only (GREY, or the Y plane of NV12/YUV420).
        case planarLuma
        /// YUYV: luma every other byte; copied with stride 2 into a working buffer.
        case packedYUYV
    }

    public static let ringSize = 4
    public let path: String
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var stride = 0
    public private(set) var layout = Layout.planarLuma
    /// Frames the driver dropped, from gaps in the buffer sequence numbers.
    public private(set) var droppedFrames = 0
    /// -1 once closed: `stop()` runs again on deinit, and closing the number twice could close a
    /// descriptor opened since (the reopened camera).
    var fd: CInt
    var buffers: [(start: UnsafeMutableRawPointer, length: UInt32)] = []
    var luma: UnsafeMutableBufferPointer<UInt8>?
    /// The driver's sequence number of the last frame handed out.
    public private(set) var lastSequence: UInt32?
    var streaming = false

    /// Opens and starts streaming. `preferred` is the board's format fourcc (GREY first regardless).
    public init(path: String, width: Int, height: Int, fps: Int, preferredFourCC: UInt32) throws(Errno) {
        self.path = path
        let fd = path.withCString { lantern_v4l2_open($0) }
        if fd < 0 { throw Errno.current }
        self.fd = fd
        do throws(Errno) {
            try start(width: width, height: height, fps: fps, preferred: preferredFourCC)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    public var descriptor: FileDescriptor { FileDescriptor(rawValue: fd) }

    public static var fourccGREY: UInt32 { lantern_fourcc_grey() }
    public static var fourccYUYV: UInt32 { lantern_fourcc_yuyv() }
    public static var fourccNV12: UInt32 { lantern_fourcc_nv12() }
    public static var fourccMJPEG: UInt32 { lantern_fourcc_mjpeg() }

    func start(width: Int, height: Int, fps: Int, preferred: UInt32) throws(Errno) {
        let cap = lantern_v4l2_check_capture(fd)
        if cap < 0 { throw Errno.current }
        if cap > 0 { throw Errno.noSuchDevice }  // not a streaming capture device
        var chosen: UInt32 = 0
        // The board file's format first (the camera, or the source feeding it, is set up for it: vivid's
        // HDMI loopback passes frames only while capture and output formats match), then GREY, YUYV,
        // NV12, YUV420; formats the device gives itself before libv4l2's conversions of them.
        var candidates = [Self.fourccGREY, Self.fourccYUYV, Self.fourccNV12, lantern_fourcc_yuv420()]
        if let i = candidates.firstIndex(of: preferred) {
            candidates.remove(at: i)
            candidates.insert(preferred, at: 0)
        }
        let native = candidates.filter { lantern_v4l2_offers_natively(fd, $0) == 1 }
        for fourcc in native + candidates where chosen == 0 {
            var w = UInt32(width), h = UInt32(height), s: UInt32 = 0, got: UInt32 = 0
            if lantern_v4l2_set_format(fd, fourcc, &w, &h, &s, &got) == 0 && got == fourcc {
                self.width = Int(w); self.height = Int(h); self.stride = Int(s)
                chosen = got
                break
            }
        }
        if chosen == 0 { throw Errno.invalidArgument }
        layout = chosen == Self.fourccYUYV ? .packedYUYV : .planarLuma
        if stride == 0 { stride = layout == .packedYUYV ? width * 2 : width }
        _ = lantern_v4l2_set_fps(fd, UInt32(fps))  // best effort: drivers round or refuse
        let granted = lantern_v4l2_request_buffers(fd, UInt32(Self.ringSize))
        if granted <= 0 { throw Errno.current }
        for index in 0..<UInt32(granted) {
            var length: UInt32 = 0
            guard let start = lantern_v4l2_map_buffer(fd, index, &length) else { throw Errno.current }
            buffers.append((start, length))
            if lantern_v4l2_queue(fd, index) != 0 { throw Errno.current }
        }
        if layout == .packedYUYV { luma = .allocate(capacity: self.width * self.height) }
        if lantern_v4l2_stream(fd, 1) != 0 { throw Errno.current }
        streaming = true
    }

    /// Stops streaming, unmaps the ring and closes the device (also on deinit).
    public func stop() {
        if streaming { _ = lantern_v4l2_stream(fd, 0) }
        streaming = false
        for b in buffers { _ = lantern_v4l2_unmap(b.start, b.length) }
        buffers.removeAll()
        luma?.deallocate()
        luma = nil
        if fd >= 0 { _ = lantern_v4l2_close(fd) }
        fd = -1
    }

    /// Dequeues one filled buffer and re-queues it untouched: a frame that came sooner than the board's
    /// rate (a camera that ignores S_PARM). Returns false if no frame was ready.
    public func skipNextFrame() throws(Errno) -> Bool {
        var index: UInt32 = 0, bytes: UInt32 = 0, sequence: UInt32 = 0
        if lantern_v4l2_dequeue(fd, &index, &bytes, &sequence) != 0 {
            let error = Errno.current
            if error == .resourceTemporarilyUnavailable || error == .interrupted { return false }
            throw error
        }
        lastSequence = sequence
        if lantern_v4l2_queue(fd, index) != 0 { throw Errno.current }
        return true
    }

    /// Dequeues one filled buffer (after poll said readable), calls `body` with its luma pixels
    /// (`base`, width, height, stride) and re-queues it at once. Returns false if no frame was ready
    /// (EAGAIN). ENODEV means the camera is gone: close and reopen.
    public func withNextFrame(_ body: (UnsafePointer<UInt8>, Int, Int, Int) -> Void) throws(Errno) -> Bool {
        var index: UInt32 = 0, bytes: UInt32 = 0, sequence: UInt32 = 0
        if lantern_v4l2_dequeue(fd, &index, &bytes, &sequence) != 0 {
            let error = Errno.current
            if error == .resourceTemporarilyUnavailable || error == .interrupted { return false }
            throw error
        }
        if let last = lastSequence, sequence > last &+ 1 { droppedFrames += Int(sequence &- last &- 1) }
        lastSequence = sequence
        let base = buffers[Int(index)].start.assumingMemoryBound(to: UInt8.self)
        if layout == .packedYUYV, let luma {
            for y in 0..<height {
                let row = base + y * stride, out = luma.baseAddress! + y * width
                for x in 0..<width { out[x] = row[2 * x] }
            }
            body(UnsafePointer(luma.baseAddress!), width, height, width)
        } else {
            body(UnsafePointer(base), width, height, stride)
        }
        if lantern_v4l2_queue(fd, index) != 0 { throw Errno.current }
        return true
    }
}
