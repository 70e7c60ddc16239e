import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Detection
import Identification
@testable import Reports
import Wire

/// The HTML report: well-formed, self-contained, safe with hostile capture strings, and saying
/// in markup, words and data what the charts show.
@Suite("The HTML report")
struct HTMLReportTests {
    /// A parsed element: enough of a DOM to check structure and attributes.
    final class Node {
        enum Piece {
            case text(String)
            case element(Node)
        }

        let name: String
        let attributes: [String: String]
        /// Text and child elements in document order.
        var pieces: [Piece] = []
        weak var parent: Node?

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }

        var children: [Node] { pieces.compactMap { if case .element(let node) = $0 { node } else { nil } } }
        /// The element's own text, without its children's.
        var text: String { pieces.map { if case .text(let text) = $0 { text } else { "" } }.joined() }
        var all: [Node] { [self] + children.flatMap(\.all) }
        /// The text of this element and everything inside it, in reading order.
        var allText: String {
            pieces.map { piece in
                switch piece {
                case .text(let text): text
                case .element(let node): node.allText
                }
            }.joined()
        }
        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    /// Parses the page as XML: nil (with the parser's complaint) when it is not well-formed.
    final class Parser: NSObject, XMLParserDelegate {
        var root: Node?
        var stack: [Node] = []

        static func parse(_ page: String) -> (root: Node?, error: String?) {
            let parser = XMLParser(data: Data(page.utf8))
            let delegate = Parser()
            parser.delegate = delegate
            let ok = parser.parse()
            return ok ? (delegate.root, nil) : (nil, "\(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let node = Node(name: name, attributes: attributes)
            node.parent = stack.last
            stack.last?.pieces.append(.element(node))
            if root == nil { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.pieces.append(.text(string))
        }
    }

    static func parsed(_ report: HTMLReport) throws -> (page: String, root: Node) {
        let page = report.render()
        let (root, error) = Parser.parse(page)
        #expect(error == nil, "not well-formed: \(error ?? "")")
        return (page, try #require(root))
    }

    /// The fixture day, with per-bin goodput for the throttled service and CONTROL.
    static var day: AnalysisReport {
        var report = ReportFixtures.day
        var control = [Double?](repeating: 24_000_000, count: ReportFixtures.binCount)
        control[3] = nil
        report.result.controlBinGoodput = control
        for i in report.result.services.indices where report.result.services[i].group == .service("whatsapp") {
            report.result.services[i].binGoodput = (0..<ReportFixtures.binCount).map { $0 % 4 == 0 ? 512_000 : nil }
        }
        report.result.binPackets = (0..<ReportFixtures.binCount).map { 1_000 + $0 }
        report.result.binDrops = [Int](repeating: 0, count: ReportFixtures.binCount)
        return report
    }

    static func html(_ report: AnalysisReport = day, zone: ReportTimeZone = .utc) -> HTMLReport {
        HTMLReport(report: report, inputs: ["day1.pcap"], timeZone: zone)
    }

    @Test("the page is well-formed XML with one html root, a head with a title, and a body")
    func wellFormed() throws {
        let (page, root) = try Self.parsed(Self.html())
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(root.name == "html")
        #expect(root.children.map(\.name) == ["head", "body"])
        let title = try #require(root.all.first { $0.name == "title" && $0.parent?.name == "head" })
        #expect(title.text.contains("day1.pcap"))
        // The empty report renders as well: no division by zero bins, no missing sections.
        let (_, quiet) = try Self.parsed(Self.html(ReportFixtures.quiet))
        #expect(quiet.all.contains { $0.attributes["id"] == "end-of-report" })
        let nothing = AnalysisResult(binWidth: .seconds(10), firstBinStart: Timestamp(seconds: 0), binCount: 0, networkEvents: [],
                                     networkBinStates: [], services: [], outcomeCounts: [:], attempts: 0, caveats: [])
        let (_, empty) = try Self.parsed(HTMLReport(result: nothing, capture: CaptureSummary(), inputs: []))
        #expect(empty.allText.contains("No connection attempts were seen in this capture"))
    }

    @Test("self-contained: no script, no external reference in any attribute or style, only in-page links")
    func selfContained() throws {
        let (page, root) = try Self.parsed(Self.html())
        let forbidden: Set<String> = ["script", "iframe", "img", "link", "object", "embed", "image", "use", "foreignObject"]
        #expect(root.all.filter { forbidden.contains($0.name) }.isEmpty)
        for node in root.all {
            for (name, value) in node.attributes {
                #expect(!name.lowercased().hasPrefix("on"), "event handler \(name) on \(node.name)")
                if ["href", "src", "xlink:href", "action", "srcset", "poster", "data"].contains(name) {
                    #expect(value.hasPrefix("#"), "\(node.name) \(name)=\(value)")
                }
            }
        }
        // Every url() in CSS or fill attributes points inside the page.
        var rest = Substring(page)
        var urls = 0
        while let range = rest.range(of: "url(") {
            urls += 1
            #expect(rest[range.upperBound...].hasPrefix("#"), "\(rest[range.lowerBound...].prefix(40))")
            rest = rest[range.upperBound...]
        }
        #expect(urls > 0)
        #expect(!page.contains("://"))
        #expect(!page.contains("@import") && !page.contains("@font-face"))
        // A content security policy forbids fetching anything, should a future change slip.
        let policy = try #require(root.all.first { $0.attributes["http-equiv"] == "Content-Security-Policy" })
        #expect(policy.attributes["content"]?.hasPrefix("default-src 'none'") == true)
    }

    /// A capture is adversarial: names and texts it supplies must never become markup.
    static var hostile: AnalysisReport {
        var report = day
        let evil = "<script>alert(1)</script>\" onmouseover=\"x' &amp; ]]> \u{0}\u{7}"
        let name = "evil\"><img src=https://evil.example/x.png onerror=alert(1)>.example"
        var flow = ReportFixtures.flow(ReportFixtures.at(10, 33), server: "203.0.113.66", outcome: .tcpSynTimeout, why: evil, name: name)
        flow.uid = "C<b>"
        let event = Event(state: "blocked", mechanism: "<svg onload=alert(1)>", start: ReportFixtures.at(10, 30),
                          end: ReportFixtures.at(10, 50), lastSuccessBefore: nil, firstSuccessAfter: nil, confidence: .medium,
                          attempts: 9, failures: 9, servers: 2, failureOutcomes: ["<i>": 9], why: evil, exampleFlows: [flow])
        report.result.services.append(ReportFixtures.verdict(.destination(name), verdict: .blocked, attempts: 9, failures: 9,
                                                              events: [event], states: ReportFixtures.states(.blocked)))
        report.capture.files = ["<b>capture</b>.pcap"]
        report.capture.warnings = [evil]
        return report
    }

    @Test("hostile server names, why texts and file names are escaped, never markup")
    func escaping() throws {
        let report = HTMLReport(report: Self.hostile, inputs: ["<b>capture</b>.pcap", "a\"b.pcap"])
        let (page, root) = try Self.parsed(report)
        #expect(!page.contains("<script"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b>") && !page.contains("<i>"))
        #expect(!page.contains("<svg onload"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("\u{0}") && !page.contains("\u{7}"))
        #expect(root.all.allSatisfy { node in !node.attributes.keys.contains { $0.lowercased().hasPrefix("on") } })
        // The text survives as text: the name is in a table cell, whole.
        let name = "evil\"><img src=https://evil.example/x.png onerror=alert(1)>.example"
        #expect(root.all.contains { $0.name == "td" && $0.text == name })
        // The filter a reader copies is exactly the flow's.
        let filters = root.all.filter { $0.classes.contains("filter") }.map(\.text)
        #expect(filters.contains("ip.addr==192.0.2.10 && ip.addr==203.0.113.66 && tcp.port==51234 && tcp.port==443"))
    }

    @Test("escape turns markup into entities and drops what XML cannot hold")
    func escapeFunction() {
        #expect(HTMLMarkup.escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;")
        #expect(HTMLMarkup.escape("x\u{1}y\u{FFFF}") == "x\u{FFFD}y\u{FFFD}")
        #expect(HTMLMarkup.escape("Алматы\tok\n") == "Алматы\tok\n")
    }

    func segments(_ root: Node, in bandClass: String) -> [Node] {
        guard let band = root.all.first(where: { $0.classes.contains(bandClass) }) else { return [] }
        return band.all.filter { $0.name == "rect" && $0.classes.contains("seg") }
    }

    @Test("the network band: one segment per run of equal bins, with its state and epoch-second bounds")
    func networkBand() throws {
        let report = Self.day
        let (_, root) = try Self.parsed(Self.html(report))
        let segments = segments(root, in: "network-band")
        let states = report.result.networkBinStates.map(\.rawValue)
        let runs = HTMLTimeline.runs(states)
        #expect(segments.count == runs.count)
        #expect(runs.count < states.count)
        let width = ReportFixtures.binWidth
        for (segment, run) in zip(segments, runs) {
            #expect(segment.attributes["data-state"] == run.state)
            #expect(Double(segment.attributes["data-start"] ?? "") == ReportFixtures.firstBin + Double(run.from) * width)
            #expect(Double(segment.attributes["data-end"] ?? "") == ReportFixtures.firstBin + Double(run.to + 1) * width)
            #expect(segment.children.first?.name == "title")
        }
        let cutoff = try #require(segments.first { $0.attributes["data-state"] == "cutoff" })
        #expect(Double(cutoff.attributes["data-start"] ?? "") == ReportFixtures.firstBin + Double(ReportFixtures.bin(of: ReportFixtures.at(10, 45))) * width)
        #expect(segments.contains { $0.attributes["data-state"] == "gap" })
        // The cutoff is labelled in words on the band, not only colored.
        let labels = root.all.filter { $0.name == "text" && $0.classes.contains("seg-label") }.map(\.text)
        #expect(labels.contains("NETWORK CUT OFF"))
    }

    @Test("each service has a lane naming its state and mechanism, and attempt/failure bars")
    func serviceLanes() throws {
        let (_, root) = try Self.parsed(Self.html())
        let lanes = root.all.filter { $0.classes.contains("service-lane") }
        #expect(Set(lanes.compactMap { $0.attributes["data-service"] }) == ["telegram", "whatsapp", "google", "wikipedia"])
        let telegram = try #require(lanes.first { $0.attributes["data-service"] == "telegram" })
        #expect(telegram.attributes["data-verdict"] == "blocked")
        #expect(telegram.all.contains { $0.attributes["data-state"] == "blocked" })
        #expect(telegram.all.contains { $0.name == "text" && $0.text == "blocked · IP blackholing" })
        #expect(telegram.all.contains { $0.name == "path" && $0.classes.contains("attempts") && ($0.attributes["d"] ?? "").hasPrefix("M") })
        let whatsapp = try #require(lanes.first { $0.attributes["data-service"] == "whatsapp" })
        #expect(whatsapp.all.contains { $0.attributes["data-state"] == "throttled" })
        // A throttle is told by its measured rate (from the event), not "throttled by throttling".
        #expect(whatsapp.all.contains { $0.name == "text" && $0.text == "throttled to ~512 kbit/s" })
        // Only the throttled service gets the goodput chart, with CONTROL's line and its own.
        let goodput = root.all.filter { $0.classes.contains("goodput") }
        #expect(goodput.count == 1)
        #expect(goodput.first?.all.filter { $0.name == "path" && $0.attributes["stroke"] != nil }.count == 2)
        #expect(goodput.first?.allText.contains("24 Mbit/s") == true)
    }

    @Test("every chart has a title and a description in words, and a data table")
    func textAlternatives() throws {
        let (_, root) = try Self.parsed(Self.html())
        let charts = root.all.filter { $0.name == "svg" && $0.attributes["role"] == "img" }
        #expect(charts.count == 2)
        let byID = Dictionary(root.all.compactMap { node in node.attributes["id"].map { ($0, node) } }, uniquingKeysWith: { a, _ in a })
        for chart in charts {
            let ids = (chart.attributes["aria-labelledby"] ?? "").split(separator: " ").map(String.init)
            #expect(ids.count == 2)
            #expect(ids.compactMap { byID[$0]?.name } == ["title", "desc"])
            #expect(ids.allSatisfy { !(byID[$0]?.text.isEmpty ?? true) })
        }
        let network = try #require(byID["network-desc"]).text
        #expect(network.contains("cutoff from 10:45 to 12:15 UTC"))
        let services = try #require(byID["services-desc"]).text
        #expect(services.contains("Telegram") && services.contains("blocked (IP blackholing)"))
        // The numbers behind the charts, as tables.
        let tables = root.all.filter { $0.name == "details" }.flatMap { $0.all.filter { $0.name == "table" } }
        #expect(tables.count >= 2)
        // Decorative pieces are hidden from screen readers; patterns are named in the legend in words.
        let legend = root.all.filter { $0.classes.contains("legend") }.map(\.allText).joined()
        for state in ["cutoff", "international-cutoff", "gap", "blocked", "throttled", "partially-blocked", "no-evidence"] {
            #expect(legend.contains(state))
        }
    }

    @Test("states other than ok and no-evidence are drawn with a pattern, not color alone")
    func patterns() throws {
        let (_, root) = try Self.parsed(Self.html())
        let patterns = Set(root.all.filter { $0.name == "pattern" }.compactMap { $0.attributes["id"] })
        for segment in root.all where segment.classes.contains("seg") {
            let state = segment.attributes["data-state"] ?? ""
            let fill = segment.attributes["fill"] ?? ""
            if state == "ok" || state == "no-evidence" {
                #expect(fill.hasPrefix("#"))
            } else {
                #expect(fill.hasPrefix("url(#"), "\(state): \(fill)")
                #expect(patterns.contains(String(fill.dropFirst(5).dropLast())), "\(fill)")
            }
        }
    }

    @Test("the header names the files, vantage point, span and capture loss; the summary is the text report's")
    func header() throws {
        let report = Self.day
        let (_, root) = try Self.parsed(Self.html(report))
        let header = try #require(root.all.first { $0.name == "header" })
        let facts = Dictionary(zip(header.all.filter { $0.name == "dt" }.map(\.text), header.all.filter { $0.name == "dd" }.map(\.text)),
                               uniquingKeysWith: { a, _ in a })
        #expect(facts["Capture"] == "day1.pcap")
        #expect(facts["Vantage point"]?.contains("192.0.2.10") == true)
        #expect(facts["Time span"] == "2022-01-05 10:20:00 to 14:29:59 UTC (4h09m58s)")
        #expect(facts["Capture loss"]?.contains("12 of 1234579 packets dropped") == true)
        #expect(facts["Capture loss"]?.contains("no packets from 12:40 to 12:50 UTC") == true)
        let cards = root.all.filter { $0.classes.contains("card") }.map(\.allText)
        #expect(cards.contains { $0.contains("from 10:45 to 12:10 UTC, 85 min: total cutoff (high confidence)") })
        #expect(cards.contains { $0.contains("WhatsApp: throttled to about 512 kbit/s, 11:00 to 12:30 UTC") })
        #expect(cards.contains { $0.contains("Telegram: blocked by IP blackholing, 10:31 to 14:02 UTC") })
        let lede = try #require(header.all.first { $0.classes.contains("lede") }).text
        #expect(lede == "2 services were blocked or throttled (Telegram, WhatsApp); the whole network was cut off once.")
        // Every summary sentence, as the text report words it.
        let summaryText = root.all.filter { $0.name == "li" || $0.classes.contains("caveat") }.map(\.text)
        for line in report.summary(timeZone: .utc).split(separator: "\n") {
            #expect(summaryText.contains(String(line)), "missing: \(line)")
        }
    }

    @Test("a memory bound reached under a flood is among what the page cannot tell")
    func evictionsAreALimit() throws {
        var report = Self.day
        report.capture.flowTable.evicted = 750
        report.capture.payloadFlowsCutShort = 42
        let (_, root) = try Self.parsed(Self.html(report))
        let header = try #require(root.all.first { $0.name == "header" })
        let facts = Dictionary(zip(header.all.filter { $0.name == "dt" }.map(\.text), header.all.filter { $0.name == "dd" }.map(\.text)),
                               uniquingKeysWith: { a, _ in a })
        #expect(facts["Capture loss"]?.contains("750 flows written out early") == true)
        #expect(facts["Capture loss"]?.contains("42 flows identified without reassembling their payload") == true)
        let (_, plain) = try Self.parsed(Self.html(Self.day))
        #expect(!plain.allText.contains("written out early"))
    }

    @Test("times follow the chosen zone")
    func timeZone() throws {
        let zone = try ReportTimeZone("+06:00")
        let (_, root) = try Self.parsed(Self.html(zone: zone))
        let network = try #require(root.all.first { $0.attributes["id"] == "network-desc" }).text
        #expect(network.contains("cutoff from 16:45 to 18:15 UTC+06:00"))
    }

    @Test("evidence: every event, with its example flows and their Wireshark filters; every mechanism explained")
    func evidence() throws {
        let report = Self.day
        let (_, root) = try Self.parsed(Self.html(report))
        let articles = root.all.filter { $0.name == "article" && $0.classes.contains("event") }
        let events = report.result.services.flatMap(\.events) + report.result.networkEvents.filter { $0.state != "gap" }
        #expect(articles.count == events.count)
        let filters = Set(root.all.filter { $0.classes.contains("filter") }.map(\.text))
        for flow in events.flatMap(\.exampleFlows) {
            #expect(filters.contains(flow.wiresharkFilter))
        }
        #expect(filters.contains { $0.hasPrefix("ipv6.addr==") })
        let ids = Set(root.all.compactMap { $0.attributes["id"] })
        for mechanism in Mechanism.allCases { #expect(ids.contains("mechanism-" + mechanism.rawValue)) }
        // Links to mechanisms land on their explanation.
        for link in root.all where link.name == "a" {
            #expect(ids.contains(String((link.attributes["href"] ?? "").dropFirst())))
        }
    }

    @Test("prints: a print style keeps colors and patterns")
    func printStyle() {
        let page = Self.html().render()
        #expect(page.contains("@media print"))
        #expect(page.contains("print-color-adjust: exact"))
    }

    @Test("a day of one-minute bins with many services stays small: runs and paths, not an element per bin")
    func compactForLongCaptures() throws {
        let bins = 1_440
        var network = [NetworkState](repeating: .ok, count: bins)
        for b in 600..<700 { network[b] = .cutoff }
        let services = (0..<25).map { i in
            AnalysisResult.ServiceVerdict(
                group: .destination("site\(i).example"), isControl: false, verdict: .blocked, attempts: bins * 3, failures: bins,
                events: [ReportFixtures.cutoff],
                binAttempts: [Int](repeating: 3, count: bins), binFailures: (0..<bins).map { $0 % 3 },
                binStates: (0..<bins).map { $0 / 120 % 2 == 0 ? .ok : .blocked })
        }
        var result = AnalysisResult(binWidth: .seconds(60), firstBinStart: Timestamp(seconds: ReportFixtures.midnight), binCount: bins,
                                    networkEvents: [ReportFixtures.cutoff], networkBinStates: network, services: services,
                                    outcomeCounts: [.ok: 100], attempts: bins * 75, caveats: [])
        result.binPackets = [Int](repeating: 500, count: bins)
        var capture = CaptureSummary()
        capture.files = ["day.pcap"]
        let report = HTMLReport(result: result, capture: capture, inputs: ["day.pcap"])
        let clock = ContinuousClock()
        var page = ""
        let elapsed = clock.measure { page = report.render() }
        #expect(elapsed < .seconds(5))
        #expect(page.utf8.count < 3_000_000, "\(page.utf8.count) bytes")
        let (root, error) = Parser.parse(page)
        #expect(error == nil)
        let rects = root?.all.filter { $0.name == "rect" && $0.classes.contains("seg") }.count ?? 0
        // 3 network runs twice (band and reference row), 12 runs per service lane.
        #expect(rects == 3 * 2 + 20 * 12)
        // Only 20 other destinations are drawn, as in the text report.
        #expect((root?.all.filter { $0.classes.contains("service-lane") }.count ?? 0) == 20)
    }
}
