import Wire

/// How long flows live without packets, and how many may be tracked at once.
/// The defaults follow Zeek's (5 minutes for TCP, 1 minute for UDP and ICMP).
public struct FlowTableConfiguration: Sendable {
    public var tcpIdleTimeout: Timestamp.Duration = .seconds(300)
    public var udpIdleTimeout: Timestamp.Duration = .seconds(60)
    public var icmpIdleTimeout: Timestamp.Duration = .seconds(60)
    public var otherIdleTimeout: Timestamp.Duration = .seconds(60)
    /// How long a closed TCP connection is kept for late packets (Zeek's tcp_close_delay).
    public var closeDelay: Timestamp.Duration = .seconds(5)
    /// The most flows tracked at once; beyond it the least recently active are written out early.
    /// Each tracked flow costs about 770 bytes with its identification state (a 440-byte `Flow`,
    /// 192 bytes in `FlowIdentifier`, the index), a DNS flow about 970 with the name it asked for:
    /// measured peak RSS is 41 MB + maximumFlows × 770 B for a SYN flood and 71 MB + maximumFlows
    /// × 970 B for a DNS answer flood, so 226 MB and 303 MB at the default (Benchmarks/README.md,
    /// "Floods and extremes"). A flow whose ClientHello is being reassembled holds up to 17 KiB
    /// more until it is identified.
    public var maximumFlows = 250_000
    /// How often, in packet time, the table looks for idle flows.
    public var sweepInterval: Timestamp.Duration = .seconds(5)

    public init() {}

    func idleTimeout(forProtocol number: UInt8) -> Timestamp.Duration {
        switch number {
        case 6: tcpIdleTimeout
        case 17: udpIdleTimeout
        case 1, 58: icmpIdleTimeout
        default: otherIdleTimeout
        }
    }
}
