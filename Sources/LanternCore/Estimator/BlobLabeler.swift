/// One connected group of foreground cells: one person, or several who overlap.
public struct Blob: Equatable {
    /// Estimated people in it (foreground pixels weighted by perspective).
    public var people: Double
    /// Bounding box in cells of the analysed area.
    public var minX: Int, minY: Int, maxX: Int, maxY: Int
    /// People-weighted mean cell column.
    public var centreX: Double

    /// The bounding box in frame pixels, given the analysed area's place in the frame (each cell is 2x2
    /// pixels of it: `OccupancyEstimator.view`).
    public func pixelRect(in area: PixelRect) -> PixelRect {
        PixelRect(x: area.x + 2 * minX, y: area.y + 2 * minY, width: 2 * (maxX - minX + 1), height: 2 * (maxY - minY + 1))
    }
}

/// Labels 8-connected blobs of a `CellGrid`'s connectivity mask (union-find, two passes) and sums
/// each blob's people. All storage is allocated once for the grid size.
public struct BlobLabeler: ~Copyable {
    let width: Int
    let height: Int
    let labels: UnsafeMutableBufferPointer<Int32>
    var parent: [Int32]
    /// The blobs of the last `label` call.
    public private(set) var blobs: [Blob]
    /// Blob index per provisional root label after `label`; -1 for none.
    var blobOfRoot: [Int32]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        labels = .allocate(capacity: width * height)
        labels.initialize(repeating: 0)
        parent = []
        parent.reserveCapacity(width * height / 4 + 1)
        blobs = []
        blobs.reserveCapacity(256)
        blobOfRoot = []
        blobOfRoot.reserveCapacity(width * height / 4 + 1)
    }

    deinit { labels.deallocate() }

    @inline(__always)
    mutating func find(_ a: Int32) -> Int32 {
        var r = a
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var i = a
        while parent[Int(i)] != r {
            let next = parent[Int(i)]
            parent[Int(i)] = r
            i = next
        }
        return r
    }

    @inline(__always)
    mutating func union(_ a: Int32, _ b: Int32) -> Int32 {
        let ra = find(a), rb = find(b)
        if ra == rb { return ra }
        if ra < rb { parent[Int(rb)] = ra; return ra }
        parent[Int(ra)] = rb
        return rb
    }

    /// Labels `grid.mask` and computes each blob's people from `grid.counts` and `density`.
    public mutating func label(_ grid: borrowing CellGrid, density: PersonDensity) {
        precondition(grid.width == width && grid.height == height)
        let m = grid.mask.baseAddress!, l = labels.baseAddress!
        let w = width
        parent.removeAll(keepingCapacity: true)
        parent.append(0)  // label 0: background
        for y in 0..<height {
            let r = y * w
            for x in 0..<w {
                guard m[r + x] != 0 else { l[r + x] = 0; continue }
                // If the cell above is labelled it is already joined to the others above and to the
                // left (they were merged when scanned); otherwise west and north-west are joined, and
                // only north-east may need a union.
                let north: Int32 = y > 0 ? l[r - w + x] : 0
                var current: Int32 = north
                if north == 0 {
                    if x > 0 { current = l[r + x - 1] }
                    if y > 0 {
                        let ru = r - w
                        if current == 0 && x > 0 { current = l[ru + x - 1] }
                        if x + 1 < w, l[ru + x + 1] != 0 {
                            current = current == 0 ? l[ru + x + 1] : union(current, l[ru + x + 1])
                        }
                    }
                }
                if current == 0 {
                    current = Int32(parent.count)
                    parent.append(current)
                }
                l[r + x] = current
            }
        }
        // Resolve roots to blob indices and accumulate.
        blobs.removeAll(keepingCapacity: true)
        blobOfRoot.removeAll(keepingCapacity: true)
        for _ in 0..<parent.count { blobOfRoot.append(-1) }
        let counts = grid.counts.baseAddress!
        for y in 0..<height {
            let r = y * w
            let weight = density.weightPerPixel[y]
            for x in 0..<w where l[r + x] != 0 {
                let root = find(l[r + x])
                var index = blobOfRoot[Int(root)]
                if index < 0 {
                    index = Int32(blobs.count)
                    blobOfRoot[Int(root)] = index
                    blobs.append(Blob(people: 0, minX: x, minY: y, maxX: x, maxY: y, centreX: 0))
                }
                l[r + x] = index + 1
                let people = Double(counts[r + x]) * weight
                blobs[Int(index)].people += people
                blobs[Int(index)].centreX += people * Double(x)
                if x < blobs[Int(index)].minX { blobs[Int(index)].minX = x }
                if x > blobs[Int(index)].maxX { blobs[Int(index)].maxX = x }
                blobs[Int(index)].maxY = y
            }
        }
        for i in 0..<blobs.count where blobs[i].people > 0 { blobs[i].centreX /= blobs[i].people }
    }

    /// The blob (index into `blobs`) a cell belongs to after `label`, or nil.
    @inline(__always)
    public func blobIndex(x: Int, y: Int) -> Int? {
        let v = labels[y * width + x]
        return v == 0 ? nil : Int(v) - 1
    }
}
