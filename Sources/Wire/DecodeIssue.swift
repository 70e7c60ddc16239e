/// A named malformation found while decoding a packet — BlockWatch's version of Zeek's "weirds".
/// Issues are counted and reported, never dropped silently. Some are fatal (no flow can be found
/// for the packet); others are noted while the packet still counts in its flow.
public enum DecodeIssue: Int, CaseIterable, Sendable, CustomStringConvertible {
    case truncatedLinkHeader
    case truncatedVLANTag
    case tooManyVLANTags
    case tooManyMPLSLabels
    case truncatedIPv4Header
    case badIPVersion
    case ipv4HeaderLengthTooShort
    case ipv4TotalLengthTooShort
    case truncatedIPv6Header
    case truncatedIPv6ExtensionHeader
    case tooManyIPv6ExtensionHeaders
    case truncatedTCPHeader
    case tcpDataOffsetTooShort
    case tcpHeaderLongerThanSegment
    case truncatedUDPHeader
    case udpLengthTooShort
    case udpLengthExceedsIPPayload
    case truncatedICMPHeader
    case truncatedICMPQuotedPacket
    case snaplenTruncated
    case fragmentOverlap
    case fragmentTooLarge
    case fragmentIncomplete
    case fragmentTableFull
    case nonFirstFragmentTooShort
    /// A packet of a link type BlockWatch does not decode, from a pcapng interface whose file
    /// has other interfaces it does decode.
    case unsupportedLinkType

    /// Whether the packet is lost to flow accounting (no 5-tuple could be read from it).
    public var isFatal: Bool {
        switch self {
        case .udpLengthTooShort, .udpLengthExceedsIPPayload, .snaplenTruncated,
             .truncatedICMPQuotedPacket, .fragmentOverlap:
            false
        default:
            true
        }
    }

    /// snake_case, as Zeek names its weirds.
    public var description: String {
        switch self {
        case .truncatedLinkHeader: "truncated_link_header"
        case .truncatedVLANTag: "truncated_vlan_tag"
        case .tooManyVLANTags: "too_many_vlan_tags"
        case .tooManyMPLSLabels: "too_many_mpls_labels"
        case .truncatedIPv4Header: "truncated_ipv4_header"
        case .badIPVersion: "bad_ip_version"
        case .ipv4HeaderLengthTooShort: "ipv4_header_length_too_short"
        case .ipv4TotalLengthTooShort: "ipv4_total_length_too_short"
        case .truncatedIPv6Header: "truncated_ipv6_header"
        case .truncatedIPv6ExtensionHeader: "truncated_ipv6_extension_header"
        case .tooManyIPv6ExtensionHeaders: "too_many_ipv6_extension_headers"
        case .truncatedTCPHeader: "truncated_tcp_header"
        case .tcpDataOffsetTooShort: "tcp_data_offset_too_short"
        case .tcpHeaderLongerThanSegment: "tcp_header_longer_than_segment"
        case .truncatedUDPHeader: "truncated_udp_header"
        case .udpLengthTooShort: "udp_length_too_short"
        case .udpLengthExceedsIPPayload: "udp_length_exceeds_ip_payload"
        case .truncatedICMPHeader: "truncated_icmp_header"
        case .truncatedICMPQuotedPacket: "truncated_icmp_quoted_packet"
        case .snaplenTruncated: "snaplen_truncated"
        case .fragmentOverlap: "fragment_overlap"
        case .fragmentTooLarge: "fragment_too_large"
        case .fragmentIncomplete: "fragment_incomplete"
        case .fragmentTableFull: "fragment_table_full"
        case .nonFirstFragmentTooShort: "non_first_fragment_too_short"
        case .unsupportedLinkType: "unsupported_link_type"
        }
    }
}

/// Counts of decode issues by kind, one slot per issue (allocated once, never per packet).
public struct DecodeIssueCounts: Sendable, Equatable {
    @usableFromInline var counts: [Int] = Array(repeating: 0, count: DecodeIssue.allCases.count)

    public init() {}

    @inlinable public mutating func record(_ issue: DecodeIssue, count: Int = 1) {
        counts[issue.rawValue] &+= count
    }

    public subscript(issue: DecodeIssue) -> Int { counts[issue.rawValue] }

    public mutating func add(_ other: DecodeIssueCounts) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
    }

    public var total: Int { counts.reduce(0, +) }

    /// The issues seen, most frequent first.
    public var nonZero: [(issue: DecodeIssue, count: Int)] {
        DecodeIssue.allCases.compactMap { counts[$0.rawValue] > 0 ? ($0, counts[$0.rawValue]) : nil }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.issue.rawValue < $1.issue.rawValue }
    }
}
