import LanternCore

/// One plain value per topic, for MQTT tools that cannot read JSON (Home Assistant, Node-RED's simple
/// nodes, Grafana's MQTT source): each interval record also becomes a few messages whose payload is a
/// bare number. QoS 0 and never retained: a value topic is a live feed, and a restart must never
/// republish a stale count (the journaled `intervals` topic is the record of every interval).
///
/// | topic | payload |
/// | --- | --- |
/// | `lantern/<device>/zone/<zone>/occupancy` | fraction of the interval (of the time seen) in which anyone was in the zone, `0.875` |
/// | `lantern/<device>/zone/<zone>/mean` | mean people present, `2.35` |
/// | `lantern/<device>/zone/<zone>/peak` | most people present in one frame, `4` |
/// | `lantern/<device>/zone/<zone>/person-seconds` | people present integrated over the time seen, `138.2` |
/// | `lantern/<device>/view/…` | the same four for the whole view |
/// | `lantern/<device>/line/<line>/in`, `…/out` | that line's crossings per direction over the interval, `3` |
///
/// An interval whose status is `unknown` publishes nothing (Lantern did not see, so it does not say
/// zero), and neither does a value under the suppression threshold k (or, for the occupancy, mean and
/// person-seconds, a mean under k). A zone or line name is one topic level: `/`, `+`, `#`, `%` and
/// control characters are percent-encoded (`Topics.level`).
public enum ValueTopics {
    public static let zoneQuantities = ["occupancy", "mean", "peak", "person-seconds"]
    public static let lineQuantities = ["in", "out"]

    /// The value messages of one record, as (topic, payload), in a fixed order.
    public static func messages(_ r: IntervalRecord, topics: Topics, suppressBelow k: Int = 0) -> [(topic: String, payload: String)] {
        guard r.status != .unknown else { return [] }
        var out: [(topic: String, payload: String)] = []
        if let line = r.line {
            if !(k > 0 && r.crossingsIn < k) { out.append((topics.lineValue(line, "in"), String(r.crossingsIn))) }
            if !(k > 0 && r.crossingsOut < k) { out.append((topics.lineValue(line, "out"), String(r.crossingsOut))) }
            return out
        }
        if !(k > 0 && r.occupancyMean < Double(k)) {
            out.append((topics.zoneValue(r.zone, "occupancy"), formatFixed(min(max(r.occupied, 0), 1), places: 3)))
            out.append((topics.zoneValue(r.zone, "mean"), formatFixed(max(r.occupancyMean, 0), places: 2)))
        }
        if !(k > 0 && r.occupancyMax < k) { out.append((topics.zoneValue(r.zone, "peak"), String(r.occupancyMax))) }
        if !(k > 0 && r.occupancyMean < Double(k)) {
            out.append((topics.zoneValue(r.zone, "person-seconds"), formatFixed(max(r.personSeconds, 0), places: 1)))
        }
        return out
    }
}
