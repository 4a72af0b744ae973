import LanternAgent
import LanternCore
import LanternHardware
import LanternRuntime
import LanternSystem

/// `lanternd check --calibrate`: the person height per image row fitted from the people walking past
/// (`SelfCalibration` through the run loop, `PersonHeightFit`), from the camera for `--seconds`, or from
/// a clip with `--replay`. Only numbers are kept: blob heights at the rows of their feet. Proposes the
/// `personHeights` line to paste into the site file, and compares it with the site's when one is given.
enum CheckCalibration {
    static func run(_ parsed: ParsedOptions, boardPath: String?, sitePath: String?) throws(Failure) -> ExitStatus {
        let seconds: Int64
        do throws(UsageError) {
            seconds = try parsed.integer("--seconds", in: 10...3600, example: 300) ?? 300
        } catch {
            throw Failure(error.message + " (with --calibrate: 10 to 3600)", code: .usage)
        }
        var site: SiteConfig?
        if let sitePath, parsed.value("--site") != nil || parsed.value("--config-dir") != nil {
            do throws(Failure) {
                site = try ConfigFiles.site(sitePath)
            } catch {
                Console.line("WARN  site: \(error.message); the fit is not compared with it")
            }
        }
        let source: any FrameSource
        let clock: any RunClock
        if let clip = parsed.value("--replay") {
            do throws(FrameSourceError) {
                source = try ClipSource(path: clip)
            } catch {
                throw Failure("\(error.description); check the path given to --replay", code: .dataError)
            }
            clock = ManualClock()
        } else {
            guard let boardPath else {
                throw Failure("--calibrate needs --config-dir DIR, --board FILE or --replay CLIP", code: .usage)
            }
            let camera = CameraSource(spec: try ConfigFiles.board(boardPath).camera)
            do throws(FrameSourceError) {
                try camera.open()
            } catch {
                Console.line("FAIL  camera: \(error.description); check the camera cable and camera.device in the board file")
                return .findingFailed
            }
            source = camera
            clock = SystemRunClock()
        }
        let calibration = SelfCalibration(source: source, clock: clock, signals: ProcessSignals())
        if !source.isRecorded {
            calibration.loop.durationMicros = seconds * 1_000_000
            Console.line("calibrate: watching \(source.name) for \(seconds) s; people should walk through the whole view (Ctrl-C ends it early)")
        }
        try calibration.run()
        let walkers = calibration.tracker?.walkersSampled ?? 0
        Console.line("calibrate: \(calibration.frames) frames (\(calibration.trustedFrames) with the background learnt), \(calibration.samples.count) samples of \(walkers) lone walkers")
        let fit: PersonHeightFit
        do throws(PersonHeightFitError) {
            fit = try calibration.fit()
        } catch {
            Console.line("FAIL  calibration: \(error.description)")
            return .findingFailed
        }
        let (a, b) = fit.proposedRows
        Console.line("PASS  calibration: height = \(formatFixed(fit.intercept, places: 2)) + \(formatFixed(fit.slope, places: 4)) * row, "
            + "\(fit.inliers) of \(fit.samples) samples from \(fit.walkers) walkers, feet at rows \(formatFixed(fit.firstRow, places: 0))-\(formatFixed(fit.lastRow, places: 0))")
        for row in [a, b] {
            var line = "      row \(formatFixed(row, places: 0)): \(formatFixed(fit.height(atRow: row), places: 1)) ± \(formatFixed(fit.standardError(atRow: row), places: 1)) px"
            if let site {
                let current = site.scale.height(atFootRow: row)
                line += " (the site file says \(formatFixed(current, places: 1)), \(formatSigned(100 * (fit.height(atRow: row) - current) / current, places: 0))%)"
            }
            Console.line(line)
        }
        Console.line("paste into the site file's \"calibration\": " + SiteSkeleton.personHeightsLine(fit.personScale))
        return .success
    }
}
