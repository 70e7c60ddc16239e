/// EtherType values used by the builders (IEEE registry).
public enum EtherTypeNumber {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let vlan: UInt16 = 0x8100
    public static let ipv6: UInt16 = 0x86DD
    public static let serviceVLAN: UInt16 = 0x88A8
}

/// Which way a packet travels relative to the capturing host (the "local" side of a framing).
public enum PacketDirection: Sendable, Hashable {
    /// Sent by the local side (client → network).
    case outbound
    /// Received by the local side (network → client).
    case inbound
}

/// A network-layer packet (IPv4, IPv6 or another EtherType's payload) at a capture time, before link framing.
public struct TimedPacket: Sendable {
    public var timestampNanoseconds: Int64
    public var etherType: UInt16
    /// The network-layer bytes (starting at the IP header for IP).
    public var bytes: [UInt8]
    public var direction: PacketDirection
    /// A link-layer destination to use instead of the framing's peer (e.g. broadcast for ARP requests).
    public var linkDestination: MACAddress?

    /// A packet; `etherType` defaults from the IP version nibble of `bytes`.
    public init(timestampNanoseconds: Int64, bytes: [UInt8], direction: PacketDirection,
                etherType: UInt16? = nil, linkDestination: MACAddress? = nil) {
        self.timestampNanoseconds = timestampNanoseconds
        self.bytes = bytes
        self.direction = direction
        self.etherType = etherType ?? ((bytes.first ?? 0) >> 4 == 6 ? EtherTypeNumber.ipv6 : EtherTypeNumber.ipv4)
        self.linkDestination = linkDestination
    }
}

/// A link-layer frame as a capture file stores it: time, captured bytes, and the original length
/// when the capture cut the frame (nil means not cut).
public struct TimedFrame: Sendable {
    public var timestampNanoseconds: Int64
    public var bytes: [UInt8]
    public var originalLength: Int?

    /// A frame; pass `originalLength` > `bytes.count` for a frame cut by the snapshot length.
    public init(timestampNanoseconds: Int64, bytes: [UInt8], originalLength: Int? = nil) {
        self.timestampNanoseconds = timestampNanoseconds
        self.bytes = bytes
        self.originalLength = originalLength
    }

    /// This frame as a capture with snapshot length `snapshotLength` would store it.
    public func cut(to snapshotLength: Int) -> TimedFrame {
        guard bytes.count > snapshotLength else { return self }
        return TimedFrame(timestampNanoseconds: timestampNanoseconds, bytes: Array(bytes.prefix(snapshotLength)),
                          originalLength: originalLength ?? bytes.count)
    }
}

/// Ethernet II framing between a local host and its peer (usually the gateway), optionally VLAN-tagged.
public struct EthernetFraming: Sendable, Hashable {
    public var local: MACAddress
    public var remote: MACAddress
    /// Tags outermost first.
    public var tags: [VLANTag]
    /// Pads received frames with zeros to Ethernet's 60-byte minimum, as the sender's NIC did;
    /// frames the local host sends are captured before padding, so they stay short.
    public var padsReceivedFrames: Bool

    /// Framing between `local` and `remote`.
    public init(local: MACAddress = "02:00:00:00:00:01", remote: MACAddress = "02:00:00:00:00:fe", tags: [VLANTag] = [],
                padsReceivedFrames: Bool = true) {
        self.local = local
        self.remote = remote
        self.tags = tags
        self.padsReceivedFrames = padsReceivedFrames
    }

    /// The frame carrying `payload` (no FCS, as captures on Linux store it).
    public func frame(payload: [UInt8], etherType: UInt16, direction: PacketDirection,
                      destinationOverride: MACAddress? = nil) -> [UInt8] {
        let (source, peer) = direction == .outbound ? (local, remote) : (remote, local)
        var bytes = (destinationOverride ?? peer).bytes + source.bytes
        for tag in tags { bytes += tag.encoded }
        bytes.appendBigEndian(etherType)
        bytes += payload
        if padsReceivedFrames && direction == .inbound && bytes.count < 60 {
            bytes += Array(repeating: 0, count: 60 - bytes.count)
        }
        return bytes
    }
}

extension EthernetFraming {
    /// An 802.1Q tag (or an 802.1ad service tag when `tpid` is 0x88A8).
    public struct VLANTag: Sendable, Hashable {
        public var tpid: UInt16
        public var priority: UInt8
        public var dropEligible: Bool
        /// The 12-bit VLAN identifier.
        public var id: UInt16

        /// A tag with the given TPID (0x8100 customer tag by default).
        public init(id: UInt16, priority: UInt8 = 0, dropEligible: Bool = false, tpid: UInt16 = EtherTypeNumber.vlan) {
            self.tpid = tpid
            self.priority = priority
            self.dropEligible = dropEligible
            self.id = id & 0x0FFF
        }

        /// One 802.1Q tag.
        public static func dot1Q(_ id: UInt16, priority: UInt8 = 0) -> [VLANTag] {
            [VLANTag(id: id, priority: priority)]
        }

        /// QinQ (802.1ad): an outer service tag 0x88A8 then an inner customer tag 0x8100.
        public static func qinq(outer: UInt16, inner: UInt16) -> [VLANTag] {
            [VLANTag(id: outer, tpid: EtherTypeNumber.serviceVLAN), VLANTag(id: inner)]
        }

        /// The four tag bytes: TPID then PCP/DEI/VID.
        var encoded: [UInt8] {
            var bytes: [UInt8] = []
            bytes.appendBigEndian(tpid)
            bytes.appendBigEndian(UInt16(priority & 0x7) << 13 | (dropEligible ? 0x1000 : 0) | id)
            return bytes
        }
    }
}

/// Linux "cooked" capture framing (`any` device): SLL (16 bytes) or SLL2 (20 bytes).
public struct LinuxCookedFraming: Sendable, Hashable {
    public var local: MACAddress
    public var remote: MACAddress
    /// The interface index (SLL2 only).
    public var interfaceIndex: UInt32
    /// The ARPHRD_ type of the interface (1 = Ethernet).
    public var hardwareType: UInt16

    /// Framing for a host `local` talking to `remote` on interface `interfaceIndex`.
    public init(local: MACAddress = "02:00:00:00:00:01", remote: MACAddress = "02:00:00:00:00:fe",
                interfaceIndex: UInt32 = 2, hardwareType: UInt16 = 1) {
        self.local = local
        self.remote = remote
        self.interfaceIndex = interfaceIndex
        self.hardwareType = hardwareType
    }

    /// The packet type field: 0 to us, 1 broadcast, 4 sent by us.
    func packetType(direction: PacketDirection, destination: MACAddress?) -> UInt8 {
        if direction == .outbound { return 4 }
        return destination == .broadcast ? 1 : 0
    }

    /// The sender's address padded to the 8-byte field.
    func senderAddress(direction: PacketDirection) -> [UInt8] {
        (direction == .outbound ? local : remote).bytes + [0, 0]
    }

    /// An SLL (DLT_LINUX_SLL) frame: packet type, ARPHRD, address length, address, protocol.
    public func sllFrame(payload: [UInt8], etherType: UInt16, direction: PacketDirection, destination: MACAddress? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt16(packetType(direction: direction, destination: destination)))
        bytes.appendBigEndian(hardwareType)
        bytes.appendBigEndian(UInt16(6))
        bytes += senderAddress(direction: direction)
        bytes.appendBigEndian(etherType)
        return bytes + payload
    }

    /// An SLL2 (DLT_LINUX_SLL2) frame: protocol, reserved, interface index, ARPHRD, packet type,
    /// address length, address.
    public func sll2Frame(payload: [UInt8], etherType: UInt16, direction: PacketDirection, destination: MACAddress? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(etherType)
        bytes.appendBigEndian(UInt16(0))
        bytes.appendBigEndian(interfaceIndex)
        bytes.appendBigEndian(hardwareType)
        bytes.append(packetType(direction: direction, destination: destination))
        bytes.append(6)
        bytes += senderAddress(direction: direction)
        return bytes + payload
    }
}

/// The link layer a capture file declares, and how packets are framed for it.
public enum LinkFraming: Sendable, Hashable {
    /// DLT_EN10MB (1), optionally with 802.1Q / QinQ tags.
    case ethernet(EthernetFraming)
    /// DLT_LINUX_SLL (113).
    case linuxSLL(LinuxCookedFraming)
    /// DLT_LINUX_SLL2 (276).
    case linuxSLL2(LinuxCookedFraming)
    /// DLT_RAW (12 on Linux; LINKTYPE_RAW 101 in files): the packet starts at the IP header.
    case raw
    /// DLT_IPV4 (228): IPv4 only, no link header.
    case rawIPv4
    /// DLT_IPV6 (229): IPv6 only, no link header.
    case rawIPv6
    /// DLT_NULL (0): a 4-byte address family in the writer's byte order; 2 for IPv4 and
    /// `ipv6AddressFamily` for IPv6 (24, 28 or 30: the BSDs' values, all of which readers accept).
    case null(ipv6AddressFamily: UInt32)
    /// DLT_LOOP (108): like DLT_NULL but the family is in network byte order.
    case loop(ipv6AddressFamily: UInt32)

    /// Plain Ethernet with the default addresses.
    public static let plainEthernet = LinkFraming.ethernet(EthernetFraming())
    /// DLT_NULL as NetBSD/OpenBSD write it (AF_INET6 = 24).
    public static let bsdNull = LinkFraming.null(ipv6AddressFamily: 24)

    /// The DLT_ value to open a capture writer with (libpcap maps it to the file's LINKTYPE_).
    public var dataLinkType: Int32 {
        switch self {
        case .ethernet: return 1
        case .linuxSLL: return 113
        case .linuxSLL2: return 276
        case .raw: return 12
        case .rawIPv4: return 228
        case .rawIPv6: return 229
        case .null: return 0
        case .loop: return 108
        }
    }

    /// The link-layer frame for `packet`; non-IP packets can only be framed on Ethernet and SLL.
    public func frame(_ packet: TimedPacket) -> [UInt8] {
        frame(payload: packet.bytes, etherType: packet.etherType, direction: packet.direction,
              destination: packet.linkDestination)
    }

    /// The link-layer frame carrying `payload` of the given EtherType.
    public func frame(payload: [UInt8], etherType: UInt16, direction: PacketDirection,
                      destination: MACAddress? = nil) -> [UInt8] {
        switch self {
        case .ethernet(let framing):
            return framing.frame(payload: payload, etherType: etherType, direction: direction, destinationOverride: destination)
        case .linuxSLL(let framing):
            return framing.sllFrame(payload: payload, etherType: etherType, direction: direction, destination: destination)
        case .linuxSLL2(let framing):
            return framing.sll2Frame(payload: payload, etherType: etherType, direction: direction, destination: destination)
        case .raw:
            precondition(etherType == EtherTypeNumber.ipv4 || etherType == EtherTypeNumber.ipv6, "DLT_RAW carries only IP")
            return payload
        case .rawIPv4:
            precondition(etherType == EtherTypeNumber.ipv4, "DLT_IPV4 carries only IPv4")
            return payload
        case .rawIPv6:
            precondition(etherType == EtherTypeNumber.ipv6, "DLT_IPV6 carries only IPv6")
            return payload
        case .null(let ipv6Family), .loop(let ipv6Family):
            precondition(etherType == EtherTypeNumber.ipv4 || etherType == EtherTypeNumber.ipv6, "DLT_NULL carries only IP")
            let family: UInt32 = etherType == EtherTypeNumber.ipv6 ? ipv6Family : 2
            // DLT_NULL: the writing host's byte order (the file header is written in it too).
            // DLT_LOOP: network byte order.
            let stored = if case .loop = self { family.bigEndian } else { family }
            return withUnsafeBytes(of: stored) { Array($0) } + payload
        }
    }

    /// Frames every packet, keeping its time.
    public func frames(_ packets: [TimedPacket]) -> [TimedFrame] {
        packets.map { TimedFrame(timestampNanoseconds: $0.timestampNanoseconds, bytes: frame($0)) }
    }
}
