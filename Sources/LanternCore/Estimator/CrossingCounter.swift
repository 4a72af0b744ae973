/// Counts people crossing the site's counting lines, from blob foot points frame to frame.
///
/// Blobs are followed by greedy nearest-neighbour matching of foot points to where each followed blob is
/// expected (its last foot point moved on by its velocity, smoothed over a few frames), within a gate
/// scaled to a person's height at that row: two people who pass each other keep their own tracks, and
/// one hidden for a moment (behind someone, merged into another blob) is looked for where they walked
/// to. Each followed blob keeps, per line, the side it was last clearly on; when it is seen clearly on
/// the other side, within the segment's extent, for `confirmationFrames` frames in a row, it has
/// crossed, and it counts as the number of people in it (two walking together cross as two). "Clearly"
/// is a margin of a tenth of a person's height, so a foot point jittering on the line does not count
/// again and again. A blob that split off a followed one and the one it split from are one group: when
/// both cross the same line the same way within `confirmationFrames` frames of each other, together
/// they count no more than the people the group held (a walker who passes someone standing on the line
/// drags the stander's foot point across with their merged blob, then parts from them).
/// A side seen while the background is first learnt is not trusted: people who meet then (and stand
/// there) swap tracks, so a followed blob may carry the side someone else came from. Until it has been
/// seen clearly on a side for `confirmationFrames` frames in a row once sides are trusted, a blob seen
/// on the other side has not crossed: that is just where it is.
/// No identity survives: a followed blob is a slot number and a position, dropped when lost.
public struct CrossingCounter {
    public let lines: [CountingLine]
    /// Per line: its length and its length squared (fixed, so not recomputed per track and frame).
    let lineLength: [Double]
    let lineLengthSquared: [Double]
    let scale: PersonScale
    let capacity: Int
    /// Followed blobs, a fixed pool.
    var active: [Bool]
    var foot: [Point]
    /// Per frame, smoothed; zero until the blob has moved once.
    var velocity: [Point]
    var hasMoved: [Bool]
    var people: [Int]
    var missed: [Int]
    /// Foot point and people of each followed blob before this frame's matching (finding the group a new
    /// blob split from).
    var previousFoot: [Point]
    var previousPeople: [Int]
    /// Per slot: how many followed blobs it has held (a slot is reused; this tells a blob from the one
    /// before it in the same slot).
    var serial: [Int]
    /// Per slot: the slot and serial of the blob it split from (-1: none), the people that group held
    /// then, and the frame it was first seen.
    var splitFrom: [Int]
    var splitFromSerial: [Int]
    var groupPeople: [Int]
    var firstFrame: [Int]
    /// Per slot and line: the frame of its last crossing (Int.min: none), its direction and the people
    /// it counted.
    var lastCrossingFrame: [Int]
    var lastCrossingSide: [Int8]
    var lastCrossingPeople: [Int]
    /// Frames seen so far.
    var frame = 0
    /// Per slot and line: -1, 0 (not yet clear), +1.
    var side: [Int8]
    /// Per slot and line: consecutive frames seen clearly on the other side, not yet counted.
    var pending: [Int8]
    /// Per slot and line: whether its side is trusted (seen while sides are trusted: see `update`).
    var sideTrusted: [Bool]
    /// Per slot and line: consecutive frames seen clearly on its side since sides are trusted.
    var framesOnSide: [Int8]
    /// Whether the sides seen this frame are trusted.
    var sidesTrusted = true
    /// Crossings in the last `update` call, per line.
    public private(set) var lastIn: [Int]
    public private(set) var lastOut: [Int]
    /// Crossings since start, per line.
    public private(set) var totalIn: [Int]
    public private(set) var totalOut: [Int]
    var candidates: [(distance: Double, track: Int, detection: Int)]
    var detectionTaken: [Bool]
    var trackTaken: [Bool]

    /// Frames a followed blob may go unseen (hidden, or merged into another blob) before it is dropped;
    /// meanwhile it is looked for where its velocity takes it.
    public static let maximumMissed = 7
    /// A followed blob matches foot points within this many person heights of where it is expected.
    static let gate = 0.8
    /// Weight of the newest step in a followed blob's velocity (older steps fade by half each frame).
    static let velocitySmoothing = 0.5

    public init(lines: [CountingLine], scale: PersonScale, capacity: Int = 128) {
        self.lines = lines
        lineLengthSquared = lines.map { line in
            (line.to.x - line.from.x) * (line.to.x - line.from.x) + (line.to.y - line.from.y) * (line.to.y - line.from.y)
        }
        lineLength = lineLengthSquared.map { $0.squareRoot() }
        self.scale = scale
        self.capacity = capacity
        active = [Bool](repeating: false, count: capacity)
        foot = [Point](repeating: Point(x: 0, y: 0), count: capacity)
        velocity = foot
        hasMoved = [Bool](repeating: false, count: capacity)
        people = [Int](repeating: 0, count: capacity)
        missed = [Int](repeating: 0, count: capacity)
        previousFoot = foot
        previousPeople = people
        serial = people
        splitFrom = [Int](repeating: -1, count: capacity)
        splitFromSerial = people
        groupPeople = people
        firstFrame = people
        side = [Int8](repeating: 0, count: capacity * max(lines.count, 1))
        pending = side
        sideTrusted = [Bool](repeating: false, count: capacity * max(lines.count, 1))
        framesOnSide = side
        lastCrossingFrame = [Int](repeating: Int.min, count: capacity * max(lines.count, 1))
        lastCrossingSide = side
        lastCrossingPeople = [Int](repeating: 0, count: capacity * max(lines.count, 1))
        lastIn = [Int](repeating: 0, count: lines.count)
        lastOut = lastIn
        totalIn = lastIn
        totalOut = lastIn
        candidates = []
        candidates.reserveCapacity(1024)
        detectionTaken = []
        detectionTaken.reserveCapacity(256)
        trackTaken = [Bool](repeating: false, count: capacity)
    }

    /// Advances by one frame. `feet[i]` is a counted blob's foot point (full-frame pixels) and
    /// `counts[i]` its head count (at least 1). `sidesTrusted` is false while the background is first
    /// learnt: blobs are followed then, but the sides they are seen on only hold until a blob is seen
    /// clearly on a side, for `confirmationFrames` frames in a row, once trusted.
    public mutating func update(feet: [Point], counts: [Int], sidesTrusted: Bool = true) {
        self.sidesTrusted = sidesTrusted
        for l in 0..<lines.count {
            lastIn[l] = 0
            lastOut[l] = 0
        }
        guard !lines.isEmpty else { return }
        frame += 1
        // Candidate pairs within the gate, nearest first.
        candidates.removeAll(keepingCapacity: true)
        for t in 0..<capacity where active[t] {
            let gate = Self.gate * scale.height(atFootRow: foot[t].y)
            let expected = predicted(t)
            for d in 0..<feet.count {
                let dx = feet[d].x - expected.x, dy = feet[d].y - expected.y
                let dist = (dx * dx + dy * dy).squareRoot()
                if dist <= gate { candidates.append((dist, t, d)) }
            }
        }
        candidates.sort { $0.distance < $1.distance }
        for t in 0..<capacity {
            previousFoot[t] = foot[t]
            previousPeople[t] = people[t]
        }
        detectionTaken.removeAll(keepingCapacity: true)
        for _ in 0..<feet.count { detectionTaken.append(false) }
        for t in 0..<capacity { trackTaken[t] = false }
        for c in candidates where !trackTaken[c.track] && !detectionTaken[c.detection] {
            trackTaken[c.track] = true
            detectionTaken[c.detection] = true
            move(track: c.track, to: feet[c.detection], people: counts[c.detection])
        }
        for t in 0..<capacity where active[t] && !trackTaken[t] {
            missed[t] += 1
            if missed[t] > Self.maximumMissed { active[t] = false }
        }
        for d in 0..<feet.count where !detectionTaken[d] {
            start(at: feet[d], people: counts[d], splitFrom: parentGroup(of: feet[d]))
        }
    }

    /// Where followed blob `t` is expected this frame: its last foot point moved on by its velocity for
    /// each frame since it was seen.
    func predicted(_ t: Int) -> Point {
        let frames = Double(missed[t] + 1)
        return Point(x: foot[t].x + velocity[t].x * frames, y: foot[t].y + velocity[t].y * frames)
    }

    /// The followed blob that a new blob at `p` most likely split from: the nearest seen this frame, within
    /// a person's height of it. Nil when there is none.
    func parentGroup(of p: Point) -> Int? {
        var best: Int?, bestDistance = Double.infinity
        for t in 0..<capacity where active[t] && trackTaken[t] && missed[t] == 0 {
            // Someone hidden behind a group stands up to a person's height above its bottom.
            let gate = scale.height(atFootRow: previousFoot[t].y)
            let dx = p.x - previousFoot[t].x, dy = p.y - previousFoot[t].y
            let dist = (dx * dx + dy * dy).squareRoot()
            if dist <= gate && dist < bestDistance {
                best = t
                bestDistance = dist
            }
        }
        return best
    }

    /// Starts following a new blob. One that split off a group was on the group's side of each line until
    /// now (a person who walked behind others and came out on the far side crossed), so it starts there.
    mutating func start(at p: Point, people n: Int, splitFrom parent: Int? = nil) {
        guard let t = active.firstIndex(of: false) else { return }
        active[t] = true
        foot[t] = p
        velocity[t] = Point(x: 0, y: 0)
        hasMoved[t] = false
        people[t] = n
        missed[t] = 0
        serial[t] += 1
        firstFrame[t] = frame
        splitFrom[t] = parent ?? -1
        splitFromSerial[t] = parent.map { serial[$0] } ?? 0
        groupPeople[t] = parent.map { previousPeople[$0] } ?? 0
        for l in 0..<lines.count {
            let k = t * lines.count + l
            let clear = clearSide(of: p, line: l)
            // First seen on the line itself: it came from the side its foot is on (a person is not seen
            // for the first time mid-stride across a line more often than they step onto it).
            side[k] = clear != 0 ? clear : rawSide(of: p, line: l)
            pending[k] = 0
            lastCrossingFrame[k] = Int.min
            sideTrusted[k] = sidesTrusted
            framesOnSide[k] = 0
            if let parent {
                let inherited = side[parent * lines.count + l]
                if inherited != 0 && inherited != side[k] && withinExtent(p, line: l) {
                    side[k] = inherited
                    sideTrusted[k] = sideTrusted[parent * lines.count + l]
                    // Already clearly across: one more frame there confirms the crossing.
                    pending[k] = clear != 0 ? 1 : 0
                }
            }
        }
    }

    mutating func move(track t: Int, to p: Point, people n: Int) {
        for l in 0..<lines.count {
            let k = t * lines.count + l
            let now = clearSide(of: p, line: l)
            let before = side[k]
            if now == 0 {
                framesOnSide[k] = 0
                continue
            }
            if before == 0 {
                side[k] = now
                sideTrusted[k] = sidesTrusted
                continue
            }
            if now == before {
                pending[k] = 0
                if !sidesTrusted {
                    framesOnSide[k] = 0
                } else if framesOnSide[k] < Self.confirmationFrames {
                    framesOnSide[k] += 1
                    if framesOnSide[k] >= Self.confirmationFrames { sideTrusted[k] = true }
                }
                continue
            }
            guard sideTrusted[k] else {
                // Its side was seen only before the background was learnt (perhaps someone else's, their
                // tracks swapped as they met): where it is now is its side, not a crossing.
                side[k] = now
                pending[k] = 0
                framesOnSide[k] = sidesTrusted ? 1 : 0
                continue
            }
            guard withinExtent(p, line: l) && withinExtent(foot[t], line: l) || pending[k] > 0 else {
                // Went round the end of the segment: not a crossing.
                side[k] = now
                sideTrusted[k] = sidesTrusted
                continue
            }
            // Clearly on the other side: count once it has stayed there for a second frame, so a blob
            // that wobbles across the line and back (a merge, an occluder) counts nothing.
            pending[k] += 1
            framesOnSide[k] = 0
            if pending[k] >= Self.confirmationFrames {
                // Blobs merge and split; count the smaller of the two views of how many crossed.
                let crossed = min(max(min(people[t], n), 1), peopleLeftInGroup(of: t, line: l, side: now))
                lastCrossingFrame[k] = frame
                lastCrossingSide[k] = now
                lastCrossingPeople[k] = crossed
                if now > 0 {
                    lastIn[l] += crossed
                    totalIn[l] += crossed
                } else {
                    lastOut[l] += crossed
                    totalOut[l] += crossed
                }
                side[k] = now
                pending[k] = 0
            }
        }
        // The step per frame since it was last seen, smoothed.
        let frames = Double(missed[t] + 1)
        let step = Point(x: (p.x - foot[t].x) / frames, y: (p.y - foot[t].y) / frames)
        if hasMoved[t] {
            velocity[t] = Point(
                x: velocity[t].x + Self.velocitySmoothing * (step.x - velocity[t].x),
                y: velocity[t].y + Self.velocitySmoothing * (step.y - velocity[t].y))
        } else {
            velocity[t] = step
            hasMoved[t] = true
        }
        foot[t] = p
        people[t] = n
        missed[t] = 0
    }

    /// How many more people followed blob `t` may count crossing line `l` towards `side` now: a blob and
    /// the one it split from are one group, and when the other crossed the same way since the split and
    /// within `confirmationFrames` frames, the two count no more than the people the group held.
    /// (Int.max when no relative crossed.)
    func peopleLeftInGroup(of t: Int, line l: Int, side now: Int8) -> Int {
        var left = Int.max
        let parent = splitFrom[t]
        if parent >= 0 && serial[parent] == splitFromSerial[t] {
            let k = parent * lines.count + l
            if crossedRecently(k, side: now, since: firstFrame[t]) {
                left = min(left, max(groupPeople[t] - lastCrossingPeople[k], 0))
            }
        }
        for c in 0..<capacity where active[c] && splitFrom[c] == t && splitFromSerial[c] == serial[t] {
            let k = c * lines.count + l
            if crossedRecently(k, side: now, since: firstFrame[c]) {
                left = min(left, max(groupPeople[c] - lastCrossingPeople[k], 0))
            }
        }
        return left
    }

    /// Whether slot-and-line `k` crossed towards `side` at or after frame `since` and within
    /// `confirmationFrames` frames of now.
    func crossedRecently(_ k: Int, side now: Int8, since: Int) -> Bool {
        let f = lastCrossingFrame[k]
        return f != Int.min && f >= since && lastCrossingSide[k] == now && frame - f <= Int(Self.confirmationFrames)
    }

    /// Frames a blob must be seen on the new side before its crossing counts.
    public static let confirmationFrames: Int8 = 2

    /// +1 on the `in` side, -1 on the `out` side, 0 within the margin of the line.
    func clearSide(of p: Point, line l: Int) -> Int8 {
        let distance = lines[l].side(of: p) / lineLength[l]
        let margin = 0.1 * scale.height(atFootRow: p.y)
        return distance > margin ? 1 : (distance < -margin ? -1 : 0)
    }

    /// +1 or -1: the side of the line `p` is on, however close (0 only exactly on it).
    func rawSide(of p: Point, line l: Int) -> Int8 {
        let distance = lines[l].side(of: p)
        return distance > 0 ? 1 : (distance < 0 ? -1 : 0)
    }

    /// Whether `p` projects onto the segment (not its extension), with a little slack.
    func withinExtent(_ p: Point, line l: Int) -> Bool {
        let line = lines[l]
        let vx = line.to.x - line.from.x, vy = line.to.y - line.from.y
        let t = ((p.x - line.from.x) * vx + (p.y - line.from.y) * vy) / lineLengthSquared[l]
        return t >= -0.02 && t <= 1.02
    }
}
