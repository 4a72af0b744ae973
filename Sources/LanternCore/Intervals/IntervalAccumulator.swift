/// Bins per-frame results into fixed reporting intervals aligned to the clock (an interval of 60 s
/// starts on the minute), and closes each into one `IntervalRecord` for the whole view, one per zone and
/// one per counting line (in that order).
///
/// Time is passed in, in microseconds since the epoch, so replays are reproducible and tests can drive
/// it by hand. Nothing here allocates per frame; closing an interval builds its records.
public struct IntervalAccumulator {
    public let lengthSeconds: Int64
    /// The camera's nominal frame period: the most one frame can account for in `coverage`.
    public let framePeriodMicros: Int64
    public let zoneNames: [String]
    public let lineNames: [String]
    /// For each line, the zones (indices) its midpoint lies in: crossings count towards those zones.
    let lineZones: [[Int]]
    /// Coverage below this makes an interval `unknown`.
    public var minimumCoverage = 0.5

    var current: Int64?  // start of the open interval, seconds
    var frames = 0
    var coveredMicros: Int64 = 0
    var lastFrameMicros: Int64?
    var sum: [Double]  // [whole view, zones...]
    var maximum: [Int]
    /// People x microseconds, [whole view, zones...].
    var personMicros: [Double]
    var crossingsIn: [Int]
    var crossingsOut: [Int]
    /// Microseconds seen with at least one person present, [whole view, zones...].
    var occupiedMicros: [Int64]
    /// Each line's own crossings, in site line order.
    var lineCrossingsIn: [Int]
    var lineCrossingsOut: [Int]
    var pirEvents = 0
    var darkMicros: Int64 = 0
    var lightKnown = false
    var dark = false
    var lastLightMicros: Int64?
    var tampered = false
    var tamperOpen = false

    public init(site: SiteConfig, lengthSeconds: Int, framePeriodMicros: Int64) {
        precondition(lengthSeconds >= 1 && framePeriodMicros >= 1)
        self.lengthSeconds = Int64(lengthSeconds)
        self.framePeriodMicros = framePeriodMicros
        zoneNames = site.zones.map { $0.name }
        lineNames = site.lines.map { $0.name }
        var lz: [[Int]] = []
        for line in site.lines {
            let mid = Point(x: (line.from.x + line.to.x) / 2, y: (line.from.y + line.to.y) / 2)
            var zones: [Int] = []
            for (i, zone) in site.zones.enumerated() where zone.area.contains(mid) { zones.append(i) }
            lz.append(zones)
        }
        lineZones = lz
        sum = [Double](repeating: 0, count: site.zones.count + 1)
        maximum = [Int](repeating: 0, count: site.zones.count + 1)
        personMicros = sum
        crossingsIn = sum.map { _ in 0 }
        crossingsOut = crossingsIn
        occupiedMicros = [Int64](repeating: 0, count: site.zones.count + 1)
        lineCrossingsIn = [Int](repeating: 0, count: site.lines.count)
        lineCrossingsOut = lineCrossingsIn
    }

    /// An accumulator for another site (a reloaded site file) that carries on from `previous`: the same
    /// open interval, the last frame's time, the light sensor's state and the cabinet's (an open or
    /// opened cabinet still marks the interval tamper). The per-zone tallies start empty, so make it
    /// when `previous` has just closed an interval and nothing was added since.
    public init(site: SiteConfig, lengthSeconds: Int, framePeriodMicros: Int64, continuing previous: IntervalAccumulator) {
        self.init(site: site, lengthSeconds: lengthSeconds, framePeriodMicros: framePeriodMicros)
        minimumCoverage = previous.minimumCoverage
        current = previous.current
        frames = previous.frames
        coveredMicros = previous.coveredMicros
        lastFrameMicros = previous.lastFrameMicros
        pirEvents = previous.pirEvents
        darkMicros = previous.darkMicros
        lightKnown = previous.lightKnown
        dark = previous.dark
        lastLightMicros = previous.lastLightMicros
        tampered = previous.tampered
        tamperOpen = previous.tamperOpen
    }

    /// The start of the open interval (seconds since the epoch); nil before the first time is given
    /// and after `finish()`.
    public var openIntervalStart: Int64? { current }

    /// Adds one analysed frame. `zoneCounts` is in site zone order; `lineIn`/`lineOut` are the crossings
    /// of each site line seen with this frame. `trusted` is false while the cabinet is open.
    /// Returns the intervals this frame closed (usually none).
    public mutating func addFrame(
        atMicros t: Int64, count: Int, zoneCounts: [Int], lineIn: [Int], lineOut: [Int], trusted: Bool = true
    ) -> [IntervalRecord] {
        let closed = advance(toMicros: t)
        if trusted && !tamperOpen {
            let gap = lastFrameMicros.map { min(t - $0, 2 * framePeriodMicros) } ?? framePeriodMicros
            coveredMicros += max(gap, 0)
            frames += 1
            let seenMicros = max(gap, 0)
            let seen = Double(seenMicros)
            sum[0] += Double(count)
            maximum[0] = max(maximum[0], count)
            personMicros[0] += Double(count) * seen
            if count > 0 { occupiedMicros[0] += seenMicros }
            for z in 0..<zoneCounts.count where z + 1 < sum.count {
                sum[z + 1] += Double(zoneCounts[z])
                maximum[z + 1] = max(maximum[z + 1], zoneCounts[z])
                personMicros[z + 1] += Double(zoneCounts[z]) * seen
                if zoneCounts[z] > 0 { occupiedMicros[z + 1] += seenMicros }
            }
            for l in 0..<min(lineIn.count, lineZones.count) {
                crossingsIn[0] += lineIn[l]
                crossingsOut[0] += lineOut[l]
                lineCrossingsIn[l] += lineIn[l]
                lineCrossingsOut[l] += lineOut[l]
                for z in lineZones[l] {
                    crossingsIn[z + 1] += lineIn[l]
                    crossingsOut[z + 1] += lineOut[l]
                }
            }
        }
        lastFrameMicros = t
        return closed
    }

    /// A PIR activation.
    public mutating func addMotion(atMicros t: Int64) -> [IntervalRecord] {
        let closed = advance(toMicros: t)
        pirEvents += 1
        return closed
    }

    /// The light sensor's state changed (or was first read).
    public mutating func setDark(_ isDark: Bool, atMicros t: Int64) -> [IntervalRecord] {
        let closed = advance(toMicros: t)
        accountLight(until: t)
        lightKnown = true
        dark = isDark
        return closed
    }

    /// The cabinet's tamper switch opened (true) or closed (false). While open the camera is not trusted.
    public mutating func setTamper(open: Bool, atMicros t: Int64) -> [IntervalRecord] {
        let closed = advance(toMicros: t)
        tamperOpen = open
        if open { tampered = true }
        return closed
    }

    /// Closes every interval that ended at or before `t` (also when no frame came: the camera is down,
    /// and those intervals close as `unknown`).
    public mutating func advance(toMicros t: Int64) -> [IntervalRecord] {
        let second = floorDiv(t, 1_000_000)
        let start = floorDiv(second, lengthSeconds) * lengthSeconds
        guard let open = current else {
            current = start
            lastLightMicros = t
            return []
        }
        guard start > open else { return [] }
        var closed: [IntervalRecord] = []
        var s = open
        while s < start {
            closeInterval(startingAt: s, into: &closed)
            s += lengthSeconds
            // Intervals with no frame at all in between: report them (unknown), but cap the burst.
            if closed.count > 10_000 { s = start }
        }
        current = start
        return closed
    }

    /// Closes the open interval now (at shutdown, the end of a replay): it is reported with the coverage
    /// it has, so a short last interval is honest about being short.
    public mutating func finish() -> [IntervalRecord] {
        guard let open = current else { return [] }
        var closed: [IntervalRecord] = []
        closeInterval(startingAt: open, into: &closed)
        current = nil
        return closed
    }

    mutating func accountLight(until t: Int64) {
        if lightKnown && dark, let last = lastLightMicros { darkMicros += max(t - last, 0) }
        lastLightMicros = t
    }

    mutating func closeInterval(startingAt s: Int64, into out: inout [IntervalRecord]) {
        let endMicros = (s + lengthSeconds) * 1_000_000
        accountLight(until: endMicros)
        let lengthMicros = lengthSeconds * 1_000_000
        let coverage = min(Double(coveredMicros) / Double(lengthMicros), 1)
        let status: IntervalRecord.Status = tampered ? .tamper : (coverage < minimumCoverage ? .unknown : .ok)
        let isDark: Bool? = lightKnown ? darkMicros * 2 >= lengthMicros : nil
        for i in 0..<sum.count {
            out.append(IntervalRecord(
                zone: i == 0 ? nil : zoneNames[i - 1],
                start: UTCTime(secondsSinceEpoch: s), end: UTCTime(secondsSinceEpoch: s + lengthSeconds),
                occupancyMean: frames > 0 ? sum[i] / Double(frames) : 0, occupancyMax: maximum[i],
                crossingsIn: crossingsIn[i], crossingsOut: crossingsOut[i], coverage: coverage, status: status,
                pirEvents: pirEvents, dark: isDark, frames: frames, personSeconds: personMicros[i] / 1_000_000,
                occupied: coveredMicros > 0 ? min(Double(occupiedMicros[i]) / Double(coveredMicros), 1) : 0))
        }
        for l in 0..<lineNames.count {
            out.append(IntervalRecord(
                zone: nil, start: UTCTime(secondsSinceEpoch: s), end: UTCTime(secondsSinceEpoch: s + lengthSeconds),
                occupancyMean: 0, occupancyMax: 0, crossingsIn: lineCrossingsIn[l], crossingsOut: lineCrossingsOut[l], coverage: coverage,
                status: status, pirEvents: pirEvents, dark: isDark, frames: frames, line: lineNames[l]))
            lineCrossingsIn[l] = 0
            lineCrossingsOut[l] = 0
        }
        frames = 0
        coveredMicros = 0
        for i in 0..<sum.count {
            sum[i] = 0
            maximum[i] = 0
            personMicros[i] = 0
            crossingsIn[i] = 0
            crossingsOut[i] = 0
            occupiedMicros[i] = 0
        }
        pirEvents = 0
        darkMicros = 0
        // A cabinet still open taints the next interval too.
        tampered = tamperOpen
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
