import Flows
import Identification
import Wire

/// Judged attempts summarised per time bin as they arrive: what verdicts need, held in memory
/// that grows with bins and groups, never with attempts — a day-long capture or a sensor that
/// runs for weeks stays bounded (issue 5: "bins are summarized as they close").
///
/// Without a fixed width, attempts go into fine base bins (5 s); when a capture outgrows
/// `Limits.maximumBins` of them, neighbours are merged into coarser ones. Every base width in
/// the chain divides every automatic width that a capture of that length can get, so the report's
/// bins are always whole numbers of base bins.
public struct AttemptLedger: Sendable {
    public struct Limits: Sendable {
        /// Base bins before they are merged (automatic width).
        public var maximumBins = 4096
        /// Bins of a requested width before they are merged in pairs (and the report says so):
        /// 100,000 bins of 10 s are 11 days.
        public var maximumRequestedBins = 100_000
        /// Other destinations itemised as groups of their own; later ones share one group.
        public var maximumDestinations = 10_000
        /// Example flows kept per bin and group.
        public var examplesPerBin = 5
        /// Distinct servers counted per bin and group (beyond, a sample: ratios stay meaningful).
        public var serversPerBin = 4096
        /// Bulk-transfer goodput samples kept per bin and group.
        public var bulkSamplesPerBin = 1024

        public init() {}
    }

    /// The name of the group that holds destinations beyond `Limits.maximumDestinations`.
    public static let foldedDestinationGroup = Group.destination("other destinations (not itemised)")

    /// `--bin`, or nil for a width chosen from the capture's length at the end.
    public let requestedWidth: Timestamp.Duration?
    public private(set) var baseWidth: Timestamp.Duration
    /// Packets per second: capture gaps and capture loss.
    public private(set) var activity: PacketActivity
    public private(set) var outcomeCounts: [Outcome: Int] = [:]
    public private(set) var attemptCount = 0
    /// Destinations that did not get a group of their own (`Limits.maximumDestinations`).
    public private(set) var foldedDestinations = 0
    /// Attempts timed beyond `PacketActivity.horizonSeconds` after the first packet: counted, not binned.
    public private(set) var attemptsBeyondHorizon = 0
    public let limits: Limits

    /// Base bins held now: at most `Limits.maximumBins` with an automatic width.
    public var baseBinCount: Int { network.count }

    private(set) var origin: Timestamp?
    private(set) var lastAttempt: Timestamp?
    private(set) var network: [NetworkBin] = []
    private(set) var groups: [Group: GroupLedger] = [:]
    private var destinationGroups = 0

    public init(bin: Timestamp.Duration? = nil, activity: PacketActivity = PacketActivity(), limits: Limits = Limits()) {
        requestedWidth = bin
        baseWidth = bin ?? .seconds(5)
        self.activity = activity
        self.limits = limits
        origin = activity.first
    }

    /// Every captured packet's time: bins start at the first packet, and holes show as gaps.
    public mutating func notePacket(_ time: Timestamp) {
        activity.note(time)
        if origin == nil { origin = time }
    }

    /// Bins count from `time` (a live sensor's first packet, when it keeps packets apart).
    public mutating func start(at time: Timestamp) {
        if origin == nil { origin = time }
    }

    /// The ledger as it was for attempts before `time`, a bin boundary: a live sensor judges a
    /// bin that just ended on the bins up to it alone.
    public func prefix(before time: Timestamp) -> AttemptLedger {
        guard let origin else { return self }
        let end = max(0, Int((time.nanoseconds - origin.nanoseconds + baseWidth.nanoseconds - 1) / baseWidth.nanoseconds))
        guard end < network.count else { return self }
        var copy = self
        copy.network.removeSubrange(end...)
        for key in copy.groups.keys {
            copy.groups[key]!.bins = copy.groups[key]!.bins.filter { $0.key < end }
        }
        copy.groups = copy.groups.filter { !$0.value.bins.isEmpty }
        if let last = copy.lastAttempt, last >= time { copy.lastAttempt = Timestamp(nanoseconds: time.nanoseconds - 1) }
        return copy
    }

    /// Packets the capture dropped around `time` (live capture statistics).
    public mutating func noteDrops(_ count: Int, at time: Timestamp) {
        activity.noteDrops(count, at: time)
        if origin == nil { origin = activity.first }
    }

    public mutating func add(_ attempt: Attempt) {
        if origin == nil { origin = attempt.time }
        attemptCount += 1
        outcomeCounts[attempt.outcome, default: 0] += 1
        let offset = attempt.time.nanoseconds &- origin!.nanoseconds
        guard offset / 1_000_000_000 < Int64(PacketActivity.horizonSeconds) else {
            attemptsBeyondHorizon += 1
            return
        }
        if lastAttempt.map({ attempt.time > $0 }) ?? true { lastAttempt = attempt.time }
        var a = attempt
        if case .destination = a.group, groups[a.group] == nil {
            if destinationGroups >= limits.maximumDestinations {
                foldedDestinations += 1
                a.group = AttemptLedger.foldedDestinationGroup
            } else {
                destinationGroups += 1
            }
        }
        let index = baseIndex(a.time)
        let limits = self.limits
        groups[a.group, default: GroupLedger()].add(a, bin: index, limits: limits)

        if index >= network.count { network.append(contentsOf: repeatElement(NetworkBin(), count: index - network.count + 1)) }
        network[index].add(a, limits: limits)
    }

    /// The base bin of a time, merging base bins first when the capture has outgrown them.
    private mutating func baseIndex(_ time: Timestamp) -> Int {
        let start = origin!
        var index = max(0, Int((time.nanoseconds - start.nanoseconds) / baseWidth.nanoseconds))
        while index >= (requestedWidth == nil ? limits.maximumBins : limits.maximumRequestedBins) {
            coarsen()
            index = max(0, Int((time.nanoseconds - start.nanoseconds) / baseWidth.nanoseconds))
        }
        return index
    }

    /// 5 s → 60 s → 5 min → 15 min → 1 h → 2 h ...: each divides the automatic widths a capture
    /// long enough to need it can get (`Criteria.automaticBin`).
    private mutating func coarsen() {
        let seconds = baseWidth.nanoseconds / 1_000_000_000
        let next: Int64 = if requestedWidth != nil || seconds >= 3600 {
            baseWidth.nanoseconds * 2   // a requested width (or a very long capture) doubles
        } else {
            switch seconds {
            case ..<60: 60_000_000_000
            case ..<300: 300_000_000_000
            case ..<900: 900_000_000_000
            default: 3_600_000_000_000
            }
        }
        let factor = Int(next / baseWidth.nanoseconds)
        baseWidth = Timestamp.Duration(nanoseconds: next)
        var merged = [NetworkBin](repeating: NetworkBin(), count: (network.count + factor - 1) / factor)
        for (i, bin) in network.enumerated() { merged[i / factor].merge(bin) }
        network = merged
        for key in groups.keys { groups[key]!.regroup(factor: factor) }
    }

    /// The report's bins: `--bin`, or about 60 over the capture, in whole base bins, and never
    /// more than `Limits.maximumRequestedBins` of them.
    func finalWidth(span: Timestamp.Duration) -> Timestamp.Duration {
        let base = baseWidth.nanoseconds
        var width = requestedWidth.map { max($0.nanoseconds, base) } ?? Criteria.automaticBin(for: span).nanoseconds
        width = max(width, span.nanoseconds / Int64(limits.maximumRequestedBins) + 1)
        return Timestamp.Duration(nanoseconds: max(1, (width + base - 1) / base) * base)
    }
}

/// One time bin of one group, by channel: connections; QUIC (a failed QUIC attempt with a
/// working TCP fallback does not make a service blocked, methods.md B.7); DNS (a lookup that
/// works says nothing about the connection after it, and vice versa).
struct GroupBin: Sendable {
    var connections = Tally()
    var quic = Tally()
    var dns = Tally()
    var evidence = BinEvidence()

    mutating func add(_ a: Attempt, limits: AttemptLedger.Limits) {
        if a.outcome == .quicTimeout || (a.transport == 17 && a.server.port == 443) {
            quic.add(a, limits: limits)
        } else if a.server.port == 53 {
            dns.add(a, limits: limits)
        } else {
            connections.add(a, limits: limits)
        }
        evidence.add(a, limits: limits)
    }

    var all: Tally {
        var t = connections
        t.merge(quic)
        t.merge(dns)
        return t
    }

    mutating func merge(_ o: GroupBin) {
        connections.merge(o.connections)
        quic.merge(o.quic)
        dns.merge(o.dns)
        evidence.merge(o.evidence)
    }
}

/// A group's bins (sparse: most groups are seen in few bins) and its totals.
struct GroupLedger: Sendable {
    var isControl = false
    var attempts = 0
    var failures = 0
    var bins: [Int: GroupBin] = [:]

    mutating func add(_ a: Attempt, bin: Int, limits: AttemptLedger.Limits) {
        if a.isControl { isControl = true }
        if a.outcome != .pending {
            attempts += 1
            if a.outcome.isFailure { failures += 1 }
        }
        // In place: a copy of the bin would copy its sets on every attempt.
        bins[bin, default: GroupBin()].add(a, limits: limits)
    }

    mutating func regroup(factor: Int) {
        var merged: [Int: GroupBin] = [:]
        for (i, b) in bins { merged[i / factor, default: GroupBin()].merge(b) }
        bins = merged
    }
}

/// One time bin of the whole vantage point.
struct NetworkBin: Sendable {
    var control = Tally()
    /// Attempts to foreign destinations (and failed lookups of foreign names): reachability.
    var international = Tally()
    var domestic = Tally()
    /// Every attempt to a non-LOCAL server: what network events count and show.
    var external = Tally()
    var externalEvidence = BinEvidence()

    mutating func add(_ a: Attempt, limits: AttemptLedger.Limits) {
        if a.isControl { control.add(a, limits: limits) }
        if a.group == .service(FlowIdentifier.domesticService) {
            domestic.add(a, limits: limits)
        } else if a.isExternal {
            international.add(a, limits: limits)
        } else if a.server.port == 53, a.outcome.isFailure, a.outcome != .dnsBogus, case .service = a.group {
            // A failed lookup of a foreign service's name through the local resolver is a
            // destination that did not answer (during a cutoff the resolver cannot reach its
            // upstream); each name counts as one destination. Successful lookups prove nothing
            // about reaching the servers, so they are left out.
            var lookup = a
            lookup.server = Endpoint(address: AttemptLedger.lookupKey(a.group), port: 53)
            international.add(lookup, limits: limits)
        }
        if a.isExternal {
            external.add(a, limits: limits)
            externalEvidence.add(a, limits: limits)
        }
    }

    mutating func merge(_ o: NetworkBin) {
        control.merge(o.control)
        international.merge(o.international)
        domestic.merge(o.domestic)
        external.merge(o.external)
        externalEvidence.merge(o.externalEvidence)
    }
}

/// What an event needs beyond counts: when failures and successes happened (its boundaries and
/// their uncertainty) and a few example flows, spread over servers.
struct BinEvidence: Sendable {
    var firstFailure: Timestamp?
    var lastFailure: Timestamp?
    var firstSuccess: Timestamp?
    var lastSuccess: Timestamp?
    var firstAttempt: Timestamp?
    var lastAttempt: Timestamp?
    var failureExamples = ExampleSample()
    var bulkExamples = ExampleSample()
    static let exampleLimit = AttemptLedger.Limits().examplesPerBin

    mutating func add(_ a: Attempt, limits: AttemptLedger.Limits) {
        guard a.outcome != .pending else { return }
        BinEvidence.widen(&firstAttempt, &lastAttempt, a.time)
        if a.outcome.isFailure {
            BinEvidence.widen(&firstFailure, &lastFailure, a.time)
            failureExamples.offer(a, limit: limits.examplesPerBin)
        } else {
            BinEvidence.widen(&firstSuccess, &lastSuccess, a.time)
            if a.isBulk { bulkExamples.offer(a, limit: limits.examplesPerBin) }
        }
    }

    mutating func merge(_ o: BinEvidence) {
        for t in [o.firstFailure, o.lastFailure].compactMap({ $0 }) { BinEvidence.widen(&firstFailure, &lastFailure, t) }
        for t in [o.firstSuccess, o.lastSuccess].compactMap({ $0 }) { BinEvidence.widen(&firstSuccess, &lastSuccess, t) }
        for t in [o.firstAttempt, o.lastAttempt].compactMap({ $0 }) { BinEvidence.widen(&firstAttempt, &lastAttempt, t) }
        failureExamples.merge(o.failureExamples, limit: BinEvidence.exampleLimit)
        bulkExamples.merge(o.bulkExamples, limit: BinEvidence.exampleLimit)
    }

    static func widen(_ low: inout Timestamp?, _ high: inout Timestamp?, _ t: Timestamp) {
        if low.map({ t < $0 }) ?? true { low = t }
        if high.map({ t > $0 }) ?? true { high = t }
    }

}

/// Example flows of a bin, chosen so that merging bins chooses as a whole capture would: the
/// earliest attempt to each of the first servers (a skeptic should see the spread), and the
/// earliest attempts of all.
struct ExampleSample: Sendable {
    private(set) var firstPerServer: [Attempt] = []
    private(set) var earliest: [Attempt] = []

    static func precedes(_ a: Attempt, _ b: Attempt) -> Bool { (a.time, a.uid) < (b.time, b.uid) }

    mutating func offer(_ a: Attempt, limit: Int) {
        ExampleSample.insert(a, into: &earliest, limit: limit)
        if let i = firstPerServer.firstIndex(where: { $0.server.address == a.server.address }) {
            guard ExampleSample.precedes(a, firstPerServer[i]) else { return }
            firstPerServer.remove(at: i)
        }
        ExampleSample.insert(a, into: &firstPerServer, limit: limit)
    }

    mutating func merge(_ o: ExampleSample, limit: Int) {
        for a in o.firstPerServer { offer(a, limit: limit) }
        for a in o.earliest { ExampleSample.insert(a, into: &earliest, limit: limit) }
    }

    /// One per server first, then the earliest others, up to `limit`, in time order.
    func examples(limit: Int) -> [Attempt] {
        var chosen = Array(firstPerServer.prefix(limit))
        for a in earliest where chosen.count < limit && !chosen.contains(where: { $0.uid == a.uid }) { chosen.append(a) }
        return chosen.sorted(by: ExampleSample.precedes)
    }

    private static func insert(_ a: Attempt, into list: inout [Attempt], limit: Int) {
        guard !list.contains(where: { $0.uid == a.uid && $0.time == a.time }) else { return }
        let i = list.firstIndex { precedes(a, $0) } ?? list.endIndex
        guard i < limit else { return }
        list.insert(a, at: i)
        if list.count > limit { list.removeLast() }
    }
}

/// What went into one bin for one group (or for CONTROL, or for all external traffic).
struct Tally: Sendable {
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

    mutating func add(_ a: Attempt, limits: AttemptLedger.Limits = AttemptLedger.Limits()) {
        guard a.outcome != .pending else { return }
        attempts += 1
        if servers.count < limits.serversPerBin { servers.insert(a.server.address) }
        if a.outcome.isFailure {
            failures += 1
            outcomes[a.outcome, default: 0] += 1
            if a.outcome.isActiveInterference { activeInterference = true }
        } else {
            if answeredServers.count < limits.serversPerBin { answeredServers.insert(a.server.address) }
            if a.isBulk && bulkGoodput.count < limits.bulkSamplesPerBin {
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

    static func - (a: Tally, b: Tally) -> Tally {
        var t = a
        t.attempts = max(0, a.attempts - b.attempts)
        t.failures = max(0, a.failures - b.failures)
        for (k, v) in b.outcomes { t.outcomes[k] = max(0, (t.outcomes[k] ?? 0) - v) }
        t.servers.subtract(b.servers)
        t.answeredServers.subtract(b.answeredServers)
        return t
    }
}

extension AttemptLedger {
    /// A stand-in address for "the servers of this group" (in 100::/64, the discard prefix, which
    /// no real server uses), so failed lookups count as distinct destinations.
    static func lookupKey(_ group: Group) -> IPAddress {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in group.description.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return IPAddress(high: 0x0100_0000_0000_0000, low: hash)
    }
}
