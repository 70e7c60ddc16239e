/// The shared time axis of the report's charts: every chart uses the same width and left margin,
/// so a moment sits at the same x in the network band and in every service's lane. Charts are
/// drawn per bin (runs of equal state merged), never per packet, so a day-long capture stays small.
struct HTMLTimeline {
    static let width = 1080.0
    static let left = 200.0
    static let right = 14.0
    static var plotWidth: Double { width - left - right }

    let firstBin: Double
    let binWidth: Double
    let binCount: Int
    let clock: ReportClock

    var end: Double { firstBin + binWidth * Double(binCount) }

    func x(_ t: Double) -> Double {
        let span = max(end - firstBin, 1e-9)
        return HTMLTimeline.left + (t - firstBin) / span * HTMLTimeline.plotWidth
    }

    func binStart(_ b: Int) -> Double { firstBin + Double(b) * binWidth }

    /// Consecutive bins in one state, as inclusive bin ranges.
    static func runs(_ states: [String]) -> [(from: Int, to: Int, state: String)] {
        var runs: [(from: Int, to: Int, state: String)] = []
        for (b, state) in states.enumerated() {
            if let last = runs.last, last.state == state, last.to == b - 1 {
                runs[runs.count - 1].to = b
            } else {
                runs.append((b, b, state))
            }
        }
        return runs
    }

    /// Tick marks at a readable step (about one per 100 px), aligned to the report's zone.
    func ticks() -> [(t: Double, label: String)] {
        let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400]
        let span = end - firstBin
        guard span > 0 else { return [] }
        let most = max(2, Int(HTMLTimeline.plotWidth / 100))
        let step = steps.first { span / $0 <= Double(most) } ?? 86_400
        let offset = Double(clock.zone.offset(at: firstBin))
        var t = ((firstBin + offset) / step).rounded(.up) * step - offset
        var ticks: [(Double, String)] = []
        var lastDay: String?
        let multiDay = clock.zone.local(firstBin).day != clock.zone.local(end).day
        while t <= end + 1e-6 {
            let local = clock.zone.local(t)
            var label = step < 60 ? local.hoursMinutesSeconds : local.hoursMinutes
            if multiDay, local.day != lastDay { label = String(local.day.suffix(5)) + " " + label }
            lastDay = local.day
            ticks.append((t, label))
            t += step
        }
        return ticks
    }

    /// The axis labels along the top and the faint grid lines down to `bottom`.
    func axis(_ m: inout HTMLMarkup, top: Double, bottom: Double) {
        m.open("g", [("class", "axis"), ("aria-hidden", "true")])
        for tick in ticks() {
            let x = HTMLMarkup.number(self.x(tick.t))
            m.empty("line", [("class", "grid"), ("x1", x), ("x2", x), ("y1", HTMLMarkup.number(top + 4)), ("y2", HTMLMarkup.number(bottom))])
            m.element("text", [("x", x), ("y", HTMLMarkup.number(top)), ("text-anchor", "middle")], tick.label)
        }
        m.close("g")
    }

    /// One band of states: a rectangle per run (pattern and color), its state and epoch-second
    /// bounds as data attributes, a tooltip, and the first of the candidate labels that fits (a
    /// candidate with a line break takes two lines, where the band is tall enough).
    func band(_ m: inout HTMLMarkup, states: [String], y: Double, height: Double, cssClass: String,
              labels: (_ run: (from: Int, to: Int, state: String)) -> [String],
              title: (_ run: (from: Int, to: Int, state: String)) -> String) {
        let runs = HTMLTimeline.runs(states)
        m.open("g", [("class", cssClass)])
        for run in runs {
            let (start, stop) = (binStart(run.from), binStart(run.to + 1))
            let (x0, x1) = (x(start), x(stop))
            m.open("rect", [("class", "seg"), ("data-state", run.state),
                            ("data-start", HTMLMarkup.number(start)), ("data-end", HTMLMarkup.number(stop)),
                            ("x", HTMLMarkup.number(x0)), ("y", HTMLMarkup.number(y)),
                            ("width", HTMLMarkup.number(max(0.5, x1 - x0))), ("height", HTMLMarkup.number(height)),
                            ("fill", HTMLVocabulary.fill(run.state)), ("stroke", "#fff"), ("stroke-width", "0.5")])
            m.element("title", [], title(run))
            m.close("rect")
        }
        // Labels after all rectangles, so a neighbour never paints over one.
        for run in runs {
            let (x0, x1) = (x(binStart(run.from)), x(binStart(run.to + 1)))
            let room = x1 - x0 - 6
            let fitting = labels(run).first { candidate in
                let lines = candidate.split(separator: "\n")
                return (lines.count == 1 || height >= 28) && lines.allSatisfy { HTMLTimeline.textWidth(String($0)) <= room }
            }
            guard let fitting, !fitting.isEmpty else { continue }
            let ink = HTMLVocabulary.look(run.state).ink == "#fff" ? "seg-label light" : "seg-label dark"
            let lines = fitting.split(separator: "\n").map(String.init)
            let middle = HTMLMarkup.number((x0 + x1) / 2)
            if lines.count == 1 {
                m.element("text", [("class", ink), ("x", middle), ("y", HTMLMarkup.number(y + height / 2 + 4)),
                                   ("text-anchor", "middle"), ("aria-hidden", "true")], fitting)
            } else {
                m.element("text", [("class", ink), ("x", middle), ("y", HTMLMarkup.number(y + height / 2 - 2)),
                                   ("text-anchor", "middle"), ("aria-hidden", "true")]) { m in
                    m.element("tspan", [("x", middle)], lines[0])
                    m.element("tspan", [("x", middle), ("dy", "12")], lines[1])
                }
            }
        }
        m.close("g")
    }

    /// A rough width of 11 px semibold text: enough to decide whether a label fits.
    static func textWidth(_ text: String) -> Double { Double(text.count) * 6.4 }

    /// Bars per bin as one path: a few bytes per bin, not an element each. Past a few hundred bins
    /// bars would be narrower than a pixel, so the path becomes a stepped outline instead.
    func barsPath(_ values: [Int], maximum: Int, baseline: Double, height: Double) -> String {
        guard maximum > 0 else { return "" }
        var d = ""
        func y(_ value: Int) -> String { HTMLMarkup.number(baseline - (value > 0 ? max(1, Double(value) / Double(maximum) * height) : 0)) }
        if values.count > 240 {
            d = "M\(HTMLMarkup.number(x(binStart(0)))) \(HTMLMarkup.number(baseline))"
            var current = 0
            for (b, value) in values.enumerated() where value != current {
                d += "H\(HTMLMarkup.number(x(binStart(b))))V\(y(value))"
                current = value
            }
            return d + "H\(HTMLMarkup.number(x(binStart(values.count))))V\(HTMLMarkup.number(baseline))z"
        }
        let barWidth = max(0.6, x(binStart(1)) - x(binStart(0)) - 1)
        for (b, value) in values.enumerated() where value > 0 {
            d += "M\(HTMLMarkup.number(x(binStart(b)) + 0.5)) \(HTMLMarkup.number(baseline))"
                + "h\(HTMLMarkup.number(barWidth))V\(y(value))h-\(HTMLMarkup.number(barWidth))z"
        }
        return d
    }

    /// A line through the bins' centres; nil values break it.
    func linePath(_ values: [Double?], maximum: Double, baseline: Double, height: Double) -> String {
        guard maximum > 0 else { return "" }
        var d = "", pen = false
        for (b, value) in values.enumerated() {
            guard let value else { pen = false; continue }
            let px = x(binStart(b) + binWidth / 2), py = baseline - min(1, value / maximum) * height
            d += (pen ? "L" : "M") + HTMLMarkup.number(px) + " " + HTMLMarkup.number(py)
            pen = true
        }
        return d
    }
}
