import Detection
import Identification
import Wire

/// What `blockwatch analyze` reports: the verdicts, the capture they came from, and how complete
/// the observer's own view was. Renders as text for people (opening with a summary a journalist
/// can quote) and as JSON for machines (DESIGN.md §5, `blockwatch.report/1`).
public struct AnalysisReport: Sendable {
    /// The JSON schema name; renaming a field bumps it.
    public static let schema = "blockwatch.report/1"

    public var result: AnalysisResult
    public var capture: CaptureSummary
    /// The signature catalog's version (its newest file date), so a verdict can be traced to it.
    public var signaturesVersion: String?
    /// libpcap's counters: packets the observer lost are shown, never taken as blocking.
    public var captureDrops: (received: Int, dropped: Int)?

    public init(result: AnalysisResult, capture: CaptureSummary, signaturesVersion: String? = nil,
                captureDrops: (received: Int, dropped: Int)? = nil) {
        self.result = result
        self.capture = capture
        self.signaturesVersion = signaturesVersion
        self.captureDrops = captureDrops
    }

    // MARK: - Text

    /// The whole text report: summary, per-service table, network timeline, evidence, capture.
    public func text(timeZone zone: ReportTimeZone = .utc) -> String {
        let clock = ReportClock(zone: zone, report: self)
        var out: [String] = []
        out.append("BlockWatch analysis of " + (capture.files.isEmpty ? "the capture" : capture.files.joined(separator: ", ")))
        out.append(captureLine(clock))
        out.append("")
        out.append("Summary")
        out.append(summary(clock))
        out.append("")
        out.append("Services")
        out.append(contentsOf: serviceTable(clock))
        out.append("")
        out.append("Network timeline (\(clock.zoneHeading))")
        out.append(contentsOf: networkTimeline(clock))
        let evidence = evidenceLines(clock)
        if !evidence.isEmpty {
            out.append("")
            out.append("Evidence (open each flow in Wireshark with its filter)")
            out.append(contentsOf: evidence)
        }
        out.append("")
        out.append("Capture")
        out.append(contentsOf: captureLines())
        return out.joined(separator: "\n") + "\n"
    }

    /// Only the plain-language summary: findings one sentence per line, then the caveats.
    public func summary(timeZone zone: ReportTimeZone = .utc) -> String {
        summary(ReportClock(zone: zone, report: self))
    }

    func summary(_ clock: ReportClock) -> String {
        var findings: [Finding] = []
        for service in result.services {
            for event in service.events {
                if let sentence = serviceSentence(service, event, clock) { findings.append(sentence) }
            }
        }
        for event in result.networkEvents {
            if let sentence = networkSentence(event, clock) { findings.append(sentence) }
        }
        findings.sort { ($0.start, $0.text) < ($1.start, $1.text) }

        // Named services always get a sentence; unlisted destinations could be hundreds.
        let destinationLimit = 5
        var destinationsSeen = 0, destinationsLeft = 0
        findings = findings.filter { finding in
            guard finding.isDestination else { return true }
            destinationsSeen += 1
            if destinationsSeen > destinationLimit { destinationsLeft += 1; return false }
            return true
        }

        var lines: [String] = []
        if !findings.contains(where: \.isMajor) {
            let groups = result.services.count
            lines.append(result.attempts == 0
                ? "No connection attempts were seen in this capture, so it shows neither blocking nor its absence."
                : "No blocking, throttling or cutoff was found in this capture (\(result.attempts) attempt\(plural(result.attempts)) "
                    + "to \(groups) service\(plural(groups)))."
            )
            // Failed attempts below any verdict's threshold are still facts a reader should see.
            let failed = result.outcomeCounts.filter { $0.key.isFailure && $0.value > 0 }
            let failures = failed.values.reduce(0, +)
            if failures > 0 {
                let judged = failures + (result.outcomeCounts[.ok] ?? 0)
                let list = failed.sorted { ($1.value, $0.key.rawValue) < ($0.value, $1.key.rawValue) }
                    .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
                lines.append("\(failures) of the \(judged) judged attempts failed (\(list)), too little evidence for a verdict; "
                             + "they are listed per service below.")
            }
        }
        for (i, finding) in findings.enumerated() {
            var text = finding.text
            if i == 0, let day = clock.commonDay {
                text = "On \(day), " + (finding.leadsWithTime ? lowercasingFirst(text) : text)
            }
            lines.append(text)
        }
        if destinationsLeft > 0 {
            lines.append("\(destinationsLeft) more event\(plural(destinationsLeft)) at other destinations "
                         + "\(destinationsLeft == 1 ? "is" : "are") listed below.")
        }

        var closing: [String] = []
        for gap in gapSpans() {
            closing.append("The capture has no packets \(clock.range(gap.start, gap.end)), so it says nothing about that time.")
        }
        closing.append("This is one vantage point: it shows what this network saw during the capture, not other networks, providers or times.")
        closing.append(contentsOf: result.caveats.map(sentence))
        return (lines + [closing.joined(separator: " ")]).joined(separator: "\n")
    }

    /// One sentence of the summary, with what orders and counts it.
    struct Finding {
        var start: Double
        var text: String
        /// Blocking, throttling or a cutoff, as opposed to a degraded stretch.
        var isMajor: Bool
        var isDestination: Bool
        var leadsWithTime: Bool
    }

    func serviceSentence(_ service: AnalysisResult.ServiceVerdict, _ event: Event, _ clock: ReportClock) -> Finding? {
        guard let state = ServiceState(rawValue: event.state), state > .ok else { return nil }
        let (name, isPlural) = AnalysisReport.displayName(service.group)
        let when = clock.range(event.start, event.end)
        let confidence = "\(event.confidence.rawValue) confidence"
        let be = isPlural ? "were" : "was"
        var text: String
        switch state {
        case .blocked, .partiallyBlocked:
            if service.group == .local {
                text = "\(name) failed \(when) (\(confidence)): a fault of the local network, not necessarily censorship"
            } else {
                text = "\(name) \(be) \(state == .blocked ? "blocked" : "partially blocked") \(when)"
                text += AnalysisReport.how(event.mechanism, confidence: confidence)
                let working = workingServices(during: event, except: service.group)
                if !working.isEmpty { text += " while " + AnalysisReport.list(working) }
                if state == .partiallyBlocked { text += ": \(event.failures) of \(event.attempts) attempts failed" }
            }
        case .throttled:
            text = "\(name) \(be) throttled"
            if let rate = AnalysisReport.throttledRate(event) { text += " to about \(rate)" }
            text += " \(when) (\(confidence))"
        default:
            text = "\(name) had many failures \(when), as did other destinations (degraded, \(confidence))"
        }
        let isDestination = if case .destination = service.group { true } else { false }
        return Finding(start: event.start, text: text + ".", isMajor: state >= .throttled,
                       isDestination: isDestination, leadsWithTime: false)
    }

    func networkSentence(_ event: Event, _ clock: ReportClock) -> Finding? {
        guard let state = NetworkState(rawValue: event.state) else {
            return Finding(start: event.start, text: "\(capitalizingFirst(clock.range(event.start, event.end))) the network was "
                           + "\(event.state) (\(event.confidence.rawValue) confidence).", isMajor: true, isDestination: false, leadsWithTime: true)
        }
        let when = capitalizingFirst(clock.range(event.start, event.end))
        let confidence = "\(event.confidence.rawValue) confidence"
        let text: String
        switch state {
        case .ok, .noEvidence, .gap: return nil
        case .captureLoss:
            return Finding(start: event.start, text: "\(when) the capture itself dropped too many packets to judge anything; "
                           + "no verdict rests on that period.", isMajor: false, isDestination: false, leadsWithTime: true)
        case .cutoff:
            text = "\(when) the whole network was cut off (total cutoff, \(confidence))."
        case .internationalCutoff:
            text = "\(when) international connectivity was cut off while domestic servers still answered (international cutoff, \(confidence))."
        case .localOutage:
            text = "\(when) the local network failed: the gateway or resolver stopped answering (local outage, not necessarily censorship; \(confidence))."
        case .degraded:
            text = "\(when) many destinations failed at once (network degraded, \(confidence))."
        }
        return Finding(start: event.start, text: text, isMajor: state == .cutoff || state == .internationalCutoff,
                       isDestination: false, leadsWithTime: true)
    }

    /// " by injecting TCP resets (high confidence)", " by dropping connections to its servers
    /// (IP blackholing; high confidence)".
    static func how(_ mechanism: String?, confidence: String) -> String {
        guard let mechanism else { return " (\(confidence))" }
        let words: (phrase: String, term: String?) = switch Mechanism(rawValue: mechanism) {
        case .ipBlackhole: ("by dropping connections to its servers", "IP blackholing")
        case .sniFiltering: ("by filtering its TLS server name", "SNI")
        case .rstInjection: ("by injecting TCP resets", nil)
        case .icmpProhibited: ("by a filter answering 'administratively prohibited'", nil)
        case .dnsTampering: ("by tampering with DNS answers", nil)
        case .dnsBlackhole: ("by dropping its DNS lookups", nil)
        case .quicBlocking: ("over QUIC only", "connections fell back to TCP")
        case .httpBlockpage: ("by serving a block page", "HTTP")
        case .protocolFiltering: ("by cutting its protocol after the handshake", nil)
        case .tcpRefused: ("by refusing connections", "resets that look genuine")
        case .routing: ("by routers reporting its servers unreachable", nil)
        case .throttling: ("by throttling", nil)
        case .totalCutoff: ("as the whole network was cut off", nil)
        case .internationalCutoff: ("as international connectivity was cut off", nil)
        case .localOutage: ("by a local outage", nil)
        case nil: ("by \(mechanism)", nil)
        }
        return " " + words.phrase + " (" + [words.term, confidence].compactMap { $0 }.joined(separator: "; ") + ")"
    }

    /// The throttled goodput as the detector measured it ("512 kbit/s").
    // Read from `why` until `Event` carries the rate as a number.
    static func throttledRate(_ event: Event) -> String? {
        guard let range = event.why.range(of: "median ") else { return nil }
        let words = event.why[range.upperBound...].split(separator: " ", maxSplits: 2)
        guard words.count >= 2, Double(words[0]) != nil, words[1].hasSuffix("bit/s") else { return nil }
        return "\(words[0]) \(words[1])"
    }

    /// Services working in the bins an event spans: what makes a block selective, in words.
    func workingServices(during event: Event, except group: Group) -> [String] {
        let width = result.binWidth.seconds
        guard width > 0, result.binCount > 0 else { return [] }
        let firstBin = result.firstBinStart.seconds
        let lower = max(0, Int(((event.start - firstBin) / width).rounded(.down)))
        let upper = min(result.binCount - 1, Int(((event.end - firstBin) / width).rounded(.down)))
        guard lower <= upper else { return [] }
        let working = result.services.filter { verdict in
            guard verdict.group != group, case .service(let name) = verdict.group,
                  name != FlowIdentifier.domesticService else { return false }
            return (lower...upper).contains { $0 < verdict.binStates.count && verdict.binStates[$0] == .ok }
        }
        return working
            .sorted { ($0.isControl ? 0 : 1, -$0.attempts, $0.group.description) < ($1.isControl ? 0 : 1, -$1.attempts, $1.group.description) }
            .map { AnalysisReport.displayName($0.group).name }
    }

    /// "Google worked", "Google and Wikipedia worked", "other services such as A, B and C worked".
    static func list(_ names: [String]) -> String {
        let shown = Array(names.prefix(3))
        var text = shown.count == 1 ? shown[0] : shown.dropLast().joined(separator: ", ") + " and " + shown.last!
        if names.count > 3 { text = "other services such as " + text }
        return text + " worked"
    }

    /// How people know a group, and whether it reads as plural.
    static func displayName(_ group: Group) -> (name: String, plural: Bool) {
        switch group {
        case .local: return ("Local destinations (gateway, resolver)", true)
        case .destination(let name): return (name, false)
        case .service(let service):
            if let known = displayNames[service.rawValue] { return known }
            let raw = service.rawValue
            return (raw.prefix(1).uppercased() + raw.dropFirst(), false)
        }
    }

    static let displayNames: [String: (String, Bool)] = [
        "telegram": ("Telegram", false), "whatsapp": ("WhatsApp", false), "signal": ("Signal", false),
        "viber": ("Viber", false), "youtube": ("YouTube", false), "tiktok": ("TikTok", false),
        "twitter": ("Twitter/X", false), "facebook": ("Facebook", false), "instagram": ("Instagram", false),
        "messenger": ("Messenger", false), "meta": ("Meta's shared servers", true), "google": ("Google", false),
        "cloudflare": ("Cloudflare", false), "microsoft": ("Microsoft", false), "apple": ("Apple", false),
        "wikipedia": ("Wikipedia", false), "control": ("Connectivity checks", true), "domestic": ("Domestic servers", true),
    ]

    /// Stretches without packets: from gap events, and from gap bins no event covers.
    func gapSpans() -> [(start: Double, end: Double)] {
        var spans = result.networkEvents.filter { $0.state == NetworkState.gap.rawValue }.map { (start: $0.start, end: $0.end) }
        let width = result.binWidth.seconds
        var b = 0
        while b < result.networkBinStates.count {
            guard result.networkBinStates[b] == .gap else { b += 1; continue }
            var e = b
            while e + 1 < result.networkBinStates.count && result.networkBinStates[e + 1] == .gap { e += 1 }
            let start = result.firstBinStart.seconds + Double(b) * width, end = start + Double(e - b + 1) * width
            if !spans.contains(where: { $0.start < end && start < $0.end }) { spans.append((start, end)) }
            b = e + 1
        }
        return spans.sorted { $0.start < $1.start }
    }

    // MARK: Sections

    func captureLine(_ clock: ReportClock) -> String {
        var parts: [String] = []
        if let first = capture.firstPacket, let last = capture.lastPacket {
            let (from, to) = (clock.zone.local(first.seconds), clock.zone.local(last.seconds))
            let end = from.day == to.day ? to.hoursMinutesSeconds : to.day + " " + to.hoursMinutesSeconds
            parts.append("\(from.day) \(from.hoursMinutesSeconds) to \(end) \(clock.zone.suffix) "
                         + "(\(CaptureSummary.humanDuration(last - first)))")
        }
        parts.append("\(capture.packets) packets")
        parts.append("\(result.attempts) attempt\(plural(result.attempts))")
        parts.append("bins of \(AnalysisReport.spellDuration(result.binWidth.seconds))")
        return "Capture: " + parts.joined(separator: ", ")
    }

    func serviceTable(_ clock: ReportClock) -> [String] {
        let ordered = result.services.sorted {
            ($1.verdict, $1.failures, $0.group.description) < ($0.verdict, $0.failures, $1.group.description)
        }
        // Every named service is listed; other destinations only when something happened to them,
        // and not hundreds of those.
        let destinationRows = 20
        var destinationsShown = 0
        let shown = ordered.filter { verdict in
            guard case .destination = verdict.group else { return true }
            guard !verdict.events.isEmpty || verdict.failures > 0, destinationsShown < destinationRows else { return false }
            destinationsShown += 1
            return true
        }
        let hidden = ordered.count - shown.count
        guard !shown.isEmpty else {
            return hidden > 0 ? ["  \(hidden) destination\(plural(hidden)), none with failures (all of them in --format json)"]
                              : ["  no attempts to any service"]
        }
        var lines = ["  " + pad("service", 26) + pad("verdict", 19) + padLeft("attempts", 9) + padLeft("failures", 10) + "  events"]
        for verdict in shown {
            let name = verdict.group.description + (verdict.isControl ? " (control)" : "")
            let events = verdict.events.map { event in
                "\(event.state) \(clock.shortRange(event.start, event.end))"
                    + " (" + [event.mechanism, event.confidence.rawValue].compactMap { $0 }.joined(separator: ", ") + ")"
            }
            let row = "  " + pad(name, 26) + pad(verdict.verdict.rawValue, 19) + padLeft("\(verdict.attempts)", 9)
                + padLeft("\(verdict.failures)", 10) + "  "
            lines.append(row + (events.first ?? "-"))
            for more in events.dropFirst() { lines.append(String(repeating: " ", count: row.count) + more) }
        }
        if hidden > 0 { lines.append("  and \(hidden) other destination\(plural(hidden)) (all of them in --format json)") }
        return lines
    }

    func networkTimeline(_ clock: ReportClock) -> [String] {
        var rows: [(start: Double, text: String)] = []
        for event in result.networkEvents where event.state != NetworkState.gap.rawValue {
            rows.append((event.start, "  " + pad(clock.shortRange(event.start, event.end), 26) + pad(event.state, 22)
                         + pad(event.mechanism ?? "-", 22) + pad(event.confidence.rawValue, 8) + event.why))
        }
        for gap in gapSpans() {
            rows.append((gap.start, "  " + pad(clock.shortRange(gap.start, gap.end), 26) + pad("gap", 22)
                         + "no packets were captured: no evidence either way"))
        }
        if rows.isEmpty { return ["  no cutoff, outage or capture gap"] }
        return rows.sorted { $0.start < $1.start }.map(\.text)
    }

    func evidenceLines(_ clock: ReportClock) -> [String] {
        var lines: [String] = []
        let services = result.services.filter { !$0.events.isEmpty }.sorted {
            ($1.verdict, $0.group.description) < ($0.verdict, $1.group.description)
        }
        var blocks: [(title: String, event: Event)] = services.flatMap { service in
            service.events.map { (service.group.description, $0) }
        }
        blocks += result.networkEvents.filter { $0.state != NetworkState.gap.rawValue }.map { ("network", $0) }
        for (title, event) in blocks {
            if !lines.isEmpty { lines.append("") }
            lines.append("  \(title): \(event.state) \(clock.shortRange(event.start, event.end)) \(clock.zone.suffix)"
                         + (event.mechanism.map { ", \($0)" } ?? "") + ", \(event.confidence.rawValue) confidence")
            lines.append("    why: \(event.why)")
            if event.lastSuccessBefore != nil || event.firstSuccessAfter != nil {
                lines.append("    boundaries: last success before "
                             + (event.lastSuccessBefore.map(clock.preciseTime) ?? "none seen")
                             + ", first success after " + (event.firstSuccessAfter.map(clock.preciseTime) ?? "none seen"))
            }
            if !event.failureOutcomes.isEmpty {
                lines.append("    failures: " + event.failureOutcomes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    + " (\(event.failures) of \(event.attempts) attempts, \(event.servers) server\(plural(event.servers)))")
            }
            for flow in event.exampleFlows {
                let client = AnalysisReport.endpoint(flow.client, flow.clientPort)
                let server = AnalysisReport.endpoint(flow.server, flow.serverPort)
                lines.append("    \(clock.preciseTime(flow.time))  \(flow.proto) \(client) -> \(server)"
                             + (flow.serverName.map { " (\($0))" } ?? "") + "  \(flow.outcome): \(flow.why)")
                lines.append("      wireshark: \(flow.wiresharkFilter)")
            }
        }
        return lines
    }

    func captureLines() -> [String] {
        var lines = capture.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        if let drops = captureDrops {
            lines.append("  capture drops: \(drops.dropped) of \(drops.received) packets lost by the observer"
                         + (drops.dropped > 0 ? " (this lowers confidence; it is never evidence of blocking)" : ""))
        }
        for warning in capture.warnings { lines.append("  warning: \(warning)") }
        if let signaturesVersion { lines.append("  signatures: \(signaturesVersion)") }
        return lines
    }

    // MARK: - JSON

    /// The report as JSON (`blockwatch.report/1`): keys in a fixed order, times in epoch seconds.
    public func json() -> String {
        jsonValue().rendered() + "\n"
    }

    func jsonValue() -> JSONValue {
        var decodeIssues: [String: Int] = [:]
        for issue in capture.issues.nonZero { decodeIssues[issue.issue.description] = issue.count }
        let captureObject: JSONValue = .object([
            ("files", .array(capture.files.map(JSONValue.string))),
            ("first_packet", .optional(capture.firstPacket) { .time($0.seconds) }),
            ("last_packet", .optional(capture.lastPacket) { .time($0.seconds) }),
            ("packets", .int(capture.packets)),
            ("flows", .int(capture.flows)),
            ("decode_issues", .counts(decodeIssues)),
            // packets = in_flows + not_ip + fragments_merged + undecodable, the last by named issue.
            ("accounting", .object([
                ("packets", .int(capture.packets)),
                ("in_flows", .int(capture.inFlows)),
                ("not_ip", .int(capture.notIP)),
                ("fragments_merged", .int(capture.fragmentsMerged)),
                ("undecodable", .int(capture.undecodable)),
                ("undecodable_by_issue", .counts(Dictionary(uniqueKeysWithValues: capture.undecodableByIssue.map { ($0.issue.description, $0.count) }))),
                ("balanced", .bool(capture.isBalanced)),
            ])),
            ("evictions", .object([
                ("flows", .int(capture.flowTable.evicted)),
                ("fragments", .int(capture.fragmentsEvicted)),
                ("dns_names", .int(capture.dnsNamesEvicted)),
                ("call_endpoints", .int(capture.callEndpointsEvicted)),
                ("payload_cut_short", .int(capture.payloadFlowsCutShort)),
            ])),
            ("capture_drops", .optional(captureDrops) { .object([("received", .int($0.received)), ("dropped", .int($0.dropped))]) }),
            ("warnings", .array(capture.warnings.map(JSONValue.string))),
        ])
        var outcomes: [(String, JSONValue)] = []
        for outcome in Outcome.allCases { outcomes.append((outcome.rawValue, .int(result.outcomeCounts[outcome] ?? 0))) }
        return .object([
            ("schema", .string(AnalysisReport.schema)),
            ("capture", captureObject),
            ("bin_seconds", .number(result.binWidth.seconds)),
            ("first_bin_start", .time(result.firstBinStart.seconds)),
            ("bin_count", .int(result.binCount)),
            ("attempts", .int(result.attempts)),
            ("network", .object([
                ("events", .array(result.networkEvents.map(AnalysisReport.json))),
                ("bins", .array(result.networkBinStates.map { .string($0.rawValue) })),
            ])),
            ("services", .array(result.services.map(AnalysisReport.json))),
            ("outcomes", .object(outcomes)),
            ("caveats", .array(result.caveats.map(JSONValue.string))),
            ("signatures_version", .optional(signaturesVersion, JSONValue.string)),
        ])
    }

    static func json(_ service: AnalysisResult.ServiceVerdict) -> JSONValue {
        let kind = switch service.group {
        case .service: "service"
        case .local: "local"
        case .destination: "destination"
        }
        return .object([
            ("service", .string(service.group.description)),
            ("kind", .string(kind)),
            ("control", .bool(service.isControl)),
            ("verdict", .string(service.verdict.rawValue)),
            ("attempts", .int(service.attempts)),
            ("failures", .int(service.failures)),
            ("events", .array(service.events.map(json))),
        ] + bins(service))
    }

    /// Per-bin series for charts: every named service, but other destinations only when
    /// something happened to them (there can be thousands, each with a value per bin).
    static func bins(_ service: AnalysisResult.ServiceVerdict) -> [(String, JSONValue)] {
        if case .destination = service.group, service.events.isEmpty { return [] }
        return [
            ("bins", .object([
                ("states", .array(service.binStates.map { .string($0.rawValue) })),
                ("attempts", .array(service.binAttempts.map(JSONValue.int))),
                ("failures", .array(service.binFailures.map(JSONValue.int))),
            ])),
        ]
    }

    static func json(_ event: Event) -> JSONValue {
        .object([
            ("state", .string(event.state)),
            ("mechanism", .optional(event.mechanism, JSONValue.string)),
            ("start", .time(event.start)),
            ("end", .time(event.end)),
            ("last_success_before", .optional(event.lastSuccessBefore, JSONValue.time)),
            ("first_success_after", .optional(event.firstSuccessAfter, JSONValue.time)),
            ("confidence", .string(event.confidence.rawValue)),
            ("attempts", .int(event.attempts)),
            ("failures", .int(event.failures)),
            ("servers", .int(event.servers)),
            ("failure_outcomes", .counts(event.failureOutcomes)),
            ("why", .string(event.why)),
            ("example_flows", .array(event.exampleFlows.map(json))),
        ])
    }

    static func json(_ flow: ExampleFlow) -> JSONValue {
        .object([
            ("time", .time(flow.time)),
            ("uid", .string(flow.uid)),
            ("proto", .string(flow.proto)),
            ("client", .string(flow.client)),
            ("client_port", .int(flow.clientPort)),
            ("server", .string(flow.server)),
            ("server_port", .int(flow.serverPort)),
            ("server_name", .optional(flow.serverName, JSONValue.string)),
            ("outcome", .string(flow.outcome)),
            ("why", .string(flow.why)),
            ("wireshark_filter", .string(flow.wiresharkFilter)),
        ])
    }

    // MARK: - Small helpers

    static func endpoint(_ address: String, _ port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// "30 s", "5 min", "1 h", "90 s".
    static func spellDuration(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600)) h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
        return JSONValue.spell(seconds) + " s"
    }

    func sentence(_ text: String) -> String {
        let trimmed = text.trimmingSuffix(" ")
        return trimmed.hasSuffix(".") || trimmed.hasSuffix("!") || trimmed.hasSuffix("?") ? trimmed : trimmed + "."
    }

    func plural(_ n: Int) -> String { n == 1 ? "" : "s" }
    func pad(_ text: String, _ width: Int) -> String { CatalogListing.pad(text, width) }
    func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
    func capitalizingFirst(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
    func lowercasingFirst(_ text: String) -> String { text.prefix(1).lowercased() + text.dropFirst() }
}

extension String {
    fileprivate func trimmingSuffix(_ character: Character) -> String {
        var s = self
        while s.last == character { s.removeLast() }
        return s
    }
}

/// How a report spells times: the zone, whether a date is needed, and whether seconds are.
struct ReportClock {
    let zone: ReportTimeZone
    /// The local day every event falls on, when there is one: the date is then said once.
    let commonDay: String?
    /// Short bins or short events would collapse to one minute without seconds.
    let showSeconds: Bool
    /// An instant to name a named zone's offset at (it can change with daylight saving).
    let referenceInstant: Double?

    init(zone: ReportTimeZone, report: AnalysisReport) {
        self.zone = zone
        let events = report.result.services.flatMap(\.events) + report.result.networkEvents
        var instants = events.flatMap { [$0.start, $0.end] }
        if instants.isEmpty, let first = report.capture.firstPacket, let last = report.capture.lastPacket {
            instants = [first.seconds, last.seconds]
        }
        let days = Set(instants.map { zone.local($0).day })
        commonDay = days.count == 1 ? days.first : nil
        referenceInstant = instants.min()
        showSeconds = report.result.binWidth.seconds < 60 || events.contains { $0.end - $0.start < 120 }
    }

    /// "10:31" (or "10:31:07"), with the date in front when it is not the common day.
    func time(_ t: Double) -> String {
        let local = zone.local(t)
        let clock = showSeconds ? local.hoursMinutesSeconds : local.hoursMinutes
        return local.day == commonDay ? clock : local.day + " " + clock
    }

    /// Always with seconds: example flows and boundaries are single packets.
    func preciseTime(_ t: Double) -> String {
        let local = zone.local(t)
        return local.day == commonDay ? local.hoursMinutesSeconds : local.day + " " + local.hoursMinutesSeconds
    }

    /// "from 10:31 to 14:02 UTC", or "at 10:31 UTC" when both ends read the same.
    func range(_ start: Double, _ end: Double) -> String {
        let (a, b) = (time(start), time(end))
        return a == b ? "at \(a) \(zone.suffix)" : "from \(a) to \(b) \(zone.suffix)"
    }

    /// "10:31 to 14:02", for tables whose heading names the zone.
    func shortRange(_ start: Double, _ end: Double) -> String {
        let (a, b) = (time(start), time(end))
        return a == b ? a : "\(a) to \(b)"
    }

    /// "UTC", "UTC+06:00", "Asia/Almaty, UTC+06:00" — plus the day when there is one.
    var zoneHeading: String {
        var heading = zone.name
        if case .named = zone.rule, let reference = referenceInstant { heading += ", " + zone.offsetName(at: reference) }
        if let commonDay { heading = commonDay + ", " + heading }
        return heading
    }
}
