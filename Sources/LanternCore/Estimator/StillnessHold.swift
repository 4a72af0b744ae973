/// Keeps people who stop from fading into the background: the foreground cells of counted blobs are held
/// (the background under them is not updated), so a person who walks in and stands still stays foreground,
/// and counted, for up to `maximumFrames`. After that a cell is released and the background absorbs it (a
/// parked car, a bench moved); the density path, where it runs, counts whoever is still there.
///
/// Only ground that was seen empty is held: a cell's background is known to be the ground once the cell
/// has been background for `emptyFrames` in a row since the background was learnt, and stays known until
/// foreground that is not held stays on it that long (the background then starts absorbing it). So a hold
/// keeps the empty ground under someone who arrived. The place that someone who stood there while the
/// background was learnt has left (a ghost: the background holds them, the frame the ground) was never seen
/// empty, and is absorbed as before. Holds are dropped when the background is relearnt (a scene change).
public struct StillnessHold: ~Copyable {
    public let width: Int
    public let height: Int
    /// 0xFF where the background is held, 0 elsewhere; one byte per cell, row-major (`BackgroundModel.subtract`).
    let mask: UnsafeMutableBufferPointer<UInt8>
    /// Per cell: frames in a row it has been held.
    let heldFrames: UnsafeMutableBufferPointer<UInt16>
    /// Per cell: frames in a row it has been background, or (while foreground and not held) absorbed.
    let emptyRun: UnsafeMutableBufferPointer<UInt16>
    /// Per cell: whether its background is known to be the empty ground.
    let holdable: UnsafeMutableBufferPointer<Bool>
    /// Per cell: whether it was foreground in the previous frame.
    let wasForeground: UnsafeMutableBufferPointer<Bool>
    /// Per blob of the last frame: whether it is counted (scratch, sized once).
    var counted: [Bool]
    public let maximumFrames: Int
    public let emptyFrames: Int

    public init(width: Int, height: Int, emptyFrames: Int, maximumFrames: Int) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        self.maximumFrames = max(0, min(maximumFrames, Int(UInt16.max) - 2))
        self.emptyFrames = max(1, min(emptyFrames, Int(UInt16.max) - 2))
        mask = .allocate(capacity: width * height)
        mask.initialize(repeating: 0)
        heldFrames = .allocate(capacity: width * height)
        heldFrames.initialize(repeating: 0)
        emptyRun = .allocate(capacity: width * height)
        emptyRun.initialize(repeating: 0)
        holdable = .allocate(capacity: width * height)
        holdable.initialize(repeating: false)
        wasForeground = .allocate(capacity: width * height)
        wasForeground.initialize(repeating: false)
        counted = []
        counted.reserveCapacity(256)
    }

    deinit {
        mask.deallocate()
        heldFrames.deallocate()
        emptyRun.deallocate()
        holdable.deallocate()
        wasForeground.deallocate()
    }

    /// The mask for `BackgroundModel.subtract`.
    public var cells: UnsafePointer<UInt8> { UnsafePointer(mask.baseAddress!) }

    /// Cells held now.
    public func heldCount() -> Int {
        var n = 0
        for i in 0..<(width * height) where mask[i] != 0 { n += 1 }
        return n
    }

    /// Holds the foreground cells (`foreground`: pixels per cell) of the blobs worth at least
    /// `minimumPeople` (from the labels of the frame just analysed: 0 for none, else blob index + 1) that
    /// began on ground seen empty, for at most `maximumFrames` in a row each. Blobs that `ghosts` marks
    /// (`GhostTest`, per blob; empty: none) are not held: the background absorbs them, and the ground under
    /// them is no longer known to be empty.
    public mutating func update(
        labels: UnsafePointer<Int32>, foreground: UnsafePointer<UInt8>, blobs: [Blob], ghosts: [Bool] = [], minimumPeople: Double
    ) {
        counted.removeAll(keepingCapacity: true)
        for (b, blob) in blobs.enumerated() { counted.append(blob.people >= minimumPeople && !(b < ghosts.count && ghosts[b])) }
        let limit = UInt16(maximumFrames), empty = UInt16(emptyFrames)
        let m = mask.baseAddress!, held = heldFrames.baseAddress!, run = emptyRun.baseAddress!, ok = holdable.baseAddress!
        let was = wasForeground.baseAddress!
        for i in 0..<(width * height) {
            if foreground[i] == 0 {
                held[i] = 0
                if was[i] { run[i] = 0 }
                was[i] = false
                run[i] = run[i] &+ (run[i] < empty ? 1 : 0)
                if run[i] >= empty { ok[i] = true }
                m[i] = 0
                continue
            }
            if !was[i] { run[i] = 0 }
            was[i] = true
            let label = labels[i]
            if ok[i] && label != 0 && counted[Int(label) - 1] && held[i] < limit {
                held[i] += 1
                m[i] = 0xFF
            } else {
                // Foreground the background absorbs (not counted, or held too long): once it has been
                // absorbing a while, the ground is no longer what the background holds.
                if held[i] >= limit { ok[i] = false }
                if m[i] != 0 { run[i] = 0 }
                run[i] = run[i] &+ (run[i] < empty ? 1 : 0)
                if run[i] >= empty { ok[i] = false }
                m[i] = 0
            }
        }
    }

    /// Drops every hold, and forgets which ground was seen empty (the background is being relearnt).
    public mutating func releaseAll() {
        mask.update(repeating: 0)
        heldFrames.update(repeating: 0)
        emptyRun.update(repeating: 0)
        holdable.update(repeating: false)
        wasForeground.update(repeating: false)
    }
}
