import Foundation
import LanternCore
import LanternRuntime
import Synchronization

/// What `lantern-sim studio` serves, without the HTTP: the clip's frames as PNG, a drawn site checked by
/// the real site parser (errors with the key path of the shape that caused them), the site saved, and
/// the drawn site replayed through the board's run loop and agent (`Replay`), one estimate per frame.
/// Immutable once made, so the server's handlers may share it.
public final class StudioSession: Sendable {
    public let clipPath: String
    /// Where `save` writes (the `--site` file, or site.json beside the clip).
    public let sitePath: String
    public let width: Int
    public let height: Int
    public let framesPerSecond: Double
    /// The frames offered (the clip's first frames, at most `maximumFrames`), `width * height` bytes each.
    let frames: [[UInt8]]
    /// The site file's text when it exists (the page starts from it), else nil.
    public let siteText: String?
    /// Measures the person under a click (the one-click-per-person calibration); made at the first click.
    let personFinder = Mutex<PersonFinder?>(nil)

    /// At most this many frames are held (about 110 MB at 384x288).
    public static let maximumFrames = 1000
    /// A site file posted by the page is at most this big (the parser's own limit).
    public static let maximumSiteBytes = 1 << 20

    public init(clipPath: String, sitePath: String) throws(SimulatorError) {
        self.clipPath = clipPath
        self.sitePath = sitePath
        var held: [[UInt8]] = []
        do {
            let reader = try ClipReader(path: clipPath)
            width = reader.header.width
            height = reader.header.height
            let rate = reader.framesPerSecond
            framesPerSecond = Double(rate.numerator) / Double(max(rate.denominator, 1))
            let budget = min(StudioSession.maximumFrames, max(1, (512 << 20) / max(width * height, 1)))
            while held.count < budget, let frame = try reader.nextFrame() {
                var pixels = [UInt8](repeating: 0, count: width * height)
                for y in 0..<height {
                    let row = frame.row(y)
                    for x in 0..<width { pixels[y * width + x] = row[x] }
                }
                held.append(pixels)
            }
        } catch {
            if case .cannotOpen = error.reason { throw SimulatorError(error.description, status: .noInput) }
            throw SimulatorError(error.description, status: .dataError)
        }
        guard !held.isEmpty else { throw SimulatorError("\(clipPath): the clip has no frames; nothing to show") }
        frames = held
        if FileManager.default.fileExists(atPath: sitePath) {
            let bytes = try readBytes(sitePath, limit: StudioSession.maximumSiteBytes, tooLarge: .configuration)
            siteText = String(decoding: bytes, as: UTF8.self)
        } else {
            siteText = nil
        }
    }

    public var frameCount: Int { frames.count }

    /// The frame as a grey PNG, or nil for a frame the clip does not have.
    public func framePNG(_ index: Int) -> [UInt8]? {
        guard frames.indices.contains(index) else { return nil }
        return PNGImage(width: width, height: height, pixels: .grey, data: frames[index]).bytes
    }

    /// What the page needs first: the clip's size, frame count and rate, and the site file's text.
    public var infoJSON: String {
        var w = JSONWriter()
        w.beginObject()
        w.field("clip", clipPath)
        w.field("sitePath", sitePath)
        w.field("width", width)
        w.field("height", height)
        w.field("frames", frames.count)
        w.field("fps", framesPerSecond, places: 3)
        w.key("siteText")
        if let siteText { w.string(siteText) } else { w.null() }
        w.endObject()
        return w.text
    }

    /// A drawn site checked as `lanternd` and `lantern-sim` would check the file: the parser, then its fit
    /// to this clip's frames.
    public enum Check {
        case valid(SiteConfig)
        /// The one-line message, and the key path it is about (`zones[1].points`, `lines[0]`, `crop`, ...; empty for the document).
        case invalid(message: String, path: String)
    }

    public func check(_ json: [UInt8]) -> Check {
        let source = (sitePath as NSString).lastPathComponent
        guard json.count <= StudioSession.maximumSiteBytes else {
            return .invalid(message: "\(source): larger than 1 MB", path: "")
        }
        let site: SiteConfig
        do {
            site = try SiteConfig.parse(json: json, source: source)
        } catch {
            switch error.location {
            case .keyPath(let path): return .invalid(message: error.description, path: path)
            case .text: return .invalid(message: error.description, path: "")
            }
        }
        if let problem = site.fitProblem(width: width, height: height) {
            // The clause starts with the key it is about: `zones[1] (name) ...`, `crop (...)`, `frame is ...`.
            let key = problem.prefix { $0 != " " }
            return .invalid(message: "\(source): \(problem)", path: String(key))
        }
        return .valid(site)
    }

    /// The check as the page reads it: `{"ok":true}` or `{"ok":false,"message":...,"path":...}`.
    public func checkJSON(_ json: [UInt8]) -> String {
        var w = JSONWriter()
        w.beginObject()
        switch check(json) {
        case .valid(let site):
            w.field("ok", true)
            w.field("zones", site.zones.count)
            w.field("lines", site.lines.count)
        case .invalid(let message, let path):
            w.field("ok", false)
            w.field("message", ShownText.line(message))
            w.field("path", path)
        }
        w.endObject()
        return w.text
    }

    /// Writes the site file when it passes the check; returns the check's JSON (with `saved` when written).
    public func save(_ json: [UInt8]) -> String {
        guard case .valid = check(json) else { return checkJSON(json) }
        var w = JSONWriter()
        w.beginObject()
        do {
            try Data(json).write(to: URL(fileURLWithPath: sitePath))
            w.field("ok", true)
            w.field("saved", sitePath)
        } catch {
            w.field("ok", false)
            w.field("message", ShownText.line("\(sitePath): cannot write it (\(error.localizedDescription))"))
            w.field("path", "")
        }
        w.endObject()
        return w.text
    }

    /// Replays the clip with the drawn site through the board's run loop and agent: one object per frame
    /// (`frame`, `count`, `trusted`, `zones` in site order, `in`/`out` crossings of each line so far,
    /// the blobs' foot points), or the check's error.
    public func replayJSON(_ json: [UInt8], warmup: Int = 50) -> String {
        guard case .valid(let site) = check(json) else { return checkJSON(json) }
        var w = JSONWriter(reservingCapacity: 96 * frames.count)
        w.beginObject()
        w.field("ok", true)
        w.field("warmup", warmup)
        w.key("frames")
        w.beginArray()
        var replay = Replay(clipPath: clipPath, site: site, warmup: warmup)
        replay.siteName = sitePath
        do {
            _ = try replay.run(onFrame: { frame, agent in
                w.beginObject()
                w.field("frame", frame.index)
                w.field("count", frame.estimate.count)
                w.field("people", frame.estimate.people, places: 2)
                w.field("trusted", frame.estimate.trusted)
                w.key("zones")
                w.array { a in for c in frame.zoneCounts { a.integer(c) } }
                w.key("in")
                w.array { a in for c in agent.estimator?.totalCrossingsIn ?? [] { a.integer(c) } }
                w.key("out")
                w.array { a in for c in agent.estimator?.totalCrossingsOut ?? [] { a.integer(c) } }
                w.endObject()
            })
        } catch {
            var e = JSONWriter()
            e.beginObject()
            e.field("ok", false)
            e.field("message", ShownText.line(error.description))
            e.field("path", "")
            e.endObject()
            return e.text
        }
        w.endArray()
        w.endObject()
        return w.text
    }

    /// The person under a click at (`x`, `y`) in frame `index`, for the calibration:
    /// `{"ok":true,"row":feet,"height":px,"head":row,"left":x,"right":x}`, or why none was found.
    public func personJSON(frame index: Int, x: Int, y: Int) -> String {
        var w = JSONWriter()
        w.beginObject()
        guard frames.indices.contains(index) else {
            w.field("ok", false)
            w.field("message", "frame \(index) is not one of the \(frames.count) frames shown")
            w.endObject()
            return w.text
        }
        let finder = personFinder.withLock { held in
            let finder = held ?? PersonFinder(width: width, height: height, frames: frames)
            held = finder
            return finder
        }
        if let person = finder.person(in: frames[index], x: x, y: y) {
            w.field("ok", true)
            w.field("row", person.feetRow)
            w.field("height", person.height)
            w.field("head", person.headRow)
            w.field("left", person.left)
            w.field("right", person.right)
        } else {
            w.field("ok", false)
            w.field("message", "no person found at (\(x), \(y)) in frame \(index): click on a walking person who stands apart "
                + "(a still one is part of the background), or pick another frame, or measure by hand (feet, head)")
        }
        w.endObject()
        return w.text
    }

    /// The self-calibration of this clip (`ClipCalibration`, what `lantern-sim calibrate` fits from the lone
    /// walkers, no truth needed) as `{"ok":true,"personHeights":[{"row":..,"height":..},..],"summary":...}`,
    /// or why there is no fit.
    public func selfCalibrationJSON() -> String {
        var w = JSONWriter()
        w.beginObject()
        let watched: ClipCalibration
        do {
            watched = try ClipCalibration.watch(clipPath: clipPath)
        } catch {
            w.field("ok", false)
            w.field("message", ShownText.line(error.description))
            w.endObject()
            return w.text
        }
        switch watched.fit {
        case .success(let fit):
            w.field("ok", true)
            w.key("personHeights")
            w.array { a in
                for s in fit.personScale.samples {
                    a.object { o in
                        o.field("row", s.row, places: 0)
                        o.field("height", s.height, places: 1)
                    }
                }
            }
            let (a, b) = fit.proposedRows
            w.field("summary", "\(fit.walkers) walkers; \(formatFixed(fit.height(atRow: a), places: 1)) ± \(formatFixed(fit.standardError(atRow: a), places: 1)) px at row \(Int(a)), "
                + "\(formatFixed(fit.height(atRow: b), places: 1)) ± \(formatFixed(fit.standardError(atRow: b), places: 1)) px at row \(Int(b))")
        case .failure(let error):
            w.field("ok", false)
            w.field("message", "self-calibration: " + error.description + "; or click the feet and head of two people")
        }
        w.endObject()
        return w.text
    }
}
