import PacketCrafting
import Testing
@testable import Wire

/// A flood of fragments that never complete (issue 8): the table stays at its bound, gives up
/// the datagram started first, counts every fragment it gave up, and still completes the rest.
@Suite("Fragment reassembly under a flood")
struct FragmentFloodTests {
    static let udp = UDPBuilder(sourcePort: 4000, destinationPort: 53, payload: (0..<64).map { UInt8($0) })

    /// The two fragments of datagram `id`.
    static func pieces(_ id: UInt16) -> [[UInt8]] {
        IPv4Builder(source: "192.0.2.1", destination: "192.0.2.2", identification: id)
            .fragments(carrying: udp, plan: FragmentationPlan(count: 2))
    }

    static func add(_ bytes: [UInt8], to reassembler: inout FragmentReassembler, at second: Int) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard case .fragment(let fragment) = PacketDecoder(linkLayer: .ipv4).decode(raw, originalLength: raw.count) else {
                Issue.record("not a fragment")
                return false
            }
            guard let datagram = reassembler.add(fragment, at: Timestamp(nanoseconds: Int64(second) * 1_000_000)) else { return false }
            reassembler.recycle(datagram)
            return true
        }
    }

    @Test("first pieces of 1,000 datagrams: at most 8 held, the oldest given up, the newest still complete")
    func flood() {
        var reassembler = FragmentReassembler(maximumDatagrams: 8)
        for id in 0..<1000 { #expect(!Self.add(Self.pieces(UInt16(id))[0], to: &reassembler, at: id)) }
        #expect(reassembler.heldFragments == 8)
        #expect(reassembler.issues[.fragmentTableFull] == 992)
        #expect(reassembler.started.count <= 2 * 8 + 1024)
        // Datagram 999 is still held and completes; 991 was given up, so its last piece starts a
        // datagram of its own, which never completes.
        #expect(Self.add(Self.pieces(999)[1], to: &reassembler, at: 1000))
        #expect(!Self.add(Self.pieces(991)[1], to: &reassembler, at: 1001))
        #expect(reassembler.heldFragments == 8)
        // The next new datagram pushes out the oldest left, 992; 993 stays and completes.
        #expect(!Self.add(Self.pieces(2000)[0], to: &reassembler, at: 1002))
        #expect(reassembler.issues[.fragmentTableFull] == 993)
        #expect(Self.add(Self.pieces(993)[1], to: &reassembler, at: 1003))
        #expect(!Self.add(Self.pieces(992)[1], to: &reassembler, at: 1004))
    }
}
