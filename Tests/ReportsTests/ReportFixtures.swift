// The Detection model has no public memberwise initializers yet; tests build it by hand.
@testable import Detection
import Flows
import Identification
import Reports
import Wire

/// Hand-built analysis results: a day with Telegram blocked, a total cutoff, WhatsApp throttled
/// and a capture gap — and an empty one.
enum ReportFixtures {
    static let midnight = 1_641_340_800.0   // 2022-01-05 00:00:00 UTC
    static let binWidth = 300.0
    /// Bins start at 10:20 UTC; 50 bins of 5 minutes run to 14:30.
    static let firstBin = at(10, 20)
    static let binCount = 50

    static func at(_ hour: Double, _ minute: Double, _ second: Double = 0) -> Double {
        midnight + hour * 3600 + minute * 60 + second
    }

    static func bin(of time: Double) -> Int { Int((time - firstBin) / binWidth) }

    static func flow(_ time: Double, server: String, port: UInt16 = 443, transport: UInt8 = 6, outcome: Outcome,
                     why: String, name: String? = nil, client: String = "192.0.2.10") -> ExampleFlow {
        ExampleFlow(Attempt(time: Timestamp(seconds: time), group: .service("telegram"), isControl: false,
                            client: Endpoint(address: IPAddress(client)!, port: 51_234),
                            server: Endpoint(address: IPAddress(server)!, port: port), transport: transport,
                            outcome: outcome, why: why, uid: "C\(Int(time) % 100_000)", serverName: name,
                            serverBytes: 0, serverPayloadSeconds: 0, retransmissionRate: 0, isExternal: true))
    }

    static let telegramBlocked = Event(
        state: "blocked", mechanism: "ip-blackhole", start: at(10, 31, 7), end: at(14, 2, 40),
        lastSuccessBefore: at(10, 30, 12), firstSuccessAfter: at(14, 3, 5), confidence: .high,
        attempts: 412, failures: 398, servers: 5, failureOutcomes: ["tcp-syn-timeout": 390, "quic-timeout": 8],
        why: "398 of 412 attempts to 5 servers failed (tcp-syn-timeout 390, quic-timeout 8); CONTROL succeeded 200 of 201",
        exampleFlows: [
            flow(at(10, 31, 7), server: "149.154.167.51", outcome: .tcpSynTimeout, why: "3 SYNs over 7.0 s, no answer",
                 name: "api.telegram.org"),
            flow(at(10, 40, 0), server: "2001:67c:4e8:f004::a", outcome: .tcpSynTimeout, why: "3 SYNs over 7.0 s, no answer",
                 client: "2001:db8::10"),
        ])

    static let whatsappThrottled = Event(
        state: "throttled", mechanism: "throttling", start: at(11, 0), end: at(12, 30),
        lastSuccessBefore: nil, firstSuccessAfter: nil, confidence: .medium,
        attempts: 40, failures: 0, servers: 3, failureOutcomes: [:],
        why: "4 bulk transfers ran at a median 512 kbit/s with 9 % retransmissions, while CONTROL downloads ran at 24.5 Mbit/s",
        exampleFlows: [flow(at(11, 5), server: "157.240.1.53", outcome: .ok, why: "1.2 MB in 19 s")])

    static let cutoff = Event(
        state: "cutoff", mechanism: "total-cutoff", start: at(10, 45), end: at(12, 10),
        lastSuccessBefore: at(10, 44, 30), firstSuccessAfter: at(12, 10, 20), confidence: .high,
        attempts: 330, failures: 320, servers: 41, failureOutcomes: ["tcp-syn-timeout": 300, "dns-timeout": 20],
        why: "320 of 330 attempts to 41 external destinations failed",
        exampleFlows: [flow(at(10, 46), server: "203.0.113.7", outcome: .tcpSynTimeout, why: "2 SYNs over 3.0 s, no answer")])

    static let gap = Event(
        state: "gap", mechanism: nil, start: at(12, 40), end: at(12, 50), lastSuccessBefore: nil, firstSuccessAfter: nil,
        confidence: .high, attempts: 0, failures: 0, servers: 0, failureOutcomes: [:],
        why: "no packets were captured in this period", exampleFlows: [])

    static func states(_ base: ServiceState, _ overrides: [(ClosedRange<Double>, ServiceState)] = []) -> [ServiceState] {
        var states = [ServiceState](repeating: base, count: binCount)
        for (range, state) in overrides {
            for b in max(0, bin(of: range.lowerBound))...min(binCount - 1, bin(of: range.upperBound)) { states[b] = state }
        }
        return states
    }

    static func verdict(_ group: Group, control: Bool = false, verdict: ServiceState, attempts: Int, failures: Int,
                        events: [Event] = [], states: [ServiceState]) -> AnalysisResult.ServiceVerdict {
        AnalysisResult.ServiceVerdict(group: group, isControl: control, verdict: verdict, attempts: attempts,
                                      failures: failures, events: events,
                                      binAttempts: [Int](repeating: attempts / binCount, count: binCount),
                                      binFailures: [Int](repeating: failures / binCount, count: binCount),
                                      binStates: states)
    }

    static func result(services: [AnalysisResult.ServiceVerdict], networkEvents: [Event] = [],
                       networkStates: [NetworkState]? = nil, attempts: Int, caveats: [String] = []) -> AnalysisResult {
        AnalysisResult(binWidth: .seconds(binWidth), firstBinStart: Timestamp(seconds: firstBin), binCount: binCount,
                       networkEvents: networkEvents,
                       networkBinStates: networkStates ?? [NetworkState](repeating: .ok, count: binCount),
                       services: services,
                       outcomeCounts: [.ok: attempts - 718, .tcpSynTimeout: 690, .quicTimeout: 8, .dnsTimeout: 20],
                       attempts: attempts, caveats: caveats)
    }

    /// The day the lead example describes: Telegram blocked, a total cutoff inside it, WhatsApp
    /// throttled, a ten-minute hole in the capture.
    static var day: AnalysisReport {
        var network = [NetworkState](repeating: .ok, count: binCount)
        for b in bin(of: at(10, 45))...bin(of: at(12, 10)) { network[b] = .cutoff }
        for b in bin(of: at(12, 40))..<bin(of: at(12, 50)) { network[b] = .gap }
        let outage = at(10, 45)...at(12, 10)
        let services = [
            verdict(.service("google"), control: true, verdict: .ok, attempts: 201, failures: 1,
                    states: states(.ok, [(outage, .noEvidence)])),
            verdict(.service("telegram"), verdict: .blocked, attempts: 412, failures: 398, events: [telegramBlocked],
                    states: states(.ok, [(at(10, 31)...at(14, 2), .blocked)])),
            verdict(.service("whatsapp"), verdict: .throttled, attempts: 40, failures: 0, events: [whatsappThrottled],
                    states: states(.ok, [(at(11, 0)...at(12, 30), .throttled)])),
            verdict(.service("wikipedia"), control: true, verdict: .ok, attempts: 65, failures: 0,
                    states: states(.ok, [(outage, .noEvidence)])),
            verdict(.destination("example.org"), verdict: .ok, attempts: 12, failures: 0, states: states(.ok)),
        ]
        var capture = CaptureSummary()
        capture.files = ["day1.pcap"]
        capture.packets = 1_234_567
        capture.flows = 9_876
        capture.firstPacket = Timestamp(seconds: at(10, 20, 0.5))
        capture.lastPacket = Timestamp(seconds: at(14, 29, 59))
        capture.issues.record(.snaplenTruncated, count: 3)
        capture.warnings = ["'day1.pcap' ends inside a packet record"]
        return AnalysisReport(
            result: result(services: services, networkEvents: [cutoff, gap], networkStates: network, attempts: 1_500,
                           caveats: ["Capture loss (the capture dropped 12 packets) lowers the confidence of every verdict."]),
            capture: capture, signaturesVersion: "2026-11-29", captureDrops: (received: 1_234_579, dropped: 12))
    }

    /// A capture in which everything worked.
    static var quiet: AnalysisReport {
        let services = [
            verdict(.service("google"), control: true, verdict: .ok, attempts: 100, failures: 0, states: states(.ok)),
            verdict(.service("telegram"), verdict: .ok, attempts: 15, failures: 0, states: states(.ok)),
            verdict(.local, verdict: .ok, attempts: 5, failures: 0, states: states(.ok)),
        ]
        var capture = CaptureSummary()
        capture.files = ["quiet.pcap"]
        capture.packets = 5_000
        capture.firstPacket = Timestamp(seconds: at(9, 0))
        capture.lastPacket = Timestamp(seconds: at(9, 30))
        var empty = result(services: services, attempts: 120)
        empty.outcomeCounts = [.ok: 120]
        return AnalysisReport(result: empty, capture: capture)
    }
}
