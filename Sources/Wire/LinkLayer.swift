/// The link layers BlockWatch decodes, chosen by the capture's data link type (DLT).
public enum LinkLayer: Sendable, Equatable {
    case ethernet
    case linuxCooked        // DLT_LINUX_SLL: 16-byte header
    case linuxCookedV2      // DLT_LINUX_SLL2: 20-byte header, what `tcpdump -i any` writes now
    case rawIP              // DLT_RAW: the version nibble says IPv4 or IPv6
    case ipv4
    case ipv6
    case null               // DLT_NULL: 4-byte address family in the capturing host's byte order
    case loop               // DLT_LOOP: 4-byte address family in network byte order

    /// nil for a link type BlockWatch does not decode; the caller names it in its error.
    public init?(dataLinkType: Int32) {
        switch dataLinkType {
        case 0: self = .null
        case 1: self = .ethernet
        case 12, 14, 101: self = .rawIP   // DLT_RAW is 12 on Linux, 14 on OpenBSD; LINKTYPE_RAW is 101
        case 108: self = .loop
        case 113: self = .linuxCooked
        case 228: self = .ipv4
        case 229: self = .ipv6
        case 276: self = .linuxCookedV2
        default: return nil
        }
    }
}
