import Detection
import Identification
import Wire

/// The report people look at: one self-contained HTML file (inline CSS and SVG, no scripts, no
/// fetched fonts or images, so it works offline and can be mailed around) telling what was
/// blocked, how, and when the whole network was cut.
///
/// It renders the same model as `AnalysisReport` (whose plain-language summary it reuses) and
/// draws per bin, never per packet, so a day-long capture stays small. Every string that came
/// from a capture is escaped. Usage, e.g. when `blockwatch live` stops:
///
///     let html = HTMLReport(result: result, capture: summary, inputs: ["eth0"], timeZone: zone)
///     try html.write(to: "report.html")
public struct HTMLReport: Sendable {
    /// The model, shared with the text and JSON reports.
    public var report: AnalysisReport
    /// What was read: capture files, or interfaces for a live capture. Shown in the header.
    public var inputs: [String]
    /// The zone every time on the page is shown in.
    public var timeZone: ReportTimeZone

    public init(result: AnalysisResult, capture: CaptureSummary, signaturesVersion: String? = nil,
                captureDrops: (received: Int, dropped: Int)? = nil, inputs: [String], timeZone: ReportTimeZone = .utc) {
        self.init(report: AnalysisReport(result: result, capture: capture, signaturesVersion: signaturesVersion,
                                         captureDrops: captureDrops),
                  inputs: inputs, timeZone: timeZone)
    }

    /// From a text/JSON report already built; `inputs` defaults to its capture files.
    public init(report: AnalysisReport, inputs: [String]? = nil, timeZone: ReportTimeZone = .utc) {
        self.report = report
        self.inputs = inputs ?? report.capture.files
        self.timeZone = timeZone
    }

    /// Writes the page to a file (created or replaced).
    public func write(to path: String) throws(TextOutput.Failure) {
        let output = try TextOutput(path: path)
        output.write(render())
        output.flush()
        if let failure = output.failure { throw failure }
    }

    /// The whole page, UTF-8 HTML that is also well-formed XML.
    public func render() -> String {
        let page = Page(report: report, inputs: inputs, clock: ReportClock(zone: timeZone, report: report))
        return page.render()
    }
}

/// One rendering: the report, its clock and axis, and the sections in reading order.
private struct Page {
    let report: AnalysisReport
    let inputs: [String]
    let clock: ReportClock
    let axis: HTMLTimeline
    var result: AnalysisResult { report.result }

    init(report: AnalysisReport, inputs: [String], clock: ReportClock) {
        self.report = report
        self.inputs = inputs
        self.clock = clock
        axis = HTMLTimeline(firstBin: report.result.firstBinStart.seconds, binWidth: report.result.binWidth.seconds,
                            binCount: report.result.binCount, clock: clock)
    }

    func render() -> String {
        var m = HTMLMarkup()
        m.raw("<!DOCTYPE html>\n")
        m.open("html", [("lang", "en")])
        m.open("head")
        m.empty("meta", [("charset", "utf-8")])
        // Belt and braces: even if something slipped through, the browser may fetch nothing.
        m.empty("meta", [("http-equiv", "Content-Security-Policy"),
                         ("content", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")])
        m.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
        m.element("title", [], "BlockWatch report: " + (inputs.isEmpty ? "capture" : inputs.joined(separator: ", ")))
        m.open("style")
        m.raw(HTMLStyle.css)
        m.close("style")
        m.close("head")
        m.open("body")
        // The patterns every chart and legend fills with, defined once.
        m.raw("<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\" focusable=\"false\"><defs>"
              + HTMLVocabulary.patternDefinitions + "</defs></svg>")
        // The answer first (the lede and four cards), then when (the timelines), then the words
        // and the evidence a skeptic checks.
        header(&m)
        glance(&m)
        networkSection(&m)
        servicesSection(&m)
        summary(&m)
        m.element("h2", [("id", "tables")], "The same in tables")
        networkTables(&m)
        serviceTables(&m)
        evidenceSection(&m)
        methodNotes(&m)
        captureSection(&m)
        m.element("footer", [("id", "end-of-report")],
                  "Made by BlockWatch from packet captures. This page is self-contained: no scripts, and nothing is "
                  + "fetched from anywhere. The same findings as data: blockwatch analyze --format json.")
        m.close("body")
        m.close("html")
        m.raw("\n")
        return m.text
    }

    // MARK: - Header

    func header(_ m: inout HTMLMarkup) {
        m.open("header")
        m.element("h1", [], "What this capture shows: blocking, throttling and network cutoffs")
        m.element("p", [("class", "lede")], lede())
        m.open("dl", [("class", "facts")])
        fact(&m, "Capture", inputs.isEmpty ? "(none named)" : inputs.joined(separator: ", "))
        fact(&m, "Vantage point", vantage())
        fact(&m, "Time span", span())
        fact(&m, "Capture loss", captureLoss())
        let capture = report.capture
        fact(&m, "Traffic", "\(capture.packets) packets, \(capture.flows) flows, \(result.attempts) connection attempts judged, "
             + "in bins of \(AnalysisReport.spellDuration(result.binWidth.seconds))")
        fact(&m, "Times shown in", clock.zoneHeading)
        if let version = report.signaturesVersion { fact(&m, "Signatures", version) }
        m.close("dl")
        m.close("header")
    }

    func fact(_ m: inout HTMLMarkup, _ term: String, _ value: String) {
        m.element("dt", [], term)
        m.element("dd", [], value)
    }

    /// One sentence a reader takes away: how many services were blocked, how often the network was cut.
    func lede() -> String {
        let blocked = majorServices().map { AnalysisReport.displayName($0.group).name }
        let cuts = cutoffEvents()
        var parts: [String] = []
        if blocked.isEmpty {
            parts.append("No service was found blocked or throttled")
        } else {
            let shown = blocked.prefix(6).joined(separator: ", ") + (blocked.count > 6 ? " and \(blocked.count - 6) more" : "")
            parts.append("\(blocked.count) service\(blocked.count == 1 ? " was" : "s were") blocked or throttled (\(shown))")
        }
        if cuts.isEmpty {
            parts.append("the network as a whole was never cut off")
        } else {
            let times = cuts.count == 1 ? "once" : cuts.count == 2 ? "twice" : "\(cuts.count) times"
            parts.append("the whole network was cut off \(times)")
        }
        return parts.joined(separator: "; ") + "."
    }

    func vantage() -> String {
        let clients = Set(eventsAll().flatMap { $0.event.exampleFlows.map(\.client) }).sorted()
        var text = "one capture point, on the network these packets were recorded on"
        if !clients.isEmpty {
            text += "; device\(clients.count == 1 ? "" : "s") seen trying to connect: " + clients.prefix(5).joined(separator: ", ")
                + (clients.count > 5 ? " and \(clients.count - 5) more" : "")
        }
        return text
    }

    func span() -> String {
        guard let first = report.capture.firstPacket, let last = report.capture.lastPacket else { return "no packets" }
        let (from, to) = (clock.zone.local(first.seconds), clock.zone.local(last.seconds))
        let end = from.day == to.day ? to.hoursMinutesSeconds : to.day + " " + to.hoursMinutesSeconds
        return "\(from.day) \(from.hoursMinutesSeconds) to \(end) \(clock.zone.suffix) (\(CaptureSummary.humanDuration(last - first)))"
    }

    func captureLoss() -> String {
        var parts: [String] = []
        if let drops = report.captureDrops {
            parts.append("\(drops.dropped) of \(drops.received) packets dropped by the capture")
        }
        let lossBins = result.networkBinStates.filter { $0 == .captureLoss }.count
        if lossBins > 0 { parts.append("\(lossBins) bin\(lossBins == 1 ? "" : "s") lost too many packets to judge") }
        for gap in report.gapSpans() { parts.append("no packets \(clock.range(gap.start, gap.end))") }
        let cuts = report.capture.issues[.snaplenTruncated]
        if cuts > 0 { parts.append("\(cuts) packets cut short by the snapshot length") }
        parts += report.capture.warnings
        // A bound reached (a flood) means flows ended early or went unnamed: a limit of what the page can tell.
        if let evictions = report.capture.evictionLine { parts.append(evictions) }
        if parts.isEmpty {
            return report.captureDrops == nil ? "none seen (a capture file does not record the drops of its recording)" : "none"
        }
        return parts.joined(separator: "; ") + ". The observer's losses lower confidence; they are never taken as blocking."
    }

    // MARK: - At a glance and summary

    func glance(_ m: inout HTMLMarkup) {
        m.open("section", [("class", "glance"), ("aria-label", "At a glance")])

        m.element("div", [("class", "card cut")]) { m in
            m.element("h3", [], "When the whole network was cut")
            let cuts = cutoffEvents()
            if cuts.isEmpty {
                m.element("p", [], "No network-wide cutoff was seen.")
            } else {
                m.element("ul", []) { m in
                    for event in cuts {
                        let kind = event.mechanism.map(HTMLVocabulary.mechanismName) ?? event.state
                        m.element("li", []) { m in
                            m.element("strong", [], clock.range(event.start, event.end))
                            m.text(", \(HTMLReportText.duration(event.end - event.start)): \(kind) (\(event.confidence.rawValue) confidence)")
                        }
                    }
                }
            }
        }

        m.element("div", [("class", "card blocked")]) { m in
            m.element("h3", [], "What was blocked, and how")
            let services = majorServices()
            if services.isEmpty {
                m.element("p", [], "No service was found blocked or throttled.")
            } else {
                m.element("ul", []) { m in
                    for service in services {
                        let events = service.events.filter(isMajor)
                        let states = Set(events.map(\.state))
                        let state = ["blocked", "partially-blocked", "throttled"].filter(states.contains).joined(separator: " / ")
                        var mechanisms: [String] = []
                        for event in events {
                            guard let raw = event.mechanism else { continue }
                            if !mechanisms.contains(raw) { mechanisms.append(raw) }
                        }
                        m.element("li", []) { m in
                            m.element("strong", [], AnalysisReport.displayName(service.group).name)
                            m.text(": " + state.replacing("-", with: " "))
                            if let rate = events.lazy.compactMap(throttleRate).first { m.text(" to about " + rate) }
                            mechanisms.removeAll { $0 == Mechanism.throttling.rawValue }
                            if !mechanisms.isEmpty {
                                m.text(" by ")
                                for (i, raw) in mechanisms.enumerated() {
                                    if i > 0 { m.text(i == mechanisms.count - 1 ? " and " : ", ") }
                                    mechanismLink(&m, raw)
                                }
                            }
                            m.text(", " + events.map { clock.shortRange($0.start, $0.end) }.joined(separator: ", ") + " " + clock.zone.suffix)
                        }
                    }
                }
            }
        }

        m.element("div", [("class", "card fine")]) { m in
            m.element("h3", [], "What kept working")
            let working = result.services.filter { verdict in
                guard verdict.verdict == .ok, verdict.attempts > 0, case .service = verdict.group else { return false }
                return true
            }.sorted { ($0.isControl ? 0 : 1, -$0.attempts) < ($1.isControl ? 0 : 1, -$1.attempts) }
            if working.isEmpty {
                m.element("p", [], "No named service worked throughout the capture.")
            } else {
                m.element("p", [], working.map { AnalysisReport.displayName($0.group).name + ($0.isControl ? " (control)" : "") }
                    .joined(separator: ", ") + ": no blocking found whenever they were used. CONTROL services are the "
                    + "comparison: while they work, another service's failures are selective.")
            }
        }

        m.element("div", [("class", "card")]) { m in
            m.element("h3", [], "What this page cannot tell")
            var text = "This is one vantage point: what this network saw during the capture, not other networks, providers or times. "
                + "A service nobody tried to use here has no verdict."
            let gaps = report.gapSpans()
            if !gaps.isEmpty {
                text += " The capture has no packets " + gaps.map { clock.range($0.start, $0.end) }.joined(separator: ", ")
                    + ": nothing is known about that time."
            }
            m.element("p", [], text)
        }
        m.close("section")
    }

    func mechanismLink(_ m: inout HTMLMarkup, _ raw: String) {
        if Mechanism(rawValue: raw) != nil {
            m.element("a", [("href", "#mechanism-" + raw)], HTMLVocabulary.mechanismName(raw))
        } else {
            m.text(raw)
        }
    }

    func summary(_ m: inout HTMLMarkup) {
        // The text report's summary, sentence for sentence: one voice for both.
        let lines = report.summary(clock).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        m.element("h2", [("id", "summary")], "Summary in words")
        m.element("ul", [("class", "summary")]) { m in
            for line in lines.dropLast() { m.element("li", [], line) }
        }
        if let closing = lines.last { m.element("p", [("class", "caveat")], closing) }
    }

    // MARK: - Network timeline

    func networkSection(_ m: inout HTMLMarkup) {
        m.element("h2", [("id", "network")], "The whole network over time")
        m.element("p", [], "One band over the whole capture: was the Internet reachable from here? Dark stretches are cutoffs; "
                  + "white hatched ones are holes in the capture, which say nothing either way. Below it, the packets captured per bin.")
        let states = result.networkBinStates.map(\.rawValue)
        let hasPackets = result.binPackets.contains { $0 > 0 }
        let height = hasPackets ? 112.0 : 70.0
        m.open("figure")
        m.open("svg", [("class", "chart"), ("id", "network-timeline"), ("viewBox", "0 0 \(Int(HTMLTimeline.width)) \(Int(height))"),
                       ("role", "img"), ("aria-labelledby", "network-title network-desc"),
                       ("data-first-bin", HTMLMarkup.number(axis.firstBin)), ("data-bin-seconds", HTMLMarkup.number(axis.binWidth))])
        m.element("title", [("id", "network-title")], "The whole network's state over time")
        m.element("desc", [("id", "network-desc")], runsInWords(states, name: "The network"))
        axis.axis(&m, top: 12, bottom: height - 2)
        m.element("text", [("class", "lane-name"), ("x", "4"), ("y", "41")], "Whole network")
        m.element("text", [("class", "lane-note"), ("x", "4"), ("y", "55")], "reachable from here?")
        axis.band(&m, states: states, y: 20, height: 42, cssClass: "band network-band",
                  labels: { run in networkLabels(run.state) },
                  title: { run in "Network: \(stateWords(run.state)) \(clock.range(axis.binStart(run.from), axis.binStart(run.to + 1)))" })
        if hasPackets {
            let maximum = result.binPackets.max() ?? 0
            m.element("text", [("class", "lane-note"), ("x", "4"), ("y", "92")], "packets per bin (max \(maximum))")
            m.empty("path", [("d", axis.barsPath(result.binPackets, maximum: maximum, baseline: 106, height: 34)), ("fill", "#8a8a8a")])
            if result.binDrops.contains(where: { $0 > 0 }) {
                m.empty("path", [("d", axis.barsPath(result.binDrops, maximum: maximum, baseline: 106, height: 34)),
                                 ("fill", "url(#pat-capture-loss)")])
            }
        }
        m.close("svg")
        m.element("figcaption", [], "Each stretch is labelled with its state where it fits; hover a stretch for its exact times. "
                  + "The tables further down say the same in words and numbers.")
        m.close("figure")
        legend(&m, states: ["ok", "no-evidence", "degraded", "cutoff", "international-cutoff", "local-outage", "gap", "capture-loss"])
    }

    /// The network's events and its states stretch by stretch, as tables.
    func networkTables(_ m: inout HTMLMarkup) {
        let states = result.networkBinStates.map(\.rawValue)
        networkEventsTable(&m)
        m.element("details", []) { m in
            m.element("summary", [], "The network's state, stretch by stretch (data behind the chart)")
            m.element("table", []) { m in
                m.raw("<thead><tr><th>from</th><th>to</th><th>bins</th><th>state</th><th>packets</th><th>dropped by the capture</th></tr></thead>")
                m.open("tbody")
                for run in HTMLTimeline.runs(states) {
                    m.open("tr")
                    m.element("td", [], clock.preciseTime(axis.binStart(run.from)))
                    m.element("td", [], clock.preciseTime(axis.binStart(run.to + 1)))
                    m.element("td", [("class", "n")], "\(run.to - run.from + 1)")
                    m.element("td", [], run.state)
                    m.element("td", [("class", "n")], result.binPackets.isEmpty ? "-" : "\(sum(result.binPackets, run))")
                    m.element("td", [("class", "n")], result.binDrops.isEmpty ? "-" : "\(sum(result.binDrops, run))")
                    m.close("tr")
                }
                m.close("tbody")
            }
        }
    }

    /// A per-bin series summed over a run of bins.
    func sum(_ values: [Int], _ run: (from: Int, to: Int, state: String)) -> Int {
        guard run.from < values.count else { return 0 }
        return values[run.from...min(run.to, values.count - 1)].reduce(0, +)
    }

    /// Labels for the network band, longest first.
    func networkLabels(_ state: String) -> [String] {
        switch state {
        case "cutoff": ["NETWORK CUT OFF", "CUT OFF", "CUT"]
        case "international-cutoff": ["INTERNATIONAL CUTOFF", "INTL CUTOFF", "INTL"]
        case "local-outage": ["local outage", "outage"]
        case "gap": ["no packets captured", "gap"]
        case "capture-loss": ["capture lost packets", "loss"]
        case "no-evidence": ["no evidence"]
        default: [state]
        }
    }

    func networkEventsTable(_ m: inout HTMLMarkup) {
        var rows: [(start: Double, end: Double, state: String, mechanism: String?, confidence: String, why: String)] = []
        for event in result.networkEvents where event.state != NetworkState.gap.rawValue {
            rows.append((event.start, event.end, event.state, event.mechanism, event.confidence.rawValue, event.why))
        }
        for gap in report.gapSpans() {
            rows.append((gap.start, gap.end, "gap", nil, "-", "no packets were captured: no evidence either way"))
        }
        rows.sort { $0.start < $1.start }
        guard !rows.isEmpty else {
            m.element("p", [], "No cutoff, outage or capture gap.")
            return
        }
        m.element("table", [("id", "network-events")]) { m in
            m.element("caption", [("class", "caveat")], "Network events (\(clock.zoneHeading))")
            m.raw("<thead><tr><th>from</th><th>to</th><th>state</th><th>mechanism</th><th>confidence</th><th>why</th></tr></thead>")
            m.open("tbody")
            for row in rows {
                m.open("tr", [("data-state", row.state)])
                m.element("td", [], clock.time(row.start))
                m.element("td", [], clock.time(row.end))
                m.element("td", []) { m in stateTag(&m, row.state) }
                m.element("td", []) { m in
                    if let mechanism = row.mechanism { mechanismLink(&m, mechanism) } else { m.text("-") }
                }
                m.element("td", [], row.confidence)
                m.element("td", [], row.why)
                m.close("tr")
            }
            m.close("tbody")
        }
    }

    // MARK: - Services over time

    func servicesSection(_ m: inout HTMLMarkup) {
        let services = shownServices()
        m.element("h2", [("id", "services")], "Each service over time")
        guard !services.isEmpty else {
            m.element("p", [], "No attempts to any service.")
            return
        }
        m.element("p", [], "One lane per service on the same time axis as the network band (repeated on top), labelled with "
                  + "its state and how it was blocked. Under each lane, grey bars are its connection attempts per bin and "
                  + "hatched orange bars the failed ones. Dashed frames mark when the whole network was cut off: services "
                  + "then have no evidence of their own. Throttled services also show their download speed against CONTROL's.")
        let laneHeight = 30.0, chartHeight = 30.0, goodputHeight = 50.0, rowGap = 14.0
        var layout: [(service: AnalysisResult.ServiceVerdict, top: Double, throttled: Bool)] = []
        var y = 48.0
        for service in services {
            let throttled = service.events.contains { $0.state == ServiceState.throttled.rawValue }
            layout.append((service, y, throttled))
            y += laneHeight + chartHeight + (throttled ? goodputHeight : 0) + rowGap
        }
        let height = y
        m.open("figure")
        m.open("svg", [("class", "chart"), ("id", "service-timelines"), ("viewBox", "0 0 \(Int(HTMLTimeline.width)) \(Int(height))"),
                       ("role", "img"), ("aria-labelledby", "services-title services-desc")])
        m.element("title", [("id", "services-title")], "Each service's state, attempts and failures over time")
        m.element("desc", [("id", "services-desc")], services.map { service in
            let name = AnalysisReport.displayName(service.group).name
            return runsInWords(service.binStates.map(\.rawValue), name: name, events: service.events)
                + " \(service.attempts) attempts, \(service.failures) failed."
        }.joined(separator: " "))
        axis.axis(&m, top: 12, bottom: height - 4)
        m.element("text", [("class", "lane-note"), ("x", "4"), ("y", "32")], "whole network")
        axis.band(&m, states: result.networkBinStates.map(\.rawValue), y: 20, height: 16, cssClass: "band network-reference",
                  labels: { run in Array(networkLabels(run.state).dropFirst()) },
                  title: { run in "Network: \(stateWords(run.state)) \(clock.range(axis.binStart(run.from), axis.binStart(run.to + 1)))" })
        for (index, row) in layout.enumerated() {
            lane(&m, row.service, index: index, top: row.top, laneHeight: laneHeight, chartHeight: chartHeight)
            if row.throttled {
                goodput(&m, row.service, top: row.top + laneHeight + chartHeight + 4, height: goodputHeight - 10)
            }
        }
        // The network's cutoffs framed across every lane: why services show no evidence then.
        for run in HTMLTimeline.runs(result.networkBinStates.map(\.rawValue)) where NetworkState(rawValue: run.state)?.isCutoff == true {
            let (x0, x1) = (axis.x(axis.binStart(run.from)), axis.x(axis.binStart(run.to + 1)))
            m.empty("rect", [("class", "cutoff-overlay"), ("x", HTMLMarkup.number(x0)), ("y", "38"), ("width", HTMLMarkup.number(x1 - x0)),
                             ("height", HTMLMarkup.number(height - 44)), ("fill", "#000"), ("fill-opacity", "0.07"),
                             ("stroke", "#1b1b1b"), ("stroke-dasharray", "5 3"), ("stroke-opacity", "0.7"),
                             ("pointer-events", "none"), ("aria-hidden", "true")])
        }
        m.close("svg")
        m.element("figcaption", [], "Hover a stretch for its exact times; every number is in the tables further down.")
        m.close("figure")
        legend(&m, states: ["ok", "no-evidence", "degraded", "throttled", "partially-blocked", "blocked"], charts: true)
    }

    /// Verdicts per service, and each lane and its bars in numbers.
    func serviceTables(_ m: inout HTMLMarkup) {
        let services = shownServices()
        guard !services.isEmpty else { return }
        servicesTable(&m, services)
        m.element("details", []) { m in
            m.element("summary", [], "Each service's states, attempts, failures and goodput in numbers (data behind the charts)")
            for service in services { serviceDataTable(&m, service) }
        }
    }

    func lane(_ m: inout HTMLMarkup, _ service: AnalysisResult.ServiceVerdict, index: Int, top: Double,
              laneHeight: Double, chartHeight: Double) {
        let name = AnalysisReport.displayName(service.group).name
        m.open("g", [("class", "service-lane"), ("data-service", service.group.description), ("data-verdict", service.verdict.rawValue)])
        m.element("text", [("class", "lane-name"), ("x", "4"), ("y", HTMLMarkup.number(top + 13))],
                  HTMLReportText.clipped(name, 22) + (service.isControl ? " (control)" : ""))
        var mechanisms: [String] = []
        for event in service.events where isMajor(event) {
            if let raw = event.mechanism, !mechanisms.contains(raw) { mechanisms.append(raw) }
        }
        var how = service.verdict.rawValue
        if let rate = service.events.lazy.filter(isMajor).compactMap(throttleRate).first { how += " to ~" + rate }
        mechanisms.removeAll { $0 == Mechanism.throttling.rawValue }
        if !mechanisms.isEmpty { how += " · " + mechanisms.map(HTMLVocabulary.mechanismName).joined(separator: ", ") }
        m.element("text", [("class", "lane-how"), ("x", "4"), ("y", HTMLMarkup.number(top + 26))]) { m in
            m.element("title", [], how)
            m.text(HTMLReportText.clipped(how, 28))
        }
        m.element("text", [("class", "lane-note"), ("x", "4"), ("y", HTMLMarkup.number(top + laneHeight + 14))],
                  "\(service.attempts) attempts, \(service.failures) failed")
        let maximum = service.binAttempts.max() ?? 0
        if maximum > 0 {
            m.element("text", [("class", "lane-note"), ("x", "4"), ("y", HTMLMarkup.number(top + laneHeight + 26))],
                      "bars: up to \(maximum) per bin")
        }
        axis.band(&m, states: service.binStates.map(\.rawValue), y: top, height: laneHeight, cssClass: "band",
                  labels: { run in laneLabels(run, service) },
                  title: { run in
                      var text = "\(name): \(stateWords(run.state))"
                      if let mechanism = mechanism(of: run, in: service) { text += " (\(HTMLVocabulary.mechanismName(mechanism)))" }
                      return text + " " + clock.range(axis.binStart(run.from), axis.binStart(run.to + 1))
                  })
        let baseline = top + laneHeight + chartHeight
        m.empty("line", [("x1", HTMLMarkup.number(HTMLTimeline.left)), ("x2", HTMLMarkup.number(HTMLTimeline.width - HTMLTimeline.right)),
                         ("y1", HTMLMarkup.number(baseline)), ("y2", HTMLMarkup.number(baseline)), ("stroke", "#999"), ("stroke-width", "0.5")])
        if maximum > 0 {
            m.empty("path", [("class", "attempts"), ("d", axis.barsPath(service.binAttempts, maximum: maximum, baseline: baseline, height: chartHeight - 5)),
                             ("fill", "#b5b5b5")])
            m.empty("path", [("class", "failures"), ("d", axis.barsPath(service.binFailures, maximum: maximum, baseline: baseline, height: chartHeight - 5)),
                             ("fill", "url(#pat-failures)")])
        }
        m.close("g")
    }

    /// "blocked · IP blackholing", or on two lines, or just the state, whichever fits.
    func laneLabels(_ run: (from: Int, to: Int, state: String), _ service: AnalysisResult.ServiceVerdict) -> [String] {
        if run.state == "no-evidence" { return ["no evidence"] }
        let words = run.state.replacing("-", with: " ")
        if run.state == ServiceState.throttled.rawValue {
            let (start, stop) = (axis.binStart(run.from), axis.binStart(run.to + 1))
            let event = service.events.first { $0.state == run.state && $0.start < stop && $0.end >= start }
            guard let rate = event.flatMap(throttleRate) else { return [words] }
            return [words + " to ~" + rate, words + "\n~" + rate, words]
        }
        guard let mechanism = mechanism(of: run, in: service) else { return [words] }
        let name = HTMLVocabulary.mechanismName(mechanism)
        return [words + " · " + name, words + "\n" + name, words]
    }

    /// The mechanism of the event a run of bad bins belongs to.
    func mechanism(of run: (from: Int, to: Int, state: String), in service: AnalysisResult.ServiceVerdict) -> String? {
        guard let state = ServiceState(rawValue: run.state), state > .ok else { return nil }
        let (start, stop) = (axis.binStart(run.from), axis.binStart(run.to + 1))
        let overlapping = service.events.filter { $0.start < stop && $0.end >= start }
        return (overlapping.first { $0.state == run.state } ?? overlapping.first)?.mechanism
    }

    func goodput(_ m: inout HTMLMarkup, _ service: AnalysisResult.ServiceVerdict, top: Double, height: Double) {
        let mine = service.binGoodput, control = result.controlBinGoodput
        let maximum = (mine + control).compactMap { $0 }.max() ?? 0
        let baseline = top + height
        m.open("g", [("class", "goodput")])
        let name = HTMLReportText.clipped(AnalysisReport.displayName(service.group).name, 14)
        m.element("text", [("class", "lane-note"), ("x", "4"), ("y", HTMLMarkup.number(top + 10))], "download speed per bin")
        m.element("text", [("class", "lane-note"), ("x", "4"), ("y", HTMLMarkup.number(top + 22)), ("fill", "#0072b2")],
                  "■ CONTROL, solid" + (HTMLReportText.median(control).map { ": ~" + HTMLReportText.rate($0) } ?? ""))
        m.element("text", [("class", "lane-note"), ("x", "4"), ("y", HTMLMarkup.number(top + 34)), ("fill", "#7a2a5c")],
                  "● \(name), dashed" + (HTMLReportText.median(mine).map { ": ~" + HTMLReportText.rate($0) } ?? ""))
        m.empty("line", [("x1", HTMLMarkup.number(HTMLTimeline.left)), ("x2", HTMLMarkup.number(HTMLTimeline.width - HTMLTimeline.right)),
                         ("y1", HTMLMarkup.number(baseline)), ("y2", HTMLMarkup.number(baseline)), ("stroke", "#999"), ("stroke-width", "0.5")])
        guard maximum > 0 else {
            m.element("text", [("class", "lane-note"), ("x", HTMLMarkup.number(HTMLTimeline.left + 4)), ("y", HTMLMarkup.number(top + 20))],
                      "no bulk transfers measured")
            m.close("g")
            return
        }
        m.element("text", [("class", "lane-note"), ("x", HTMLMarkup.number(HTMLTimeline.left + 3)), ("y", HTMLMarkup.number(top + 8))],
                  HTMLReportText.rate(maximum))
        for (values, color, dash, marker) in [(control, "#0072b2", nil as String?, "square"), (mine, "#7a2a5c", "5 3", "circle")] {
            m.empty("path", [("d", axis.linePath(values, maximum: maximum, baseline: baseline, height: height - 14)), ("fill", "none"),
                             ("stroke", color), ("stroke-width", "2"), ("stroke-dasharray", dash)])
            // Markers carry the series as well as color and dashes: squares CONTROL, circles the service.
            var dots = ""
            for (b, value) in values.enumerated() {
                guard let value else { continue }
                let px = axis.x(axis.binStart(b) + axis.binWidth / 2), py = baseline - min(1, value / maximum) * (height - 14)
                dots += marker == "square"
                    ? "M\(HTMLMarkup.number(px - 2.5)) \(HTMLMarkup.number(py - 2.5))h5v5h-5z"
                    : "M\(HTMLMarkup.number(px - 2.5)) \(HTMLMarkup.number(py))a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0z"
            }
            if !dots.isEmpty { m.empty("path", [("d", dots), ("fill", color)]) }
        }
        m.close("g")
    }

    func servicesTable(_ m: inout HTMLMarkup, _ services: [AnalysisResult.ServiceVerdict]) {
        m.element("table", [("id", "service-table")]) { m in
            m.element("caption", [("class", "caveat")], "Verdicts per service (\(clock.zoneHeading))")
            m.raw("<thead><tr><th>service</th><th>verdict</th><th>attempts</th><th>failures</th><th>events</th></tr></thead>")
            m.open("tbody")
            for service in services {
                m.open("tr", [("data-service", service.group.description)])
                m.element("td", [], service.group.description + (service.isControl ? " (control)" : ""))
                m.element("td", []) { m in stateTag(&m, service.verdict.rawValue) }
                m.element("td", [("class", "n")], "\(service.attempts)")
                m.element("td", [("class", "n")], "\(service.failures)")
                m.element("td", []) { m in
                    if service.events.isEmpty { m.text("-") }
                    for (i, event) in service.events.enumerated() {
                        if i > 0 { m.empty("br") }
                        m.text("\(event.state) \(clock.shortRange(event.start, event.end)) (")
                        if let mechanism = event.mechanism { mechanismLink(&m, mechanism); m.text(", ") }
                        m.text("\(event.confidence.rawValue))")
                    }
                }
                m.close("tr")
            }
            m.close("tbody")
        }
        let hidden = result.services.count - services.count
        if hidden > 0 {
            m.element("p", [("class", "caveat")], "And \(hidden) other destination\(hidden == 1 ? "" : "s") with nothing to report "
                      + "(all of them in blockwatch analyze --format json).")
        }
    }

    /// A lane and its bars in numbers: one row per stretch of equal state (a day of bins stays a
    /// short table), and goodput per bin where bulk transfers were measured.
    func serviceDataTable(_ m: inout HTMLMarkup, _ service: AnalysisResult.ServiceVerdict) {
        let name = AnalysisReport.displayName(service.group).name
        m.element("table", [("class", "bins")]) { m in
            m.element("caption", [], name + ": each stretch of equal state")
            m.raw("<thead><tr><th>from</th><th>to</th><th>state</th><th>mechanism</th><th>attempts</th><th>failures</th><th>most attempts in one bin</th></tr></thead>")
            m.open("tbody")
            for run in HTMLTimeline.runs(service.binStates.map(\.rawValue)) {
                m.open("tr")
                m.element("td", [], clock.preciseTime(axis.binStart(run.from)))
                m.element("td", [], clock.preciseTime(axis.binStart(run.to + 1)))
                m.element("td", [], run.state)
                m.element("td", [], mechanism(of: run, in: service).map(HTMLVocabulary.mechanismName) ?? "-")
                m.element("td", [("class", "n")], "\(sum(service.binAttempts, run))")
                m.element("td", [("class", "n")], "\(sum(service.binFailures, run))")
                let most = run.from < service.binAttempts.count ? service.binAttempts[run.from...min(run.to, service.binAttempts.count - 1)].max() ?? 0 : 0
                m.element("td", [("class", "n")], "\(most)")
                m.close("tr")
            }
            m.close("tbody")
        }
        let measured = service.binGoodput.indices.filter { service.binGoodput[$0] != nil }
        guard !measured.isEmpty else { return }
        m.element("table", [("class", "bins")]) { m in
            m.element("caption", [], name + ": download speed per bin against CONTROL's")
            m.raw("<thead><tr><th>bin start</th><th>state</th><th>goodput</th><th>CONTROL goodput</th></tr></thead>")
            m.open("tbody")
            for b in measured {
                let control = b < result.controlBinGoodput.count ? result.controlBinGoodput[b] : nil
                m.open("tr")
                m.element("td", [], clock.preciseTime(axis.binStart(b)))
                m.element("td", [], b < service.binStates.count ? service.binStates[b].rawValue : "-")
                m.element("td", [("class", "n")], service.binGoodput[b].map(HTMLReportText.rate) ?? "-")
                m.element("td", [("class", "n")], control.map(HTMLReportText.rate) ?? "-")
                m.close("tr")
            }
            m.close("tbody")
        }
    }

    // MARK: - Evidence

    func evidenceSection(_ m: inout HTMLMarkup) {
        let all = eventsAll()
        m.element("h2", [("id", "evidence")], "Evidence")
        guard !all.isEmpty else {
            m.element("p", [], "No event to show evidence for.")
            return
        }
        m.element("p", [], "Each finding with what it rests on, and example connections. Click a Wireshark filter to select "
                  + "it, copy it, and paste it into Wireshark's display filter bar to see that connection's packets.")
        for (index, item) in all.enumerated() {
            let event = item.event
            m.open("article", [("class", "event"), ("id", "event-\(index + 1)"), ("data-state", event.state)])
            m.open("h3")
            m.text(item.title + ": ")
            stateTag(&m, event.state)
            m.text(" " + clock.range(event.start, event.end))
            m.close("h3")
            m.open("dl")
            if let mechanism = event.mechanism {
                m.element("dt", [], "how")
                m.element("dd", []) { m in
                    mechanismLink(&m, mechanism)
                    if let known = Mechanism(rawValue: mechanism) { m.text(": " + HTMLVocabulary.mechanismMeaning(known)) }
                }
            }
            m.element("dt", [], "confidence")
            m.element("dd", [], event.confidence.rawValue)
            m.element("dt", [], "why")
            m.element("dd", [], event.why)
            if event.lastSuccessBefore != nil || event.firstSuccessAfter != nil {
                m.element("dt", [], "boundaries")
                m.element("dd", [], "last success before: " + (event.lastSuccessBefore.map(clock.preciseTime) ?? "none seen")
                          + "; first success after: " + (event.firstSuccessAfter.map(clock.preciseTime) ?? "none seen")
                          + ". The true start and end lie between these and the event's own times.")
            }
            if !event.failureOutcomes.isEmpty {
                m.element("dt", [], "failures")
                m.element("dd", [], event.failureOutcomes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    + " (\(event.failures) of \(event.attempts) attempts, \(event.servers) server\(event.servers == 1 ? "" : "s"))")
            }
            m.close("dl")
            if !event.exampleFlows.isEmpty { flowsTable(&m, event.exampleFlows) }
            m.close("article")
        }
    }

    func flowsTable(_ m: inout HTMLMarkup, _ flows: [ExampleFlow]) {
        m.element("table", [("class", "flows")]) { m in
            m.raw("<thead><tr><th>time</th><th>connection</th><th>outcome</th><th>why</th><th>Wireshark display filter</th></tr></thead>")
            m.open("tbody")
            for flow in flows {
                m.open("tr")
                m.element("td", [("class", "mono")], clock.preciseTime(flow.time))
                m.element("td", [("class", "mono")]) { m in
                    m.text("\(flow.proto) \(AnalysisReport.endpoint(flow.client, flow.clientPort)) → \(AnalysisReport.endpoint(flow.server, flow.serverPort))")
                    if let name = flow.serverName {
                        m.empty("br")
                        m.text(name)
                    }
                }
                m.element("td", [("class", "nowrap")], flow.outcome)
                m.element("td", [], flow.why)
                m.element("td", []) { m in m.element("code", [("class", "filter")], flow.wiresharkFilter) }
                m.close("tr")
            }
            m.close("tbody")
        }
    }

    // MARK: - Method notes and capture

    func methodNotes(_ m: inout HTMLMarkup) {
        m.element("h2", [("id", "method")], "Method notes")
        m.element("p", [], "BlockWatch reads the packets, groups them into connection attempts (a new TCP connection, QUIC "
                  + "connection or DNS query), and judges each one: it worked, or how it failed. Attempts are counted per "
                  + "service and per time bin of \(AnalysisReport.spellDuration(result.binWidth.seconds)); a service is called "
                  + "blocked only when it fails while CONTROL services (connectivity checks, large sites) work in the same bins. "
                  + "Services are recognised by the names they ask for (DNS, TLS SNI, HTTP Host), their published addresses and "
                  + "their protocols' signatures; contents are never decrypted.")
        m.element("h3", [], "What each mechanism means")
        m.element("dl", [("class", "notes")]) { m in
            let seen = Set((result.services.flatMap(\.events) + result.networkEvents).compactMap(\.mechanism))
            for mechanism in Mechanism.allCases {
                let name = HTMLVocabulary.mechanismName(mechanism.rawValue)
                m.element("dt", [("id", "mechanism-" + mechanism.rawValue)]) { m in
                    m.text(name + (name == mechanism.rawValue ? "" : " (" + mechanism.rawValue + ")"))
                    if seen.contains(mechanism.rawValue) { m.element("span", [("class", "seen")], "seen in this capture") }
                }
                m.element("dd", [], HTMLVocabulary.mechanismMeaning(mechanism))
            }
        }
        m.element("h3", [], "What the states mean")
        m.element("dl", [("class", "notes")]) { m in
            for (state, meaning) in HTMLVocabulary.serviceStateMeanings {
                m.element("dt", []) { m in m.text("Service: "); stateTag(&m, state) }
                m.element("dd", [], meaning)
            }
            for (state, meaning) in HTMLVocabulary.networkStateMeanings {
                m.element("dt", []) { m in m.text("Network: "); stateTag(&m, state) }
                m.element("dd", [], meaning)
            }
        }
        m.element("h3", [], "How confidence was judged")
        m.element("p", [], "High: at least 10 attempts to at least 2 servers, compared with a healthy CONTROL in the same bins, "
                  + "and either a sign of active interference (a forged reset, an ICMP 'prohibited', a bogus DNS answer, a block "
                  + "page, an unanswered ClientHello after a working handshake) or at least 3 bins. Medium: at least 5 attempts "
                  + "with CONTROL to compare. Low: fewer, or no CONTROL traffic at the time. A network cutoff is high with at "
                  + "least 5 external destinations failing over 2 bins or more, medium with 3. Capture loss lowers every "
                  + "confidence by one step. Event boundaries are accurate to the last success before and the first success "
                  + "after, shown with each event.")
        m.element("h3", [], "What this vantage point can and cannot show")
        m.element("ul", []) { m in
            m.element("li", [], "It can show what the network at this capture point did to the traffic it carried: which "
                      + "connections went unanswered, which were reset by a forger, which DNS answers were false, which transfers "
                      + "were slowed, and when.")
            m.element("li", [], "It cannot show what other networks, providers, regions or times experienced, nor who ordered a "
                      + "block: only that something between this point and the servers interfered.")
            m.element("li", [], "A service nobody tried to use during the capture has no verdict; a quiet stretch is "
                      + "'no evidence', never a block or a cutoff.")
            m.element("li", [], "Packets the capture itself missed (holes, drops, cut-short files) are the observer's loss: "
                      + "they lower confidence and are never counted as blocking.")
        }
    }

    func captureSection(_ m: inout HTMLMarkup) {
        m.element("h2", [("id", "capture")], "The capture")
        var lines = report.captureLines()
        if !inputs.isEmpty { lines.insert("  read from: " + inputs.joined(separator: ", "), at: 0) }
        m.element("pre", [], lines.map { String($0.dropFirst(2)) }.joined(separator: "\n"))
        if !result.caveats.isEmpty {
            m.element("ul", []) { m in
                for caveat in result.caveats { m.element("li", [("class", "caveat")], caveat) }
            }
        }
    }

    // MARK: - Shared pieces

    func stateTag(_ m: inout HTMLMarkup, _ state: String) {
        let look = HTMLVocabulary.look(state)
        let background = look.color
        m.element("span", [("class", "tag"), ("data-state", state),
                           ("style", "background:\(background);color:\(look.ink)")], state)
    }

    func legend(_ m: inout HTMLMarkup, states: [String], charts: Bool = false) {
        m.element("ul", [("class", "legend"), ("aria-label", "Legend")]) { m in
            for state in states {
                let look = HTMLVocabulary.look(state)
                m.element("li", []) { m in
                    m.raw("<svg viewBox=\"0 0 26 14\" aria-hidden=\"true\"><rect width=\"26\" height=\"14\" fill=\""
                          + HTMLMarkup.escape(HTMLVocabulary.fill(state)) + "\"/></svg>")
                    m.element("strong", [], state)
                    m.text(": " + look.words)
                }
            }
            if charts {
                m.element("li", []) { m in
                    m.raw("<svg viewBox=\"0 0 26 14\" aria-hidden=\"true\"><rect width=\"26\" height=\"14\" fill=\"#b5b5b5\"/></svg>")
                    m.text("attempts per bin")
                }
                m.element("li", []) { m in
                    m.raw("<svg viewBox=\"0 0 26 14\" aria-hidden=\"true\"><rect width=\"26\" height=\"14\" fill=\"url(#pat-failures)\"/></svg>")
                    m.text("failed attempts per bin")
                }
            }
        }
    }

    func stateWords(_ state: String) -> String {
        state == "no-evidence" ? "no evidence" : state
    }

    /// A band in words, for screen readers: "The network: ok from 10:20 to 10:45 UTC; cutoff ...".
    func runsInWords(_ states: [String], name: String, events: [Event] = []) -> String {
        let runs = HTMLTimeline.runs(states).filter { $0.state != "no-evidence" }
        guard !runs.isEmpty else { return "\(name): no evidence at any time." }
        return "\(name): " + runs.map { run in
            let (start, stop) = (axis.binStart(run.from), axis.binStart(run.to + 1))
            var text = stateWords(run.state)
            let overlapping = events.filter { $0.start < stop && $0.end >= start && $0.state == run.state }
            if let mechanism = overlapping.first?.mechanism { text += " (\(HTMLVocabulary.mechanismName(mechanism)))" }
            return text + " " + clock.range(start, stop)
        }.joined(separator: "; ") + "."
    }

    /// A throttled event's measured goodput, in words.
    func throttleRate(_ event: Event) -> String? {
        guard event.state == ServiceState.throttled.rawValue else { return nil }
        return event.goodput.map(HTMLReportText.rate) ?? AnalysisReport.throttledRate(event)
    }

    func isMajor(_ event: Event) -> Bool {
        guard let state = ServiceState(rawValue: event.state) else { return false }
        return state >= .throttled
    }

    /// Blocked, partially blocked or throttled groups: named services first, a few destinations after.
    func majorServices() -> [AnalysisResult.ServiceVerdict] {
        let major = result.services.filter { $0.group != .local && $0.events.contains(where: isMajor) }
        let named = major.filter { if case .service = $0.group { true } else { false } }
        let others = major.filter { if case .service = $0.group { false } else { true } }
        let order: (AnalysisResult.ServiceVerdict, AnalysisResult.ServiceVerdict) -> Bool = {
            ($1.verdict, $1.failures, $0.group.description) < ($0.verdict, $0.failures, $1.group.description)
        }
        return named.sorted(by: order) + others.sorted(by: order).prefix(5)
    }

    func cutoffEvents() -> [Event] {
        result.networkEvents.filter { NetworkState(rawValue: $0.state)?.isCutoff ?? false }.sorted { $0.start < $1.start }
    }

    /// The same services as the text report's table: every named one, other destinations only
    /// when something happened to them, and at most 20 of those.
    func shownServices() -> [AnalysisResult.ServiceVerdict] {
        let ordered = result.services.sorted {
            ($1.verdict, $1.failures, $0.group.description) < ($0.verdict, $0.failures, $1.group.description)
        }
        var destinations = 0
        return ordered.filter { verdict in
            guard case .destination = verdict.group else { return true }
            guard !verdict.events.isEmpty || verdict.failures > 0, destinations < 20 else { return false }
            destinations += 1
            return true
        }
    }

    /// Every event with a heading: services (worst first), then the network.
    func eventsAll() -> [(title: String, event: Event)] {
        let services = result.services.filter { !$0.events.isEmpty }.sorted {
            ($1.verdict, $0.group.description) < ($0.verdict, $1.group.description)
        }
        var all: [(title: String, event: Event)] = services.flatMap { service in
            service.events.map { (AnalysisReport.displayName(service.group).name, $0) }
        }
        all += result.networkEvents.filter { $0.state != NetworkState.gap.rawValue }.map { ("Whole network", $0) }
        return all
    }
}

/// Small text helpers of the HTML report.
enum HTMLReportText {
    /// "24.5 Mbit/s", "512 kbit/s", "900 bit/s".
    static func rate(_ bitsPerSecond: Double) -> String {
        func one(_ value: Double) -> String {
            value >= 100 ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)
                .replacing(".0", with: "")
        }
        if bitsPerSecond >= 1e9 { return one(bitsPerSecond / 1e9) + " Gbit/s" }
        if bitsPerSecond >= 1e6 { return one(bitsPerSecond / 1e6) + " Mbit/s" }
        if bitsPerSecond >= 1e3 { return one(bitsPerSecond / 1e3) + " kbit/s" }
        return one(bitsPerSecond) + " bit/s"
    }

    /// "39 s", "12 min", "2 h 05 min".
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 90 { return "\(whole) s" }
        if whole < 5_400 { return "\(Int((seconds / 60).rounded())) min" }
        let minutes = Int((seconds / 60).rounded())
        return "\(minutes / 60) h \(minutes % 60 < 10 ? "0" : "")\(minutes % 60) min"
    }

    /// The median of the measured values (nil when none was).
    static func median(_ values: [Double?]) -> Double? {
        let known = values.compactMap { $0 }.sorted()
        guard !known.isEmpty else { return nil }
        return known.count % 2 == 1 ? known[known.count / 2] : (known[known.count / 2 - 1] + known[known.count / 2]) / 2
    }

    /// A long name shortened for a chart label (the tables hold it whole).
    static func clipped(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
