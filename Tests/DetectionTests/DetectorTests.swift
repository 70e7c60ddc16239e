import Testing
import Detection
import Identification
import Wire

@Suite("Verdicts from attempts")
struct DetectorTests {
    let detector = Detector()
    let bin = Timestamp.Duration.seconds(10)

    @Test("SYNs to Telegram's servers unanswered while CONTROL works → Telegram blocked by IP blackholing")
    func selectiveBlackhole() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 120)
        for (i, t) in stride(from: 30.0, to: 90, by: 3).enumerated() {
            attempts.append(AttemptFacts.attempt("telegram", at: t, .tcpSynTimeout, server: "149.154.167.\(50 + i % 4)"))
        }
        attempts += [AttemptFacts.attempt("telegram", at: 5, .ok, server: "149.154.167.50"),
                     AttemptFacts.attempt("telegram", at: 110, .ok, server: "149.154.167.50")]
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 120), bin: bin)
        let telegram = try #require(AttemptFacts.service(result, "telegram"))
        #expect(telegram.verdict == .blocked)
        let event = try #require(telegram.events.first)
        #expect(event.mechanism == "ip-blackhole")
        #expect(event.start >= AttemptFacts.origin + 30 && event.start < AttemptFacts.origin + 40)
        #expect(event.end >= AttemptFacts.origin + 80 && event.end <= AttemptFacts.origin + 90)
        #expect(event.lastSuccessBefore == AttemptFacts.origin + 5)
        #expect(event.firstSuccessAfter == AttemptFacts.origin + 110)
        #expect(event.confidence >= .medium)
        #expect(!event.exampleFlows.isEmpty)
        #expect(result.networkEvents.isEmpty)
        #expect(AttemptFacts.service(result, "google")?.verdict == .ok)
    }

    @Test("forged resets after the ClientHello, with CONTROL healthy, are RST injection at high confidence")
    func injection() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 100, every: 2)
        for (i, t) in stride(from: 10.0, to: 80, by: 4).enumerated() {
            attempts.append(AttemptFacts.attempt("signal", at: t, .rstInjected, server: "198.51.100.\(i % 3 + 1)"))
        }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 100), bin: bin)
        let event = try #require(AttemptFacts.service(result, "signal")?.events.first)
        #expect(event.mechanism == "rst-injection")
        #expect(event.confidence == .high)
    }

    @Test("an idle host is no evidence: no attempts, no alarm")
    func idle() {
        let attempts = AttemptFacts.healthyControl(from: 0, to: 20) + AttemptFacts.healthyControl(from: 600, to: 620)
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 620), bin: bin)
        #expect(result.networkEvents.isEmpty)
        #expect(result.services.allSatisfy { $0.events.isEmpty })
    }

    @Test("attempts the capture ended on are pending, never failures")
    func pendingAtEnd() {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 60)
        for t in stride(from: 55.0, to: 60, by: 0.5) { attempts.append(AttemptFacts.attempt("telegram", at: t, .pending)) }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 60), bin: bin)
        #expect(AttemptFacts.service(result, "telegram")?.events.isEmpty ?? true)
    }

    @Test("everything external failing is a network cutoff, not a block of each service")
    func cutoff() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 40)
        var i = 0
        for t in stride(from: 40.0, to: 100, by: 1) {
            let group = ["google", "telegram", "whatsapp", "wikipedia"][i % 4]
            attempts.append(AttemptFacts.attempt(group, at: t, .tcpSynTimeout, server: "203.0.113.\(i % 20 + 1)",
                                                 control: group == "google" || group == "wikipedia"))
            i += 1
        }
        attempts += AttemptFacts.healthyControl(from: 100, to: 140)
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 140), bin: bin)
        let event = try #require(result.networkEvents.first { $0.state == "cutoff" })
        #expect(event.mechanism == "total-cutoff")
        #expect(event.start >= AttemptFacts.origin + 40 && event.start < AttemptFacts.origin + 50)
        #expect(event.end >= AttemptFacts.origin + 90 && event.end < AttemptFacts.origin + 100)
        #expect(AttemptFacts.service(result, "telegram")?.events.isEmpty == true)
    }

    @Test("international destinations failing while domestic servers answer is an international cutoff")
    func internationalCutoff() throws {
        var attempts: [Attempt] = []
        var i = 0
        for t in stride(from: 0.0, to: 60, by: 1) {
            attempts.append(AttemptFacts.attempt(["google", "telegram", "wikipedia"][i % 3], at: t, .tcpSynTimeout,
                                                 server: "203.0.113.\(i % 10 + 1)", control: i % 3 != 1))
            if i % 3 == 0 { attempts.append(AttemptFacts.attempt("domestic", at: t, .ok, server: "192.0.2.\(100 + i % 5)")) }
            i += 1
        }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 60), bin: bin)
        #expect(result.networkEvents.contains { $0.state == "international-cutoff" && $0.mechanism == "international-cutoff" })
    }

    @Test("failures with nothing to compare against are never called blocking (a local fault looks the same)")
    func noComparison() {
        let attempts = stride(from: 0.0, to: 60, by: 2).map { AttemptFacts.attempt("4.2.2.1", at: $0, .dnsTimeout, server: "4.2.2.1", port: 53) }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 60), bin: bin)
        #expect(result.services.allSatisfy { $0.events.isEmpty })
        #expect(result.networkEvents.isEmpty)
    }

    @Test("bulk downloads capped far below CONTROL's, with loss, are throttling")
    func throttling() throws {
        var attempts: [Attempt] = []
        for t in stride(from: 0.0, to: 100, by: 5) {
            attempts.append(AttemptFacts.attempt("twitter", at: t, .ok, server: "104.244.42.\(Int(t) % 4 + 1)",
                                                 bulkBytes: 180_000, bulkSeconds: 10, loss: 0.08))
            attempts.append(AttemptFacts.attempt("google", at: t + 1, .ok, server: "203.0.113.\(Int(t) % 4 + 1)",
                                                 control: true, bulkBytes: 25_000_000, bulkSeconds: 10, loss: 0.001))
        }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 110), bin: bin)
        let twitter = try #require(AttemptFacts.service(result, "twitter"))
        #expect(twitter.verdict == .throttled)
        #expect(twitter.events.first?.mechanism == "throttling")
        #expect(twitter.events.first?.why.contains("kbit/s") == true)
    }

    @Test("QUIC blocked while TCP to the same service works is partial blocking over QUIC, not a block")
    func quicOnly() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 100, every: 2)
        for t in stride(from: 0.0, to: 100, by: 4) {
            attempts.append(AttemptFacts.attempt("youtube", at: t, .quicTimeout, transport: 17, port: 443))
            attempts.append(AttemptFacts.attempt("youtube", at: t + 1, .ok))
        }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 100), bin: bin)
        let youtube = try #require(AttemptFacts.service(result, "youtube"))
        #expect(youtube.verdict == .partiallyBlocked)
        #expect(youtube.events.first?.mechanism == "quic-blocking")
    }

    @Test("a blip shorter than the hysteresis makes no event")
    func hysteresis() {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 200, every: 2)
        for t in stride(from: 0.0, to: 200, by: 2) {
            let failing = t >= 100 && t < 104
            attempts.append(AttemptFacts.attempt("telegram", at: t, failing ? .tcpSynTimeout : .ok, server: "149.154.167.\(Int(t) % 5 + 50)"))
        }
        let result = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 200), bin: .seconds(10))
        #expect(AttemptFacts.service(result, "telegram")?.events.isEmpty == true)
    }

    @Test("a stretch with no packets is a capture gap, never a cutoff")
    func gap() {
        var activity = AttemptFacts.activity(to: 60)
        for t in stride(from: 300.0, to: 360, by: 1) { activity.note(Timestamp(seconds: AttemptFacts.origin + t)) }
        let attempts = AttemptFacts.healthyControl(from: 0, to: 60) + AttemptFacts.healthyControl(from: 300, to: 360)
        let result = detector.analyze(attempts: attempts, activity: activity, bin: bin)
        #expect(result.networkEvents.contains { $0.state == "gap" })
        #expect(!result.networkEvents.contains { $0.state == "cutoff" })
    }

    @Test("capture loss lowers confidence and says so")
    func captureLoss() throws {
        var attempts = AttemptFacts.healthyControl(from: 0, to: 120, every: 2)
        for (i, t) in stride(from: 10.0, to: 110, by: 3).enumerated() {
            attempts.append(AttemptFacts.attempt("telegram", at: t, .icmpProhibited, server: "149.154.167.\(50 + i % 4)"))
        }
        let clean = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 120), bin: bin)
        let lossy = detector.analyze(attempts: attempts, activity: AttemptFacts.activity(to: 120), bin: bin,
                                     captureLoss: "the capture dropped 500 packets")
        let a = try #require(AttemptFacts.service(clean, "telegram")?.events.first)
        let b = try #require(AttemptFacts.service(lossy, "telegram")?.events.first)
        #expect(a.confidence == .high)
        #expect(b.confidence < a.confidence)
        #expect(lossy.caveats.contains { $0.contains("dropped") })
    }

    @Test("the automatic bin gives about sixty bins, never under ten seconds")
    func automaticBin() {
        #expect(Criteria.automaticBin(for: .seconds(60)).seconds == 10)
        #expect(Criteria.automaticBin(for: .seconds(3600)).seconds == 60)
        #expect(Criteria.automaticBin(for: .seconds(86_400)).seconds == 1800)
    }
}
