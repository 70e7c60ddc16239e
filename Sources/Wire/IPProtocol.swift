/// The IP protocol numbers BlockWatch tracks; others are flows of `.other(number)`.
public enum IPProtocol: Hashable, Sendable, CustomStringConvertible {
    case tcp, udp, icmp, icmpv6, other(UInt8)

    @inlinable public init(number: UInt8) {
        switch number {
        case 6: self = .tcp
        case 17: self = .udp
        case 1: self = .icmp
        case 58: self = .icmpv6
        default: self = .other(number)
        }
    }

    @inlinable public var number: UInt8 {
        switch self {
        case .tcp: 6
        case .udp: 17
        case .icmp: 1
        case .icmpv6: 58
        case .other(let n): n
        }
    }

    /// Zeek's `proto` vocabulary: tcp, udp, icmp, unknown_transport.
    public var description: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp, .icmpv6: "icmp"
        case .other: "unknown_transport"
        }
    }
}
