/// The camera's state, as the health message and the log say it.
public enum CameraState: String, Equatable, Sendable {
    /// Frames are arriving from the camera.
    case streaming
    /// Frames come from a recorded clip (`--replay`).
    case replay
    /// The camera was streaming and went away; it is being reopened with backoff.
    case lost
    /// The camera could not be opened; it is being retried with backoff.
    case missing
    /// Not started yet, or stopped.
    case stopped
}

/// What the agent knows of its own health, set by the run loop as it happens and sent on
/// `lantern/<device>/health` with what the uplink knows (journal depth, last error).
public struct DeviceHealth: Equatable, Sendable {
    public var camera: CameraState = .stopped
    /// Each GPIO input's debounced logical level, by role name (`pir`, `tamper`, `light`, `button`),
    /// in board file order; empty without a board.
    public var gpio: [(role: String, active: Bool)] = []
    /// Frames the camera delivered that the agent never saw (V4L2 sequence gaps) since start.
    public var droppedFrames = 0

    public init() {}

    public static func == (a: DeviceHealth, b: DeviceHealth) -> Bool {
        a.camera == b.camera && a.droppedFrames == b.droppedFrames
            && a.gpio.elementsEqual(b.gpio, by: { $0.role == $1.role && $0.active == $1.active })
    }

    /// Sets one input's level (adding the role the first time it is seen).
    public mutating func setInput(_ role: String, active: Bool) {
        for i in 0..<gpio.count where gpio[i].role == role {
            gpio[i].active = active
            return
        }
        gpio.append((role, active))
    }

    /// Writes `"camera"`, `"gpio"` and `"dropped_frames"` as fields of the open object in `w`.
    public func writeFields(into w: inout JSONWriter) {
        w.field("camera", camera.rawValue)
        w.key("gpio")
        w.beginObject()
        for input in gpio { w.key(input.role); w.bool(input.active) }
        w.endObject()
        w.field("dropped_frames", droppedFrames)
    }
}
