import LanternCore
import LanternRuntime
import LanternSystem

/// A clip that freezes: frames up to `frozenFrame` as recorded, then that frame `repeats` times, each
/// with fresh seeded sensor noise (`Perturbation.addNoise`), at the clip's rate. Nobody moves, nobody
/// leaves: the still-scene condition of `lantern-sim evaluate`, fed to the board's run loop like any
/// other source.
final class FrozenClipSource: FrameSource {
    let clip: ClipSource
    let frozenFrame: Int
    let repeats: Int
    let noiseSigma: Double
    let seed: UInt64
    private var repeated = 0
    private let still: UnsafeMutableBufferPointer<UInt8>
    private let noisy: UnsafeMutableBufferPointer<UInt8>

    init(clip: ClipSource, frozenFrame: Int, repeats: Int, noiseSigma: Double, seed: UInt64) {
        self.clip = clip
        self.frozenFrame = frozenFrame
        self.repeats = repeats
        self.noiseSigma = noiseSigma
        self.seed = seed
        let size = clip.reader.header.width * clip.reader.header.height
        still = .allocate(capacity: size)
        noisy = .allocate(capacity: size)
    }

    deinit {
        still.deallocate()
        noisy.deallocate()
    }

    var name: String { clip.name }
    var framePeriodMicros: Int64 { clip.framePeriodMicros }
    var isRecorded: Bool { true }
    var descriptor: FileDescriptor? { nil }
    var lumaRange: LumaRange? { clip.lumaRange }
    var droppedFrames: Int { 0 }
    var isOpen: Bool { nextFrameTime != nil }
    var nextFrameTime: Int64? {
        if clip.frameIndex <= frozenFrame { return clip.nextFrameTime }
        return repeated < repeats ? clip.time.micros(ofFrame: frozenFrame + 1 + repeated) : nil
    }

    func open() throws(FrameSourceError) {}
    func close() {}

    func readFrame(_ body: (GreyImage) -> Void) throws(FrameSourceError) -> FrameRead {
        let width = clip.reader.header.width, height = clip.reader.header.height
        if clip.frameIndex <= frozenFrame {
            let index = clip.frameIndex
            let still = self.still
            let read = try clip.readFrame { frame in
                if index == self.frozenFrame {
                    for y in 0..<frame.height {
                        _ = UnsafeMutableBufferPointer(rebasing: still[(y * frame.width)..<((y + 1) * frame.width)]).initialize(from: frame.row(y))
                    }
                }
                body(frame)
            }
            if read == .end { throw FrameSourceError(.malformed, "\(clip.path): ended before frame \(frozenFrame)") }
            return read
        }
        guard repeated < repeats else { return .end }
        Perturbation.addNoise(to: noisy, from: UnsafeBufferPointer(still), sigma: noiseSigma, seed: seed, index: frozenFrame + 1 + repeated)
        repeated += 1
        body(GreyImage(unsafePixels: UnsafePointer(noisy.baseAddress!), width: width, height: height, stride: width))
        return .frame
    }

    func skipFrame() throws(FrameSourceError) {
        _ = try readFrame { _ in }
    }
}
