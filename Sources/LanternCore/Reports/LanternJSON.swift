/// Lantern's own JSON for one interval record, one line:
///
///     {"device":"lamp-0042","zone":"north-path","start":"2026-11-24T22:42:00Z","end":"2026-11-24T22:43:00Z",
///      "seq":17,"occupancy":{"mean":2.35,"max":4,"personSeconds":138.2,"occupied":0.875},"crossings":{"in":3,"out":1},
///      "coverage":0.98,"status":"ok","gpio":{"pir":2,"dark":false}}
///
/// `zone` is null for the whole view. A counting line's record names the line instead and carries its
/// crossings only:
///
///     {"device":"lamp-0042","line":"east-gate","start":"…","end":"…","seq":18,"crossings":{"in":3,"out":1},
///      "coverage":0.98,"status":"ok","gpio":{"pir":2,"dark":false}}
/// When the status is `unknown`, the counts are null: Lantern did
/// not see, so it does not say zero. Counts below the site's suppression threshold k are the string
/// `"<k"` (privacy: small groups are not singled out). The schema is `Schemas/lantern-interval.schema.json`.
public enum LanternJSON {
    public static func encode(_ r: IntervalRecord, device: String, seq: Int64, suppressBelow k: Int = 0) -> String {
        var w = JSONWriter(reservingCapacity: 320)
        w.beginObject()
        w.field("device", device)
        if let line = r.line {
            w.field("line", line)
        } else {
            w.key("zone")
            if let zone = r.zone { w.string(zone) } else { w.null() }
        }
        w.field("start", r.start.iso8601)
        w.field("end", r.end.iso8601)
        w.key("seq"); w.integer(Int(seq))
        let known = r.status != .unknown
        if r.line == nil {
            w.key("occupancy")
            w.beginObject()
            w.key("mean")
            if !known { w.null() } else if k > 0 && r.occupancyMean < Double(k) { w.string("<\(k)") } else { w.fixed(r.occupancyMean, places: 2) }
            w.key("max"); count(r.occupancyMax, known: known, k: k, into: &w)
            w.key("personSeconds"); personSeconds(r, known: known, k: k, into: &w)
            w.key("occupied"); occupied(r, known: known, k: k, into: &w)
            w.endObject()
        }
        w.key("crossings")
        w.beginObject()
        w.key("in"); count(r.crossingsIn, known: known, k: k, into: &w)
        w.key("out"); count(r.crossingsOut, known: known, k: k, into: &w)
        w.endObject()
        w.field("coverage", r.coverage, places: 3)
        w.field("status", r.status.name)
        w.key("gpio")
        w.beginObject()
        w.field("pir", r.pirEvents)
        w.key("dark")
        if let dark = r.dark { w.bool(dark) } else { w.null() }
        w.endObject()
        w.endObject()
        return w.text
    }

    /// Person-seconds to one decimal; null when unknown, and `"<k"` when the mean is suppressed (a small
    /// total would single out the few people the mean hides).
    static func personSeconds(_ r: IntervalRecord, known: Bool, k: Int, into w: inout JSONWriter) {
        if !known { w.null() } else if k > 0 && r.occupancyMean < Double(k) { w.string("<\(k)") } else {
            w.fixed(max(r.personSeconds, 0), places: 1)
        }
    }

    /// The occupied fraction to three decimals; null when unknown, `"<k"` when the mean is suppressed
    /// (whether anyone was there at all would show the few people the mean hides).
    static func occupied(_ r: IntervalRecord, known: Bool, k: Int, into w: inout JSONWriter) {
        if !known { w.null() } else if k > 0 && r.occupancyMean < Double(k) { w.string("<\(k)") } else {
            w.fixed(min(max(r.occupied, 0), 1), places: 3)
        }
    }

    static func count(_ n: Int, known: Bool, k: Int, into w: inout JSONWriter) {
        if !known { w.null() } else if k > 0 && n < k { w.string("<\(k)") } else { w.integer(n) }
    }
}
