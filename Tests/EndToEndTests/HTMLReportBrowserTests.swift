import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `blockwatch analyze --html` on the lab's Kazakhstan capture, checked as a file and as a
/// browser sees it: headless Chromium loads it, and the network band it renders shows the
/// truth file's phases (cutoffs where the lab cut the network, to within one bin).
@Suite("The HTML report of the Kazakhstan capture")
struct HTMLReportBrowserTests {
    static let capture = TestCaptures.projectRoot.appendingPathComponent("captures/lab/kazakhstan-2022.pcap").path
    static let truthPath = TestCaptures.projectRoot.appendingPathComponent("captures/lab/kazakhstan-2022.truth.json").path

    /// CI sets BLOCKWATCH_LIVE_TESTS=1 and installs chromium (scripts/ensure-deps.sh --test):
    /// there a missing browser fails the test; elsewhere the browser test is skipped, visibly.
    static let browserRequired = ProcessInfo.processInfo.environment["BLOCKWATCH_LIVE_TESTS"] == "1"
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }()

    struct Phase {
        var name: String
        var start: Double
        var end: Double
        var network: String
        var idle: Bool
    }

    static func truth() throws -> (phases: [Phase], domestic: [String]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truthPath))) as? [String: Any])
        let phases = ((object["phases"] as? [[String: Any]]) ?? []).compactMap { phase -> Phase? in
            guard let start = phase["start"] as? Double, let end = phase["end"] as? Double else { return nil }
            return Phase(name: phase["name"] as? String ?? "?", start: start, end: end, network: phase["network"] as? String ?? "ok",
                         idle: (phase["activity"] as? String) == "idle")
        }
        let domestic = ((object["groups"] as? [String: Any])?["domestic_prefixes"] as? [String]) ?? []
        return (phases, domestic)
    }

    /// Runs analyze with --html into a fresh folder; the text report still goes to standard output.
    static func render() throws -> (folder: URL, page: URL, html: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("kazakhstan.html")
        var arguments = ["analyze", capture, "--html", page.path]
        let domestic = try truth().domestic
        if !domestic.isEmpty { arguments += ["--domestic", domestic.joined(separator: ",")] }
        let run = try CommandLineTests.blockwatch(arguments)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("Summary"), "the text report is written as well")
        let html = try String(contentsOf: page, encoding: .utf8)
        return (folder, page, html)
    }

    /// The network band's segments: state and epoch-second bounds, read from markup (the file's
    /// or the browser's serialization of its DOM; both keep the attributes in order).
    static func bandSegments(_ markup: String) -> (segments: [(state: String, start: Double, end: Double)], firstBin: Double?, binSeconds: Double?) {
        func attribute(_ name: String, in text: Substring) -> String? {
            guard let range = text.range(of: " \(name)=\"") else { return nil }
            let tail = text[range.upperBound...]
            return tail.firstIndex(of: "\"").map { String(tail[..<$0]) }
        }
        guard let chart = markup.range(of: "id=\"network-timeline\""),
              let band = markup.range(of: "class=\"band network-band\"") else { return ([], nil, nil) }
        let svgTag = markup[chart.lowerBound...].prefix { $0 != ">" }
        let rest = markup[band.upperBound...]
        let body = rest[..<(rest.range(of: "</g>")?.lowerBound ?? rest.endIndex)]
        var segments: [(String, Double, Double)] = []
        for piece in body.components(separatedBy: "<rect ").dropFirst() {
            let tag = " " + piece.prefix { $0 != ">" }
            guard let state = attribute("data-state", in: tag[...]), let start = attribute("data-start", in: tag[...]).flatMap(Double.init),
                  let end = attribute("data-end", in: tag[...]).flatMap(Double.init) else { continue }
            segments.append((state, start, end))
        }
        return (segments, attribute("data-first-bin", in: svgTag).flatMap(Double.init), attribute("data-bin-seconds", in: svgTag).flatMap(Double.init))
    }

    /// The band against the truth: every cutoff segment lies inside a cut-off stretch of the truth
    /// (give or take a bin), every cut-off stretch has one, and each phase's bins (those wholly
    /// inside it, less one at each end, as LabTruthTests judges) are drawn in the phase's state.
    static func checkPhases(_ markup: String, _ phases: [Phase]) throws {
        let (segments, firstBin, binSeconds) = bandSegments(markup)
        let bin = try #require(binSeconds), first = try #require(firstBin)
        #expect(!segments.isEmpty)
        // Consecutive cut-off phases (the lab's active and idle halves of one cut) are one stretch.
        var cuts: [(start: Double, end: Double)] = []
        for phase in phases where phase.network == "cutoff" || phase.network == "international-cutoff" {
            if let last = cuts.last, abs(last.end - phase.start) < 1e-3 { cuts[cuts.count - 1].end = phase.end } else { cuts.append((phase.start, phase.end)) }
        }
        #expect(cuts.count >= 1, "the truth file has a cutoff")
        let drawn = segments.filter { $0.state == "cutoff" || $0.state == "international-cutoff" }
        #expect(drawn.count == cuts.count, "cutoff segments \(drawn.map { ($0.start, $0.end) }), truth \(cuts)")
        for segment in drawn {
            #expect(cuts.contains { segment.start >= $0.start - bin && segment.end <= $0.end + bin },
                    "cutoff drawn \(segment.start)–\(segment.end) is not within a bin of a truth cutoff \(cuts)")
        }
        for phase in phases {
            let from = Int(((phase.start - first) / bin).rounded(.up)) + 1
            let to = Int(((phase.end - first) / bin).rounded(.down)) - 2
            guard from <= to else { continue }
            var states = Set<String>()
            for b in from...to {
                let middle = first + (Double(b) + 0.5) * bin
                let segment = segments.first { $0.start <= middle && middle < $0.end }
                states.insert(segment?.state ?? "none")
            }
            switch phase.network {
            case "cutoff", "international-cutoff":
                let allowed: Set<String> = phase.idle ? [phase.network, "no-evidence", "gap"] : [phase.network]
                #expect(states.isSubset(of: allowed), "\(phase.name): drawn \(states), truth \(phase.network)")
            default:
                #expect(states.isDisjoint(with: ["cutoff", "international-cutoff", "none"]), "\(phase.name): drawn \(states), truth \(phase.network)")
                #expect(states.contains("ok"), "\(phase.name): drawn \(states), truth \(phase.network)")
            }
        }
    }

    @Test("analyze --html writes a well-formed, self-contained page whose timeline matches the truth file")
    func pageFile() throws {
        let (_, _, html) = try Self.render()
        // Well-formed as XML: the page is written to be, so any slip in escaping shows here.
        let parser = XMLParser(data: Data(html.utf8))
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
        #expect(!html.contains("<script"))
        #expect(!html.contains("://"), "no external URL of any kind")
        #expect(!html.contains("src="))
        #expect(html.contains("kazakhstan-2022.pcap"))
        // The three messengers and their mechanisms are named on the page.
        for text in ["Telegram", "WhatsApp", "Signal", "IP blackholing", "forged TCP resets", "SNI filtering", "NETWORK CUT OFF"] {
            #expect(html.contains(text), "missing \(text)")
        }
        // Small: aggregated per bin, not per packet (the capture has 5316 packets).
        #expect(html.utf8.count < 400_000, "\(html.utf8.count) bytes")
        try Self.checkPhases(html, try Self.truth().phases)
    }

    /// Runs the browser with a deadline; returns its status, standard output and standard error.
    static func browser(_ arguments: [String], profile: URL) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let deadline = DispatchTime.now() + .seconds(120)
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: killer)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        while !reader.isFinished { usleep(1000) }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    @Test("headless Chromium renders the page without errors, and its DOM's timeline shows the truth's phases",
          .enabled(if: chromium != nil || browserRequired, "chromium is not installed (scripts/ensure-deps.sh --test installs it)"))
    func inChromium() throws {
        _ = try #require(Self.chromium, "chromium is required when BLOCKWATCH_LIVE_TESTS=1 (scripts/ensure-deps.sh --test)")
        let (folder, page, html) = try Self.render()
        let profile = folder.appendingPathComponent("profile")

        let dom = try Self.browser(["--dump-dom", page.absoluteString], profile: profile)
        #expect(dom.status == 0, "\(dom.errors.suffix(2000))")
        // The browser parsed it to the end, and nothing it logged is a console error or a blocked fetch.
        #expect(dom.output.contains("id=\"end-of-report\""))
        #expect(dom.output.contains("id=\"network-timeline\""))
        let complaints = dom.errors.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Refused to") || $0.contains("ERR_FILE_NOT_FOUND") || $0.contains("net::ERR_")
        }
        #expect(complaints.isEmpty, "\(complaints)")
        try Self.checkPhases(dom.output, try Self.truth().phases)

        // As XHTML, Chromium's own XML parser checks well-formedness: any error shows as a parsererror.
        let xhtml = folder.appendingPathComponent("kazakhstan.xhtml")
        try html.replacingOccurrences(of: "<html lang=\"en\">", with: "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">")
            .write(to: xhtml, atomically: true, encoding: .utf8)
        let strict = try Self.browser(["--dump-dom", xhtml.absoluteString], profile: profile)
        #expect(strict.status == 0)
        #expect(!strict.output.contains("parsererror"), "\(strict.output.prefix(1000))")
        #expect(strict.output.contains("end-of-report"))

        // It paints, and it prints.
        let png = folder.appendingPathComponent("page.png"), pdf = folder.appendingPathComponent("page.pdf")
        let shot = try Self.browser(["--screenshot=\(png.path)", "--window-size=1200,2400", "--hide-scrollbars", page.absoluteString], profile: profile)
        #expect(shot.status == 0, "\(shot.errors.suffix(2000))")
        let image = try Data(contentsOf: png)
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 20_000, "a blank page compresses to almost nothing: \(image.count) bytes")
        let printed = try Self.browser(["--print-to-pdf=\(pdf.path)", "--no-pdf-header-footer", page.absoluteString], profile: profile)
        #expect(printed.status == 0, "\(printed.errors.suffix(2000))")
        let document = try Data(contentsOf: pdf)
        #expect(document.starts(with: Array("%PDF".utf8)))
        try? FileManager.default.removeItem(at: folder)
    }
}
