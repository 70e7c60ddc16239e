import CPcap

/// The link-layer header type of a capture: a libpcap `DLT_` value, as `pcap_datalink` returns it.
///
/// Files store `LINKTYPE_` values; libpcap maps them to `DLT_` values on reading (for example
/// `LINKTYPE_RAW` = 101 in a file is reported as `DLT_RAW` = 12 on Linux and macOS), and back on writing.
/// Any value is representable: an unknown link type still opens, and it is the decoder's job to refuse it.
public struct LinkType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// libpcap's short name, e.g. "EN10MB", or "DLT 147"-style when libpcap has none.
    public var name: String { Libpcap.linkTypeName(rawValue) ?? "DLT \(rawValue)" }

    /// "EN10MB (Ethernet)"; "DLT 65000" for a value libpcap does not know.
    public var description: String {
        guard let name = Libpcap.linkTypeName(rawValue) else { return "DLT \(rawValue)" }
        guard let text = Libpcap.linkTypeDescription(rawValue), text != name else { return name }
        return "\(name) (\(text))"
    }
}

extension LinkType {
    /// BSD loopback: a 4-byte host-order address family (DLT_NULL = 0).
    public static let null = LinkType(rawValue: DLT_NULL)
    /// Ethernet (DLT_EN10MB = 1).
    public static let ethernet = LinkType(rawValue: DLT_EN10MB)
    /// Raw IPv4 or IPv6, version from the first nibble (DLT_RAW: 12 on Linux and macOS, 14 on OpenBSD;
    /// `LINKTYPE_RAW` = 101 in files).
    public static let raw = LinkType(rawValue: DLT_RAW)
    /// OpenBSD loopback: a 4-byte network-order address family (DLT_LOOP: 108, 12 on OpenBSD).
    public static let loop = LinkType(rawValue: DLT_LOOP)
    /// Linux "cooked" capture v1, e.g. device `any` (DLT_LINUX_SLL = 113).
    public static let linuxSLL = LinkType(rawValue: DLT_LINUX_SLL)
    /// Raw IPv4 only (DLT_IPV4 = 228).
    public static let ipv4 = LinkType(rawValue: DLT_IPV4)
    /// Raw IPv6 only (DLT_IPV6 = 229).
    public static let ipv6 = LinkType(rawValue: DLT_IPV6)
    /// Linux "cooked" capture v2 (DLT_LINUX_SLL2 = 276).
    public static let linuxSLL2 = LinkType(rawValue: DLT_LINUX_SLL2)
}
