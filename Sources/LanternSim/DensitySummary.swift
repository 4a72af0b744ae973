import LanternAgent
import LanternCore

/// One line on how the density path ran in a replay: its steps, its response to the motion path's
/// people, the weight that gave it, and the people it added at the end.
public enum DensitySummary {
    public static func line(_ path: DensityPath, hertz: Double) -> String {
        let fusion = path.fusion
        let response = fusion.response.map { formatFixed($0, places: 3) } ?? "-"
        return "density: rate=\(formatTrimmed(hertz)) Hz steps=\(path.steps) response=\(response) "
            + "(over \(formatFixed(fusion.responseEvidence, places: 0)) motion people) weight=\(formatFixed(fusion.weight, places: 2)) "
            + "unseen=\(formatFixed(fusion.unseenPeople, places: 2)) added=\(formatFixed(fusion.addedPeople, places: 2)) model=\(formatFixed(path.lastModelCount, places: 2))"
    }
}
