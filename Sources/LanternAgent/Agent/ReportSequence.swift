import LanternCore

/// Numbers records 1, 2, 3... and encodes them as Lantern JSON lines. The next number is kept by the
/// caller across restarts (the state directory), so a journal never sees a number twice.
public struct ReportSequence {
    public var device: String
    public private(set) var next: Int64
    public var suppressBelow: Int

    public init(device: String, next: Int64 = 1, suppressBelow: Int = 0) {
        precondition(next >= 1)
        self.device = device
        self.next = next
        self.suppressBelow = suppressBelow
    }

    /// The record's JSON line (no newline) with the next sequence number.
    public mutating func encode(_ record: IntervalRecord) -> String {
        defer { next += 1 }
        return LanternJSON.encode(record, device: device, seq: next, suppressBelow: suppressBelow)
    }
}
