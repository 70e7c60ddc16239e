import Flows
import Wire

/// What a run read, and where every packet went: `packets = inFlows + notIP + fragmentsMerged +
/// undecodable`, with `undecodable` split by named decode issue, so nothing is lost without a name.
/// The text (and analyze's report) states that identity with its numbers.
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
    /// DNS answers forgotten before they expired because the association table was full.
    public var dnsNamesEvicted = 0
    /// STUN call endpoints forgotten before they expired because their table was full (media
    /// flows of those calls may then go unnamed).
    public var callEndpointsEvicted = 0
    /// Flows identified without buffering their payload (further) because all flows' payload
    /// buffers together had reached their budget (a flood of unfinished handshakes).
    public var payloadFlowsCutShort = 0
    /// The memory bounds the run used, when known.
    public var bounds: Bounds?

    /// The configured limits that keep memory bounded under floods; see Benchmarks/README.md.
    public struct Bounds: Sendable, Equatable {
        /// Flows tracked at once (`--max-flows`); beyond it the least recently active are written out.
        public var flows: Int
        /// Datagrams held for reassembly at once; beyond it the oldest is given up.
        public var fragmentDatagrams: Int
        /// Addresses named from DNS answers; beyond it the eighth closest to expiry is forgotten.
        public var dnsNames: Int
        /// Endpoints of STUN-named calls; beyond it the expired go, then those closest to expiry.
        public var callEndpoints: Int
        /// Bytes all flows' payload buffers may hold together (TCP stream starts, QUIC Initials).
        public var payloadBytes: Int

        public init(flows: Int, fragmentDatagrams: Int, dnsNames: Int, callEndpoints: Int, payloadBytes: Int) {
            self.flows = flows
            self.fragmentDatagrams = fragmentDatagrams
            self.dnsNames = dnsNames
            self.callEndpoints = callEndpoints
            self.payloadBytes = payloadBytes
        }
    }

    public init() {}

    /// Whether every packet is accounted for: in a flow, not IP, merged into a datagram, or
    /// undecodable — and every undecodable packet under a named issue.
    public var isBalanced: Bool {
        packets == inFlows + notIP + fragmentsMerged + undecodable && undecodable == undecodableByIssue.reduce(0) { $0 + $1.count }
    }

    /// The issues that cost a packet its flow (fatal ones), most frequent first.
    public var undecodableByIssue: [(issue: DecodeIssue, count: Int)] { issues.nonZero.filter { $0.issue.isFatal } }

    /// Fragments given up because the reassembly table was full.
    public var fragmentsEvicted: Int { issues[.fragmentTableFull] }

    /// The accounting identity with its numbers: "packets: 10 = 7 in flows + 1 not IP (arp 1) + ...".
    public var accountingLine: String {
        var line = "packets: \(packets) = \(inFlows) in flows + \(notIP) not IP"
        if notIP > 0 {
            let kinds = notIPByType.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            line += " (\(kinds))"
        }
        line += " + \(fragmentsMerged) fragments merged into datagrams + \(undecodable) undecodable"
        let named = undecodableByIssue
        if !named.isEmpty { line += " (" + named.map { "\($0.issue) \($0.count)" }.joined(separator: ", ") + ")" }
        let missing = packets - inFlows - notIP - fragmentsMerged - named.reduce(0) { $0 + $1.count }
        line += missing == 0 ? ": every packet accounted for" : ": \(missing) packets unaccounted for (a BlockWatch bug; please report it)"
        return line
    }

    /// Evictions because a memory bound was reached, or nil when there were none.
    public var evictionLine: String? {
        // (count, what happened, which table was full, its bound as configured)
        let reached: [(Int, String, String, String?)] = [
            (flowTable.evicted, "flows written out early", "flow table full", bounds.map { "--max-flows \($0.flows)" }),
            (fragmentsEvicted, "fragments given up", "reassembly table full", bounds.map { "\($0.fragmentDatagrams) datagrams" }),
            (dnsNamesEvicted, "DNS names forgotten early", "name table full", bounds.map { "\($0.dnsNames) addresses" }),
            (callEndpointsEvicted, "call endpoints forgotten early", "call endpoint table full",
             bounds.map { "\($0.callEndpoints) endpoints" }),
            (payloadFlowsCutShort, "flows identified without reassembling their payload", "payload buffers full",
             bounds.map { "\($0.payloadBytes >> 20) MiB" }),
        ].filter { $0.0 > 0 }
        guard !reached.isEmpty else { return nil }
        return "evictions: " + reached.map { count, what, table, bound in
            "\(count) \(what) (\(table)" + (bound.map { ": " + $0 } ?? "") + ")"
        }.joined(separator: ", ")
    }

    /// The closing summary, a few short lines for a person.
    public var text: String {
        var lines: [String] = []
        var span = "no packets"
        if let first = firstPacket, let last = lastPacket {
            span = "\(TimeFormatting.iso8601(first, fractionDigits: 3)) to \(TimeFormatting.iso8601(last, fractionDigits: 3))"
                + " (\(CaptureSummary.humanDuration(last - first)))"
        }
        lines.append("\(packets) packets, \(flows) flows, \(span)")
        lines.append(accountingLine)
        let seen = issues.nonZero
        if !seen.isEmpty {
            lines.append("decode issues: " + seen.map { "\($0.issue) \($0.count)" }.joined(separator: ", "))
        }
        if timestampsBackwards > 0 { lines.append("timestamps went backwards \(timestampsBackwards) times") }
        if let evictionLine { lines.append(evictionLine) }
        return lines.joined(separator: "\n")
    }

    static func humanDuration(_ d: Timestamp.Duration) -> String {
        let total = d.nanoseconds / 1_000_000_000
        if total < 60 { return TimeFormatting.seconds(d, fractionDigits: 3) + " s" }
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        return h > 0 ? "\(h)h\(TimeFormatting.pad(m, 2))m\(TimeFormatting.pad(s, 2))s" : "\(m)m\(TimeFormatting.pad(s, 2))s"
    }
}
