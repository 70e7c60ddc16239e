/// Assigned IP protocol numbers used by the builders (IANA "Protocol Numbers").
public enum IPProtocolNumber {
    public static let hopByHop: UInt8 = 0
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let ipv6Routing: UInt8 = 43
    public static let ipv6Fragment: UInt8 = 44
    public static let icmpv6: UInt8 = 58
    public static let ipv6NoNextHeader: UInt8 = 59
    public static let ipv6DestinationOptions: UInt8 = 60
}

/// A transport-layer unit (header + payload) that an IP builder can carry; its checksum may
/// cover the pseudo-header built from the addresses it is serialized for.
public protocol TransportSegment: Sendable {
    /// The IPv4 protocol / IPv6 next-header number announcing this unit.
    var ipProtocol: UInt8 { get }
    /// The serialized unit, checksummed for a packet from `source` to `destination` (for IPv6
    /// with a routing header, `destination` is the final destination).
    func serialized(source: HostAddress, destination: HostAddress) -> [UInt8]
}

/// Either IP version's header builder, so helpers can be written once for both.
public enum IPBuilder: Sendable {
    case v4(IPv4Builder)
    case v6(IPv6Builder)

    /// The packet carrying `segment`, checksums computed.
    public func packet(carrying segment: some TransportSegment) -> [UInt8] {
        switch self {
        case .v4(let header): return header.packet(carrying: segment)
        case .v6(let header): return header.packet(carrying: segment)
        }
    }

    /// The packet with an arbitrary protocol number and payload.
    public func packet(protocolNumber: UInt8, payload: [UInt8]) -> [UInt8] {
        switch self {
        case .v4(let header): return header.packet(protocolNumber: protocolNumber, payload: payload)
        case .v6(let header): return header.packet(nextHeader: protocolNumber, payload: payload)
        }
    }

    /// The header's source address.
    public var source: HostAddress {
        switch self {
        case .v4(let header): return header.source
        case .v6(let header): return header.source
        }
    }

    /// The address a pseudo-header uses (IPv6: the final destination of a routing header).
    public var pseudoHeaderDestination: HostAddress {
        switch self {
        case .v4(let header): return header.destination
        case .v6(let header): return header.finalDestination
        }
    }

    /// The EtherType announcing this packet: 0x0800 or 0x86DD.
    public var etherType: UInt16 {
        switch self {
        case .v4: return EtherTypeNumber.ipv4
        case .v6: return EtherTypeNumber.ipv6
        }
    }

    /// A builder with default header fields for a packet from `source` to `destination`
    /// (the address family decides the version; both must match).
    public static func between(_ source: HostAddress, _ destination: HostAddress, ttl: UInt8 = 64) -> IPBuilder {
        precondition(source.isIPv6 == destination.isIPv6, "mixed address families: \(source) → \(destination)")
        if source.isIPv6 {
            return .v6(IPv6Builder(source: source, destination: destination, hopLimit: ttl))
        }
        return .v4(IPv4Builder(source: source, destination: destination, ttl: ttl))
    }
}
