extension SiteConfig {
    /// Why this site cannot describe a `width` x `height` camera frame, in one clause naming the key
    /// and what to do, or nil when it fits. A site with `frame` must name exactly this size (a site
    /// drawn for another camera size would put zones and lines in the wrong place, silently); without
    /// `frame`, the crop, every zone point and every line end must lie within the frame.
    public func fitProblem(width: Int, height: Int) -> String? {
        if let frame {
            if frame.width != width || frame.height != height {
                return "frame is \(frame.width)x\(frame.height) but the frames are \(width)x\(height); redraw the site for \(width)x\(height), or set the camera size in the board file to \(frame.width)x\(frame.height)"
            }
            return nil
        }
        let size = "\(width)x\(height)"
        if let crop, crop.x + crop.width > width || crop.y + crop.height > height {
            return "crop (\(crop.x),\(crop.y) \(crop.width)x\(crop.height)) does not fit the frames' \(size); redraw the site for \(size) (and give its \"frame\")"
        }
        func outside(_ p: Point) -> Bool { p.x < 0 || p.y < 0 || p.x > Double(width) || p.y > Double(height) }
        for (i, zone) in zones.enumerated() where zone.area.points.contains(where: outside) {
            return "zones[\(i)] (\(zone.name)) reaches outside the frames' \(size); redraw the site for \(size) (and give its \"frame\")"
        }
        for (i, line) in lines.enumerated() where outside(line.from) || outside(line.to) {
            return "lines[\(i)] (\(line.name)) reaches outside the frames' \(size); redraw the site for \(size) (and give its \"frame\")"
        }
        return nil
    }
}
