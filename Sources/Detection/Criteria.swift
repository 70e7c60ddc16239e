import Wire

/// The thresholds verdicts rest on, in one place, each with its reason (methods.md B–C).
public struct Criteria: Sendable {
    /// Capture after a SYN or ClientHello before silence counts as failure: Linux retries SYNs
    /// at 1, 3, 7 s, and apps give up or fall back within about 10 s (B.1).
    public var tcpJudgeWindow: Timestamp.Duration = .seconds(10)
    /// DNS and QUIC clients retry within a few seconds (B.5, B.7).
    public var dnsJudgeWindow: Timestamp.Duration = .seconds(5)
    public var quicJudgeWindow: Timestamp.Duration = .seconds(5)
    /// A reset scoring this much is called injected: racing the real server is 2 points, a TTL
    /// mismatch, a burst, or arriving faster than the round trip 1 each (B.3).
    public var forgedResetScore = 2
    /// Fewer attempts than this in a window is no evidence: never an alarm on an idle host (C.2).
    public var minimumAttempts = 3
    /// CONTROL counts as healthy at this success ratio or above (C.2).
    public var healthySuccess = 0.8
    /// A group at or below this success ratio is blocked; between it and `healthySuccess`, partly.
    public var blockedSuccess = 0.2
    /// The network is cut off when at most this share of external destinations answers (C.2;
    /// Kazakhstan fell to about 5 % of ordinary levels).
    public var cutoffReachability = 0.05
    /// Distinct external destinations tried before a cutoff can be called (C.2).
    public var cutoffMinimumDestinations = 3
    /// A service group's failures must differ from CONTROL's at this one-sided Fisher p-value.
    public var significance = 0.01
    /// A bulk flow's goodput under this share of CONTROL's bulk goodput, with loss, is throttled (B.9).
    public var throttleRatio = 0.25
    /// Retransmissions per segment above this are the loss a policer leaves (B.9).
    public var throttleLossRate = 0.01
    /// Bins a new state must hold before it is entered or left (hysteresis, C.2).
    public var hysteresisBins = 2
    /// Attempts and distinct servers behind a high-confidence event (C.2).
    public var highConfidenceAttempts = 10
    public var highConfidenceServers = 2
    /// A bin in which the capture dropped more than this share of the packets it saw is the
    /// observer's loss, not evidence: no verdict rests on it.
    public var maximumCaptureLoss = 0.05

    public init() {}

    /// A bin width for a capture of this length: about 60 bins, rounded to a readable width,
    /// never under 10 s (C.2: 60 s default, 10 s–5 min).
    public static func automaticBin(for duration: Timestamp.Duration) -> Timestamp.Duration {
        let widths: [Double] = [10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600]
        let target = duration.seconds / 60
        return .seconds(widths.first { $0 >= target } ?? 3600)
    }
}
