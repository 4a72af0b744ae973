/// Finds the person under a click in a recorded frame, so that the studio's calibration takes one click per
/// person instead of two (feet, then head): the frame against the clip's median background, the
/// foreground pixels joined across small gaps (a shirt the colour of the pavement splits a person), and the
/// joined part that holds the click, or lies within `reach` of it. Its lowest row is the feet, its highest the
/// head. Host-only (the studio works on a recorded file); pure, tested on the bundled sample's boxes.
public struct PersonFinder: Sendable {
    public struct Person: Equatable, Sendable {
        /// The lowest foreground row (the feet) and the highest (the head), inclusive.
        public var feetRow: Int
        public var headRow: Int
        public var left: Int
        public var right: Int
        public var height: Int { feetRow - headRow + 1 }
    }

    public let width: Int
    public let height: Int
    /// The per-pixel median of up to `backgroundFrames` frames spread over the clip.
    let background: [UInt8]
    /// A pixel is foreground when it differs from the background by more than this (grey levels).
    public var threshold = 24
    /// Foreground pixels this close (in pixels) are one part.
    public var gap = 3
    /// A click this far (in pixels) from any foreground still picks the nearest part.
    public var reach = 12

    public static let backgroundFrames = 31

    /// The background of `frames` (each `width * height` grey bytes).
    public init(width: Int, height: Int, frames: [[UInt8]]) {
        self.width = width
        self.height = height
        let count = width * height
        let step = max(1, frames.count / PersonFinder.backgroundFrames)
        let picked = stride(from: 0, to: frames.count, by: step).prefix(PersonFinder.backgroundFrames).map { frames[$0] }
        var median = [UInt8](repeating: 0, count: count)
        let n = picked.count
        let values = UnsafeMutablePointer<UInt8>.allocate(capacity: max(n, 1))
        defer { values.deallocate() }
        for i in 0..<count where n > 0 {
            // Insertion sort of a few dozen bytes: far cheaper than a generic sort per pixel.
            for k in 0..<n {
                let v = picked[k].count == count ? picked[k][i] : 0
                var j = k
                while j > 0 && values[j - 1] > v { values[j] = values[j - 1]; j -= 1 }
                values[j] = v
            }
            median[i] = values[n / 2]
        }
        background = median
    }

    /// The person at (`x`, `y`) in `frame`, or nil when no foreground part of a person's shape is there.
    public func person(in frame: [UInt8], x: Int, y: Int) -> Person? {
        guard frame.count == width * height, (0..<width).contains(x), (0..<height).contains(y) else { return nil }
        var foreground = [Bool](repeating: false, count: width * height)
        for i in 0..<foreground.count {
            foreground[i] = abs(Int(frame[i]) - Int(background[i])) > threshold
        }
        // The nearest foreground pixel to the click, within `reach`.
        var seed: Int?
        var best = Int.max
        for yy in max(0, y - reach)...min(height - 1, y + reach) {
            for xx in max(0, x - reach)...min(width - 1, x + reach) where foreground[yy * width + xx] {
                let d = (xx - x) * (xx - x) + (yy - y) * (yy - y)
                if d < best && d <= reach * reach { best = d; seed = yy * width + xx }
            }
        }
        guard let seed else { return nil }
        // Flood over foreground pixels, stepping across gaps of up to `gap` pixels.
        var seen = [Bool](repeating: false, count: width * height)
        var stack = [seed]
        seen[seed] = true
        var person = Person(feetRow: seed / width, headRow: seed / width, left: seed % width, right: seed % width)
        var pixels = 0
        let limit = width * height / 4
        while let i = stack.popLast() {
            pixels += 1
            if pixels > limit { return nil }  // a lighting change or a camera move, not a person
            let px = i % width, py = i / width
            person.feetRow = max(person.feetRow, py)
            person.headRow = min(person.headRow, py)
            person.left = min(person.left, px)
            person.right = max(person.right, px)
            for ny in max(0, py - gap)...min(height - 1, py + gap) {
                for nx in max(0, px - gap)...min(width - 1, px + gap) {
                    let n = ny * width + nx
                    if foreground[n] && !seen[n] { seen[n] = true; stack.append(n) }
                }
            }
        }
        // A person is taller than wide and more than a few pixels: anything else is not one to measure.
        guard person.height >= 8, person.height > person.right - person.left + 1 else { return nil }
        return person
    }
}
