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

    /// What went into one bin for one group (or for CONTROL, or for all external traffic).
    struct Tally {
        var attempts = 0
        var failures = 0
        var outcomes: [Outcome: Int] = [:]
        var servers: Set<IPAddress> = []
        var answeredServers: Set<IPAddress> = []
        var bulkGoodput: [Double] = []
        var bulkLoss: [Double] = []
        var activeInterference = false

        var successes: Int { attempts - failures }
        var successRatio: Double { attempts == 0 ? 1 : Double(successes) / Double(attempts) }

        mutating func add(_ a: Attempt) {
            guard a.outcome != .pending else { return }
            attempts += 1
            servers.insert(a.server.address)
            if a.outcome.isFailure {
                failures += 1
                outcomes[a.outcome, default: 0] += 1
                if a.outcome.isActiveInterference { activeInterference = true }
            } else {
                answeredServers.insert(a.server.address)
                if a.isBulk {
                    bulkGoodput.append(a.goodput)
                    bulkLoss.append(a.retransmissionRate)
                }
            }
        }

        mutating func merge(_ o: Tally) {
            attempts += o.attempts
            failures += o.failures
            for (k, v) in o.outcomes { outcomes[k, default: 0] += v }
            servers.formUnion(o.servers)
            answeredServers.formUnion(o.answeredServers)
            bulkGoodput += o.bulkGoodput
            bulkLoss += o.bulkLoss
            activeInterference = activeInterference || o.activeInterference
        }
    }

    /// - Parameters:
    ///   - attempts: every judged attempt of the capture.
    ///   - activity: packets per second, for capture gaps.
    ///   - bin: the bin width; nil chooses one from the capture's length.
    ///   - captureLoss: a reason the capture itself lost packets (drops, truncation), if any.
    public func analyze(attempts: [Attempt], activity: PacketActivity, bin: Timestamp.Duration?,
                        captureLoss: String? = nil) -> AnalysisResult {
        let first = activity.first ?? attempts.map(\.time).min() ?? Timestamp(nanoseconds: 0)
        let last = activity.last ?? attempts.map(\.time).max() ?? first
        let width = bin ?? Criteria.automaticBin(for: last - first)
        let binCount = max(1, Int((last.nanoseconds - first.nanoseconds) / width.nanoseconds) + 1)
        func binOf(_ t: Timestamp) -> Int { min(binCount - 1, max(0, Int((t.nanoseconds - first.nanoseconds) / width.nanoseconds))) }
        func binStart(_ b: Int) -> Timestamp { Timestamp(nanoseconds: first.nanoseconds + Int64(b) * width.nanoseconds) }

        // Tallies per group and bin, by channel: connections, QUIC apart (a failed QUIC attempt
        // with a working TCP fallback does not make a service blocked, methods.md B.7), and DNS
        // apart (a lookup that works says nothing about the connection after it, and vice versa).
        var byGroup: [Group: [Tally]] = [:]
        var quicByGroup: [Group: [Tally]] = [:]
        var dnsByGroup: [Group: [Tally]] = [:]
        var control = [Tally](repeating: Tally(), count: binCount)
        var international = [Tally](repeating: Tally(), count: binCount)
        var domestic = [Tally](repeating: Tally(), count: binCount)
        var outcomeCounts: [Outcome: Int] = [:]
        let domesticGroup = Group.service(FlowIdentifier.domesticService)
        for a in attempts {
            outcomeCounts[a.outcome, default: 0] += 1
            let b = binOf(a.time)
            if a.outcome == .quicTimeout || (a.transport == 17 && a.server.port == 443) {
                quicByGroup[a.group, default: Array(repeating: Tally(), count: binCount)][b].add(a)
            } else if a.server.port == 53 {
                dnsByGroup[a.group, default: Array(repeating: Tally(), count: binCount)][b].add(a)
            } else {
                byGroup[a.group, default: Array(repeating: Tally(), count: binCount)][b].add(a)
            }
            if a.isControl { control[b].add(a) }
            if a.group == domesticGroup {
                domestic[b].add(a)
            } else if a.isExternal {
                international[b].add(a)
            } else if a.server.port == 53, a.outcome.isFailure, a.outcome != .dnsBogus, case .service = a.group {
                // A failed lookup of a foreign service's name through the local resolver is a
                // destination that did not answer (during a cutoff the resolver cannot reach its
                // upstream); each name counts as one destination. Successful lookups prove nothing
                // about reaching the servers, so they are left out.
                var lookup = a
                lookup.server = Endpoint(address: Detector.lookupKey(a.group), port: 53)
                international[b].add(lookup)
            }
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
        let groups = Set(byGroup.keys).union(quicByGroup.keys).union(dnsByGroup.keys).sorted()
        for group in groups where group != .local {
            let tallies = byGroup[group] ?? Array(repeating: Tally(), count: binCount)
            let quic = quicByGroup[group] ?? Array(repeating: Tally(), count: binCount)
            let dns = dnsByGroup[group] ?? Array(repeating: Tally(), count: binCount)
            let groupIsControl = attempts.contains { $0.group == group && $0.isControl }
            var raw = [ServiceState](repeating: .noEvidence, count: binCount)
            var usedFallback = [Bool](repeating: false, count: binCount)
            for b in 0..<binCount {
                // Next to a cutoff, a service's failures belong to the cutoff (its edges blur by a bin).
                    if network[max(0, b - 1)...min(binCount - 1, b + 1)].contains(where: \.isCutoff)
                    || network[b] == .gap || network[b] == .captureLoss { continue }
                // The comparison may borrow the neighbouring bins: it is a baseline, not the verdict.
                var reference = window(control, b)
                if groupIsControl { reference = Detector.subtract(reference, window(tallies, b)) }
                if reference.attempts < 2 {
                    // No CONTROL traffic: everything else external, without this group's own attempts.
                    reference = Detector.subtract(Detector.subtract(Detector.subtract(window(international, b), window(tallies, b)),
                                                                    window(quic, b)), window(dns, b))
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
                events.append(event(state: s, group: group, bins: b...e, attempts: attempts, control: control,
                                    fallback: usedFallback[b...e].contains(true), binStart: binStart, width: width,
                                    captureLoss: captureLoss != nil))
                b = e + 1
            }
            let all = attempts.filter { $0.group == group && $0.outcome != .pending }
            let verdict = events.map { ServiceState(rawValue: $0.state) ?? .noEvidence }.max()
                ?? (smoothed.contains(.ok) ? .ok : .noEvidence)
            services.append(AnalysisResult.ServiceVerdict(
                group: group, isControl: groupIsControl, verdict: verdict, attempts: all.count,
                failures: all.filter { $0.outcome.isFailure }.count, events: events,
                binAttempts: (0..<binCount).map { tallies[$0].attempts + quic[$0].attempts + dns[$0].attempts },
                binFailures: (0..<binCount).map { tallies[$0].failures + quic[$0].failures + dns[$0].failures },
                binStates: smoothed,
                binGoodput: (0..<binCount).map { Statistics.median(tallies[$0].bulkGoodput) }))
        }
        if borrowedControl {
            caveats.append("No CONTROL traffic (connectivity checks, large services) in some periods: other destinations were used for comparison, so those verdicts have lower confidence.")
        }
        let networkEvents = networkEventsFrom(network, attempts: attempts, international: international,
                                              binStart: binStart, width: width, captureLoss: captureLoss != nil)
        var result = AnalysisResult(binWidth: width, firstBinStart: first, binCount: binCount, networkEvents: networkEvents,
                                    networkBinStates: network, services: services, outcomeCounts: outcomeCounts,
                                    attempts: attempts.count, caveats: caveats)
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

    static func subtract(_ a: Tally, _ b: Tally) -> Tally {
        var t = a
        t.attempts = max(0, a.attempts - b.attempts)
        t.failures = max(0, a.failures - b.failures)
        for (k, v) in b.outcomes { t.outcomes[k] = max(0, (t.outcomes[k] ?? 0) - v) }
        t.servers.subtract(b.servers)
        t.answeredServers.subtract(b.answeredServers)
        return t
    }

    // MARK: - Events

    func event(state: ServiceState, group: Group, bins: ClosedRange<Int>, attempts all: [Attempt], control: [Tally],
               fallback: Bool, binStart: (Int) -> Timestamp, width: Timestamp.Duration, captureLoss: Bool) -> Event {
        let from = binStart(bins.lowerBound), to = binStart(bins.upperBound) + width
        let mine = all.filter { $0.group == group && $0.outcome != .pending }
        let inside = mine.filter { $0.time >= from && $0.time < to }
        let failures = inside.filter { $0.outcome.isFailure }
        var outcomes: [String: Int] = [:]
        for f in failures { outcomes[f.outcome.rawValue, default: 0] += 1 }
        // An active signature (a forged reset, a filter's ICMP, a tampered answer) names the
        // mechanism when it is a fair share of the failures; silent timeouts are ambiguous.
        let active = outcomes.filter { Outcome(rawValue: $0.key)?.isActiveInterference == true }
        let activeCount = active.values.reduce(0, +)
        let pick = activeCount >= max(criteria.minimumAttempts, failures.count / 4) ? active : outcomes
        let dominant = pick.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
        var mechanism = dominant.flatMap { Outcome(rawValue: $0.key)?.mechanism }
        if state == .throttled { mechanism = .throttling }
        let start = failures.map(\.time).min() ?? (state == .throttled ? inside.map(\.time).min() ?? from : from)
        let end = failures.map(\.time).max() ?? (state == .throttled ? inside.map(\.time).max() ?? to : to)
        let lastSuccess = mine.filter { !$0.outcome.isFailure && $0.time < start }.map(\.time).max()
        let firstSuccess = mine.filter { !$0.outcome.isFailure && $0.time > end }.map(\.time).min()
        let servers = Set(inside.map(\.server.address)).count
        var reference = Tally()
        for b in bins { reference.merge(control[b]) }
        let activeSignature = failures.contains { $0.outcome.isActiveInterference }
            || failures.contains { $0.outcome == .tlsHelloTimeout }   // the handshake worked: the name was the trigger
        var confidence: Confidence
        if inside.count >= criteria.highConfidenceAttempts && servers >= criteria.highConfidenceServers && !fallback
            && (activeSignature || bins.count >= 3) && state != .throttled && state != .degraded {
            confidence = .high
        } else if inside.count >= 5 && !fallback {
            confidence = .medium
        } else {
            confidence = .low
        }
        if captureLoss { confidence = confidence == .high ? .medium : .low }

        var why: String
        var goodputs: (Double, Double)? = nil
        if state == .throttled {
            let bulk = inside.filter { $0.isBulk && !$0.outcome.isFailure }
            let goodput = Statistics.median(bulk.map(\.goodput)) ?? 0
            let loss = bulk.isEmpty ? 0 : bulk.map(\.retransmissionRate).reduce(0, +) / Double(bulk.count)
            let controlGoodput = Statistics.median(reference.bulkGoodput) ?? 0
            goodputs = (goodput, controlGoodput)
            why = "\(bulk.count) bulk transfer\(bulk.count == 1 ? "" : "s") ran at a median \(Detector.rate(goodput)) "
                + "with \(Int((loss * 100).rounded())) % retransmissions, while CONTROL downloads ran at \(Detector.rate(controlGoodput))"
        } else {
            let list = outcomes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            why = "\(failures.count) of \(inside.count) attempts to \(servers) server\(servers == 1 ? "" : "s") failed (\(list))"
            if reference.attempts > 0 {
                why += fallback ? "; other destinations succeeded \(reference.successes) of \(reference.attempts)"
                                : "; CONTROL succeeded \(reference.successes) of \(reference.attempts)"
            }
        }
        // Examples: one per server first, so a skeptic sees the spread.
        var examples: [ExampleFlow] = []
        var seen: Set<IPAddress> = []
        let pool = state == .throttled ? inside.filter(\.isBulk) : failures
        for f in pool where !seen.contains(f.server.address) && examples.count < 5 {
            seen.insert(f.server.address)
            examples.append(ExampleFlow(f))
        }
        for f in pool where examples.count < 5 && !examples.contains(where: { $0.uid == f.uid }) { examples.append(ExampleFlow(f)) }
        return Event(state: state.rawValue, mechanism: mechanism?.rawValue, start: start.seconds, end: end.seconds,
                     lastSuccessBefore: lastSuccess?.seconds, firstSuccessAfter: firstSuccess?.seconds,
                     confidence: confidence, attempts: inside.count, failures: failures.count, servers: servers,
                     failureOutcomes: outcomes, why: why, exampleFlows: examples,
                     goodput: goodputs?.0, controlGoodput: goodputs?.1)
    }

    func networkEventsFrom(_ states: [NetworkState], attempts: [Attempt], international: [Tally],
                           binStart: (Int) -> Timestamp, width: Timestamp.Duration, captureLoss: Bool) -> [Event] {
        var events: [Event] = []
        var b = 0
        while b < states.count {
            let s = states[b]
            guard s != .ok && s != .noEvidence else { b += 1; continue }
            var e = b
            while e + 1 < states.count && states[e + 1] == s { e += 1 }
            let from = binStart(b), to = binStart(e) + width
            let inside = attempts.filter { $0.isExternal && $0.outcome != .pending && $0.time >= from && $0.time < to }
            let failures = inside.filter { $0.outcome.isFailure }
            var outcomes: [String: Int] = [:]
            for f in failures { outcomes[f.outcome.rawValue, default: 0] += 1 }
            let servers = Set(inside.map(\.server.address)).count
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
            let start = observer ? from : (failures.map(\.time).min() ?? from)
            let end = observer ? to : (failures.map(\.time).max() ?? to)
            let ok = attempts.filter { $0.isExternal && $0.outcome == .ok }
            let why = switch s {
            case .gap: "no packets were captured in this period"
            case .captureLoss: "the capture dropped more than \(Int(criteria.maximumCaptureLoss * 100)) % of the packets in this period"
            default: "\(failures.count) of \(inside.count) attempts to \(servers) external destinations failed"
                + (s == .internationalCutoff ? " while domestic servers answered" : "")
            }
            var examples: [ExampleFlow] = []
            var seen: Set<IPAddress> = []
            for f in failures where !seen.contains(f.server.address) && examples.count < 5 {
                seen.insert(f.server.address)
                examples.append(ExampleFlow(f))
            }
            events.append(Event(state: s.rawValue, mechanism: mechanism?.rawValue, start: start.seconds, end: end.seconds,
                                lastSuccessBefore: observer ? nil : ok.filter { $0.time < start }.map(\.time).max()?.seconds,
                                firstSuccessAfter: observer ? nil : ok.filter { $0.time > end }.map(\.time).min()?.seconds,
                                confidence: confidence, attempts: inside.count, failures: failures.count, servers: servers,
                                failureOutcomes: outcomes, why: why, exampleFlows: examples))
            b = e + 1
        }
        return events
    }

    /// A stand-in address for "the servers of this group" (in 100::/64, the discard prefix, which
    /// no real server uses), so failed lookups count as distinct destinations.
    static func lookupKey(_ group: Group) -> IPAddress {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in group.description.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return IPAddress(high: 0x0100_0000_0000_0000, low: hash)
    }

    static func rate(_ bitsPerSecond: Double) -> String {
        if bitsPerSecond >= 1_000_000 { return "\(Double(Int(bitsPerSecond / 100_000)) / 10) Mbit/s" }
        return "\(Int((bitsPerSecond / 1000).rounded())) kbit/s"
    }
}
