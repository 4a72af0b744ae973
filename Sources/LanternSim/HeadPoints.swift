/// Annotated head points of still images, from a `heads.csv` (`split,image,x,y,...`: one row per head).
public struct HeadPoints {
    public struct Key: Hashable {
        public var split: String
        public var image: String
    }

    /// Head points per (split, image).
    public let heads: [Key: [(x: Double, y: Double)]]

    public static func load(headsCSV path: String) throws(SimulatorError) -> HeadPoints {
        let text = try readText(path)
        var lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first else { throw SimulatorError("\(path): empty file; expected a 'split,image,x,y' header") }
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let splitColumn = columns.firstIndex(of: "split"), let imageColumn = columns.firstIndex(of: "image"),
              let xColumn = columns.firstIndex(of: "x"), let yColumn = columns.firstIndex(of: "y") else {
            throw SimulatorError("\(path): line 1: expected columns 'split', 'image', 'x' and 'y', found '\(header)'")
        }
        lines.removeFirst()
        var heads: [Key: [(x: Double, y: Double)]] = [:]
        let needed = max(splitColumn, imageColumn, xColumn, yColumn)
        for (i, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > needed, let x = Double(fields[xColumn].trimmingCharacters(in: .whitespaces)),
                  let y = Double(fields[yColumn].trimmingCharacters(in: .whitespaces)), x.isFinite, y.isFinite else {
                throw SimulatorError("\(path): line \(i + 2): expected numbers in 'x' and 'y' and \(needed + 1) columns")
            }
            let key = Key(split: String(fields[splitColumn]).trimmingCharacters(in: .whitespaces),
                          image: String(fields[imageColumn]).trimmingCharacters(in: .whitespaces))
            heads[key, default: []].append((x, y))
        }
        if heads.isEmpty { throw SimulatorError("\(path): no rows after the header; expected 'split,image,x,y' lines") }
        return HeadPoints(heads: heads)
    }

    public init(heads: [Key: [(x: Double, y: Double)]]) {
        self.heads = heads
    }

    public var splits: Set<String> { Set(heads.keys.map(\.split)) }
}
