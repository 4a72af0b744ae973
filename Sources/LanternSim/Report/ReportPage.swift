import LanternCore

/// The report as one self-contained HTML page: inline SVG, images as `data:` URIs, no script, no
/// network, nothing fetched.
public enum ReportPage {
    /// A whole page around `body`.
    public static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(HTMLText.escaped(title))</title>
        <link rel="icon" href="data:,">
        <style>
        body { font-family: sans-serif; color: #2f3542; margin: 24px; max-width: 1200px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #dfe4ea; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        th, td { border: 1px solid #dfe4ea; padding: 3px 8px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        .fail { color: #c0392b; font-weight: bold; } .note { color: #57606f; font-size: 13px; }
        .frames { display: flex; flex-wrap: wrap; gap: 16px; }
        figure { margin: 0; } figcaption { font-size: 13px; margin-top: 4px; }
        .worst svg { outline: 3px solid #ee5253; }
        </style></head><body>
        \(body)
        </body></html>

        """
    }

    /// The page of `lantern-sim report`.
    public static func html(_ r: AccuracyReport) -> String {
        var body = "<h1>Lantern accuracy report</h1>"
        body += "<p>clip <code>\(HTMLText.escaped(r.clipName))</code>, site <code>\(HTMLText.escaped(r.siteName))</code> (\(HTMLText.escaped(r.site.name))), "
        body += "\(r.frames.count) frames of \(r.frameWidth)x\(r.frameHeight), first \(r.warmup) not scored (warm-up).</p>"
        if r.score.scored > 0 {
            body += "<p class=\"summary\">scored \(r.score.scored) frames: <b>MAE \(formatFixed(r.score.mae, places: 3))</b>, RMSE \(formatFixed(r.score.rmse, places: 3)), bias \(formatSigned(r.score.bias, places: 3))</p>"
        }
        body += "<h2>Count against truth over time</h2>"
        var chart = CountChart(series: [], frameCount: r.frames.count)
        if r.frames.contains(where: { $0.truth != nil }) {
            chart.series.append(.init(name: "truth", colour: "#2f3542", points: r.frames.compactMap { f in f.truth.map { (f.index, Double($0)) } }))
        }
        chart.series.append(.init(name: "Lantern count", colour: "#2e86de", points: r.frames.map { ($0.index, Double($0.count)) }))
        chart.untrusted = r.frames.filter { !$0.trusted }.map(\.index)
        chart.warmup = r.warmup
        chart.marks = r.snapshots.map(\.index)
        body += chart.svg
        body += "<p class=\"note\">Shaded red: frames the estimator did not trust (its own verdict); grey: the warm-up; dashed: the frames shown below.</p>"

        body += "<h2>Error by zone</h2>"
        if r.zones.isEmpty {
            body += "<p class=\"note\">\(r.site.zones.isEmpty ? "The site has no zones." : "Give --boxes boxes.csv to score the zones.")</p>"
        } else {
            body += "<table class=\"zones\"><tr><th>zone</th><th>frames scored</th><th>MAE</th><th>bias</th><th></th></tr>"
            let worst = max(r.zones.map(\.score.mae).max() ?? 1, 0.001)
            for z in r.zones {
                let w = Int((160 * z.score.mae / worst).rounded())
                body += "<tr><td>\(HTMLText.escaped(z.name))</td><td>\(z.score.scored)</td><td>\(formatFixed(z.score.mae, places: 3))</td><td>\(formatSigned(z.score.bias, places: 3))</td>"
                body += "<td><svg width=\"170\" height=\"12\"><rect width=\"\(w)\" height=\"12\" fill=\"#ff9f43\"/></svg></td></tr>"
            }
            body += "</table>"
            for (i, zone) in r.site.zones.enumerated() {
                var zc = CountChart(series: [], frameCount: r.frames.count)
                zc.height = 150
                zc.warmup = r.warmup
                zc.series.append(.init(name: "\(zone.name) truth", colour: "#2f3542", points: r.frames.compactMap { f in f.zoneTruth.map { (f.index, Double($0[i])) } }))
                zc.series.append(.init(name: "\(zone.name) count", colour: SiteOverlay.zoneColours[i % SiteOverlay.zoneColours.count], points: r.frames.map { ($0.index, Double($0.zoneCounts[i])) }))
                body += zc.svg
            }
        }

        body += "<h2>Crossings per line and direction</h2>"
        if r.lines.isEmpty {
            body += "<p class=\"note\">The site has no counting lines.</p>"
        } else {
            body += "<table class=\"lines\"><tr><th>line</th><th>in</th><th>in (truth)</th><th>in error</th><th>out</th><th>out (truth)</th><th>out error</th></tr>"
            for l in r.lines {
                func error(_ counted: Int, _ truth: Int?) -> String {
                    truth.map { formatSigned(ZoneAndLineTruth.percentError(counted, truth: $0), places: 1) + "%" } ?? "-"
                }
                body += "<tr><td>\(HTMLText.escaped(l.name))</td><td>\(l.countedIn)</td><td>\(l.truthIn.map(String.init) ?? "-")</td><td>\(error(l.countedIn, l.truthIn))</td>"
                body += "<td>\(l.countedOut)</td><td>\(l.truthOut.map(String.init) ?? "-")</td><td>\(error(l.countedOut, l.truthOut))</td></tr>"
            }
            body += "</table><p class=\"note\">Crossings from frame \(r.warmup) on; the truth from the boxes' foot points.</p>"
        }

        body += "<h2>Under other conditions (<code>evaluate</code>)</h2>"
        if let e = r.evaluation {
            body += evaluationSection(e)
        } else {
            body += "<p class=\"note\">Give --truth counts.csv to evaluate the clip under perturbations.</p>"
        }

        body += "<h2>What the estimator saw</h2>"
        body += "<p class=\"note\">"
        body += r.snapshotsAreWorst ? "The frames where the count was furthest from the truth (outlined red). " : "Frames spread over the clip. "
        body += "Cyan: foreground cells (what moved against the background); magenta: the density model's map over the crop; "
        body += "dashed yellow: the crop; bars at the left: a person's height by the calibration; red: counting lines, the arrow pointing to their in side.</p>"
        body += "<div class=\"frames\">"
        for s in r.snapshots { body += snapshotFigure(s, site: r.site, worst: r.snapshotsAreWorst) }
        body += "</div>"
        return document(title: "Lantern report: \(r.site.name)", body: body)
    }

    static func snapshotFigure(_ s: FrameSnapshot, site: SiteConfig, worst: Bool) -> String {
        let n = HTMLText.number
        var svg = "<svg class=\"frame\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(s.width) \(s.height)\" width=\"\(min(560, s.width * 560 / max(s.width, 1)))\">"
        svg += "<defs>\(SiteOverlay.arrowMarker)</defs>"
        svg += "<image href=\"\(s.framePNG.dataURI)\" x=\"0\" y=\"0\" width=\"\(s.width)\" height=\"\(s.height)\"/>"
        if let d = s.densityPNG {
            let crop = (site.crop ?? PixelRect(x: 0, y: 0, width: s.width, height: s.height)).clamped(width: s.width, height: s.height)
            svg += "<image class=\"density\" href=\"\(d.dataURI)\" x=\"\(crop.x)\" y=\"\(crop.y)\" width=\"\(n(Double(s.densityWide) * s.densityCellWidth))\" height=\"\(n(Double(s.densityHigh) * s.densityCellHeight))\" preserveAspectRatio=\"none\" opacity=\"0.55\"/>"
        }
        if let f = s.foregroundPNG {
            svg += "<image class=\"foreground\" href=\"\(f.dataURI)\" x=\"\(s.area.x)\" y=\"\(s.area.y)\" width=\"\(s.cellsWide * 2)\" height=\"\(s.cellsHigh * 2)\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\"/>"
        }
        svg += SiteOverlay(site: site, frameWidth: s.width, frameHeight: s.height).svg
        svg += "</svg>"
        var caption = "frame \(s.index): count \(s.count)"
        if let t = s.truth { caption += ", truth \(t) (\(s.count - t >= 0 ? "+" : "")\(s.count - t))" }
        if s.densityWide > 0 { caption += ", density model \(formatFixed(s.densityCount, places: 1))" }
        if s.condition != "ok" { caption += ", not trusted: \(s.condition)" }
        return "<figure class=\"\(worst ? "worst" : "")\">\(svg)<figcaption>\(HTMLText.escaped(caption))</figcaption></figure>"
    }

    /// The `evaluate` table as HTML.
    public static func evaluationSection(_ e: EvaluationReport) -> String {
        var out = "<p class=\"note\">Clean MAE \(formatFixed(e.cleanMAE, places: 3)) over all scored frames; a condition passes when its MAE over the known intervals is at most \(formatFixed(e.allowedMAE, places: 3)); intervals of \(e.intervalSeconds) s, unknown (as the board reports them) when under half of their time was trusted.</p>"
        out += "<table class=\"evaluate\"><tr><th>condition</th><th>frames scored</th><th>intervals known/total</th><th>MAE (known)</th><th>bias (known)</th><th>verdict</th><th>untrusted frames by reason</th></tr>"
        let worst = max(e.rows.map { $0.intervalsKnown > 0 ? $0.score.mae : 0 }.max() ?? 1, 0.001)
        for r in e.rows {
            let known = r.intervalsKnown > 0
            var verdict: String
            switch r.verdict {
            case .pass: verdict = "PASS"
            case .passUnknown: verdict = "PASS (every interval unknown)"
            case .fail: verdict = "<span class=\"fail\">FAIL</span>"
            }
            if let frames = r.holdFrames, let t = r.holdTruth, let w = r.holdWorst { verdict += " (freeze: \(frames) frames, truth \(t), worst \(w))" }
            let bar = known ? "<svg width=\"80\" height=\"10\"><rect width=\"\(Int((80 * r.score.mae / worst).rounded()))\" height=\"10\" fill=\"#54a0ff\"/></svg> " : ""
            out += "<tr><td>\(HTMLText.escaped(r.name))</td><td>\(r.framesScored)</td><td>\(r.intervalsKnown)/\(r.intervalsTotal)</td>"
            out += "<td>\(bar)\(known ? formatFixed(r.score.mae, places: 3) : "-")</td><td>\(known ? formatSigned(r.score.bias, places: 3) : "-")</td><td>\(verdict)</td>"
            out += "<td>\(HTMLText.escaped(r.untrustedReasons.isEmpty ? "-" : r.untrustedReasons.map { "\($0.0) \($0.1)" }.joined(separator: ", ")))</td></tr>"
        }
        return out + "</table>"
    }

    /// The page of `lantern-sim evaluate --html`.
    public static func html(evaluation e: EvaluationReport, clipName: String, siteName: String) -> String {
        var body = "<h1>Lantern under other conditions</h1>"
        body += "<p>clip <code>\(HTMLText.escaped(clipName))</code>, site <code>\(HTMLText.escaped(siteName))</code>: \(e.passed ? "every condition passes" : "<span class=\"fail\">FAIL</span> (see the rows marked FAIL)").</p>"
        body += evaluationSection(e)
        return document(title: "Lantern evaluate", body: body)
    }
}
