/// An explicit gap in the record sequence: intervals the device counted but could not keep, said in
/// the sequence itself so a subscriber sees the loss instead of a silent hole. One line of Lantern JSON
/// on the intervals topic, numbered like any record (`Schemas/lantern-gap.schema.json`):
///
///     {"device":"lamp-0042","seq":97,"gap":{"reason":"journal full","records":75,
///      "start":"2026-11-24T22:42:00Z","end":"2026-11-24T22:57:00Z"}}
///
/// Two kinds of loss:
/// - records that never got a number (the disk was full and the in-memory hold overflowed): `records`
///   and the time span `start`...`end` they covered; no `seqs`.
/// - records that had numbers and were lost with a damaged or deleted journal: `records` and `seqs`
///   (`{"from","to"}`, inclusive), no times (the journal that knew them is gone).
public struct GapRecord: Equatable {
    public var reason: String
    /// How many interval records are lost.
    public var records: Int
    /// The numbers they carried, when they had any.
    public var seqs: ClosedRange<Int64>?
    /// The span of the intervals lost, when known.
    public var start: UTCTime?
    public var end: UTCTime?

    public init(reason: String, records: Int, seqs: ClosedRange<Int64>? = nil, start: UTCTime? = nil, end: UTCTime? = nil) {
        self.reason = reason
        self.records = records
        self.seqs = seqs
        self.start = start
        self.end = end
    }

    /// The record `r` joins the gap: the count and the span grow.
    public mutating func add(_ r: IntervalRecord) {
        records += 1
        if start.map({ r.start < $0 }) ?? true { start = r.start }
        if end.map({ $0 < r.end }) ?? true { end = r.end }
    }

    public func encode(device: String, seq: Int64) -> String {
        var w = JSONWriter(reservingCapacity: 200)
        w.beginObject()
        w.field("device", device)
        w.key("seq"); w.integer(Int(seq))
        w.key("gap")
        w.beginObject()
        w.field("reason", reason)
        w.field("records", records)
        if let seqs {
            w.key("seqs")
            w.beginObject()
            w.key("from"); w.integer(Int(seqs.lowerBound))
            w.key("to"); w.integer(Int(seqs.upperBound))
            w.endObject()
        }
        if let start { w.field("start", start.iso8601) }
        if let end { w.field("end", end.iso8601) }
        w.endObject()
        w.endObject()
        return w.text
    }
}
