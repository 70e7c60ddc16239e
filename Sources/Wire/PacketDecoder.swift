/// Decodes a captured frame from its link layer down to the transport header, without copying
/// or allocating. One decoder per link type; it holds no state.
public struct PacketDecoder: Sendable {
    public let linkLayer: LinkLayer

    /// VLAN tags peeled before giving up (QinQ uses two; more is a crafted packet).
    static let maximumVLANTags = 4
    /// MPLS labels peeled before giving up; real stacks are a few deep.
    static let maximumMPLSLabels = 8

    public init(linkLayer: LinkLayer) {
        self.linkLayer = linkLayer
    }

    /// What one frame turned out to be.
    public enum Result {
        case packet(DecodedPacket)
        /// An IP fragment: hand it to a `FragmentReassembler`.
        case fragment(IPFragment)
        /// A frame that carries no IP (ARP, LLDP, ...): counted, not decoded.
        case notIP(EtherType)
        /// Nothing past the issue could be read.
        case malformed(DecodeIssue)
    }

    /// - Parameters:
    ///   - frame: the captured bytes.
    ///   - originalLength: the frame's length on the wire (more than `frame.count` after a snaplen cut).
    // Each stage calls the next from one place only (link → network → IP → transport), so the
    // optimizer folds them into `decode` and builds the large `Result` once, in the caller's return
    // slot, instead of copying it out of each nested call.
    public func decode(_ frame: UnsafeRawBufferPointer, originalLength: Int) -> Result {
        let cut = originalLength > frame.count
        // The link layer: what the network layer is, and where it starts.
        let etherType: UInt16
        let network: UnsafeRawBufferPointer
        switch linkLayer {
        case .ethernet:
            guard frame.count >= 14 else { return .malformed(.truncatedLinkHeader) }
            var type = frame.uint16(at: 12)
            var offset = 14
            var tags = 0
            while type == 0x8100 || type == 0x88A8 || type == 0x9100 {
                tags += 1
                guard tags <= PacketDecoder.maximumVLANTags else { return .malformed(.tooManyVLANTags) }
                guard offset + 4 <= frame.count else { return .malformed(.truncatedVLANTag) }
                type = frame.uint16(at: offset + 2)
                offset += 4
            }
            etherType = type
            network = frame.suffix(from: offset)
        case .linuxCooked:
            guard frame.count >= 16 else { return .malformed(.truncatedLinkHeader) }
            etherType = frame.uint16(at: 14)
            network = frame.suffix(from: 16)
        case .linuxCookedV2:
            guard frame.count >= 20 else { return .malformed(.truncatedLinkHeader) }
            etherType = frame.uint16(at: 0)
            network = frame.suffix(from: 20)
        case .rawIP:
            guard frame.count >= 1 else { return .malformed(.truncatedLinkHeader) }
            switch frame.byte(at: 0) >> 4 {
            case 4: etherType = 0x0800
            case 6: etherType = 0x86DD
            default: return .malformed(.badIPVersion)
            }
            network = frame
        case .ipv4:
            etherType = 0x0800
            network = frame
        case .ipv6:
            etherType = 0x86DD
            network = frame
        case .null, .loop:
            guard frame.count >= 4 else { return .malformed(.truncatedLinkHeader) }
            // DLT_NULL's family is in the capturing host's byte order: a value that does not fit
            // in 16 bits was written by a host of the other order.
            var family = frame.littleEndianUInt32(at: 0)
            if linkLayer == .loop || family > 0xFFFF { family = frame.uint32(at: 0) }
            switch family {
            case 2: etherType = 0x0800
            case 10, 24, 28, 30: etherType = 0x86DD   // AF_INET6 on Linux, BSDs, macOS
            default: return .notIP(.unknown(UInt16(truncatingIfNeeded: family)))
            }
            network = frame.suffix(from: 4)
        }
        return decodeNetwork(etherType: etherType, network, cut: cut)
    }

    @inline(__always)
    func decodeNetwork(etherType: UInt16, _ bytes: UnsafeRawBufferPointer, cut: Bool) -> Result {
        // Which IP version, and where its header starts.
        let isVersion4: Bool
        let ip: UnsafeRawBufferPointer
        switch etherType {
        case 0x0800:
            isVersion4 = true
            ip = bytes
        case 0x86DD:
            isVersion4 = false
            ip = bytes
        case 0x8864:
            // PPPoE session (DSL access networks): 6-byte PPPoE header, then the PPP protocol.
            guard bytes.count >= 8 else { return .malformed(.truncatedLinkHeader) }
            switch bytes.uint16(at: 6) {
            case 0x0021: isVersion4 = true
            case 0x0057: isVersion4 = false
            default: return .notIP(EtherType(rawValue: etherType))
            }
            ip = bytes.suffix(from: 8)
        case 0x8847, 0x8848:
            // MPLS: labels until the bottom-of-stack bit, then IP, told apart by its version nibble.
            var offset = 0
            while true {
                guard offset + 4 <= bytes.count else { return .malformed(.truncatedLinkHeader) }
                let bottom = bytes.byte(at: offset + 2) & 1 == 1
                offset += 4
                if bottom { break }
                guard offset < 4 * PacketDecoder.maximumMPLSLabels else { return .malformed(.tooManyMPLSLabels) }
            }
            guard offset < bytes.count else { return .malformed(.truncatedLinkHeader) }
            switch bytes.byte(at: offset) >> 4 {
            case 4: isVersion4 = true
            case 6: isVersion4 = false
            default: return .notIP(EtherType(rawValue: etherType))
            }
            ip = bytes.suffix(from: offset)
        default: return .notIP(EtherType(rawValue: etherType))
        }
        return decodeIP(isVersion4: isVersion4, ip, cut: cut)
    }

    /// The IPv4 or IPv6 header: a fragment goes to reassembly, a whole packet on to its transport.
    @inline(__always)
    func decodeIP(isVersion4: Bool, _ bytes: UnsafeRawBufferPointer, cut: Bool) -> Result {
        let network: NetworkHeader
        let payload: UnsafeRawBufferPointer
        let declaredLength: Int
        if isVersion4 {
            let ip: IPv4Packet
            do {
                ip = try IPv4Packet(validating: bytes)
            } catch {
                switch error {
                case .truncatedHeader: return .malformed(.truncatedIPv4Header)
                case .badVersion: return .malformed(.badIPVersion)
                case .headerLengthTooShort: return .malformed(.ipv4HeaderLengthTooShort)
                case .totalLengthTooShort: return .malformed(.ipv4TotalLengthTooShort)
                }
            }
            network = NetworkHeader(version: 4, source: ip.source, destination: ip.destination,
                                    protocolNumber: ip.protocolNumber, timeToLive: ip.timeToLive,
                                    identification: UInt32(ip.identification), hasIdentification: true,
                                    totalLength: ip.totalLength)
            if ip.isFragment {
                return .fragment(IPFragment(network: network, offset: ip.fragmentOffset, moreFragments: ip.moreFragments,
                                            payload: ip.payload, payloadLength: ip.payloadLength))
            }
            payload = ip.payload
            declaredLength = ip.payloadLength
        } else {
            let ip: IPv6Packet
            do {
                ip = try IPv6Packet(validating: bytes)
            } catch {
                switch error {
                case .truncatedHeader: return .malformed(.truncatedIPv6Header)
                case .badVersion: return .malformed(.badIPVersion)
                case .truncatedExtensionHeader: return .malformed(.truncatedIPv6ExtensionHeader)
                case .tooManyExtensionHeaders: return .malformed(.tooManyIPv6ExtensionHeaders)
                }
            }
            var header = NetworkHeader(version: 6, source: ip.source, destination: ip.destination,
                                       protocolNumber: ip.upperLayerProtocol, timeToLive: ip.hopLimit,
                                       identification: 0, hasIdentification: false, totalLength: ip.totalLength)
            if let fragment = ip.fragment {
                header.identification = fragment.identification
                header.hasIdentification = true
                // An atomic fragment (offset 0, no more fragments; RFC 6946) is a whole packet.
                if fragment.offset != 0 || fragment.moreFragments {
                    return .fragment(IPFragment(network: header, offset: fragment.offset,
                                                moreFragments: fragment.moreFragments,
                                                payload: ip.upperLayer, payloadLength: ip.upperLayerLength))
                }
            }
            network = header
            payload = ip.upperLayer
            declaredLength = ip.upperLayerLength
        }
        return transport(network: network, payload, declaredLength: declaredLength, cut: cut)
    }

    /// Decodes the transport header of a whole (or reassembled) IP payload.
    /// - Parameter declaredLength: the payload length the IP header promises.
    public func decodeTransport(network: NetworkHeader, _ bytes: UnsafeRawBufferPointer,
                                           declaredLength: Int, cut: Bool) -> Result {
        transport(network: network, bytes, declaredLength: declaredLength, cut: cut)
    }

    @inline(__always)
    func transport(network: NetworkHeader, _ bytes: UnsafeRawBufferPointer, declaredLength: Int, cut: Bool) -> Result {
        let cutNote: DecodeIssue? = cut ? .snaplenTruncated : nil
        switch network.protocolNumber {
        case 6:
            let tcp: TCPSegment
            do {
                tcp = try TCPSegment(validating: bytes)
            } catch {
                switch error {
                case .truncatedHeader: return .malformed(.truncatedTCPHeader)
                case .dataOffsetTooShort: return .malformed(.tcpDataOffsetTooShort)
                }
            }
            let headerLength = tcp.headerLength
            guard headerLength <= declaredLength else { return .malformed(.tcpHeaderLongerThanSegment) }
            let flags = tcp.flags
            let header = TCPHeader(sourcePort: tcp.sourcePort, destinationPort: tcp.destinationPort,
                                   sequenceNumber: tcp.sequenceNumber, acknowledgmentNumber: tcp.acknowledgmentNumber,
                                   flags: flags, window: tcp.window,
                                   synOptions: flags.contains(.syn) ? tcp.options : nil)
            return .packet(DecodedPacket(network: network, transport: .tcp(header), payload: tcp.payload,
                                         payloadLength: declaredLength - headerLength, note: cutNote))
        case 17:
            let udp: UDPDatagram
            do {
                udp = try UDPDatagram(validating: bytes)
            } catch {
                return .malformed(.truncatedUDPHeader)
            }
            var note = cutNote
            var payloadLength = declaredLength - 8
            let length = udp.length
            if length < 8 {
                // 0 is an IPv6 jumbogram's; anything else below the header size is impossible.
                if !(length == 0 && network.version == 6) { note = .udpLengthTooShort }
            } else if length > declaredLength {
                note = .udpLengthExceedsIPPayload
            } else {
                payloadLength = length - 8
            }
            return .packet(DecodedPacket(network: network,
                                         transport: .udp(UDPHeader(sourcePort: udp.sourcePort, destinationPort: udp.destinationPort)),
                                         payload: udp.payload, payloadLength: payloadLength, note: note))
        case 1, 58:
            let isVersion6 = network.protocolNumber == 58
            let icmp: ICMPMessage
            do {
                icmp = try ICMPMessage(validating: bytes, isVersion6: isVersion6)
            } catch {
                return .malformed(.truncatedICMPHeader)
            }
            var note = cutNote
            var quoted: QuotedPacket? = nil
            if icmp.isError {
                quoted = PacketDecoder.quotedPacket(icmp.quotedBytes, isVersion6: isVersion6)
                if quoted == nil || !quoted!.hasPorts { note = .truncatedICMPQuotedPacket }
            }
            let header = ICMPHeader(type: icmp.type, code: icmp.code, isError: icmp.isError,
                                    isAdministrativelyProhibited: icmp.isAdministrativelyProhibited,
                                    flowPorts: icmp.flowPorts, quoted: quoted)
            return .packet(DecodedPacket(network: network, transport: .icmp(header), payload: icmp.quotedBytes,
                                         payloadLength: declaredLength - 8, note: note))
        default:
            return .packet(DecodedPacket(network: network, transport: .other, payload: bytes,
                                         payloadLength: declaredLength, note: cutNote))
        }
    }

    /// Reads the addresses and ports of the packet an ICMP error quotes. The quote is often cut
    /// (RFC 792 promises only the IP header and 8 bytes), so lengths are checked field by field.
    static func quotedPacket(_ bytes: UnsafeRawBufferPointer, isVersion6: Bool) -> QuotedPacket? {
        if !isVersion6 {
            guard bytes.count >= 20, bytes.byte(at: 0) >> 4 == 4 else { return nil }
            let headerLength = Int(bytes.byte(at: 0) & 0x0F) * 4
            guard headerLength >= 20 else { return nil }
            var quote = QuotedPacket(source: IPAddress(ipv4: bytes.uint32(at: 12)),
                                     destination: IPAddress(ipv4: bytes.uint32(at: 16)),
                                     protocolNumber: bytes.byte(at: 9), sourcePort: 0, destinationPort: 0, hasPorts: false)
            let fragmentOffset = bytes.uint16(at: 6) & 0x1FFF
            if fragmentOffset == 0, headerLength + 4 <= bytes.count {
                quote.sourcePort = bytes.uint16(at: headerLength)
                quote.destinationPort = bytes.uint16(at: headerLength + 2)
                quote.hasPorts = true
            }
            return quote
        }
        guard bytes.count >= 40, bytes.byte(at: 0) >> 4 == 6 else { return nil }
        var quote = QuotedPacket(source: IPAddress(high: bytes.uint64(at: 8), low: bytes.uint64(at: 16)),
                                 destination: IPAddress(high: bytes.uint64(at: 24), low: bytes.uint64(at: 32)),
                                 protocolNumber: bytes.byte(at: 6), sourcePort: 0, destinationPort: 0, hasPorts: false)
        // Walk the quoted extension headers as far as the quote goes.
        var next = bytes.byte(at: 6)
        var offset = 40
        for _ in 0..<IPv6Packet.maximumExtensionHeaders {
            switch next {
            case 0, 43, 60, 135, 139, 140:
                guard offset + 8 <= bytes.count else { return quote }
                next = bytes.byte(at: offset)
                offset += (Int(bytes.byte(at: offset + 1)) + 1) * 8
                continue
            case 44:
                guard offset + 8 <= bytes.count else { return quote }
                if bytes.uint16(at: offset + 2) & 0xFFF8 != 0 { quote.protocolNumber = bytes.byte(at: offset); return quote }
                next = bytes.byte(at: offset)
                offset += 8
                continue
            default:
                break
            }
            break
        }
        quote.protocolNumber = next
        if offset + 4 <= bytes.count {
            quote.sourcePort = bytes.uint16(at: offset)
            quote.destinationPort = bytes.uint16(at: offset + 2)
            quote.hasPorts = true
        }
        return quote
    }
}
