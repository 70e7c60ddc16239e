import Testing
import Detection
import Identification
import Wire

@Suite("Attempts summarised per bin as they arrive")
struct AttemptLedgerTests {
    let detector = Detector()

    @Test("a month of attempts is held in at most maximumBins bins, and reported in hourly bins")
    func monthIsBounded() throws {
        var ledger = AttemptLedger()
        let month = 30.0 * 86_400
        for t in stride(from: 0.0, to: month, by: 120) {
            ledger.notePacket(Timestamp(seconds: AttemptFacts.origin + t))
            ledger.add(AttemptFacts.attempt("google", at: t, .ok, server: "203.0.113.\(Int(t) % 5 + 1)", control: true))
        }
        #expect(ledger.baseBinCount <= ledger.limits.maximumBins)
        #expect(ledger.attemptCount == Int(month / 120))
        let result = detector.analyze(ledger)
        #expect(result.binWidth == .seconds(3600))
        #expect(result.binCount == 720)
        #expect(result.attempts == Int(month / 120))
    }

    @Test("merging base bins loses nothing: a 12-hour capture gives the same verdicts as bins of the final width")
    func coarseningIsLossless() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 43_200, every: 30)
        // Telegram blackholed from 4 h to 7 h, fine before and after.
        for (i, t) in stride(from: 600.0, to: 43_000, by: 97).enumerated() {
            let blocked = t >= 14_400 && t < 25_200
            attempts.append(AttemptFacts.attempt("telegram", at: t, blocked ? .tcpSynTimeout : .ok, server: "149.154.167.\(50 + i % 4)"))
        }
        var activity = PacketActivity()
        for t in stride(from: 0.0, through: 43_200, by: 1) { activity.note(Timestamp(seconds: AttemptFacts.origin + t)) }

        var growing = AttemptLedger(activity: activity)
        var fixed = AttemptLedger(bin: .seconds(900), activity: activity)
        for a in attempts {
            growing.add(a)
            fixed.add(a)
        }
        #expect(growing.baseWidth == .seconds(60))   // 43,200 s is more than 4,096 bins of 5 s
        let automatic = detector.analyze(growing), reference = detector.analyze(fixed)
        #expect(automatic.binWidth == .seconds(900))
        let telegram = try #require(AttemptFacts.service(automatic, "telegram"))
        let expected = try #require(AttemptFacts.service(reference, "telegram"))
        #expect(telegram.verdict == .blocked)
        #expect(telegram.events == expected.events)
        #expect(telegram.binStates == expected.binStates)
        #expect(telegram.binAttempts == expected.binAttempts)
        let event = try #require(telegram.events.first)
        #expect(abs(event.start - (AttemptFacts.origin + 14_400)) < 900)
        #expect(abs(event.end - (AttemptFacts.origin + 25_200)) < 900)
    }

    @Test("destinations beyond the limit share one group, and the report says how many")
    func destinationsAreBounded() {
        var limits = AttemptLedger.Limits()
        limits.maximumDestinations = 3
        var ledger = AttemptLedger(bin: .seconds(10), activity: AttemptFacts.activity(to: 60), limits: limits)
        for (i, name) in ["a.example", "b.example", "c.example", "d.example", "e.example"].enumerated() {
            ledger.add(AttemptFacts.attempt(name, at: Double(i), .ok))
            ledger.add(AttemptFacts.attempt(name, at: Double(i) + 10, .ok))
        }
        let result = detector.analyze(ledger)
        let names = Set(result.services.map(\.group.description))
        #expect(names == ["a.example", "b.example", "c.example", AttemptLedger.foldedDestinationGroup.description])
        #expect(ledger.foldedDestinations == 4)
        #expect(result.caveats.contains { $0.hasPrefix("4 attempts went to destinations beyond the first 3") })
    }

    @Test("a bin where the capture dropped over 5 % of its packets is capture-loss: no verdict rests on it")
    func captureLossIsNoEvidence() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 120)
        for (i, t) in stride(from: 40.0, to: 60, by: 1).enumerated() {
            attempts.append(AttemptFacts.attempt("telegram", at: t, .tcpSynTimeout, server: "149.154.167.\(50 + i % 4)"))
        }
        var activity = AttemptFacts.activity(to: 120)
        // One packet a second was captured; 20 a second were dropped from 30 s to 70 s.
        for t in stride(from: 30.0, to: 70, by: 1) { activity.noteDrops(20, at: Timestamp(seconds: AttemptFacts.origin + t)) }
        let lossy = detector.analyze(attempts: attempts, activity: activity, bin: .seconds(10))
        #expect(lossy.networkBinStates[3...6].allSatisfy { $0 == .captureLoss })
        #expect(lossy.binDrops[4] == 200)
        #expect(AttemptFacts.service(lossy, "telegram")?.events.isEmpty ?? true)
        let lossEvent = try #require(lossy.networkEvents.first)
        #expect(lossEvent.state == "capture-loss")

        // The same failures with a clean capture are a block: the guard, not the data, kept it quiet.
        let clean = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 120), bin: .seconds(10))
        #expect(AttemptFacts.service(clean, "telegram")?.verdict == .blocked)
    }

    @Test("one record timed ten years on (a forged timestamp) is counted, not binned: the timeline stays the capture's")
    func farFutureTimestamp() throws {
        var ledger = AttemptLedger(bin: .seconds(1))
        for t in stride(from: 0.0, to: 60, by: 1) {
            ledger.notePacket(Timestamp(seconds: AttemptFacts.origin + t))
            ledger.add(AttemptFacts.attempt("google", at: t, .ok, server: "203.0.113.\(Int(t) % 5 + 1)", control: true))
        }
        let decade = 10 * 365 * 86_400.0
        ledger.notePacket(Timestamp(seconds: AttemptFacts.origin + decade))
        ledger.add(AttemptFacts.attempt("telegram", at: decade, .tcpSynTimeout))
        let result = detector.analyze(ledger)
        #expect(result.binWidth == .seconds(1))
        #expect(result.binCount == 60)
        #expect(result.attempts == 61)
        #expect(ledger.attemptsBeyondHorizon == 1)
        #expect(ledger.activity.beyondHorizon == 1)
        #expect(result.caveats.contains { $0.hasPrefix("1 packets and 1 attempts are timed over 115 days") })
    }

    @Test("a requested width too fine for a long capture is widened (and the report says so) rather than exhausting memory")
    func requestedWidthIsBounded() throws {
        var ledger = AttemptLedger(bin: .seconds(1))
        let month = 30.0 * 86_400
        for t in stride(from: 0.0, to: month, by: 600) {
            ledger.notePacket(Timestamp(seconds: AttemptFacts.origin + t))
            ledger.add(AttemptFacts.attempt("google", at: t, .ok, server: "203.0.113.\(Int(t) % 5 + 1)", control: true))
        }
        #expect(ledger.baseBinCount <= ledger.limits.maximumRequestedBins)
        let result = detector.analyze(ledger)
        #expect(result.binCount <= ledger.limits.maximumRequestedBins)
        #expect(result.binWidth.nanoseconds % 1_000_000_000 == 0 && result.binWidth > .seconds(25))
        #expect(result.caveats.contains { $0.contains("not the 1 s asked for") })
    }
}
