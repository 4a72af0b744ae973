/// An SVG line chart of counts over frames: the estimate against the truth, frames not trusted and the
/// warm-up shaded, and chosen frames marked.
public struct CountChart {
    public struct Series {
        public var name: String
        public var colour: String
        /// (frame, value); a gap where there is no point for a frame.
        public var points: [(Int, Double)]
        public var dashed = false

        public init(name: String, colour: String, points: [(Int, Double)], dashed: Bool = false) {
            self.name = name
            self.colour = colour
            self.points = points
            self.dashed = dashed
        }
    }

    public var series: [Series]
    public var frameCount: Int
    /// Frames shaded as not trusted (the estimator's verdict).
    public var untrusted: [Int] = []
    public var warmup = 0
    public var marks: [Int] = []
    public var width = 900.0
    public var height = 260.0

    public init(series: [Series], frameCount: Int) {
        self.series = series
        self.frameCount = frameCount
    }

    public var svg: String {
        let n = HTMLText.number
        let left = 40.0, right = 10.0, top = 24.0, bottom = 28.0
        let plotW = width - left - right, plotH = height - top - bottom
        let top0 = series.flatMap { $0.points.map(\.1) }.max() ?? 1
        let yMax = max(1, (top0 + 1).rounded(.up))
        let frames = Double(max(frameCount - 1, 1))
        func x(_ f: Int) -> Double { left + plotW * Double(f) / frames }
        func y(_ v: Double) -> Double { top + plotH * (1 - v / yMax) }
        var out = "<svg class=\"count-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\">"
        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"#fbfbfd\" stroke=\"#c8d6e5\"/>"
        if warmup > 0 {
            out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(x(min(warmup, frameCount - 1)) - left))\" height=\"\(n(plotH))\" fill=\"#dfe4ea\"/>"
            out += "<text x=\"\(n(left + 4))\" y=\"\(n(top + 12))\" font-size=\"10\" fill=\"#57606f\">warm-up</text>"
        }
        let step = max(plotW / frames, 1)
        for f in untrusted {
            out += "<rect x=\"\(n(x(f) - step / 2))\" y=\"\(n(top))\" width=\"\(n(step))\" height=\"\(n(plotH))\" fill=\"#ffb8b8\" fill-opacity=\"0.6\"/>"
        }
        // Grid and axes.
        let yStep = max(1, Int((yMax / 6).rounded(.up)))
        for v in stride(from: 0, through: Int(yMax), by: yStep) {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(y(Double(v))))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y(Double(v))))\" stroke=\"#dfe4ea\"/>"
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(y(Double(v)) + 4))\" font-size=\"10\" text-anchor=\"end\" fill=\"#57606f\">\(v)</text>"
        }
        let xStep = max(1, frameCount / 8 / 10 * 10)
        for f in stride(from: 0, to: frameCount, by: xStep) {
            out += "<text x=\"\(n(x(f)))\" y=\"\(n(top + plotH + 14))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#57606f\">\(f)</text>"
        }
        out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 2))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#57606f\">frame</text>"
        for f in marks {
            out += "<line class=\"mark\" x1=\"\(n(x(f)))\" y1=\"\(n(top))\" x2=\"\(n(x(f)))\" y2=\"\(n(top + plotH))\" stroke=\"#ee5253\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>"
            out += "<text x=\"\(n(x(f) + 2))\" y=\"\(n(top - 4))\" font-size=\"9\" fill=\"#ee5253\">\(f)</text>"
        }
        for s in series {
            var path = ""
            var previous: Int?
            for (f, v) in s.points {
                path += (previous == f - 1 ? " L" : " M") + "\(n(x(f))),\(n(y(v)))"
                previous = f
            }
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.6\"\(s.dashed ? " stroke-dasharray=\"4 2\"" : "")/>"
        }
        var lx = left + 8
        for s in series {
            out += "<line x1=\"\(n(lx))\" y1=\"\(n(top + plotH - 10))\" x2=\"\(n(lx + 18))\" y2=\"\(n(top + plotH - 10))\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(n(lx + 22))\" y=\"\(n(top + plotH - 6))\" font-size=\"11\" fill=\"#2f3542\">\(HTMLText.escaped(s.name))</text>"
            lx += 30 + Double(s.name.count) * 6.5
        }
        return out + "</svg>"
    }
}
