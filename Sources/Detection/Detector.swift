import Flows
import Identification
import Wire

/// From judged attempts to verdicts: per time bin and group, counts; then states, with CONTROL
/// as the comparison; then hysteresis; then events with mechanism, boundaries, confidence and
/// example flows (DESIGN.md §4, methods.md C.2). A pure function of its inputs.
public struct Detector: Sendable {
    public let criteria: Criteria

    public init(criteria: Criteria = Criteria()) {
        self.criteria = criteria
    }

    /// Verdicts for a list of attempts (tests, and callers that hold them anyway).
    /// - Parameters:
    ///   - attempts: every judged attempt of the capture.
    ///   - activity: packets per second, for capture gaps.
    ///   - bin: the bin width; nil chooses one from the capture's length.
    ///   - captureLoss: a reason the capture itself lost packets (drops, truncation), if any.
    public func analyze(attempts: [Attempt], activity: PacketActivity, bin: Timestamp.Duration?,
                        captureLoss: String? = nil) -> AnalysisResult {
        var ledger = AttemptLedger(bin: bin, activity: activity)
        if activity.first == nil, let earliest = attempts.map(\.time).min() { ledger.notePacket(earliest) }
        for a in attempts { ledger.add(a) }
        return analyze(ledger, captureLoss: captureLoss)
    }

    /// Verdicts from the bins a ledger summarised.
    /// - Parameters:
    ///   - activity: packets per second, when kept apart from the ledger (a live sensor's view of
    ///     a bin); the ledger's own otherwise.
    ///   - captureLoss: a reason the capture itself lost packets (drops, truncation), if any.
    public func analyze(_ ledger: AttemptLedger, activity: PacketActivity? = nil, captureLoss: String? = nil) -> AnalysisResult {
        let activity = activity ?? ledger.activity
        let first = activity.first ?? ledger.origin ?? Timestamp(nanoseconds: 0)
        let last = max(activity.last ?? first, ledger.lastAttempt ?? first)
        let width = ledger.finalWidth(span: last - first)
        let binCount = max(1, Int((last.nanoseconds - first.nanoseconds) / width.nanoseconds) + 1)
        func binStart(_ b: Int) -> Timestamp { Timestamp(nanoseconds: first.nanoseconds + Int64(b) * width.nanoseconds) }
        // Base bins start at the ledger's origin, the first packet: a report bin is `perBin` of them.
        let perBin = Int(width.nanoseconds / ledger.baseWidth.nanoseconds)
        func binOf(base: Int) -> Int { min(binCount - 1, base / perBin) }

        var control = [Tally](repeating: Tally(), count: binCount)
        var international = [Tally](repeating: Tally(), count: binCount)
        var domestic = [Tally](repeating: Tally(), count: binCount)
        var external = [Tally](repeating: Tally(), count: binCount)
        var externalEvidence = [BinEvidence](repeating: BinEvidence(), count: binCount)
        for (i, n) in ledger.network.enumerated() {
            let b = binOf(base: i)
            control[b].merge(n.control)
            international[b].merge(n.international)
            domestic[b].merge(n.domestic)
            external[b].merge(n.external)
            externalEvidence[b].merge(n.externalEvidence)
        }
        let packets = (0..<binCount).map { activity.packets(from: binStart($0), width: width) }
        let drops = (0..<binCount).map { activity.drops(from: binStart($0), width: width) }

        /// The bin with its neighbours (radius 1), or the bin alone (radius 0): verdicts use the
        /// bin alone when it holds enough evidence, so boundaries stay sharp, and borrow the
        /// neighbours' evidence only when it does not.
        func window(_ tallies: [Tally], _ b: Int, radius: Int = 1) -> Tally {
            var t = Tally()
            for i in max(0, b - radius)...min(binCount - 1, b + radius) { t.merge(tallies[i]) }
            return t
        }

        // The network, bin by bin.
        var networkRaw = [NetworkState](repeating: .noEvidence, count: binCount)
        for b in 0..<binCount {
            if drops[b] > 0 && Double(drops[b]) > criteria.maximumCaptureLoss * Double(packets[b] + drops[b]) {
                networkRaw[b] = .captureLoss
                continue
            }
            if packets[b] == 0 && activity.first != nil { networkRaw[b] = .gap; continue }
            var radius = 0
            if international[b].servers.count < criteria.cutoffMinimumDestinations
                || international[b].attempts < criteria.minimumAttempts { radius = 1 }
            let intl = window(international, b, radius: radius)
            let ctrl = window(control, b, radius: radius)
            let home = window(domestic, b, radius: radius)
            guard intl.servers.count >= criteria.cutoffMinimumDestinations, intl.attempts >= criteria.minimumAttempts else {
                networkRaw[b] = .noEvidence
                continue
            }
            let reachability = Double(intl.answeredServers.count) / Double(intl.servers.count)
            let controlDown = ctrl.attempts == 0 || ctrl.successRatio <= criteria.cutoffReachability
            if reachability <= criteria.cutoffReachability && controlDown {
                networkRaw[b] = home.attempts > 0 && home.successRatio >= 0.5 ? .internationalCutoff : .cutoff
            } else if reachability < criteria.healthySuccess && ctrl.attempts >= criteria.minimumAttempts
                        && ctrl.successRatio < criteria.healthySuccess {
                networkRaw[b] = .degraded
            } else {
                networkRaw[b] = .ok
            }
        }
        let network = smooth(networkRaw)

        // Each group, bin by bin, against CONTROL (or, lacking CONTROL traffic, everything else).
        var caveats: [String] = []
        if let captureLoss { caveats.append(captureLoss) }
        var borrowedControl = false
        var services: [AnalysisResult.ServiceVerdict] = []
        for (group, ledgerGroup) in ledger.groups.sorted(by: { $0.key < $1.key }) where group != .local {
            // Dense bins for this group alone: memory for one group at a time.
            var bins = [GroupBin](repeating: GroupBin(), count: binCount)
            for (i, bin) in ledgerGroup.bins { bins[binOf(base: i)].merge(bin) }
            let tallies = bins.map(\.connections), quic = bins.map(\.quic), dns = bins.map(\.dns)
            let groupIsControl = ledgerGroup.isControl
            var raw = [ServiceState](repeating: .noEvidence, count: binCount)
            var usedFallback = [Bool](repeating: false, count: binCount)
            for b in 0..<binCount {
                // Next to a cutoff, a service's failures belong to the cutoff (its edges blur by a bin).
                    if network[max(0, b - 1)...min(binCount - 1, b + 1)].contains(where: \.isCutoff)
                    || network[b] == .gap || network[b] == .captureLoss { continue }
                // The comparison may borrow the neighbouring bins: it is a baseline, not the verdict.
                var reference = window(control, b)
                if groupIsControl { reference = reference - window(tallies, b) }
                if reference.attempts < 2 {
                    // No CONTROL traffic: everything else external, without this group's own attempts.
                    reference = window(international, b) - window(tallies, b) - window(quic, b) - window(dns, b)
                    usedFallback[b] = true
                }
                // The bin alone when it says something; with its neighbours when it is too thin.
                var connections = state(mine: tallies[b], quic: quic[b], reference: reference)
                if connections == .noEvidence {
                    connections = state(mine: window(tallies, b), quic: window(quic, b), reference: reference)
                }
                var lookups = judge(dns[b], reference: reference, referenceHealthy: reference.attempts >= 2
                                    && reference.successRatio >= criteria.healthySuccess, minimum: true)
                if lookups == .noEvidence {
                    lookups = judge(window(dns, b), reference: reference, referenceHealthy: reference.attempts >= 2
                                    && reference.successRatio >= criteria.healthySuccess, minimum: true)
                }
                raw[b] = max(connections, lookups)
            }
            let smoothed = smooth(raw)
            var events: [Event] = []
            var b = 0
            while b < binCount {
                let s = smoothed[b]
                guard s != .ok && s != .noEvidence else { b += 1; continue }
                var e = b
                while e + 1 < binCount && smoothed[e + 1] == s { e += 1 }
                if usedFallback[b...e].contains(true) { borrowedControl = true }
                events.append(event(state: s, bins: b...e, groupBins: bins, control: control,
                                    fallback: usedFallback[b...e].contains(true), binStart: binStart, width: width,
                                    captureLoss: captureLoss != nil))
                b = e + 1
            }
            let verdict = events.map { ServiceState(rawValue: $0.state) ?? .noEvidence }.max()
                ?? (smoothed.contains(.ok) ? .ok : .noEvidence)
            services.append(AnalysisResult.ServiceVerdict(
                group: group, isControl: groupIsControl, verdict: verdict, attempts: ledgerGroup.attempts,
                failures: ledgerGroup.failures, events: events,
                binAttempts: (0..<binCount).map { tallies[$0].attempts + quic[$0].attempts + dns[$0].attempts },
                binFailures: (0..<binCount).map { tallies[$0].failures + quic[$0].failures + dns[$0].failures },
                binStates: smoothed,
                binGoodput: (0..<binCount).map { Statistics.median(tallies[$0].bulkGoodput) }))
        }
        if borrowedControl {
            caveats.append("No CONTROL traffic (connectivity checks, large services) in some periods: other destinations were used for comparison, so those verdicts have lower confidence.")
        }
        if let requested = ledger.requestedWidth, width > requested {
            caveats.append("Bins are \(Int(width.seconds)) s wide, not the \(Int(requested.seconds)) s asked for: "
                           + "the capture spans too long for that many bins.")
        }
        let beyond = activity.beyondHorizon + ledger.attemptsBeyondHorizon
        if beyond > 0 {
            caveats.append("\(activity.beyondHorizon) packets and \(ledger.attemptsBeyondHorizon) attempts are timed over "
                           + "\(PacketActivity.horizonSeconds / 86_400) days after the first packet (a clock jump or a damaged "
                           + "timestamp): counted, but left out of the timeline.")
        }
        if ledger.foldedDestinations > 0 {
            caveats.append("\(ledger.foldedDestinations) attempts went to destinations beyond the first \(ledger.limits.maximumDestinations) "
                           + "and are counted together as \"\(AttemptLedger.foldedDestinationGroup)\".")
        }
        let networkEvents = networkEventsFrom(network, external: external, evidence: externalEvidence,
                                              binStart: binStart, width: width, captureLoss: captureLoss != nil)
        var result = AnalysisResult(binWidth: width, firstBinStart: first, binCount: binCount, networkEvents: networkEvents,
                                    networkBinStates: network, services: services, outcomeCounts: ledger.outcomeCounts,
                                    attempts: ledger.attemptCount, caveats: caveats)
        result.binPackets = packets
        result.binDrops = drops
        result.controlBinGoodput = control.map { Statistics.median($0.bulkGoodput) }
        return result
    }

    // MARK: - States

    func state(mine: Tally, quic: Tally, reference: Tally) -> ServiceState {
        let referenceHealthy = reference.attempts >= 2 && reference.successRatio >= criteria.healthySuccess
        // A throttle shows in bulk transfers, however few: they succeed, only slowly.
        if mine.failures == 0, isThrottled(mine, reference: reference) { return .throttled }
        // A group seen only over QUIC is judged on QUIC; otherwise QUIC failures alone (with the
        // TCP fallback working) make it partly blocked, never blocked.
        if mine.attempts < criteria.minimumAttempts {
            guard quic.attempts >= criteria.minimumAttempts else { return .noEvidence }
            return judge(quic, reference: reference, referenceHealthy: referenceHealthy)
        }
        let tcpState = judge(mine, reference: reference, referenceHealthy: referenceHealthy)
        if tcpState == .ok && quic.attempts >= criteria.minimumAttempts && quic.successRatio <= criteria.blockedSuccess
            && referenceHealthy {
            return .partiallyBlocked
        }
        return tcpState
    }

    func judge(_ mine: Tally, reference: Tally, referenceHealthy: Bool, minimum: Bool = false) -> ServiceState {
        if minimum && mine.attempts < criteria.minimumAttempts { return .noEvidence }
        let s = mine.successRatio
        if s >= criteria.healthySuccess {
            return isThrottled(mine, reference: reference) ? .throttled : .ok
        }
        guard reference.attempts >= 2 else {
            // Nothing to compare against: silent failures are never an alarm (a local fault looks
            // the same), but forged resets, a filter's ICMP or tampered answers are interference
            // on their own.
            let active = mine.outcomes.filter { $0.key.isActiveInterference }.values.reduce(0, +)
            guard active >= criteria.minimumAttempts else { return .noEvidence }
            return s <= criteria.blockedSuccess ? .blocked : .partiallyBlocked
        }
        if !referenceHealthy {
            return reference.successRatio < criteria.healthySuccess && reference.failures > 0 ? .degraded : .noEvidence
        }
        let p = Statistics.fisherOneSided(failures: mine.failures, attempts: mine.attempts,
                                          otherFailures: reference.failures, otherAttempts: reference.attempts)
        guard p < criteria.significance || mine.activeInterference else { return .noEvidence }
        return s <= criteria.blockedSuccess ? .blocked : .partiallyBlocked
    }

    /// The service's bulk goodput far under CONTROL's, with the loss a policer leaves (methods.md B.9).
    func isThrottled(_ mine: Tally, reference: Tally) -> Bool {
        guard let g = Statistics.median(mine.bulkGoodput), let c = Statistics.median(reference.bulkGoodput) else { return false }
        let loss = mine.bulkLoss.reduce(0, +) / Double(mine.bulkLoss.count)
        return g < criteria.throttleRatio * c && loss > criteria.throttleLossRate
    }

    /// Hysteresis: a new state is entered only when it holds for `hysteresisBins` bins (or until
    /// the capture ends); a shorter blip keeps the state before it.
    func smooth<S: Equatable>(_ raw: [S]) -> [S] {
        guard var current = raw.first else { return raw }
        var out = raw
        for b in raw.indices {
            if raw[b] != current {
                let end = min(raw.count, b + criteria.hysteresisBins)
                if raw[b..<end].allSatisfy({ $0 == raw[b] }) { current = raw[b] }
            }
            out[b] = current
        }
        return out
    }

    // MARK: - Events

    func event(state: ServiceState, bins range: ClosedRange<Int>, groupBins: [GroupBin], control: [Tally],
               fallback: Bool, binStart: (Int) -> Timestamp, width: Timestamp.Duration, captureLoss: Bool) -> Event {
        let from = binStart(range.lowerBound), to = binStart(range.upperBound) + width
        var inside = Tally(), evidence = BinEvidence(), reference = Tally()
        for b in range {
            inside.merge(groupBins[b].all)
            evidence.merge(groupBins[b].evidence)
            reference.merge(control[b])
        }
        let outcomes = Dictionary(uniqueKeysWithValues: inside.outcomes.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) })
        // An active signature (a forged reset, a filter's ICMP, a tampered answer) names the
        // mechanism when it is a fair share of the failures; silent timeouts are ambiguous.
        let active = outcomes.filter { Outcome(rawValue: $0.key)?.isActiveInterference == true }
        let activeCount = active.values.reduce(0, +)
        let pick = activeCount >= max(criteria.minimumAttempts, inside.failures / 4) ? active : outcomes
        let dominant = pick.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
        var mechanism = dominant.flatMap { Outcome(rawValue: $0.key)?.mechanism }
        if state == .throttled { mechanism = .throttling }
        let start = evidence.firstFailure ?? (state == .throttled ? evidence.firstAttempt ?? from : from)
        let end = evidence.lastFailure ?? (state == .throttled ? evidence.lastAttempt ?? to : to)
        let (lastSuccess, firstSuccess) = Detector.successesAround(start, end, bins: groupBins.map(\.evidence))
        let servers = inside.servers.count
        let activeSignature = inside.activeInterference
            || inside.outcomes[.tlsHelloTimeout, default: 0] > 0   // the handshake worked: the name was the trigger
        var confidence: Confidence
        if inside.attempts >= criteria.highConfidenceAttempts && servers >= criteria.highConfidenceServers && !fallback
            && (activeSignature || range.count >= 3) && state != .throttled && state != .degraded {
            confidence = .high
        } else if inside.attempts >= 5 && !fallback {
            confidence = .medium
        } else {
            confidence = .low
        }
        if captureLoss { confidence = confidence == .high ? .medium : .low }

        var why: String
        var goodputs: (Double, Double)? = nil
        if state == .throttled {
            let bulk = inside.bulkGoodput.count
            let goodput = Statistics.median(inside.bulkGoodput) ?? 0
            let loss = bulk == 0 ? 0 : inside.bulkLoss.reduce(0, +) / Double(bulk)
            let controlGoodput = Statistics.median(reference.bulkGoodput) ?? 0
            goodputs = (goodput, controlGoodput)
            why = "\(bulk) bulk transfer\(bulk == 1 ? "" : "s") ran at a median \(Detector.rate(goodput)) "
                + "with \(Int((loss * 100).rounded())) % retransmissions, while CONTROL downloads ran at \(Detector.rate(controlGoodput))"
        } else {
            let list = outcomes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            why = "\(inside.failures) of \(inside.attempts) attempts to \(servers) server\(servers == 1 ? "" : "s") failed (\(list))"
            if reference.attempts > 0 {
                why += fallback ? "; other destinations succeeded \(reference.successes) of \(reference.attempts)"
                                : "; CONTROL succeeded \(reference.successes) of \(reference.attempts)"
            }
        }
        return Event(state: state.rawValue, mechanism: mechanism?.rawValue, start: start.seconds, end: end.seconds,
                     lastSuccessBefore: lastSuccess?.seconds, firstSuccessAfter: firstSuccess?.seconds,
                     confidence: confidence, attempts: inside.attempts, failures: inside.failures, servers: servers,
                     failureOutcomes: outcomes, why: why,
                     exampleFlows: (state == .throttled ? evidence.bulkExamples : evidence.failureExamples)
                        .examples(limit: BinEvidence.exampleLimit).map(ExampleFlow.init),
                     goodput: goodputs?.0, controlGoodput: goodputs?.1)
    }

    func networkEventsFrom(_ states: [NetworkState], external: [Tally], evidence: [BinEvidence],
                           binStart: (Int) -> Timestamp, width: Timestamp.Duration, captureLoss: Bool) -> [Event] {
        var events: [Event] = []
        var b = 0
        while b < states.count {
            let s = states[b]
            guard s != .ok && s != .noEvidence else { b += 1; continue }
            var e = b
            while e + 1 < states.count && states[e + 1] == s { e += 1 }
            let from = binStart(b), to = binStart(e) + width
            var inside = Tally(), seen = BinEvidence()
            for i in b...e {
                inside.merge(external[i])
                seen.merge(evidence[i])
            }
            let outcomes = Dictionary(uniqueKeysWithValues: inside.outcomes.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) })
            let servers = inside.servers.count
            let mechanism: Mechanism? = switch s {
            case .cutoff: .totalCutoff
            case .internationalCutoff: .internationalCutoff
            case .localOutage: .localOutage
            default: nil
            }
            // Holes and losses of the capture itself are the observer's: certain, and never a verdict.
            let observer = s == .gap || s == .captureLoss
            var confidence: Confidence = servers >= 5 && e - b + 1 >= 2 ? .high : (servers >= 3 ? .medium : .low)
            if observer { confidence = .high }
            if captureLoss && !observer { confidence = confidence == .high ? .medium : .low }
            let start = observer ? from : (seen.firstFailure ?? from)
            let end = observer ? to : (seen.lastFailure ?? to)
            let (lastSuccess, firstSuccess) = observer ? (nil, nil) : Detector.successesAround(start, end, bins: evidence)
            let why = switch s {
            case .gap: "no packets were captured in this period"
            case .captureLoss: "the capture dropped more than \(Int(criteria.maximumCaptureLoss * 100)) % of the packets in this period"
            default: "\(inside.failures) of \(inside.attempts) attempts to \(servers) external destinations failed"
                + (s == .internationalCutoff ? " while domestic servers answered" : "")
            }
            events.append(Event(state: s.rawValue, mechanism: mechanism?.rawValue, start: start.seconds, end: end.seconds,
                                lastSuccessBefore: lastSuccess?.seconds, firstSuccessAfter: firstSuccess?.seconds,
                                confidence: confidence, attempts: inside.attempts, failures: inside.failures, servers: servers,
                                failureOutcomes: outcomes, why: why,
                                exampleFlows: observer ? [] : seen.failureExamples.examples(limit: BinEvidence.exampleLimit).map(ExampleFlow.init)))
            b = e + 1
        }
        return events
    }

    /// The last success before `start` and the first after `end`: the true boundaries of an event
    /// lie between them. Bins keep only their first and last success, so inside the event's own
    /// bins the nearest known one stands in — never a time on the wrong side.
    static func successesAround(_ start: Timestamp, _ end: Timestamp, bins: [BinEvidence]) -> (before: Timestamp?, after: Timestamp?) {
        var before: Timestamp? = nil, after: Timestamp? = nil
        for b in bins.indices {
            for t in [bins[b].firstSuccess, bins[b].lastSuccess].compactMap({ $0 }) {
                if t < start, before.map({ t > $0 }) ?? true { before = t }
                if t > end, after.map({ t < $0 }) ?? true { after = t }
            }
        }
        return (before, after)
    }

    static func rate(_ bitsPerSecond: Double) -> String {
        if bitsPerSecond >= 1_000_000 { return "\(Double(Int(bitsPerSecond / 100_000)) / 10) Mbit/s" }
        return "\(Int((bitsPerSecond / 1000).rounded())) kbit/s"
    }
}
