import Flows
import Wire

/// What a run read, and where every packet went: `packets = inFlows + notIP + fragmentsMerged +
/// undecodable`, so nothing is lost without a name.
public struct CaptureSummary: Sendable {
    public var files: [String] = []
    public var packets = 0
    /// Packets counted in a flow (ICMP errors attributed to the flow they answer included).
    public var inFlows = 0
    /// Frames without IP (ARP, LLDP, ...), by EtherType.
    public var notIP = 0
    public var notIPByType: [String: Int] = [:]
    /// Fragments folded into a reassembled datagram (the datagram itself counts once, in a flow).
    public var fragmentsMerged = 0
    /// Packets no flow could be found for, counted by their `DecodeIssue`.
    public var undecodable = 0
    /// Every decode issue, fatal or not (a snaplen cut still leaves the packet in its flow).
    public var issues = DecodeIssueCounts()
    public var flows = 0
    public var flowTable = FlowTableStatistics()
    public var firstPacket: Timestamp?
    public var lastPacket: Timestamp?
    /// Timestamps that went backwards (out-of-order capture records).
    public var timestampsBackwards = 0
    /// Warnings about the input (a file cut short, ...), one line each.
    public var warnings: [String] = []

    public init() {}

    /// Whether every packet is accounted for.
    public var isBalanced: Bool { packets == inFlows + notIP + fragmentsMerged + undecodable }

    /// The closing summary, a few short lines for a person.
    public var text: String {
        var lines: [String] = []
        var span = "no packets"
        if let first = firstPacket, let last = lastPacket {
            span = "\(TimeFormatting.iso8601(first, fractionDigits: 3)) to \(TimeFormatting.iso8601(last, fractionDigits: 3))"
                + " (\(CaptureSummary.humanDuration(last - first)))"
        }
        lines.append("\(packets) packets, \(flows) flows, \(span)")
        var where_ = "\(inFlows) in flows"
        if notIP > 0 {
            let kinds = notIPByType.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            where_ += ", \(notIP) not IP (\(kinds))"
        }
        if fragmentsMerged > 0 { where_ += ", \(fragmentsMerged) fragments merged into datagrams" }
        if undecodable > 0 { where_ += ", \(undecodable) undecodable" }
        lines.append("packets: " + where_)
        let seen = issues.nonZero
        if !seen.isEmpty {
            lines.append("decode issues: " + seen.map { "\($0.issue) \($0.count)" }.joined(separator: ", "))
        }
        if timestampsBackwards > 0 { lines.append("timestamps went backwards \(timestampsBackwards) times") }
        if flowTable.evicted > 0 {
            lines.append("flow table full: \(flowTable.evicted) flows written out early (raise --max-flows)")
        }
        return lines.joined(separator: "\n")
    }

    static func humanDuration(_ d: Timestamp.Duration) -> String {
        let total = d.nanoseconds / 1_000_000_000
        if total < 60 { return TimeFormatting.seconds(d, fractionDigits: 3) + " s" }
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        return h > 0 ? "\(h)h\(TimeFormatting.pad(m, 2))m\(TimeFormatting.pad(s, 2))s" : "\(m)m\(TimeFormatting.pad(s, 2))s"
    }
}
