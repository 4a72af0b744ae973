/// Whether a frame's count can be trusted, and if not, why. Lantern reports an honest "unknown" rather
/// than a confident wrong number.
public enum SceneCondition: UInt8, Equatable, Sendable {
    /// The count is trusted.
    case ok
    /// The background is still being learnt (the start of the stream).
    case learning
    /// Most of the view changed at once (lights switched, the camera knocked, the lens covered): the
    /// background is being relearnt fast, and counts are withheld until it has settled.
    case sceneChanged
    /// The scene is too dark for people to stand out from it reliably.
    case tooDark
    /// Part of the view is blank (a covered or dirty lens): people there cannot be seen.
    case obstructed
    /// The camera moves more than the estimator can follow.
    case unstable

    public var name: String {
        switch self {
        case .ok: "ok"
        case .learning: "learning"
        case .sceneChanged: "scene-changed"
        case .tooDark: "too-dark"
        case .obstructed: "obstructed"
        case .unstable: "unstable"
        }
    }
}

/// Cheap whole-frame checks behind `SceneCondition`, and the camera-shake follower.
///
/// - Shake: the frame's row and column intensity profiles (sums over the analysed area) are matched
///   against the background's at shifts of up to `maxShift` pixels (projection-based registration). The
///   estimator then compares the frame, shifted back, with the background, so a camera that trembles by a
///   pixel or two still counts correctly. A match at the search limit means the camera moved further than
///   that: `.unstable`.
/// - Scene change: people enter a view gradually, a few percent of its area at a time; a light switched
///   on or off, a knocked camera or a hand over the lens turn a large part of it foreground at once.
/// - Darkness and blank areas: measured on the background every few frames.
struct SceneMonitor {
    let maxShift: Int
    /// Analysed area, and the frame size.
    let area: PixelRect
    /// Frame profiles over the area grown by `maxShift` on every side (columns summed over the area's
    /// rows, rows summed over the area's columns).
    var frameColumns: [Int32]
    var frameRows: [Int32]
    /// The background's profiles over the area.
    var backgroundColumns: [Int32]
    var backgroundRows: [Int32]
    var backgroundProfilesValid = false

    /// Last estimated shift of the frame against the background.
    var shiftX = 0, shiftY = 0
    /// Whether the last frame's shift was at the search limit (camera moved further than can be followed).
    var shiftAtLimit = false

    var previousForeground = 0.0
    /// Frame index until which the background is relearnt fast, and until which counts are withheld.
    var relearnUntil = -1
    var untrustedUntil = -1
    /// Background statistics (refreshed every `statisticsPeriod` frames).
    var backgroundMean = 128.0
    var blankFraction = 0.0
    /// Recent frames at the shift limit (a short history, as a bit set).
    var limitHistory: UInt32 = 0

    /// Profiles are taken in this many bands (columns per horizontal band, rows per vertical band), so
    /// that the structure of one part of the view is not averaged away by another.
    static let bands = 4

    init(area: PixelRect, maxShift: Int) {
        self.area = area
        self.maxShift = maxShift
        frameColumns = [Int32](repeating: 0, count: Self.bands * (area.width + 2 * maxShift))
        frameRows = [Int32](repeating: 0, count: Self.bands * (area.height + 2 * maxShift))
        backgroundColumns = [Int32](repeating: 0, count: Self.bands * area.width)
        backgroundRows = [Int32](repeating: 0, count: Self.bands * area.height)
    }

    /// Band-wise column and row sums of `rows` x `cols` pixels at `p` (row stride `stride`), of which the
    /// inner `innerRows` x `innerCols` start at (`margin`, `margin`): columns are summed over inner rows
    /// only, rows over inner columns only.
    static func profiles(
        _ p0: UnsafePointer<UInt8>, stride: Int, rows: Int, cols: Int, margin m: Int, innerRows h: Int, innerCols w: Int,
        columns col: UnsafeMutablePointer<Int32>, rowSums: UnsafeMutablePointer<Int32>
    ) -> Int {
        let b = bands
        for i in 0..<(b * cols) { col[i] = 0 }
        var total = 0
        for r in 0..<rows {
            let p = p0 + r * stride
            if r >= m && r < m + h {
                let c = col + ((r - m) * b / h) * cols
                for i in 0..<cols { c[i] &+= Int32(p[i]) }
            }
            for k in 0..<b {
                var s: Int32 = 0
                for i in (m + k * w / b)..<(m + (k + 1) * w / b) { s &+= Int32(p[i]) }
                rowSums[k * rows + r] = s
                total += Int(s)
            }
        }
        return total
    }

    /// Profiles of `frame` (the full camera frame) around the area. One pass over the pixels.
    mutating func measureFrame(_ frame: GreyImage) {
        let m = maxShift
        let start = frame.base + (area.y - m) * frame.stride + (area.x - m)
        let cols = area.width + 2 * m, rows = area.height + 2 * m
        let (w, h) = (area.width, area.height)
        frameColumns.withUnsafeMutableBufferPointer { colBuf in
            frameRows.withUnsafeMutableBufferPointer { rowBuf in
                _ = Self.profiles(
                    start, stride: frame.stride, rows: rows, cols: cols, margin: m, innerRows: h, innerCols: w,
                    columns: colBuf.baseAddress!, rowSums: rowBuf.baseAddress!)
            }
        }
    }

    /// Profiles, mean brightness and blank blocks of the background (`width` x `height` pixels, the area).
    mutating func measureBackground(_ pixels: UnsafePointer<UInt8>, width: Int, height: Int, blankRange: UInt8, blankLevel: UInt8) {
        backgroundColumns.withUnsafeMutableBufferPointer { colBuf in
            backgroundRows.withUnsafeMutableBufferPointer { rowBuf in
                let total = Self.profiles(
                    pixels, stride: width, rows: height, cols: width, margin: 0, innerRows: height, innerCols: width,
                    columns: colBuf.baseAddress!, rowSums: rowBuf.baseAddress!)
                backgroundMean = Double(total) / Double(width * height)
            }
        }
        backgroundProfilesValid = true
        // Blank blocks: 16x16 pixels, almost uniform and dark (a covered lens, a sticker, a dead area).
        let block = 16
        var blocks = 0, blank = 0
        var by = 0
        while by + block <= height {
            var bx = 0
            while bx + block <= width {
                var lo: UInt8 = 255, hi: UInt8 = 0
                for y in by..<(by + block) {
                    let p = pixels + y * width + bx
                    for x in 0..<block {
                        let v = p[x]
                        lo = min(lo, v)
                        hi = max(hi, v)
                    }
                }
                blocks += 1
                if hi &- lo <= blankRange && hi <= blankLevel { blank += 1 }
                bx += block
            }
            by += block
        }
        blankFraction = blocks == 0 ? 0 : Double(blank) / Double(blocks)
    }

    /// Estimates the frame's shift against the background from the profiles.
    mutating func estimateShift() {
        guard backgroundProfilesValid else {
            shiftX = 0
            shiftY = 0
            shiftAtLimit = false
            return
        }
        let (sx, limX) = Self.bestShift(frame: frameColumns, background: backgroundColumns, maxShift: maxShift)
        let (sy, limY) = Self.bestShift(frame: frameRows, background: backgroundRows, maxShift: maxShift)
        shiftX = sx
        shiftY = sy
        shiftAtLimit = limX || limY
        limitHistory = (limitHistory << 1) | (shiftAtLimit ? 1 : 0)
    }

    /// The shift s (|s| <= maxShift) that best matches frame[i + maxShift + s] to background[i], both with
    /// their means removed (so a uniform change of brightness does not look like motion). A shift other than
    /// 0 must explain the profile clearly better than no shift, or 0 is kept. `atLimit`: the best match was
    /// at the edge of the search, so the true shift may be larger.
    static func bestShift(frame: [Int32], background: [Int32], maxShift m: Int) -> (shift: Int, atLimit: Bool) {
        let n = background.count / bands, nf = frame.count / bands
        guard n > 4 * m + 8 else { return (0, false) }
        var best = 0, bestCost = Double.infinity, zeroCost = 0.0
        for s in -m...m {
            var cost = 0.0
            for k in 0..<bands {
                let bg = k * n, fr = k * nf + m + s
                var bSum = 0, fSum = 0
                for i in 0..<n {
                    bSum += Int(background[bg + i])
                    fSum += Int(frame[fr + i])
                }
                let bMean = Double(bSum) / Double(n), fMean = Double(fSum) / Double(n)
                for i in 0..<n { cost += abs((Double(frame[fr + i]) - fMean) - (Double(background[bg + i]) - bMean)) }
            }
            if s == 0 { zeroCost = cost }
            if cost < bestCost {
                bestCost = cost
                best = s
            }
        }
        // No shift unless a shift is clearly better: people moving change the profiles a little too.
        if best != 0 && !(bestCost < 0.85 * zeroCost) { best = 0 }  // also: a featureless view never moves
        return (best, best != 0 && abs(best) == m)
    }
}
