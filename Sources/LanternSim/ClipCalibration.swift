import LanternCore
import LanternRuntime

/// Self-calibration of a recorded clip (`lantern-sim calibrate`, and a site editor's "take the
/// self-calibration"): the clip through the board's run loop (`SelfCalibration`), and the fit of the
/// lone walkers' heights; or the same fit from annotated boxes.
public struct ClipCalibration {
    /// The fit, or why there is none.
    public var fit: Result<PersonHeightFit, PersonHeightFitError>
    /// The samples it was fitted from.
    public var samples: [PersonHeightSample]
    public var frameWidth: Int
    public var frameHeight: Int
    public var frames: Int
    public var trustedFrames: Int

    /// Watches the walkers of `clipPath` (a YUV4MPEG2 clip, `-`, or any file ffmpeg reads) and fits
    /// their heights.
    public static func watch(clipPath: String, options: PersonHeightFit.Options = PersonHeightFit.Options()) throws(SimulatorError) -> ClipCalibration {
        let source = try Replay.open(clipPath)
        let calibration = SelfCalibration(source: source, clock: ManualClock(), signals: ScriptedSignals())
        do {
            try calibration.run()
        } catch {
            throw SimulatorError(error.message, status: error.code)
        }
        if calibration.frames == 0 { throw SimulatorError("\(source.name): the clip has no frames; nothing to calibrate from") }
        let fit: Result<PersonHeightFit, PersonHeightFitError>
        do {
            fit = .success(try calibration.fit(options: options))
        } catch {
            fit = .failure(error)
        }
        return ClipCalibration(
            fit: fit, samples: calibration.samples, frameWidth: calibration.frameWidth, frameHeight: calibration.frameHeight,
            frames: calibration.frames, trustedFrames: calibration.trustedFrames)
    }

    /// The same fit from annotated boxes (`boxes.csv`): each box's bottom row and height, its track id as
    /// the walker. Boxes cut by the frame's edge (`frameHeight`) are left out: their height is not a person's.
    public static func samples(boxes: [TruthBox], frameHeight: Int) -> [PersonHeightSample] {
        var samples: [PersonHeightSample] = []
        for b in boxes where b.y >= 0 && b.y + b.height <= Double(frameHeight) && b.height > 0 {
            samples.append(PersonHeightSample(row: b.y + b.height, height: b.height, walker: b.id))
        }
        return samples
    }
}
