import Detection
import Flows
import Identification
import Wire

/// Live mode's analysis: collects judged attempts as flows end (or, for flows still open, once
/// their judge window has passed), and at the end of each bin runs the same `Detector` as
/// `analyze` over what is known, then compares each group's and the network's state in the
/// newest bin with the one before. Attempts of closed bins are summarised in an `AttemptLedger`
/// (memory for bins and groups, never for attempts, however long the sensor runs); only those of
/// the bin under way are held as they are, since it is judged up to a cut inside it.
///
/// The Detector sees what happened up to one judge window ago: by then every connection attempt
/// that began has an outcome (an unanswered SYN is a failure after 10 s). It runs several times
/// a bin, so an alert comes one judge window and a few attempts after a change.
public struct RollingAnalysis {
    public let bin: Timestamp.Duration
    public let detector: Detector
    let judge: AttemptJudge
    /// How long after a bin's end it is analysed: the longest judge window.
    public let judgeDelay: Timestamp.Duration

    /// Attempts before `horizon`, summarised per bin.
    public private(set) var ledger: AttemptLedger
    /// Attempts of the bin under way and later ones, until their bin closes.
    public private(set) var recent: [Attempt] = []
    /// The start of the bin under way: attempts before it go to the ledger.
    var horizon = Timestamp(nanoseconds: .min)
    /// Packets (and capture drops) of bins already closed; later ones wait in `staged`.
    public private(set) var activity = PacketActivity()
    /// The first packet's time: bins are counted from it, as `analyze` counts them.
    public private(set) var origin: Timestamp?
    /// Bins summarised so far (complete and judged).
    public private(set) var reportedBins = 0
    var nextEvaluation = Timestamp(nanoseconds: .min)
    /// Open flows that began before this were judged (or are held as pending).
    var judgedUntil = Timestamp(nanoseconds: .min)

    /// The same, fed only up to the end of the last complete bin: the Detector's view of a bin
    /// that just ended, so its state is that bin's own.
    var binActivity = PacketActivity()
    /// Per second since `origin`: packets and drops not yet handed to `activity` / `binActivity`.
    var staged = Staged()
    var stagedForBins = Staged()
    struct Staged {
        var packets: [Int: Int] = [:]
        var drops: [Int: Int] = [:]
    }
    var currentSecond = Int.min
    var currentCount = 0
    /// The capture time `currentSecond` spans, [start, end) in ns: a packet inside it is counted
    /// with two comparisons instead of a division (empty until the first packet).
    var currentSecondStart = Int64.max
    var currentSecondEnd = Int64.min
    /// Open flows judged early (by uid): skipped when they end. Identities of open flows whose
    /// outcome was still pending wait here for their end.
    var judgedOpen: Set<String> = []
    var heldIdentities: [String: FlowIdentity] = [:]
    /// The Detector's share, for `update` (inline); `LiveCommand` runs its own on a thread.
    public var analyst: LiveAnalyst

    public init(catalog: SignatureCatalog, bin: Timestamp.Duration, criteria: Criteria = Criteria()) {
        self.bin = bin
        self.detector = Detector(criteria: criteria)
        self.judge = AttemptJudge(catalog: catalog, criteria: criteria)
        self.analyst = LiveAnalyst(bin: bin, detector: Detector(criteria: criteria))
        self.ledger = AttemptLedger(bin: bin)
        let longest = max(criteria.tcpJudgeWindow, criteria.dnsJudgeWindow, criteria.quicJudgeWindow)
        self.judgeDelay = Timestamp.Duration(nanoseconds: longest.nanoseconds + 500_000_000)
    }

    // MARK: Facts

    /// A captured packet at `time`.
    @inline(__always)
    public mutating func notePacket(_ time: Timestamp) {
        if time.nanoseconds >= currentSecondStart && time.nanoseconds < currentSecondEnd {
            currentCount &+= 1
            return
        }
        notePacketInAnotherSecond(time)
    }

    mutating func notePacketInAnotherSecond(_ time: Timestamp) {
        guard let origin else {
            self.origin = time
            horizon = time
            ledger.start(at: time)
            activity.note(time)
            binActivity.note(time)
            return
        }
        let second = Int((time.nanoseconds &- origin.nanoseconds) / 1_000_000_000)
        if second == currentSecond {
            currentCount &+= 1
            return
        }
        stageCurrentSecond()
        currentSecond = second
        currentCount = 1
        // Only for times from the origin on: the division rounds toward zero, so second 0 also
        // holds the second before the origin, and those take this path each time (rare).
        if time >= origin {
            currentSecondStart = origin.nanoseconds &+ Int64(second) &* 1_000_000_000
            currentSecondEnd = currentSecondStart &+ 1_000_000_000
        } else {
            currentSecondStart = .max
            currentSecondEnd = .min
        }
    }

    /// Packets the capture dropped (kernel + interface) since the last call, noticed at `time`.
    public mutating func noteDrops(_ count: Int, at time: Timestamp) {
        guard count > 0, let origin else { return }
        let second = max(0, Int((time.nanoseconds &- origin.nanoseconds) / 1_000_000_000))
        staged.drops[second, default: 0] += count
        stagedForBins.drops[second, default: 0] += count
    }

    /// A flow that ended; `now` is the capture's latest time.
    public mutating func flowEnded(_ record: FlowRecord, _ identity: FlowIdentity, now: Timestamp) {
        if judgedOpen.remove(record.uid) != nil { return }
        let identity = heldIdentities.removeValue(forKey: record.uid) ?? identity
        if let a = judge.judge(record, identity, captureEnd: now) { add(a) }
    }

    mutating func add(_ a: Attempt) {
        if a.time < horizon { ledger.add(a) } else { recent.append(a) }
    }

    /// A flow still open whose judge window has passed: judged now unless still pending.
    mutating func judgeOpen(_ record: FlowRecord, _ identity: FlowIdentity, now: Timestamp) {
        // Not an attempt yet (say, UDP not answered so far) or still pending: judged when it ends,
        // with the identity found so far (identification of it stopped when it was taken).
        guard let a = judge.judge(record, identity, captureEnd: now), a.outcome != .pending else {
            heldIdentities[record.uid] = identity
            return
        }
        add(a)
        judgedOpen.insert(record.uid)
    }

    // MARK: Evaluation

    /// How often the Detector runs: several times a bin, so an alert waits for the evidence
    /// (the judge window), not for the bin to end.
    public var step: Timestamp.Duration { Timestamp.Duration(nanoseconds: max(1_000_000_000, bin.nanoseconds / 6)) }

    /// Runs the Detector (inline) when a step has passed: see `collect` and `LiveAnalyst.run`.
    public mutating func update(now: Timestamp, pipeline: inout PacketPipeline) -> LiveUpdate {
        guard let job = collect(now: now, pipeline: &pipeline) else { return LiveUpdate() }
        return analyst.run(job)
    }

    /// The capture thread's share of an evaluation, when a step has passed: open flows old
    /// enough are judged, packets up to one judge window ago go to the activity, and a job for
    /// the Detector is made: the bins that became complete, and the bin under way. The job is
    /// values only, so it can run on another thread while capture goes on.
    public mutating func collect(now: Timestamp, pipeline: inout PacketPipeline) -> AnalysisJob? {
        guard let origin, now >= nextEvaluation else { return nil }
        nextEvaluation = now + step
        judgeDue(now: now, pipeline: &pipeline)
        let seconds = (now.nanoseconds - judgeDelay.nanoseconds - origin.nanoseconds) / 1_000_000_000
        guard seconds > 0 else { return nil }
        let cut = origin + Timestamp.Duration(nanoseconds: seconds * 1_000_000_000)
        flushStaged(before: cut)
        // Bins that ended: their attempts join the ledger.
        let complete = Int(seconds * 1_000_000_000 / bin.nanoseconds)
        let closed = origin + Timestamp.Duration(nanoseconds: bin.nanoseconds * Int64(complete))
        if closed > horizon {
            horizon = closed
            for a in recent where a.time < horizon { ledger.add(a) }
            recent.removeAll { $0.time < horizon }
        }
        var job = AnalysisJob(now: now, ledger: ledger, recent: recent, cut: cut, activity: activity)
        // Each judged on its own (the newest bin of its run), no-evidence included.
        while reportedBins < complete {
            let end = origin + Timestamp.Duration(nanoseconds: bin.nanoseconds * Int64(reportedBins + 1))
            RollingAnalysis.flush(&stagedForBins, into: &binActivity, before: end, origin: origin)
            job.completeBins.append(.init(index: reportedBins, end: end, activity: binActivity))
            reportedBins += 1
        }
        job.partial = cut > origin + Timestamp.Duration(nanoseconds: bin.nanoseconds * Int64(complete))
        return job
    }
}

extension RollingAnalysis {
    /// What is due by `now`: flows idle long enough end (the flow clock moves to `now`), and open
    /// flows whose judge window has passed are judged. `collect` does it at each step; live mode
    /// also does it every second, so judging (some 24,000 instructions per attempt) comes in small
    /// pieces rather than as one pause of the capture thread per step, while the kernel's buffer
    /// fills (with a new flow every 20 packets at 170,000 packets/s, a step is 40,000 attempts).
    public mutating func judgeDue(now: Timestamp, pipeline: inout PacketPipeline) {
        guard let origin else { return }
        pipeline.advance(to: now) { record, identity in flowEnded(record, identity, now: now) }
        // Everything before `cut` has had its judge window; whole seconds, as the activity counts.
        let seconds = (now.nanoseconds - judgeDelay.nanoseconds - origin.nanoseconds) / 1_000_000_000
        guard seconds > 0 else { return }
        let cut = origin + Timestamp.Duration(nanoseconds: seconds * 1_000_000_000)
        guard cut > judgedUntil else { return }
        for (record, identity) in pipeline.takeOpenFlows(startedIn: judgedUntil..<cut, at: now) {
            judgeOpen(record, identity, now: now)
        }
        judgedUntil = cut
    }
}

/// One evaluation's facts, as values: what the Detector needs, for any thread.
public struct AnalysisJob: Sendable {
    public struct CompleteBin: Sendable {
        public var index: Int
        public var end: Timestamp
        /// Packets up to the bin's end only.
        public var activity: PacketActivity
    }
    public var now: Timestamp
    /// Attempts of closed bins, and those of the bin under way (each run takes those before its cut).
    public var ledger: AttemptLedger
    public var recent: [Attempt]
    public var cut: Timestamp
    public var activity: PacketActivity
    public var completeBins: [CompleteBin] = []
    /// Whether the bin under way holds time to judge.
    public var partial = false

    /// A job that could not run yet folded into the next one: its complete bins are kept.
    public mutating func absorb(_ earlier: AnalysisJob) {
        completeBins = earlier.completeBins + completeBins
    }
}

/// The Detector's share: runs it on a job and compares the newest states with the previous ones.
/// Holds only the states, so it can live on an analysis thread of its own.
public struct LiveAnalyst: Sendable {
    public let bin: Timestamp.Duration
    public let detector: Detector
    /// The newest states, by subject ("network" or a group's name).
    public private(set) var states: [String: String] = [:]

    public init(bin: Timestamp.Duration, detector: Detector) {
        self.bin = bin
        self.detector = detector
    }

    public mutating func run(_ job: AnalysisJob) -> LiveUpdate {
        var update = LiveUpdate()
        for complete in job.completeBins {
            let result = detector.analyze(job.ledger.prefix(before: complete.end), activity: complete.activity)
            update.bins.append(binReport(complete.index, result, now: job.now))
            if result.binCount == complete.index + 1 {
                update.changes += changes(result, now: job.now, latestIsPartial: false)
            }
        }
        if job.partial {
            var ledger = job.ledger
            for a in job.recent where a.time < job.cut { ledger.add(a) }
            let result = detector.analyze(ledger, activity: job.activity)
            update.changes += changes(result, now: job.now, latestIsPartial: true)
        }
        return update
    }

    /// Bin `index` as the Detector saw it (a bin without packets is not among its bins: a gap).
    func binReport(_ index: Int, _ result: AnalysisResult, now: Timestamp) -> LiveBinReport {
        let start = result.firstBinStart + Timestamp.Duration(nanoseconds: bin.nanoseconds * Int64(index))
        var report = LiveBinReport(index: index, start: start, end: start + bin, time: now)
        guard index < result.binCount else {
            report.network = NetworkState.gap.rawValue
            return report
        }
        report.packets = result.binPackets[index]
        report.drops = result.binDrops[index]
        report.network = result.networkBinStates[index].rawValue
        for service in result.services {
            report.services.append(.init(name: service.group.description, state: service.binStates[index].rawValue,
                                         attempts: service.binAttempts[index], failures: service.binFailures[index]))
        }
        return report
    }

    /// The newest states against the previous ones. A partial newest bin without evidence for a
    /// subject says nothing about it yet (its attempts are still to come): the subject keeps its
    /// state. (The bin before is no stand-in: hysteresis holds its state back until it is confirmed.)
    mutating func changes(_ result: AnalysisResult, now: Timestamp, latestIsPartial: Bool) -> [LiveChange] {
        let latest = result.binCount - 1
        var subjects: [(String, String, Event?)] = []
        func keep(_ subject: String) -> (String, String, Event?) { (subject, states[subject] ?? "no-evidence", nil) }
        let network = result.networkBinStates[latest]
        subjects.append(latestIsPartial && network == .noEvidence ? keep("network")
                        : ("network", network.rawValue, result.networkEvents.last { $0.state == network.rawValue }))
        for service in result.services {
            let name = service.group.description
            let state = service.binStates[latest]
            subjects.append(latestIsPartial && state == .noEvidence ? keep(name)
                            : (name, state.rawValue, service.events.last { $0.state == state.rawValue }))
        }
        // Groups missing from a partial bin keep their state too.
        if latestIsPartial {
            let listed = Set(subjects.map(\.0))
            for subject in states.keys.sorted() where !listed.contains(subject) { subjects.append(keep(subject)) }
        }
        return changes(subjects, now: now, packets: result.binPackets[latest], drops: result.binDrops[latest])
    }

    /// State changes worth an alert: into or out of a state other than ok and no-evidence (a
    /// group going idle, or an idle link's gap, is not news). Groups not listed have no evidence.
    mutating func changes(_ subjects: [(subject: String, state: String, event: Event?)], now: Timestamp,
                          packets: Int = 0, drops: Int = 0) -> [LiveChange] {
        var out: [LiveChange] = []
        func consider(_ subject: String, _ new: String, _ event: Event?) {
            let old = states[subject] ?? "no-evidence"
            states[subject] = new
            guard old != new, RollingAnalysis.isNews(old) || RollingAnalysis.isNews(new) else { return }
            out.append(LiveChange(time: now, subject: subject, from: old, to: new,
                                  event: RollingAnalysis.isNews(new) ? event : nil, packets: packets, drops: drops))
        }
        var seen: Set<String> = []
        for s in subjects {
            seen.insert(s.subject)
            consider(s.subject, s.state, s.event)
        }
        for subject in states.keys.sorted() where !seen.contains(subject) { consider(subject, "no-evidence", nil) }
        return out
    }

    static func isNews(_ state: String) -> Bool { RollingAnalysis.isNews(state) }
}

extension RollingAnalysis {
    static func isNews(_ state: String) -> Bool { !["ok", "no-evidence", "gap"].contains(state) }

    mutating func stageCurrentSecond() {
        guard currentCount > 0 else { return }
        staged.packets[currentSecond, default: 0] += currentCount
        stagedForBins.packets[currentSecond, default: 0] += currentCount
        currentCount = 0
    }

    /// Hands staged packet and drop counts of seconds before `end` to the activity.
    mutating func flushStaged(before end: Timestamp) {
        stageCurrentSecond()
        RollingAnalysis.flush(&staged, into: &activity, before: end, origin: origin)
    }

    static func flush(_ staged: inout Staged, into activity: inout PacketActivity, before end: Timestamp, origin: Timestamp?) {
        guard let origin else { return }
        let limit = (end.nanoseconds - origin.nanoseconds) / 1_000_000_000
        for second in staged.packets.keys.sorted() where Int64(second) < limit {
            let at = origin + Timestamp.Duration(nanoseconds: Int64(second) * 1_000_000_000)
            for _ in 0..<staged.packets.removeValue(forKey: second)! { activity.note(at) }
        }
        for second in staged.drops.keys.sorted() where Int64(second) < limit {
            let at = origin + Timestamp.Duration(nanoseconds: Int64(second) * 1_000_000_000)
            activity.noteDrops(staged.drops.removeValue(forKey: second)!, at: at)
        }
    }

    /// The whole run, as `analyze` would report it: every bin closed, every attempt so far.
    public mutating func finalResult(captureLoss: String?) -> AnalysisResult {
        flushStaged(before: Timestamp(nanoseconds: .max / 2))
        var all = ledger
        for a in recent { all.add(a) }
        return detector.analyze(all, activity: activity, captureLoss: captureLoss)
    }
}

/// One closed bin, as live mode shows it.
public struct LiveBinReport: Sendable {
    public struct Service: Sendable {
        public var name: String
        public var state: String
        public var attempts: Int
        public var failures: Int
    }
    public var index: Int
    public var start: Timestamp
    public var end: Timestamp
    /// When the bin was summarised (about one judge window after its end).
    public var time: Timestamp
    public var packets = 0
    public var drops = 0
    public var network = "no-evidence"
    public var services: [Service] = []

    public init(index: Int, start: Timestamp, end: Timestamp, time: Timestamp) {
        self.index = index
        self.start = start
        self.end = end
        self.time = time
    }
}

/// A group's (or the network's) state changed between two consecutive bins.
public struct LiveChange: Sendable, Equatable {
    public var time: Timestamp
    /// "network" or a group's name.
    public var subject: String
    public var from: String
    public var to: String
    /// The event the new state belongs to (mechanism, confidence, counts, start).
    public var event: Event?
    /// Packets and capture drops in the bin the new state is from.
    public var packets = 0
    public var drops = 0
}

/// What one evaluation brought: bins that became complete, and state changes.
public struct LiveUpdate: Sendable {
    public var bins: [LiveBinReport] = []
    public var changes: [LiveChange] = []
}
