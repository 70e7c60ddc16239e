import Testing
import PacketCrafting
@testable import Wire

/// Frames built with PacketCrafting (the emit side), decoded back: every link layer, IPv4 with
/// options, IPv6 extension chains, TCP options, UDP, ICMP quoting, and malformed input.
@Suite("Packet decoder")
struct PacketDecoderTests {
    static let tcpSYN = TCPBuilder(sourcePort: 40000, destinationPort: 443, sequenceNumber: 1000, flags: [.syn],
                                   options: [.maximumSegmentSize(1460), .windowScale(7), .sackPermitted,
                                             .timestamps(value: 1, echoReply: 0)])
    static let ipv4 = IPv4Builder(source: "192.0.2.10", destination: "198.51.100.20", ttl: 57, identification: 4242)

    static func decode(_ frame: [UInt8], link: LinkLayer, originalLength: Int? = nil) -> PacketDecoder.Result {
        frame.withUnsafeBytes { PacketDecoder(linkLayer: link).decode($0, originalLength: originalLength ?? frame.count) }
    }

    static func packet(_ result: PacketDecoder.Result) -> DecodedPacket? {
        if case .packet(let p) = result { return p }
        return nil
    }

    @Test("every supported link layer yields the same TCP SYN", arguments: [
        (LinkFraming.ethernet(EthernetFraming()), LinkLayer.ethernet),
        (.ethernet(EthernetFraming(tags: EthernetFraming.VLANTag.dot1Q(421))), .ethernet),
        (.ethernet(EthernetFraming(tags: EthernetFraming.VLANTag.qinq(outer: 100, inner: 200))), .ethernet),
        (.linuxSLL(LinuxCookedFraming()), .linuxCooked),
        (.linuxSLL2(LinuxCookedFraming()), .linuxCookedV2),
        (.raw, .rawIP),
        (.rawIPv4, .ipv4),
        (.null(ipv6AddressFamily: 24), .null),
        (.loop(ipv6AddressFamily: 24), .loop),
    ])
    func linkLayers(framing: LinkFraming, layer: LinkLayer) throws {
        #expect(LinkLayer(dataLinkType: framing.dataLinkType) == layer)
        let ip = PacketDecoderTests.ipv4.packet(carrying: PacketDecoderTests.tcpSYN)
        let frame = framing.frame(payload: ip, etherType: EtherTypeNumber.ipv4, direction: .outbound)
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(frame, link: layer)))
        #expect(packet.network.source == IPAddress("192.0.2.10"))
        #expect(packet.network.destination == IPAddress("198.51.100.20"))
        #expect(packet.network.timeToLive == 57)
        #expect(packet.network.identification == 4242)
        #expect(packet.sourcePort == 40000 && packet.destinationPort == 443)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.flags == TCPFlags.syn)
        #expect(tcp.sequenceNumber == 1000)
        #expect(tcp.synOptions?.maximumSegmentSize == 1460)
        #expect(tcp.synOptions?.windowScale == 7)
        #expect(tcp.synOptions?.sackPermitted == true)
        #expect(tcp.synOptions?.timestampValue == 1)
    }

    @Test("IPv4 options are skipped to reach the transport header")
    func ipv4Options() throws {
        var ip = PacketDecoderTests.ipv4
        ip.options = [.noOperation, .noOperation, .noOperation, .noOperation]
        let bytes = ip.packet(carrying: UDPBuilder(sourcePort: 5353, destinationPort: 53, payload: [1, 2, 3]))
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(bytes, link: .ipv4)))
        #expect(packet.sourcePort == 5353)
        #expect(packet.payloadLength == 3)
        #expect(packet.network.totalLength == bytes.count)
    }

    @Test("IPv6 hop-by-hop, routing and destination options are walked to TCP")
    func ipv6ExtensionChain() throws {
        let ip = IPv6Builder(source: "2001:db8::1", destination: "2001:db8::2", hopLimit: 61,
                             extensionHeaders: [.hopByHop([]), .routing(type: 0, segmentsLeft: 0, addresses: []),
                                                .destinationOptions([])])
        let bytes = ip.packet(carrying: PacketDecoderTests.tcpSYN)
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(bytes, link: .ipv6)))
        #expect(packet.network.protocolNumber == 6)
        #expect(packet.network.timeToLive == 61)
        #expect(packet.destinationPort == 443)
        #expect(packet.network.source == IPAddress("2001:db8::1"))
    }

    @Test("an ICMP port-unreachable quotes the UDP packet it answers")
    func icmpQuote() throws {
        let original = PacketDecoderTests.ipv4.packet(carrying: UDPBuilder(sourcePort: 5353, destinationPort: 53, payload: [9, 9]))
        let error = IPv4Builder(source: "198.51.100.20", destination: "192.0.2.10")
            .packet(carrying: ICMPBuilder.destinationUnreachable(.port, quoting: original))
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(error, link: .ipv4)))
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.isError)
        let quoted = try #require(icmp.quoted)
        #expect(quoted.source == IPAddress("192.0.2.10"))
        #expect(quoted.destinationPort == 53 && quoted.sourcePort == 5353 && quoted.protocolNumber == 17)
    }

    @Test("an ICMPv6 admin-prohibited error is recognised as such and quotes the SYN")
    func icmpv6AdminProhibited() throws {
        let syn = IPv6Builder(source: "2001:db8::1", destination: "2001:db8::2").packet(carrying: PacketDecoderTests.tcpSYN)
        let error = IPv6Builder(source: "2001:db8::ff", destination: "2001:db8::1")
            .packet(carrying: ICMPv6Builder.destinationUnreachable(.administrativelyProhibited, quoting: syn))
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(error, link: .ipv6)))
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMPv6"); return }
        #expect(icmp.isAdministrativelyProhibited)
        #expect(icmp.quoted?.destinationPort == 443)
    }

    @Test("ARP is counted as not IP, by EtherType")
    func arp() {
        let frame = EthernetFraming().frame(payload: ARPBuilder.request(from: "02:00:00:00:00:01", "192.0.2.1", asking: "192.0.2.2").bytes,
                                            etherType: EtherTypeNumber.arp, direction: .outbound)
        guard case .notIP(.arp) = PacketDecoderTests.decode(frame, link: .ethernet) else {
            Issue.record("ARP not recognised"); return
        }
    }

    @Test("a frame cut by the snaplen inside the payload still decodes, with a note")
    func snaplenCut() throws {
        let ip = PacketDecoderTests.ipv4.packet(carrying: UDPBuilder(sourcePort: 1, destinationPort: 2,
                                                                    payload: [UInt8](repeating: 7, count: 500)))
        let frame = EthernetFraming().frame(payload: ip, etherType: EtherTypeNumber.ipv4, direction: .outbound)
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(Array(frame.prefix(96)), link: .ethernet,
                                                                                     originalLength: frame.count)))
        #expect(packet.note == .snaplenTruncated)
        #expect(packet.payloadLength == 500)
        #expect(packet.payload.count == 96 - 14 - 28)
    }

    @Test("malformed headers are named issues", arguments: [
        (UInt8(0x44), DecodeIssue.ipv4HeaderLengthTooShort),   // IHL 4
        (UInt8(0x55), DecodeIssue.badIPVersion),               // version 5
    ])
    func malformedIPv4(firstByte: UInt8, issue: DecodeIssue) {
        var bytes = PacketDecoderTests.ipv4.packet(carrying: PacketDecoderTests.tcpSYN)
        bytes[0] = firstByte
        guard case .malformed(let found) = PacketDecoderTests.decode(bytes, link: .ipv4) else {
            Issue.record("decoded a malformed packet"); return
        }
        #expect(found == issue)
    }

    @Test("a TCP data offset below 5 is malformed")
    func tcpDataOffset() {
        var segment = PacketDecoderTests.tcpSYN
        segment.dataOffsetOverride = 3
        let bytes = PacketDecoderTests.ipv4.packet(carrying: segment)
        guard case .malformed(.tcpDataOffsetTooShort) = PacketDecoderTests.decode(bytes, link: .ipv4) else {
            Issue.record("accepted a data offset of 3"); return
        }
    }

    @Test("every prefix of a valid frame decodes or is a named issue, never a crash")
    func everyPrefix() {
        let ip = IPv6Builder(source: "2001:db8::1", destination: "2001:db8::2",
                             extensionHeaders: [.hopByHop([]), .destinationOptions([])]).packet(carrying: PacketDecoderTests.tcpSYN)
        let frame = EthernetFraming(tags: EthernetFraming.VLANTag.qinq(outer: 1, inner: 2)).frame(payload: ip, etherType: EtherTypeNumber.ipv6,
                                                                                   direction: .outbound)
        for length in 0...frame.count {
            let prefix = Array(frame.prefix(length))
            switch PacketDecoderTests.decode(prefix, link: .ethernet, originalLength: frame.count) {
            case .packet(let p): #expect(p.note == DecodeIssue.snaplenTruncated || length == frame.count)
            case .malformed: break
            case .fragment, .notIP: Issue.record("prefix \(length) decoded as something else")
            }
        }
    }

    @Test("a TSO-sized IPv4 packet (total length 0) takes its length from the capture, as Wireshark does")
    func segmentationOffload() throws {
        var ip = PacketDecoderTests.ipv4
        ip.totalLengthOverride = 0
        let bytes = ip.packet(carrying: UDPBuilder(sourcePort: 1, destinationPort: 2, payload: [1, 2, 3, 4]))
        let packet = try #require(PacketDecoderTests.packet(PacketDecoderTests.decode(bytes, link: .ipv4)))
        #expect(packet.network.totalLength == bytes.count)
    }
}
