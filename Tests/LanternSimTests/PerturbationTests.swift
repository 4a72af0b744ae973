import LanternCore
import LanternSim
import Testing

@Suite struct PerturbationTests {
    static let width = 64, height = 48

    /// A frame with structure: a horizontal ramp plus a vertical one.
    static func frame() -> [UInt8] {
        var p = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<width { p[y * width + x] = UInt8(40 + 2 * x + y) } }
        return p
    }

    static func applied(_ p: Perturbation, index: Int, frameCount: Int = 10, seed: UInt64 = 7) -> [UInt8] {
        var pixels = frame()
        pixels.withUnsafeMutableBufferPointer { p.apply(to: $0, width: width, height: height, index: index, frameCount: frameCount, seed: seed) }
        return pixels
    }

    @Test func everyPerturbationIsDeterministic() {
        for p in Perturbation.allCases {
            for index in [0, 7] {
                #expect(Self.applied(p, index: index) == Self.applied(p, index: index), "\(p)")
            }
        }
        #expect(Self.applied(.dusk, index: 3, seed: 1) != Self.applied(.dusk, index: 3, seed: 2))
        #expect(Self.applied(.dusk, index: 3) != Self.applied(.dusk, index: 4))
    }

    @Test func lightingChangesStartInTheMiddle() {
        let clean = Self.frame()
        #expect(Self.applied(.lightingDown, index: 4) == clean)
        #expect(Self.applied(.lightingUp, index: 4) == clean)
        let down = Self.applied(.lightingDown, index: 5), up = Self.applied(.lightingUp, index: 5)
        for i in clean.indices {
            #expect(abs(Int(down[i]) - Int(Double(clean[i]) * 0.6)) <= 1)
            #expect(up[i] == UInt8(min(Int(clean[i]) + 50, 255)))
        }
    }

    @Test func duskIsDarkAndNoisy() {
        let clean = Self.frame(), dusk = Self.applied(.dusk, index: 0)
        var sum = 0.0, squares = 0.0
        for i in clean.indices {
            let e = Double(dusk[i]) - 0.3 * Double(clean[i])
            sum += e
            squares += e * e
        }
        let n = Double(clean.count)
        let mean = sum / n, sd = (squares / n - mean * mean).squareRoot()
        #expect(abs(mean) < 0.5)
        #expect(sd > 3.3 && sd < 4.7, "noise sd \(sd)")
    }

    @Test func shakeMovesTheWholeFrameByOneOrTwoPixels() {
        let clean = Self.frame()
        for index in 0..<20 {
            let (dx, dy) = Perturbation.shakeOffset(seed: 7, index: index)
            #expect(abs(dx) <= 2 && abs(dy) <= 2 && (dx != 0 || dy != 0))
            let shaken = Self.applied(.shake, index: index)
            for y in 2..<(Self.height - 2) {
                for x in 2..<(Self.width - 2) {
                    #expect(shaken[y * Self.width + x] == clean[(y - dy) * Self.width + x - dx])
                }
            }
        }
    }

    @Test func aCoveredLensDarkensACornerFromTheMiddleOn() {
        #expect(Self.applied(.coveredLens, index: 4) == Self.frame())
        let covered = Self.applied(.coveredLens, index: 9)
        let r = Perturbation.coveredRect(width: Self.width, height: Self.height)
        let fraction = Double(r.width * r.height) / Double(Self.width * Self.height)
        #expect(fraction >= 0.15 && fraction <= 0.2)
        #expect(covered[(Self.height - 1) * Self.width] == 12)
        #expect(covered[Self.width - 1] == Self.frame()[Self.width - 1])
        #expect(covered.filter { $0 == 12 }.count == r.width * r.height)
    }
}
