import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem

extension Daemon {
    /// Frames from a clip at clip time (origin + i * den/num s), inputs from a trace in the same time,
    /// everything else as on the board. Paced at the clip rate times --speed (0: flat out).
    mutating func runReplay(clip: String, site: SiteConfig, board: BoardConfig?, trace: GPIOTrace) throws(Failure) {
        let reader: ClipReader
        do {
            reader = try ClipReader(path: clip)
        } catch {
            throw Failure("\(error.description); check the path given to --replay")
        }
        let rate = reader.framesPerSecond
        let time = ClipTime(originSeconds: options.startSeconds, numerator: rate.numerator, denominator: rate.denominator)
        let agent = Agent(site: site, intervalSeconds: options.interval, framePeriodMicros: time.framePeriodMicros)
        var inputs = InputSet(board: board)
        var nextEvent = 0
        emit(agent.start(atMicros: time.originMicros))
        agent.cameraStreaming(true)
        uplinkSession?.camera("replay")
        try confine()
        notifier.ready("replaying \(clip)")
        let paceStart = SystemClock.monotonicMicros
        var index = 0
        while true {
            let t = time.micros(ofFrame: index)
            // Trace edges and debounce deadlines up to this frame, in time order.
            while true {
                let edgeAt = nextEvent < trace.events.count ? time.originMicros + trace.events[nextEvent].micros : Int64.max
                let settleAt = inputs.nextDeadline ?? Int64.max
                let at = min(edgeAt, settleAt)
                guard at <= t else { break }
                var changes: [(GPIORole, Bool)] = []
                if edgeAt <= settleAt {
                    let event = trace.events[nextEvent]
                    nextEvent += 1
                    if let change = inputs.edge(event.role, raw: event.active, atMicros: at) { changes.append(change) }
                } else {
                    changes = inputs.settle(atMicros: at)
                }
                for (role, active) in changes { emit(agent.input(role, active: active, atMicros: at)) }
            }
            if options.speedMillis > 0 {
                pace(untilMonotonicMicros: paceStart + (t - time.originMicros) * 1000 / options.speedMillis)
            } else {
                uplinkSession?.service(timeoutMs: 0)
            }
            if SignalFlags.takeStop() {
                stopRequested = true
                break
            }
            if SignalFlags.takeReload(), let path = options.site {
                do {
                    let reloaded = try Daemon.loadSite(path)
                    sequence.suppressBelow = reloaded.suppressBelow
                    emit(agent.reload(site: reloaded, atMicros: t))
                } catch {
                    Console.error("\(error.message) (kept the previous site)")
                }
            }
            let next: GreyImage?
            do {
                next = try reader.nextFrame()
            } catch {
                emit(agent.finish())
                throw Failure("\(error.description); check the clip")
            }
            guard let frame = next else { break }
            emit(agent.tick(atMicros: t))
            emit(agent.frame(frame, atMicros: t))
            notifier.watchdog()
            index += 1
        }
        agent.cameraStreaming(false)
        emit(agent.finish())
    }
}

/// The board's inputs, each with its debouncer (a replay without a board debounces nothing).
struct InputSet {
    var debouncers: [(role: GPIORole, debouncer: Debouncer)] = []

    init(board: BoardConfig?) {
        for role in [GPIORole.pir, .tamper, .light, .button] {
            let ms = board?.assignment(for: role)?.debounceMs ?? 0
            debouncers.append((role, Debouncer(intervalMicros: Int64(ms) * 1000)))
        }
    }

    var nextDeadline: Int64? {
        var best: Int64?
        for d in debouncers { if let at = d.debouncer.deadline, best == nil || at < best! { best = at } }
        return best
    }

    mutating func edge(_ role: GPIORole, raw: Bool, atMicros t: Int64) -> (GPIORole, Bool)? {
        for i in 0..<debouncers.count where debouncers[i].role == role {
            if let level = debouncers[i].debouncer.edge(raw, atMicros: t) { return (role, level) }
        }
        return nil
    }

    mutating func settle(atMicros t: Int64) -> [(GPIORole, Bool)] {
        var changes: [(GPIORole, Bool)] = []
        for i in 0..<debouncers.count {
            if let level = debouncers[i].debouncer.settle(atMicros: t) { changes.append((debouncers[i].role, level)) }
        }
        return changes
    }
}
