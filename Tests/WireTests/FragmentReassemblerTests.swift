import Testing
import PacketCrafting
@testable import Wire

@Suite("Fragment reassembly")
struct FragmentReassemblerTests {
    static let payload: [UInt8] = (0..<1200).map { UInt8($0 % 251) }

    /// Feeds fragments through the decoder and reassembler; returns the decoded datagram, if whole.
    static func reassemble(_ fragments: [[UInt8]], link: LinkLayer, reassembler: inout FragmentReassembler) -> (UInt16, Int)? {
        var result: (UInt16, Int)? = nil
        for (i, bytes) in fragments.enumerated() {
            bytes.withUnsafeBytes { raw in
                guard case .fragment(let fragment) = PacketDecoder(linkLayer: link).decode(raw, originalLength: raw.count) else {
                    Issue.record("fragment \(i) not recognised"); return
                }
                if let datagram = reassembler.add(fragment, at: Timestamp(seconds: Double(i))) {
                    datagram.withPayload { payload in
                        if case .packet(let p) = PacketDecoder(linkLayer: link).decodeTransport(
                            network: datagram.header, payload, declaredLength: payload.count, cut: false) {
                            result = (p.destinationPort, p.payloadLength)
                        }
                    }
                    reassembler.recycle(datagram)
                }
            }
        }
        return result
    }

    static let udp = UDPBuilder(sourcePort: 4000, destinationPort: 53, payload: payload)
    static let ipv4 = IPv4Builder(source: "192.0.2.1", destination: "192.0.2.2", identification: 77)

    @Test("three IPv4 fragments in order become one UDP datagram; two are counted as merged")
    func inOrder() throws {
        var r = FragmentReassembler()
        let result = try #require(Self.reassemble(Self.ipv4.fragments(carrying: Self.udp, plan: FragmentationPlan(count: 3)),
                                                  link: .ipv4, reassembler: &r))
        #expect(result.0 == 53)
        #expect(result.1 == Self.payload.count)
        #expect(r.fragmentsMerged == 2)
        #expect(r.heldFragments == 0)
    }

    @Test("fragments out of order reassemble the same")
    func outOfOrder() {
        var r = FragmentReassembler()
        let fragments = Self.ipv4.fragments(carrying: Self.udp, plan: FragmentationPlan(count: 3, order: [2, 0, 1]))
        #expect(Self.reassemble(fragments, link: .ipv4, reassembler: &r)?.1 == Self.payload.count)
    }

    @Test("overlapping fragments reassemble and are noted")
    func overlap() {
        var r = FragmentReassembler()
        let fragments = Self.ipv4.fragments(carrying: Self.udp, plan: FragmentationPlan(count: 3, overlap: 8))
        #expect(Self.reassemble(fragments, link: .ipv4, reassembler: &r) != nil)
        #expect(r.issues[.fragmentOverlap] > 0)
    }

    @Test("a datagram missing a fragment never completes; at the end its fragments count as incomplete")
    func missing() {
        var r = FragmentReassembler()
        let fragments = Self.ipv4.fragments(carrying: Self.udp, plan: FragmentationPlan(count: 3, omitted: [1]))
        #expect(Self.reassemble(fragments, link: .ipv4, reassembler: &r) == nil)
        #expect(r.heldFragments == 2)
        r.finish()
        #expect(r.issues[.fragmentIncomplete] == 2)
    }

    @Test("stale fragments are given up after the timeout, in packet time")
    func timeout() {
        var r = FragmentReassembler(timeout: .seconds(30))
        let fragments = Self.ipv4.fragments(carrying: Self.udp, plan: FragmentationPlan(count: 3, omitted: [2]))
        _ = Self.reassemble(fragments, link: .ipv4, reassembler: &r)
        r.expire(now: Timestamp(seconds: 10))
        #expect(r.heldFragments == 2)
        r.expire(now: Timestamp(seconds: 100))
        #expect(r.heldFragments == 0)
        #expect(r.issues[.fragmentIncomplete] == 2)
    }

    @Test("memory is bounded: beyond the datagram limit the oldest is dropped and counted")
    func bounded() {
        var r = FragmentReassembler(maximumDatagrams: 4)
        for id in 0..<10 {
            var ip = Self.ipv4
            ip.identification = UInt16(id)
            let first = ip.fragments(carrying: Self.udp, plan: FragmentationPlan(count: 2))[0]
            _ = Self.reassemble([first], link: .ipv4, reassembler: &r)
        }
        #expect(r.heldFragments == 4)
        #expect(r.issues[.fragmentTableFull] == 6)
    }

    @Test("IPv6 fragments (fragment header) reassemble")
    func ipv6() {
        var r = FragmentReassembler()
        let ip = IPv6Builder(source: "2001:db8::1", destination: "2001:db8::2")
        let fragments = ip.fragments(carrying: Self.udp, identification: 9, plan: FragmentationPlan(count: 2))
        #expect(Self.reassemble(fragments, link: .ipv6, reassembler: &r)?.1 == Self.payload.count)
    }
}
