import Foundation
import LanternCore

/// Per-frame head counts from a `counts.csv` (`frame,count[,...]`): the ground truth a replay is
/// scored against.
public struct GroundTruth {
    public let counts: [Int: Int]

    public init(counts: [Int: Int]) {
        self.counts = counts
    }

    public static func load(countsCSV path: String) throws(SimulatorError) -> GroundTruth {
        let text = try readText(path)
        var lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first else { throw SimulatorError("\(path): empty file; expected a 'frame,count' header") }
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let frameColumn = columns.firstIndex(of: "frame"), let countColumn = columns.firstIndex(of: "count") else {
            throw SimulatorError("\(path): line 1: expected columns 'frame' and 'count', found '\(header)'")
        }
        lines.removeFirst()
        var counts: [Int: Int] = [:]
        for (i, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > max(frameColumn, countColumn),
                  let frame = Int(fields[frameColumn].trimmingCharacters(in: .whitespaces)),
                  let count = Int(fields[countColumn].trimmingCharacters(in: .whitespaces)) else {
                throw SimulatorError("\(path): line \(i + 2): expected whole numbers in 'frame' and 'count'")
            }
            counts[frame] = count
        }
        if counts.isEmpty { throw SimulatorError("\(path): no rows after the header; expected 'frame,count' lines") }
        return GroundTruth(counts: counts)
    }
}

/// One person's box in one frame, from `boxes.csv` (`frame,id,x,y,w,h,...`).
public struct TruthBox: Equatable {
    public var frame: Int
    public var id: Int
    public var x: Double, y: Double, width: Double, height: Double

    public init(frame: Int, id: Int, x: Double, y: Double, width: Double, height: Double) {
        self.frame = frame
        self.id = id
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Where the person stands: the middle of the box's bottom edge.
    public var footPoint: (x: Double, y: Double) { (x + width / 2, y + height) }

    public static func load(boxesCSV path: String) throws(SimulatorError) -> [TruthBox] {
        let text = try readText(path)
        var lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first else { throw SimulatorError("\(path): empty file; expected a 'frame,id,x,y,w,h' header") }
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let names = ["frame", "id", "x", "y", "w", "h"]
        var index: [Int] = []
        for name in names {
            guard let c = columns.firstIndex(of: name) else {
                throw SimulatorError("\(path): line 1: missing column '\(name)' (expected frame,id,x,y,w,h)")
            }
            index.append(c)
        }
        lines.removeFirst()
        var boxes: [TruthBox] = []
        boxes.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            var values: [Double] = []
            for c in index {
                guard c < fields.count, let v = Double(fields[c].trimmingCharacters(in: .whitespaces)) else {
                    throw SimulatorError("\(path): line \(i + 2): column '\(names[values.count])' is not a number")
                }
                values.append(v)
            }
            // Frame and id must be whole numbers that fit; coordinates finite and within a plausible
            // frame (Int(Double) traps on nan, inf and 1e300).
            for (c, value) in values.enumerated() {
                let whole = c < 2
                guard value.isFinite, abs(value) <= 1e9, !whole || value == value.rounded(.towardZero) else {
                    throw SimulatorError("\(path): line \(i + 2): column '\(names[c])' must be a \(whole ? "whole number" : "finite number") within ±1e9 (got \(ShownText.shown(String(fields[index[c]]), limit: 20)))")
                }
            }
            boxes.append(TruthBox(frame: Int(values[0]), id: Int(values[1]), x: values[2], y: values[3], width: values[4], height: values[5]))
        }
        return boxes
    }
}

/// Ground-truth files (`counts.csv`, `boxes.csv`): at most 100 MB.
let truthSizeLimit = 100 << 20

/// The file's bytes; a missing or unreadable file is one line saying which, and `hint` what to do.
/// A file over `limit` bytes is refused before it is read (a data error, 65).
func readBytes(
    _ path: String, hint: String = "check the path", limit: Int = truthSizeLimit, tooLarge: ExitStatus = .dataError
) throws(SimulatorError) -> [UInt8] {
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int {
        if size > limit {
            throw SimulatorError("\(path): \(size) bytes, larger than the limit of \(limit >> 20) MB; check the path", status: tooLarge)
        }
        // FileManager.contents(atPath:) leaks its 8 KB read buffer on an empty regular file (found by
        // Toolchain/fuzz; the input is kept in Tests/Fuzz/regressions/truth/).
        if size == 0 && FileManager.default.isReadableFile(atPath: path) { return [] }
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file"
        throw SimulatorError("\(path): \(reason); \(hint)", status: .noInput)
    }
    return [UInt8](data)
}

func readText(_ path: String) throws(SimulatorError) -> String {
    guard let text = String(validating: try readBytes(path), as: UTF8.self) else { throw SimulatorError("\(path): not UTF-8 text") }
    return text
}
