import ArgumentParser
import Foundation
import LanternCore
import LanternRuntime
import LanternSim

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit the person height per image row from the people walking in a clip (no ground truth).",
        discussion: """
            Lone walkers are found in the estimator's foreground (whole, person-shaped, alone, followed over \
            frames and moving); a line height = a + b * row is fitted to their heights at the rows of their \
            feet, robustly (consensus, then least squares on the inliers), with a bootstrap over walkers for \
            its standard error. -o writes a site file to start from.
            """
    )

    @Argument(help: "The clip (YUV4MPEG2; `-` for standard input; another video format through ffmpeg).")
    var clip: String

    @Option(name: .shortAndLong, help: "Write a site skeleton (frame size, this calibration, one zone covering the frame) to FILE.")
    var output: String?

    @Option(help: "Annotated boxes.csv (frame,id,x,y,w,h): also fit from them and print both fits side by side.")
    var boxes: String?

    @Option(help: "Also state the fits at these rows (comma-separated).")
    var rows: String?

    @Option(help: "The site skeleton's name.")
    var name: String = "self-calibrated site"

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try reportingErrors(logging, calibrate)
    }

    func calibrate() throws(SimulatorError) {
        var extraRows: [Double] = []
        if let rows {
            for part in rows.split(separator: ",") {
                guard let r = Double(part.trimmingCharacters(in: .whitespaces)), r.isFinite else {
                    throw SimulatorError("--rows: '\(part)' is not a row; give rows like 80,200", status: .usage)
                }
                extraRows.append(r)
            }
        }
        let truthBoxes = try boxes.map { path throws(SimulatorError) in try TruthBox.load(boxesCSV: path) }
        let watched = try ClipCalibration.watch(clipPath: clip)
        var boxFit: Result<PersonHeightFit, PersonHeightFitError>?
        if let truthBoxes {
            let samples = ClipCalibration.samples(boxes: truthBoxes, frameHeight: watched.frameHeight)
            do {
                boxFit = .success(try PersonHeightFit.fit(samples, minimumRowSpan: Double(watched.frameHeight) / 10))
            } catch {
                boxFit = .failure(error)
            }
        }
        let size = "\(watched.frameWidth)x\(watched.frameHeight)"
        if json {
            var w = JSONWriter()
            w.beginObject()
            w.field("frames", watched.frames)
            w.field("width", watched.frameWidth)
            w.field("height", watched.frameHeight)
            w.key("walkers")
            Self.write(watched.fit, rows: extraRows, into: &w)
            if let boxFit {
                w.key("boxes")
                Self.write(boxFit, rows: extraRows, into: &w)
            }
            w.endObject()
            print(w.text)
        } else {
            print("clip \(clip): \(size), \(watched.frames) frames (\(watched.trustedFrames) with the background learnt)")
            let columns: [(String, Result<PersonHeightFit, PersonHeightFitError>)] = [("walkers (no truth)", watched.fit)] + (boxFit.map { [("boxes", $0)] } ?? [])
            for (title, fit) in columns {
                switch fit {
                case .success(let f):
                    print("\(title): height = \(formatFixed(f.intercept, places: 2)) + \(formatFixed(f.slope, places: 4)) * row; "
                        + "\(f.inliers) of \(f.samples) samples from \(f.walkers) walkers, rows \(formatFixed(f.firstRow, places: 0))-\(formatFixed(f.lastRow, places: 0)), spread \(formatFixed(100 * f.relativeSpread, places: 1))%")
                case .failure(let e):
                    print("\(title): no fit: \(e.description)")
                }
            }
            // The fits side by side at the proposed rows (the walkers' fit's) and any asked for.
            var shownRows = extraRows
            if case .success(let f) = watched.fit { shownRows = [f.proposedRows.0, f.proposedRows.1] + extraRows }
            else if let boxFit, case .success(let f) = boxFit { shownRows = [f.proposedRows.0, f.proposedRows.1] + extraRows }
            for row in shownRows {
                var line = "row \(formatFixed(row, places: 0)):"
                for (title, fit) in columns {
                    let name = title.split(separator: " ").first.map(String.init) ?? title
                    if case .success(let f) = fit {
                        line += " \(name) \(formatFixed(f.height(atRow: row), places: 1)) ± \(formatFixed(f.standardError(atRow: row), places: 1)) px"
                    } else {
                        line += " \(name) -"
                    }
                }
                print(line)
            }
            if case .success(let f) = watched.fit {
                print("paste into the site file's calibration: " + SiteSkeleton.personHeightsLine(f.personScale))
            }
        }
        if let output {
            guard case .success(let f) = watched.fit else {
                throw SimulatorError("\(output): not written: no fit from the walkers of \(clip)", status: .dataError)
            }
            let text = SiteSkeleton.json(name: name, width: watched.frameWidth, height: watched.frameHeight, scale: f.personScale) + "\n"
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw SimulatorError("\(output): cannot write the site file (\(error.localizedDescription)); check the folder exists and is writable", status: .cannotCreate)
            }
            if !json { print("site skeleton written to \(output)") }
        }
        if case .failure = watched.fit { throw SimulatorError("no fit from the walkers of \(clip)", status: .findingFailed) }
    }

    static func write(_ fit: Result<PersonHeightFit, PersonHeightFitError>, rows: [Double], into w: inout JSONWriter) {
        w.beginObject()
        switch fit {
        case .success(let f):
            w.field("intercept", f.intercept, places: 3)
            w.field("slope", f.slope, places: 5)
            w.field("samples", f.samples)
            w.field("inliers", f.inliers)
            w.field("walkers", f.walkers)
            w.field("firstRow", f.firstRow, places: 0)
            w.field("lastRow", f.lastRow, places: 0)
            w.key("personHeights")
            w.beginArray()
            for row in [f.proposedRows.0, f.proposedRows.1] + rows {
                w.beginObject()
                w.field("row", row, places: 0)
                w.field("height", f.height(atRow: row), places: 2)
                w.field("standardError", f.standardError(atRow: row), places: 2)
                w.endObject()
            }
            w.endArray()
        case .failure(let e):
            w.field("error", e.description)
        }
        w.endObject()
    }
}
