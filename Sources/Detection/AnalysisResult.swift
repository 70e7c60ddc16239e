import Identification
import Wire

/// Everything `blockwatch analyze` concluded: the model every report renders.
public struct AnalysisResult: Sendable {
    public struct ServiceVerdict: Sendable {
        public var group: Group
        public var isControl: Bool
        /// The worst state of any event, or ok/no-evidence.
        public var verdict: ServiceState
        public var attempts: Int
        public var failures: Int
        public var events: [Event]
        /// Per bin: attempts and failures (for charts), in bin order.
        public var binAttempts: [Int]
        public var binFailures: [Int]
        public var binStates: [ServiceState]
        /// Per bin: the median goodput of the group's bulk transfers (bits/s), nil without any.
        public var binGoodput: [Double?]

        public init(group: Group, isControl: Bool, verdict: ServiceState, attempts: Int, failures: Int, events: [Event],
                    binAttempts: [Int], binFailures: [Int], binStates: [ServiceState], binGoodput: [Double?] = []) {
            self.group = group
            self.isControl = isControl
            self.verdict = verdict
            self.attempts = attempts
            self.failures = failures
            self.events = events
            self.binAttempts = binAttempts
            self.binFailures = binFailures
            self.binStates = binStates
            self.binGoodput = binGoodput
        }
    }

    public var binWidth: Timestamp.Duration
    public var firstBinStart: Timestamp
    public var binCount: Int
    public var networkEvents: [Event]
    public var networkBinStates: [NetworkState]
    /// Per bin: packets captured, packets the capture dropped (live captures), and CONTROL's
    /// median bulk goodput (bits/s, nil without bulk transfers).
    public var binPackets: [Int] = []
    public var binDrops: [Int] = []
    public var controlBinGoodput: [Double?] = []
    /// Services of the catalog (and DOMESTIC, LOCAL, other destinations) with any attempt.
    public var services: [ServiceVerdict]
    /// Attempts by outcome, over the whole capture.
    public var outcomeCounts: [Outcome: Int]
    public var attempts: Int
    /// Reasons the confidence of verdicts was lowered (capture loss, no CONTROL traffic, ...).
    public var caveats: [String]

    public init(binWidth: Timestamp.Duration, firstBinStart: Timestamp, binCount: Int, networkEvents: [Event],
                networkBinStates: [NetworkState], services: [ServiceVerdict], outcomeCounts: [Outcome: Int],
                attempts: Int, caveats: [String]) {
        self.binWidth = binWidth
        self.firstBinStart = firstBinStart
        self.binCount = binCount
        self.networkEvents = networkEvents
        self.networkBinStates = networkBinStates
        self.services = services
        self.outcomeCounts = outcomeCounts
        self.attempts = attempts
        self.caveats = caveats
    }
}
