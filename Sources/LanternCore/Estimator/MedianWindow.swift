/// The median of the last few values of several series at once (one per zone, plus the total).
/// Fixed storage; no allocation after init.
public struct MedianWindow {
    let length: Int
    let series: Int
    var values: [Double]
    var filled = 0
    var next = 0
    var sortScratch: [Double]

    public init(length: Int, series: Int) {
        precondition(length >= 1 && series >= 1)
        self.length = length
        self.series = series
        values = [Double](repeating: 0, count: length * series)
        sortScratch = [Double](repeating: 0, count: length)
    }

    /// Adds one value per series (the caller fills `set(_:series:)` for each, then calls `advance`).
    public mutating func set(_ value: Double, series s: Int) {
        values[next * series + s] = value
    }

    public mutating func advance() {
        next = (next + 1) % length
        filled = min(filled + 1, length)
    }

    /// Median of the values held for series `s` (the mean of the middle two for an even count).
    public mutating func median(series s: Int) -> Double {
        let n = filled
        guard n > 0 else { return 0 }
        for i in 0..<n { sortScratch[i] = values[i * series + s] }
        // Insertion sort: n is tiny.
        for i in 1..<max(n, 1) {
            let v = sortScratch[i]
            var j = i - 1
            while j >= 0 && sortScratch[j] > v {
                sortScratch[j + 1] = sortScratch[j]
                j -= 1
            }
            sortScratch[j + 1] = v
        }
        return n % 2 == 1 ? sortScratch[n / 2] : (sortScratch[n / 2 - 1] + sortScratch[n / 2]) / 2
    }
}
