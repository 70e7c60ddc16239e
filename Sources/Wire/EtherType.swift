/// EtherType values BlockWatch acts on; any other is kept as `.unknown(raw)`.
public enum EtherType: Sendable, Equatable {
    case ipv4, ipv6, arp, vlan, qinq, unknown(UInt16)

    @inlinable public init(rawValue: UInt16) {
        switch rawValue {
        case 0x0800: self = .ipv4
        case 0x86DD: self = .ipv6
        case 0x0806: self = .arp
        case 0x8100: self = .vlan
        case 0x88A8, 0x9100: self = .qinq
        default: self = .unknown(rawValue)
        }
    }
}
