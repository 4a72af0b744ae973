import CLantern
import LanternSystem

/// An open GPIO chip (libgpiod 1.6). A class because libgpiod frees a chip's lines when the chip
/// closes: every `GPIOLine` holds its chip, so no line can outlive it.
public final class GPIOChip {
    let handle: OpaquePointer
    /// The name it was opened by (path, name or label).
    public let name: String

    /// Opens a chip by path (`/dev/gpiochip0`), name (`gpiochip0`), label (`pinctrl-bcm2711`) or number.
    /// The corresponding C function is `gpiod_chip_open_lookup`.
    public init(lookup name: String) throws(Errno) {
        guard let chip = name.withCString({ gpiod_chip_open_lookup($0) }) else {
            let error = Errno.current
            throw error.rawValue == 0 ? Errno.noSuchDevice : error
        }
        handle = chip
        self.name = name
    }

    deinit { gpiod_chip_close(handle) }

    /// The corresponding C function is `gpiod_chip_num_lines`.
    public var lineCount: Int { Int(gpiod_chip_num_lines(handle)) }

    /// Requests line `offset` as an input reporting both edges, with bias and active level.
    public func input(offset: Int, bias: GPIOLine.Bias, activeLow: Bool, consumer: String = "lanternd") throws(Errno) -> GPIOLine {
        try GPIOLine(chip: self, offset: offset, output: false, flags: bias.flags | (activeLow ? lantern_gpiod_flag_active_low() : 0),
                     initial: false, consumer: consumer)
    }

    /// Requests line `offset` as an output, initially `on` (logical level).
    public func output(offset: Int, activeLow: Bool, on: Bool = false, consumer: String = "lanternd") throws(Errno) -> GPIOLine {
        try GPIOLine(chip: self, offset: offset, output: true, flags: activeLow ? lantern_gpiod_flag_active_low() : 0,
                     initial: on, consumer: consumer)
    }
}

/// One requested line of a `GPIOChip`: an input with edge events (a file descriptor for poll) or an output.
public final class GPIOLine {
    /// Pull resistor request flags (libgpiod 1.6, kernel 5.5+).
    public enum Bias {
        case asIs, disabled, pullUp, pullDown

        var flags: CInt {
            switch self {
            case .asIs: return 0
            case .disabled: return lantern_gpiod_flag_bias_disabled()
            case .pullUp: return lantern_gpiod_flag_bias_pull_up()
            case .pullDown: return lantern_gpiod_flag_bias_pull_down()
            }
        }
    }

    public let chip: GPIOChip
    public let offset: Int
    let handle: OpaquePointer

    init(chip: GPIOChip, offset: Int, output: Bool, flags: CInt, initial: Bool, consumer: String) throws(Errno) {
        guard let line = gpiod_chip_get_line(chip.handle, UInt32(offset)) else { throw Errno.current }
        let result = consumer.withCString { lantern_gpiod_request(line, $0, output ? 1 : 0, flags, initial ? 1 : 0) }
        if result != 0 { throw Errno.current }
        self.chip = chip
        self.offset = offset
        handle = line
    }

    deinit { gpiod_line_release(handle) }

    /// The event file descriptor to poll (inputs). The corresponding C function is `gpiod_line_event_get_fd`.
    public var eventDescriptor: FileDescriptor { FileDescriptor(rawValue: gpiod_line_event_get_fd(handle)) }

    /// Reads one pending edge: the new logical level and the kernel's timestamp (microseconds).
    /// The corresponding C function is `gpiod_line_event_read`.
    public func readEvent() throws(Errno) -> (active: Bool, micros: Int64) {
        var micros: Int64 = 0
        let edge = lantern_gpiod_read_event(handle, &micros)
        if edge < 0 { throw Errno.current }
        return (edge == 1, micros)
    }

    /// The current logical level. The corresponding C function is `gpiod_line_get_value`.
    public func value() throws(Errno) -> Bool {
        let v = gpiod_line_get_value(handle)
        if v < 0 { throw Errno.current }
        return v == 1
    }

    /// Sets an output's logical level. The corresponding C function is `gpiod_line_set_value`.
    public func set(_ on: Bool) throws(Errno) {
        if gpiod_line_set_value(handle, on ? 1 : 0) != 0 { throw Errno.current }
    }
}
