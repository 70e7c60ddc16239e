import Capture
import Detection
import Foundation
import Testing
import Wire
@testable import BlockWatch

/// Live mode's rolling analysis without a network: a recorded lab capture is fed packet by
/// packet with its own clock, as `blockwatch live` feeds live packets, and the alerts are checked
/// against the capture's truth file.
@Suite("Live mode: rolling analysis and alerts")
struct LiveRollingTests {
    struct Phase { var name: String; var start: Double; var network: String; var services: [String: String] }

    static func phases(_ truthPath: String) throws -> [Phase] {
        let data = try Data(contentsOf: URL(fileURLWithPath: truthPath))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let phases = try #require(json["phases"] as? [[String: Any]])
        return phases.map { p in
            let services = (p["services"] as? [String: [String: Any]] ?? [:]).mapValues { $0["state"] as? String ?? "" }
            return Phase(name: p["name"] as? String ?? "", start: p["start"] as? Double ?? 0,
                         network: p["network"] as? String ?? "", services: services)
        }
    }

    /// Every bin closed while replaying `path`, as live mode would close them.
    static func replay(_ path: String, bin: Double, judgeEverySecond: Bool = false, drops: (Timestamp) -> Int = { _ in 0 }) throws
        -> (reports: [LiveBinReport], changes: [LiveChange], final: AnalysisResult, mostHeld: Int, packets: Int) {
        let catalog = try SignatureCatalogLoader.load(extraFiles: [])
        let reader = try CaptureReader(paths: [path])
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          configuration: FlowTableConfiguration(), catalog: catalog)
        var rolling = RollingAnalysis(catalog: catalog, bin: .seconds(bin))
        var reports: [LiveBinReport] = []
        var changes: [LiveChange] = []
        var lastSecond = Int64.min
        var mostHeld = 0
        _ = try reader.forEachPacket { packet in
            let time = Timestamp(nanoseconds: packet.timestampNanoseconds)
            rolling.notePacket(time)
            // pcap_stats deltas, once a second as live mode reads them.
            if time.nanoseconds / 1_000_000_000 != lastSecond {
                lastSecond = time.nanoseconds / 1_000_000_000
                rolling.noteDrops(drops(time), at: time)
                // As `blockwatch live` does: open flows judged once a second, between evaluations.
                if judgeEverySecond { rolling.judgeDue(now: time, pipeline: &pipeline) }
            }
            pipeline.process(packet) { record, identity in rolling.flowEnded(record, identity, now: time) }
            let update = rolling.update(now: time, pipeline: &pipeline)
            reports += update.bins
            changes += update.changes
            mostHeld = max(mostHeld, rolling.recent.count)
        }
        let end = pipeline.summary.lastPacket!
        pipeline.finish { record, identity in rolling.flowEnded(record, identity, now: end) }
        return (reports, changes, rolling.finalResult(captureLoss: nil), mostHeld, pipeline.summary.packets)
    }

    var lab: URL { TestCaptures.projectRoot.appendingPathComponent("captures/lab") }

    @Test("ip-blackhole: 'telegram blocked' within two bins of the block, and no longer blocked within two bins of the restore")
    func blackhole() throws {
        // The lab's Telegram tries again only every 7 s or so while blackholed: 15 s bins hold
        // the few failures a verdict needs.
        let bin = 15.0
        let phases = try Self.phases(lab.appendingPathComponent("ip-blackhole.truth.json").path)
        let (reports, changes, final, _, _) = try Self.replay(lab.appendingPathComponent("ip-blackhole.pcap").path, bin: bin)
        let telegram = changes.filter { $0.subject == "telegram" }
        let story = changes.map { "\($0.time.seconds - phases[0].start) \($0.subject) \($0.from)→\($0.to) \($0.event?.failures ?? -1)" }
        let blocked = try #require(telegram.first { $0.to == "blocked" || $0.to == "partially-blocked" }, "\(story)")
        // Alerts carry the time they were raised: within two bins of the change (the judge window
        // every attempt needs before it has an outcome included).
        #expect(blocked.time.seconds > phases[1].start)
        #expect(blocked.time.seconds - phases[1].start <= 2 * bin, "\(story)")
        #expect(blocked.event?.mechanism == "ip-blackhole")
        #expect((blocked.event?.failures ?? 0) >= 2, "\(story)")
        // After the restore the lab's Telegram keeps its connections open and makes too few new
        // ones for a verdict: "no evidence now" is the honest alert (the scenario test in
        // LiveSensorTests, with steady attempts, expects "ok").
        let restored = try #require(telegram.first { !RollingAnalysis.isNews($0.to) && $0.time > blocked.time }, "\(story)")
        #expect(restored.time.seconds - phases[2].start <= 2 * bin, "\(story)")
        #expect(restored.time.seconds > phases[2].start)
        // Nobody else changed state for the worse, and the network stayed ok.
        #expect(!changes.contains { $0.subject != "telegram" && RollingAnalysis.isNews($0.to) })
        // The final report agrees with the alerts.
        let verdict = try #require(final.services.first { $0.group.description == "telegram" })
        #expect(verdict.verdict == .blocked)
        #expect(verdict.events.first?.mechanism == "ip-blackhole")
        // One report per bin, in order, each with the packets the Detector counted.
        #expect(reports.map(\.index) == Array(0..<reports.count))
        #expect(reports.allSatisfy { $0.packets > 0 && $0.drops == 0 })
    }

    @Test("capture loss is the observer's: while the capture drops packets, no blocking verdict, a capture-loss alert instead")
    func captureLoss() throws {
        let bin = 15.0
        let phases = try Self.phases(lab.appendingPathComponent("ip-blackhole.truth.json").path)
        // The whole censored phase (and a little around it) under heavy capture loss.
        let from = phases[1].start - 5, to = phases[2].start + 5
        let (reports, changes, final, _, _) = try Self.replay(lab.appendingPathComponent("ip-blackhole.pcap").path, bin: bin) {
            $0.seconds >= from && $0.seconds < to ? 200 : 0
        }
        #expect(changes.contains { $0.subject == "network" && $0.to == "capture-loss" })
        #expect(!changes.contains { $0.to == "blocked" || $0.to == "partially-blocked" }, "\(changes.map { "\($0.subject) \($0.to)" })")
        #expect(reports.contains { $0.network == "capture-loss" && $0.drops > 0 })
        #expect(reports.filter { $0.drops > 0 }.allSatisfy { $0.network == "capture-loss" })
        let telegram = final.services.first { $0.group.description == "telegram" }
        #expect(telegram?.verdict != .blocked)
        let line = LiveOutput.alertLine(try #require(changes.first { $0.to == "capture-loss" }))
        #expect(line.contains("capture-loss: the capture dropped") && line.contains("no verdict"))
    }

    @Test("total-cutoff: a network cutoff alert within two bins, services not called blocked during it")
    func cutoff() throws {
        let bin = 10.0
        let phases = try Self.phases(lab.appendingPathComponent("total-cutoff.truth.json").path)
        let cut = try #require(phases.first { $0.network == "cutoff" })
        let (reports, changes, final, _, _) = try Self.replay(lab.appendingPathComponent("total-cutoff.pcap").path, bin: bin)
        #expect(reports.contains { $0.network == "cutoff" })
        let alert = try #require(changes.first { $0.subject == "network" && $0.to == "cutoff" })
        #expect(alert.time.seconds > cut.start)
        #expect(alert.time.seconds - cut.start <= 2 * bin)
        #expect(alert.event?.mechanism == "total-cutoff")
        #expect(!changes.contains { $0.subject != "network" && $0.to == "blocked" })
        #expect(final.networkEvents.contains { $0.state == "cutoff" })
    }

    @Test("memory: attempts of closed bins are summarised, only the bin under way is held as attempts")
    func boundedMemory() throws {
        let run = try Self.replay(lab.appendingPathComponent("kazakhstan-2022.pcap").path, bin: 15)
        // 5 minutes in 15 s bins: the raw attempts held at any time are a few bins' worth at most.
        #expect(run.final.attempts > 300)
        #expect(run.mostHeld > 0)
        #expect(run.mostHeld * 4 < run.final.attempts)
        #expect(run.final.binCount >= 20)
    }

    @Test("judging open flows every second (as live mode does) gives the same attempts, verdicts and alerts as once per step; every packet is counted")
    func judgingEverySecond() throws {
        let path = lab.appendingPathComponent("kazakhstan-2022.pcap").path
        let perStep = try Self.replay(path, bin: 15)
        let perSecond = try Self.replay(path, bin: 15, judgeEverySecond: true)
        #expect(perSecond.final.attempts == perStep.final.attempts)
        #expect(perSecond.final.attempts > 300)
        #expect(perSecond.final.services.map { "\($0.group) \($0.verdict)" } == perStep.final.services.map { "\($0.group) \($0.verdict)" })
        #expect(perSecond.changes.map { "\($0.subject) \($0.to)" } == perStep.changes.map { "\($0.subject) \($0.to)" })
        // The per-second packet count (two comparisons per packet, a division per new second) loses none.
        #expect(perSecond.final.binPackets.reduce(0, +) == perSecond.packets)
    }

    @Test("state changes: only into or out of a state worth news; an idle group is not an alert")
    func changeRules() throws {
        let catalog = try SignatureCatalogLoader.load(extraFiles: [])
        var rolling = RollingAnalysis(catalog: catalog, bin: .seconds(30))
        let t0 = Timestamp(seconds: 1_796_000_000)
        func step(_ subjects: [(String, String)]) -> [String] {
            rolling.analyst.changes(subjects.map { ($0.0, $0.1, nil) }, now: t0).map { "\($0.subject) \($0.from)→\($0.to)" }
        }
        let event = Event(state: "blocked", mechanism: "ip-blackhole", start: t0.seconds + 35, end: t0.seconds + 55,
                          lastSuccessBefore: nil, firstSuccessAfter: nil, confidence: .medium, attempts: 12, failures: 12,
                          servers: 4, failureOutcomes: [:], why: "", exampleFlows: [])
        #expect(step([("network", "ok"), ("telegram", "ok"), ("google", "ok")]).isEmpty)
        #expect(step([("network", "ok"), ("telegram", "blocked"), ("google", "ok")]) == ["telegram ok→blocked"])
        #expect(step([("network", "ok"), ("telegram", "blocked"), ("google", "no-evidence")]).isEmpty)
        #expect(step([("network", "ok"), ("telegram", "ok")]) == ["telegram blocked→ok"])
        #expect(step([("network", "capture-loss")]) == ["network ok→capture-loss"])
        #expect(step([("network", "gap")]) == ["network capture-loss→gap"])
        #expect(step([("network", "no-evidence")]).isEmpty)

        var change = LiveChange(time: Timestamp(seconds: 1_796_000_000 + 3790), subject: "telegram", from: "ok", to: "blocked", event: event)
        change.event?.start = 1_796_000_000 + 3730
        let line = LiveOutput.alertLine(change)
        #expect(line == "01:56:30 UTC telegram blocked (ip-blackhole, medium): 12 attempts to 4 servers failed since 01:55:30")
        // --tz: the times are the zone's, and the zone is named by its offset.
        let almaty = LiveOutput.alertLine(change, timeZone: try ReportTimeZone("+06:00"))
        #expect(almaty == "07:56:30 UTC+06:00 telegram blocked (ip-blackhole, medium): 12 attempts to 4 servers failed since 07:55:30")
        let named = LiveOutput.alertLine(change, timeZone: try ReportTimeZone("America/St_Johns"))
        #expect(named.hasPrefix("22:26:30 UTC-03:30 telegram blocked"), "\(named)")
        let json = LiveOutput.json(change)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(parsed["type"] as? String == "change")
        #expect(parsed["to"] as? String == "blocked")
        #expect(parsed["mechanism"] as? String == "ip-blackhole")
        #expect(parsed["failures"] as? Int == 12)
    }
}
