/// Tells a ghost from a person. When someone who stood still long enough to be absorbed into the
/// background walks away, the ground they uncover differs from the background there and is foreground
/// like a person, though nobody is there. The two differ at the blob's outline: a person stands out from
/// the ground around them in the frame, while a ghost stands out in the background (which still holds the
/// one who left) and not in the frame (which shows the ground). So, summed along a blob's outline (each
/// foreground cell against each of its four neighbours that lies outside every blob), a blob whose
/// background differs from its surroundings more than its frame does is a ghost.
///
/// `StillnessHold` uses it: a ghost is not held, so it fades as the background absorbs it, also where the
/// background had looked like empty ground (someone who stood there through the warm-up and beyond).
/// It compares two contrasts of the same cells, so it has no threshold of its own.
public struct GhostTest: ~Copyable {
    /// Per blob of the last frame: the frame's and the background's contrast along its outline (sums of
    /// absolute differences of 2x2 cell sums; scratch, sized once).
    var frameContrast: [Int]
    var backgroundContrast: [Int]
    /// Per blob of the last `classify`: whether it is a ghost.
    public private(set) var isGhost: [Bool]

    public init() {
        frameContrast = []
        frameContrast.reserveCapacity(256)
        backgroundContrast = []
        backgroundContrast.reserveCapacity(256)
        isGhost = []
        isGhost.reserveCapacity(256)
    }

    /// Judges each of `blobCount` blobs. `frame` and `background` are the analysed area's pixels (the
    /// background `backgroundStride` bytes per row); `counts` (foreground pixels per 2x2 cell) and `labels`
    /// (0 for none, else blob index + 1) are `cellsWide` x `cellsHigh`, row-major.
    public mutating func classify(
        frame: GreyImage, background: UnsafePointer<UInt8>, backgroundStride: Int, counts: UnsafePointer<UInt8>,
        labels: UnsafePointer<Int32>, cellsWide cw: Int, cellsHigh ch: Int, blobCount: Int
    ) {
        precondition(frame.width >= 2 * cw && frame.height >= 2 * ch && backgroundStride >= 2 * cw, "GhostTest: area size")
        frameContrast.removeAll(keepingCapacity: true)
        backgroundContrast.removeAll(keepingCapacity: true)
        isGhost.removeAll(keepingCapacity: true)
        for _ in 0..<blobCount {
            frameContrast.append(0)
            backgroundContrast.append(0)
        }
        let f = frame.base, fs = frame.stride
        @inline(__always) func sum(_ p: UnsafePointer<UInt8>, _ stride: Int, _ x: Int, _ y: Int) -> Int {
            let a = p + 2 * y * stride + 2 * x
            return Int(a[0]) + Int(a[1]) + Int(a[stride]) + Int(a[stride + 1])
        }
        for y in 0..<ch {
            for x in 0..<cw {
                let i = y * cw + x
                let label = labels[i]
                guard label != 0, counts[i] != 0 else { continue }
                let b = Int(label) - 1
                let fc = sum(f, fs, x, y), bc = sum(background, backgroundStride, x, y)
                var frameSum = 0, backgroundSum = 0
                // The four neighbours outside every blob: the ground around it.
                if x > 0, labels[i - 1] == 0 {
                    frameSum += abs(fc - sum(f, fs, x - 1, y))
                    backgroundSum += abs(bc - sum(background, backgroundStride, x - 1, y))
                }
                if x + 1 < cw, labels[i + 1] == 0 {
                    frameSum += abs(fc - sum(f, fs, x + 1, y))
                    backgroundSum += abs(bc - sum(background, backgroundStride, x + 1, y))
                }
                if y > 0, labels[i - cw] == 0 {
                    frameSum += abs(fc - sum(f, fs, x, y - 1))
                    backgroundSum += abs(bc - sum(background, backgroundStride, x, y - 1))
                }
                if y + 1 < ch, labels[i + cw] == 0 {
                    frameSum += abs(fc - sum(f, fs, x, y + 1))
                    backgroundSum += abs(bc - sum(background, backgroundStride, x, y + 1))
                }
                frameContrast[b] += frameSum
                backgroundContrast[b] += backgroundSum
            }
        }
        for b in 0..<blobCount { isGhost.append(backgroundContrast[b] > frameContrast[b]) }
    }
}
