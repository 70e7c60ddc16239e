import Foundation
import Testing
@testable import Detection
import Identification
@testable import Reports
import Wire

@Suite("The text report: a summary a journalist can quote, then the evidence")
struct AnalysisReportTextTests {
    let report = ReportFixtures.day

    func summaryLines(_ zone: ReportTimeZone = .utc) -> [String] {
        report.summary(timeZone: zone).split(separator: "\n").map(String.init)
    }

    @Test("A blocked service: who, when in the zone, the mechanism in words, how sure, and what still worked")
    func blockedSentence() {
        let lines = summaryLines()
        #expect(lines.first == "On 2022-01-05, Telegram was blocked from 10:31 to 14:02 UTC by dropping connections to its "
                + "servers (IP blackholing; high confidence) while Google, Wikipedia and WhatsApp worked.")
    }

    @Test("The cutoff and the throttled service get a sentence each, in time order")
    func cutoffAndThrottle() {
        let lines = summaryLines()
        #expect(lines.count == 4)
        #expect(lines[1] == "From 10:45 to 12:10 UTC the whole network was cut off (total cutoff, high confidence).")
        #expect(lines[2] == "WhatsApp was throttled to about 512 kbit/s from 11:00 to 12:30 UTC (medium confidence).")
    }

    @Test("The summary ends with the capture gap, the vantage-point caveat and the result's caveats")
    func closingCaveats() throws {
        let last = try #require(summaryLines().last)
        #expect(last.hasPrefix("The capture has no packets from 12:40 to 12:50 UTC, so it says nothing about that time. "
                               + "This is one vantage point: "))
        #expect(last.hasSuffix("Capture loss (the capture dropped 12 packets) lowers the confidence of every verdict."))
    }

    @Test("Each mechanism is said in words", arguments: [
        ("sni-filtering", "by filtering its TLS server name (SNI; high confidence)"),
        ("rst-injection", "by injecting TCP resets (high confidence)"),
        ("icmp-prohibited", "by a filter answering 'administratively prohibited' (high confidence)"),
        ("dns-tampering", "by tampering with DNS answers (high confidence)"),
        ("dns-blackhole", "by dropping its DNS lookups (high confidence)"),
        ("quic-blocking", "over QUIC only (connections fell back to TCP; high confidence)"),
        ("protocol-filtering", "by cutting its protocol after the handshake (high confidence)"),
    ])
    func mechanismWords(mechanism: String, words: String) {
        var report = report
        report.result.services[1].events[0].mechanism = mechanism
        #expect(report.summary().contains("Telegram was blocked from 10:31 to 14:02 UTC " + words))
    }

    @Test("Network mechanisms: an international cutoff says domestic servers still answered")
    func internationalCutoff() {
        var report = report
        report.result.networkEvents[0].state = "international-cutoff"
        report.result.networkEvents[0].mechanism = "international-cutoff"
        report.result.networkEvents[0].confidence = .medium
        #expect(report.summary().contains("From 10:45 to 12:10 UTC international connectivity was cut off while domestic "
                                          + "servers still answered (international cutoff, medium confidence)."))
    }

    @Test("A partial block gives its counts")
    func partialBlock() {
        var report = report
        report.result.services[1].events[0].state = "partially-blocked"
        report.result.services[1].events[0].mechanism = "rst-injection"
        #expect(report.summary().contains("Telegram was partially blocked from 10:31 to 14:02 UTC by injecting TCP resets "
                                          + "(high confidence) while Google, Wikipedia and WhatsApp worked: 398 of 412 attempts failed."))
    }

    @Test("--tz +06:00 shifts every shown time and names the offset")
    func fixedOffset() throws {
        let zone = try ReportTimeZone("+06:00")
        let lines = summaryLines(zone)
        #expect(lines[0].hasPrefix("On 2022-01-05, Telegram was blocked from 16:31 to 20:02 UTC+06:00 by"))
        #expect(lines[1].hasPrefix("From 16:45 to 18:10 UTC+06:00 the whole network"))
        let text = report.text(timeZone: zone)
        #expect(text.contains("Network timeline (2022-01-05, UTC+06:00)"))
        #expect(text.contains("16:45 to 18:10"))
        #expect(text.contains("16:31:07  tcp 192.0.2.10:51234 -> 149.154.167.51:443"))
        #expect(!text.contains("10:31:07"))
    }

    @Test("A named zone uses its rules (Asia/Kolkata is UTC+05:30)")
    func namedZone() throws {
        let lines = summaryLines(try ReportTimeZone("Asia/Kolkata"))
        #expect(lines[0].hasPrefix("On 2022-01-05, Telegram was blocked from 16:01 to 19:32 Asia/Kolkata time by"))
    }

    @Test("When events fall on different days, every time carries its date")
    func acrossMidnight() throws {
        let lines = summaryLines(try ReportTimeZone("+13:00"))
        #expect(lines[0].hasPrefix("Telegram was blocked from 2022-01-05 23:31 to 2022-01-06 03:02 UTC+13:00 by"))
        #expect(lines[1].hasPrefix("From 2022-01-05 23:45 to 2022-01-06 01:10 UTC+13:00 the whole network"))
    }

    @Test("Nothing found: one plain sentence with the counts, then the caveat")
    func noFinding() {
        let lines = ReportFixtures.quiet.summary().split(separator: "\n").map(String.init)
        #expect(lines.first == "No blocking, throttling or cutoff was found in this capture (120 attempts to 3 services).")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("This is one vantage point: ") == true)
    }

    @Test("Failed attempts without a verdict are still counted in the summary and listed in the table")
    func failuresBelowVerdict() throws {
        var quiet = ReportFixtures.quiet
        quiet.result.outcomeCounts = [.ok: 101, .rstInjected: 6, .tlsHelloTimeout: 13, .pending: 2]
        quiet.result.services.append(ReportFixtures.verdict(.destination("archive.org"), verdict: .noEvidence, attempts: 19,
                                                            failures: 19, states: ReportFixtures.states(.noEvidence)))
        quiet.result.services.append(ReportFixtures.verdict(.destination("quiet.example"), verdict: .noEvidence, attempts: 2,
                                                            failures: 0, states: ReportFixtures.states(.noEvidence)))
        let lines = quiet.summary().split(separator: "\n").map(String.init)
        #expect(lines[1] == "19 of the 120 judged attempts failed (tls-hello-timeout 13, rst-injected 6), too little evidence "
                + "for a verdict; they are listed per service below.")
        let text = quiet.text(timeZone: .utc)
        let row = text.split(separator: "\n").first { $0.hasPrefix("  archive.org ") }
        #expect(row?.split(separator: " ") == ["archive.org", "no-evidence", "19", "19", "-"])
        #expect(!text.contains("quiet.example") && text.contains("  and 1 other destination (all of them in --format json)"))
    }

    @Test("No attempts at all is not 'nothing blocked'")
    func noAttempts() {
        var quiet = ReportFixtures.quiet
        quiet.result.services = []
        quiet.result.attempts = 0
        #expect(quiet.summary().hasPrefix("No connection attempts were seen in this capture"))
    }

    @Test("A degraded stretch is reported, but is not blocking")
    func degradedOnly() {
        var quiet = ReportFixtures.quiet
        quiet.result.networkEvents = [Event(
            state: "degraded", mechanism: nil, start: ReportFixtures.at(9, 5), end: ReportFixtures.at(9, 15),
            lastSuccessBefore: nil, firstSuccessAfter: nil, confidence: .low, attempts: 30, failures: 12, servers: 6,
            failureOutcomes: ["tcp-syn-timeout": 12], why: "12 of 30 attempts failed", exampleFlows: [])]
        let lines = quiet.summary().split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("No blocking, throttling or cutoff was found"))
        #expect(lines[1] == "On 2022-01-05, from 09:05 to 09:15 UTC many destinations failed at once (network degraded, low confidence).")
    }

    @Test("Unlisted destinations: five sentences at most, the rest counted")
    func manyDestinations() {
        var report = ReportFixtures.quiet
        for i in 0..<7 {
            var event = ReportFixtures.telegramBlocked
            event.start = ReportFixtures.at(9, Double(i))
            event.end = ReportFixtures.at(9, Double(i + 10))
            report.result.services.append(ReportFixtures.verdict(
                .destination("site\(i).example"), verdict: .blocked, attempts: 10, failures: 10, events: [event],
                states: ReportFixtures.states(.blocked)))
        }
        let summary = report.summary()
        #expect(summary.contains("site4.example was blocked"))
        #expect(!summary.contains("site5.example"))
        #expect(summary.contains("2 more events at other destinations are listed below."))
    }

    @Test("The table lists services worst first, hides uneventful destinations, marks CONTROL")
    func serviceTable() throws {
        let text = report.text(timeZone: .utc)
        let table = try #require(text.components(separatedBy: "\nServices\n").last?.components(separatedBy: "\n\n").first)
        let rows = table.split(separator: "\n").map(String.init)
        #expect(rows[0].contains("service") && rows[0].contains("verdict") && rows[0].contains("attempts")
                && rows[0].contains("failures") && rows[0].contains("events"))
        #expect(rows[1].hasPrefix("  telegram "))
        #expect(rows[1].contains("blocked") && rows[1].contains("412") && rows[1].contains("398")
                && rows[1].contains("blocked 10:31 to 14:02 (ip-blackhole, high)"))
        #expect(rows[2].hasPrefix("  whatsapp "))
        #expect(rows.contains { $0.hasPrefix("  google (control) ") })
        #expect(!table.contains("example.org"))
        #expect(rows.last == "  and 1 other destination (all of them in --format json)")
    }

    @Test("The network timeline has a line per event and per gap")
    func timeline() {
        let text = report.text(timeZone: .utc)
        #expect(text.contains("Network timeline (2022-01-05, UTC)\n  10:45 to 12:10"))
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("  10:45 to 12:10") && $0.contains("cutoff") && $0.contains("total-cutoff")
                                 && $0.contains("320 of 330 attempts") })
        #expect(lines.contains { $0.hasPrefix("  12:40 to 12:50") && $0.contains("gap") && $0.contains("no packets were captured") })
    }

    @Test("Evidence: why, boundaries, and each example flow with its Wireshark filter")
    func evidence() {
        let text = report.text(timeZone: .utc)
        #expect(text.contains("  telegram: blocked 10:31 to 14:02 UTC, ip-blackhole, high confidence\n"
                              + "    why: 398 of 412 attempts to 5 servers failed"))
        #expect(text.contains("    boundaries: last success before 10:30:12, first success after 14:03:05"))
        #expect(text.contains("    failures: tcp-syn-timeout 390, quic-timeout 8 (398 of 412 attempts, 5 servers)"))
        #expect(text.contains("    10:31:07  tcp 192.0.2.10:51234 -> 149.154.167.51:443 (api.telegram.org)  "
                              + "tcp-syn-timeout: 3 SYNs over 7.0 s, no answer\n"
                              + "      wireshark: ip.addr==192.0.2.10 && ip.addr==149.154.167.51 && tcp.port==51234 && tcp.port==443"))
        #expect(text.contains("[2001:db8::10]:51234 -> [2001:67c:4e8:f004::a]:443"))
        #expect(text.contains("wireshark: ipv6.addr==2001:db8::10 && ipv6.addr==2001:67c:4e8:f004::a"))
        #expect(text.contains("  network: cutoff 10:45 to 12:10 UTC, total-cutoff, high confidence"))
    }

    @Test("The capture section shows drops, decode issues, warnings and the signatures' version")
    func captureSection() {
        let text = report.text(timeZone: .utc)
        #expect(text.contains("Capture: 2022-01-05 10:20:00 to 14:29:59 UTC (4h09m58s), 1234567 packets, 1500 attempts, bins of 5 min"))
        #expect(text.contains("  capture drops: 12 of 1234579 packets lost by the observer"))
        #expect(text.contains("decode issues: snaplen_truncated 3"))
        #expect(text.contains("  warning: 'day1.pcap' ends inside a packet record"))
        #expect(text.contains("  signatures: 2026-11-29"))
    }

    @Test("Short bins show seconds")
    func seconds() {
        var report = report
        report.result.binWidth = .seconds(10)
        #expect(report.summary().contains("Telegram was blocked from 10:31:07 to 14:02:40 UTC"))
    }
}

@Suite("Report time zones")
struct ReportTimeZoneTests {
    @Test("Accepted spellings and their offsets", arguments: [
        ("UTC", 0, "UTC"), ("utc", 0, "UTC"), ("Z", 0, "UTC"), ("+00:00", 0, "UTC"),
        ("+06:00", 21_600, "UTC+06:00"), ("-0330", -12_600, "UTC-03:30"), ("+6", 21_600, "UTC+06:00"),
        ("UTC+05:30", 19_800, "UTC+05:30"), ("GMT-8", -28_800, "UTC-08:00"), ("+14:00", 50_400, "UTC+14:00"),
        ("Asia/Kolkata", 19_800, "Asia/Kolkata"),
    ])
    func accepted(text: String, offset: Int, name: String) throws {
        let zone = try ReportTimeZone(text)
        #expect(zone.offset(at: ReportFixtures.midnight) == offset)
        #expect(zone.name == name)
    }

    @Test("A named zone follows daylight saving")
    func daylightSaving() throws {
        let zone = try ReportTimeZone("Europe/Berlin")
        #expect(zone.offset(at: ReportFixtures.midnight) == 3_600)           // January
        #expect(zone.offset(at: ReportFixtures.midnight + 180 * 86_400) == 7_200)  // July
    }

    @Test("Unknown zones are an error with a one-line message",
          arguments: ["Mars/Olympus", "+25:00", "+06:0", "", "UTC+", "++5", "+06:60", "Asia Almaty", "+1a"])
    func rejected(text: String) {
        #expect(throws: ReportTimeZone.ParseError.self) { try ReportTimeZone(text) }
        do {
            _ = try ReportTimeZone(text)
        } catch {
            #expect(error.description == "unknown time zone '\(text)': use UTC, an offset such as +06:00 or -0330, "
                    + "or a name such as Asia/Almaty")
            #expect(!error.description.contains("\n"))
        }
    }
}

@Suite("The JSON report follows blockwatch.report/1")
struct AnalysisReportJSONTests {
    let report = ReportFixtures.day

    func parsed(_ report: AnalysisReport) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(report.json().utf8))
        return try #require(object as? [String: Any])
    }

    @Test("Top level: schema, capture, bins, network, services, outcomes, caveats, signatures")
    func topLevel() throws {
        let json = try parsed(report)
        #expect(json["schema"] as? String == "blockwatch.report/1")
        #expect(json["bin_seconds"] as? Double == 300)
        #expect(json["first_bin_start"] as? Double == ReportFixtures.firstBin)
        #expect(json["caveats"] as? [String] == ["Capture loss (the capture dropped 12 packets) lowers the confidence of every verdict."])
        #expect(json["signatures_version"] as? String == "2026-11-29")
        let outcomes = try #require(json["outcomes"] as? [String: Int])
        #expect(Set(outcomes.keys) == Set(Outcome.allCases.map(\.rawValue)))
        #expect(outcomes["tcp-syn-timeout"] == 690 && outcomes["http-blockpage"] == 0)

        let capture = try #require(json["capture"] as? [String: Any])
        #expect(capture["files"] as? [String] == ["day1.pcap"])
        #expect(capture["first_packet"] as? Double == ReportFixtures.at(10, 20, 0.5))
        #expect(capture["last_packet"] as? Double == ReportFixtures.at(14, 29, 59))
        #expect(capture["packets"] as? Int == 1_234_567)
        #expect(capture["decode_issues"] as? [String: Int] == ["snaplen_truncated": 3])
        #expect(capture["capture_drops"] as? [String: Int] == ["received": 1_234_579, "dropped": 12])
        #expect(capture["warnings"] as? [String] == ["'day1.pcap' ends inside a packet record"])

        let network = try #require(json["network"] as? [String: Any])
        let bins = try #require(network["bins"] as? [String])
        #expect(bins.count == ReportFixtures.binCount)
        #expect(bins[ReportFixtures.bin(of: ReportFixtures.at(11, 0))] == "cutoff")
        #expect(bins[ReportFixtures.bin(of: ReportFixtures.at(12, 45))] == "gap")
        let events = try #require(network["events"] as? [[String: Any]])
        #expect(events.map { $0["state"] as? String } == ["cutoff", "gap"])
        #expect(events[0]["mechanism"] as? String == "total-cutoff")
        #expect(events[1]["mechanism"] is NSNull)
    }

    @Test("Services and their events carry every contract field with its type; times are epoch seconds")
    func serviceEvents() throws {
        let json = try parsed(report)
        let services = try #require(json["services"] as? [[String: Any]])
        #expect(services.map { $0["service"] as? String } == ["google", "telegram", "whatsapp", "wikipedia", "example.org"])
        let telegram = services[1]
        #expect(telegram["verdict"] as? String == "blocked")
        #expect(telegram["control"] as? Bool == false)
        #expect(services[0]["control"] as? Bool == true)
        #expect(telegram["kind"] as? String == "service" && services[4]["kind"] as? String == "destination")
        #expect(telegram["attempts"] as? Int == 412 && telegram["failures"] as? Int == 398)
        let event = try #require((telegram["events"] as? [[String: Any]])?.first)
        #expect(event["state"] as? String == "blocked")
        #expect(event["mechanism"] as? String == "ip-blackhole")
        #expect(event["start"] as? Double == ReportFixtures.at(10, 31, 7))
        #expect(event["end"] as? Double == ReportFixtures.at(14, 2, 40))
        #expect(event["last_success_before"] as? Double == ReportFixtures.at(10, 30, 12))
        #expect(event["first_success_after"] as? Double == ReportFixtures.at(14, 3, 5))
        #expect(event["confidence"] as? String == "high")
        #expect(event["attempts"] as? Int == 412 && event["failures"] as? Int == 398 && event["servers"] as? Int == 5)
        #expect(event["failure_outcomes"] as? [String: Int] == ["tcp-syn-timeout": 390, "quic-timeout": 8])
        #expect((event["why"] as? String)?.hasPrefix("398 of 412") == true)

        let flows = try #require(event["example_flows"] as? [[String: Any]])
        #expect(flows.count == 2)
        let flow = flows[0]
        #expect(flow["time"] as? Double == ReportFixtures.at(10, 31, 7))
        #expect(flow["uid"] is String && flow["proto"] as? String == "tcp")
        #expect(flow["client"] as? String == "192.0.2.10" && flow["client_port"] as? Int == 51_234)
        #expect(flow["server"] as? String == "149.154.167.51" && flow["server_port"] as? Int == 443)
        #expect(flow["server_name"] as? String == "api.telegram.org")
        #expect(flows[1]["server_name"] is NSNull)
        #expect(flow["outcome"] as? String == "tcp-syn-timeout")
        #expect(flow["why"] as? String == "3 SYNs over 7.0 s, no answer")
        #expect(flow["wireshark_filter"] as? String
                == "ip.addr==192.0.2.10 && ip.addr==149.154.167.51 && tcp.port==51234 && tcp.port==443")
        #expect(flows[1]["wireshark_filter"] as? String == ReportFixtures.telegramBlocked.exampleFlows[1].wiresharkFilter)

        // Per-bin series for named services; an uneventful destination does not carry one.
        let bins = try #require(telegram["bins"] as? [String: Any])
        #expect((bins["states"] as? [String])?.count == ReportFixtures.binCount)
        #expect((bins["attempts"] as? [Int])?.count == ReportFixtures.binCount)
        #expect(services[4]["bins"] == nil)

        let whatsapp = try #require((services[2]["events"] as? [[String: Any]])?.first)
        #expect(whatsapp["last_success_before"] is NSNull && whatsapp["failure_outcomes"] as? [String: Int] == [:])
    }

    @Test("Booleans are JSON booleans, times keep microseconds")
    func spelling() {
        let text = report.json()
        #expect(text.contains("\"control\": true") && text.contains("\"control\": false"))
        #expect(text.contains("\"start\": 1641378667.000000"))
        #expect(text.contains("\"first_packet\": 1641378000.500000"))
    }

    @Test("Strings are escaped: quotes, backslashes, control characters and non-ASCII survive a round trip")
    func escaping() throws {
        var report = report
        let why = "a \"quoted\" \\ path\nnext\tline \u{01} Ωμέγα 🚫"
        report.result.services[1].events[0].why = why
        report.result.caveats = [why]
        let json = try parsed(report)
        #expect(json["caveats"] as? [String] == [why])
        let services = try #require(json["services"] as? [[String: Any]])
        let event = try #require((services[1]["events"] as? [[String: Any]])?.first)
        #expect(event["why"] as? String == why)
    }

    @Test("The same report gives the same bytes")
    func deterministic() {
        #expect(report.json() == ReportFixtures.day.json())
        #expect(report.text(timeZone: .utc) == ReportFixtures.day.text(timeZone: .utc))
    }

    @Test("An empty result is still a complete document")
    func empty() throws {
        var quiet = ReportFixtures.quiet
        quiet.result.services = []
        quiet.result.networkBinStates = []
        quiet.result.binCount = 0
        quiet.capture = CaptureSummary()
        let json = try parsed(quiet)
        #expect(json["services"] as? [Any] != nil)
        #expect(json["signatures_version"] is NSNull)
        let capture = try #require(json["capture"] as? [String: Any])
        #expect(capture["first_packet"] is NSNull && capture["capture_drops"] is NSNull)
        #expect(capture["decode_issues"] as? [String: Int] == [:])
    }

    @Test("Numbers JSON cannot spell become null; others keep only the digits they need")
    func numbers() {
        #expect(JSONValue.spell(.nan) == "null" && JSONValue.spell(.infinity) == "null")
        #expect(JSONValue.spell(300) == "300" && JSONValue.spell(0.5) == "0.5" && JSONValue.spell(-2.25) == "-2.25")
        #expect(JSONValue.spell(1e12 + 0.5) == "1000000000001")
        #expect(JSONValue.time(.nan).rendered() == "null")
    }
}
