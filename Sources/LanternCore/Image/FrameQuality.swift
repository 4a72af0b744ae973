/// Is the camera's view usable? Brightness, contrast and sharpness of one frame, computed in memory
/// (for `lanternd check`: no pixel leaves the process, only these three numbers).
///
/// - `mean` and `contrast` (standard deviation) of the luma: a covered lens is dark and flat.
/// - `sharpness`: mean absolute 4-neighbour Laplacian over the interior, sampled every 2nd pixel;
///   a defocused or fogged lens has almost no second derivative left. Normalised by `contrast`, so a
///   dim but sharp night view is not mistaken for a blurred one.
public struct FrameQuality: Equatable, Sendable {
    public var mean: Double
    public var contrast: Double
    public var sharpness: Double

    public init(mean: Double, contrast: Double, sharpness: Double) {
        self.mean = mean
        self.contrast = contrast
        self.sharpness = sharpness
    }

    public init(_ image: GreyImage) {
        var sum = 0, sumSquares = 0, count = 0
        var laplacian = 0, laplacianCount = 0
        for y in Swift.stride(from: 0, to: image.height, by: 2) {
            let row = image.row(y)
            for x in Swift.stride(from: 0, to: image.width, by: 2) {
                let v = Int(row[x])
                sum += v
                sumSquares += v * v
                count += 1
            }
            guard y > 0 && y + 1 < image.height else { continue }
            let up = image.row(y - 1), down = image.row(y + 1)
            for x in Swift.stride(from: 2, to: image.width - 1, by: 2) {
                let l = 4 * Int(row[x]) - Int(row[x - 1]) - Int(row[x + 1]) - Int(up[x]) - Int(down[x])
                laplacian += abs(l)
                laplacianCount += 1
            }
        }
        let n = Double(max(count, 1))
        mean = Double(sum) / n
        contrast = max(Double(sumSquares) / n - mean * mean, 0).squareRoot()
        sharpness = Double(laplacian) / Double(max(laplacianCount, 1))
    }

    public enum Verdict: Equatable, Sendable {
        case ok
        case covered
        case tooDark
        case defocused
    }

    /// Thresholds from FrameQualityTests: the sample view measures mean 118, contrast 52, sharpness/contrast
    /// 0.25; the same view dimmed to a fifth 0.27 (sharp); box-blurred (radius 4) 0.037; sensor noise
    /// behind a covered lens mean 4, contrast 1.4.
    public var verdict: Verdict {
        if contrast < 4 { return mean < 40 ? .covered : .defocused }
        if mean < 10 { return .tooDark }
        if sharpness / contrast < 0.08 { return .defocused }
        return .ok
    }
}
