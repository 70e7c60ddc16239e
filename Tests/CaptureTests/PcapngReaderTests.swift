@testable import Capture
import Foundation
import PacketCrafting
import Testing

/// BlockWatch's own pcapng reader (issue 8): every packet of every interface, each with its
/// interface's link type and timestamp, in sections of either byte order.
@Suite("pcapng read by BlockWatch: every interface, every section, each packet with its link type")
struct PcapngReaderTests {
    static let start: Int64 = 1_700_000_000_000_000_000
    static let ethernet = LinkFraming.plainEthernet
    static let sll = LinkFraming.linuxSLL(LinuxCookedFraming())

    /// One UDP/IPv4 packet per call (10.0.0.1:40000 → 10.0.0.2:53), framed for `framing`.
    static func frame(_ framing: LinkFraming, payload: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        framing.frame(payload: Frames.udp(payload: payload), etherType: EtherTypeNumber.ipv4, direction: .outbound)
    }

    static func read(_ builder: PcapngBuilder, filter: String? = nil) throws -> ([SeenPacket], ReadOutcome, String) {
        let dir = try TemporaryDirectory()
        let path = try dir.write("t.pcapng", builder.bytes)
        let reader = try CaptureReader(paths: [path], filter: filter)
        #expect(reader.readsFromMemory == [true])
        let (packets, outcome) = try reader.collect()
        return (packets, outcome, path)
    }

    @Test("Ethernet, raw IP and Linux SLL interfaces from the first packet on: every packet, each with its link type")
    func mixedFromTheStart() throws {
        var b = PcapngBuilder()
        let eth = b.interface(Self.ethernet, resolution: .nanoseconds)
        let raw = b.interface(.raw, resolution: .nanoseconds)
        let sll = b.interface(Self.sll, resolution: .nanoseconds)
        for i in 0..<6 {
            let (interface, framing) = [(eth, Self.ethernet), (raw, LinkFraming.raw), (sll, Self.sll)][i % 3]
            b.enhancedPacket(interface: interface, timestampNanoseconds: Self.start + Int64(i) * 1000, Self.frame(framing))
        }
        let dir = try TemporaryDirectory()
        let path = try dir.write("mixed.pcapng", b.bytes)
        let reader = try CaptureReader(paths: [path])
        #expect(reader.describedLinkTypes == [[.ethernet, .raw, .linuxSLL]])
        let (packets, outcome) = try reader.collect()
        #expect(packets.map(\.linkType) == [.ethernet, .raw, .linuxSLL, .ethernet, .raw, .linuxSLL])
        #expect(packets.map(\.time) == (0..<6).map { Self.start + Int64($0) * 1000 })
        #expect(packets[1].bytes == Frames.udp())
        #expect(packets[0].bytes == Self.frame(Self.ethernet))
        #expect(packets[2].bytes.count == 16 + Frames.udp().count)
        #expect(outcome == ReadOutcome(packetsDelivered: 6, warnings: [], endedBy: .endOfInput))
    }

    @Test("a big-endian section reads the same as a little-endian one", arguments: [PcapngBuilder.ByteOrder.littleEndian, .bigEndian])
    func byteOrders(order: PcapngBuilder.ByteOrder) throws {
        var b = PcapngBuilder(byteOrder: order)
        b.interface(Self.ethernet, snapshotLength: 1500, resolution: .nanoseconds, offsetSeconds: 0)
        b.interface(.raw)
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start + 123_456_789, Self.frame(Self.ethernet))
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 200_000_000, Self.frame(.raw), originalLength: 90)
        let (packets, outcome, _) = try Self.read(b)
        #expect(packets.map(\.time) == [Self.start + 123_456_789, Self.start + 200_000_000])
        #expect(packets.map(\.linkType) == [.ethernet, .raw])
        #expect(packets.map(\.originalLength) == [Self.frame(Self.ethernet).count, 90])
        #expect(packets[1].bytes == Frames.udp())
        #expect(outcome.warnings.isEmpty)
    }

    @Test("a second section, of the other byte order, starts its own interface list")
    func twoSections() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet)
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start, Self.frame(Self.ethernet))
        b.section(byteOrder: .bigEndian)
        b.interface(.raw, resolution: .nanoseconds)   // interface 0 of the new section
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start + 7, Self.frame(.raw))
        let (packets, outcome, _) = try Self.read(b)
        #expect(packets.map(\.linkType) == [.ethernet, .raw])
        #expect(packets.map(\.time) == [Self.start, Self.start + 7])
        #expect(outcome.warnings.isEmpty)
    }

    @Test("interface ids of an earlier section are forgotten: a packet of one is damage, named with its position")
    func earlierSectionsInterfacesForgotten() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet)
        b.interface(.raw)
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start, Self.frame(.raw))
        b.section()
        b.interface(Self.ethernet)
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 1000, Self.frame(.raw))
        let (packets, outcome, path) = try Self.read(b)
        #expect(packets.count == 1)
        let warning = try #require(outcome.warnings.first)
        #expect(warning.kind == .damaged)
        #expect(warning.record == 2)
        #expect(warning.recordOffset == Int64(b.blockOffsets.last!))
        #expect(warning.description == "capture '\(path)' is damaged after 1 packet (in record 2 at byte \(b.blockOffsets.last!)): "
            + "a packet of interface 1, but its section describes 1 interface: results cover what could be read")
    }

    @Test("if_tsresol 10^-3, 10^-9 and 2^-20, and the default 10^-6, all to nanoseconds",
          arguments: [(PcapngBuilder.Resolution.decimal(3), UInt64(1_700_000_000_123), Int64(1_700_000_000_123_000_000)),
                      (.decimal(9), 1_700_000_000_123_456_789, 1_700_000_000_123_456_789),
                      (.decimal(6), 1_700_000_000_123_456, 1_700_000_000_123_456_000),
                      // 2^-20 s: 1.5 s is 1,572,864 ticks; one tick more is 953.67 ns, cut to 953.
                      (.binary(20), 1_572_865, 1_500_000_953),
                      // 10^-12: picoseconds, cut to whole nanoseconds.
                      (.decimal(12), 1_000_000_000_001_999, 1_000_000_000_001)])
    func resolutions(resolution: PcapngBuilder.Resolution, ticks: UInt64, nanoseconds: Int64) throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, resolution: resolution)
        b.enhancedPacket(interface: 0, ticks: ticks, Self.frame(Self.ethernet))
        let (packets, _, _) = try Self.read(b)
        #expect(packets.map(\.time) == [nanoseconds])
    }

    @Test("if_tsoffset adds whole seconds (and may be negative)")
    func timestampOffset() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, resolution: .nanoseconds, offsetSeconds: 1_700_000_000)
        b.interface(.raw, resolution: .microseconds, offsetSeconds: -10)
        b.enhancedPacket(interface: 0, ticks: 5, Self.frame(Self.ethernet))
        b.enhancedPacket(interface: 1, ticks: 20_000_001, Self.frame(.raw))
        let (packets, _, _) = try Self.read(b)
        #expect(packets.map(\.time) == [1_700_000_000_000_000_005, 10_000_001_000])
    }

    @Test("timestamps beyond 2^63 ns saturate instead of trapping")
    func hugeTimestamps() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, resolution: .nanoseconds, offsetSeconds: Int64.max / 2)
        b.interface(.raw, resolution: .decimal(0))
        b.enhancedPacket(interface: 0, ticks: UInt64.max, Self.frame(Self.ethernet))
        b.enhancedPacket(interface: 1, ticks: UInt64.max, Self.frame(.raw))
        let (packets, _, _) = try Self.read(b)
        #expect(packets.map(\.time) == [Int64.max, Int64.max])
    }

    @Test("Simple Packet Blocks: interface 0, no timestamp, the original length cut to the snapshot length")
    func simplePackets() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, snapshotLength: 40)
        let frame = Self.frame(Self.ethernet)
        b.simplePacket(Array(frame.prefix(40)), originalLength: frame.count)
        b.simplePacket(Array(frame.prefix(30)), originalLength: 30)
        let (packets, outcome, _) = try Self.read(b)
        #expect(packets.map(\.capturedLength) == [40, 30])
        #expect(packets.map(\.originalLength) == [frame.count, 30])
        #expect(packets.map(\.time) == [0, 0])
        #expect(packets.map(\.bytes) == [Array(frame.prefix(40)), Array(frame.prefix(30))])
        #expect(outcome.warnings.isEmpty)
    }

    @Test("a packet block holding more than its interface's snapshot length is cut to it, and the warning names that interface's limit")
    func longerThanItsInterfaceSnapshot() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, snapshotLength: 65_535)
        let raw = b.interface(.raw, snapshotLength: 24)
        let frame = Self.frame(.raw, payload: [UInt8](repeating: 7, count: 40))
        b.enhancedPacket(interface: raw, timestampNanoseconds: Self.start, frame)
        let (packets, outcome, _) = try Self.read(b)
        #expect(packets.map(\.capturedLength) == [24])
        #expect(outcome.warnings.map(\.kind) == [.longerThanSnapshot])
        let text = outcome.warnings.first?.description ?? ""
        #expect(text.contains("holds \(frame.count) bytes, more than the 24 its interface's snapshot length allows"), "\(text)")
        #expect(!text.contains("65535"))
    }

    @Test("obsolete Packet Blocks are read; name resolution, statistics, custom and unknown blocks are skipped")
    func otherBlocks() throws {
        var b = PcapngBuilder(byteOrder: .bigEndian)
        b.interface(Self.ethernet)
        b.interface(.raw)
        b.block(type: 4, body: [0, 1, 0, 4, 10, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0])   // NRB
        b.obsoletePacket(interface: 1, timestampNanoseconds: Self.start, Self.frame(.raw))
        b.block(type: 5, body: [UInt8](repeating: 0, count: 12))                      // ISB
        b.block(type: 0x0000_0BAD, body: [1, 2, 3, 4, 5, 6, 7, 8])                    // custom
        b.block(type: 0x0BAD_BEEF, body: [9])                                          // unknown
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start + 1000, Self.frame(Self.ethernet))
        let (packets, outcome, _) = try Self.read(b)
        #expect(packets.map(\.linkType) == [.raw, .ethernet])
        #expect(packets.map(\.time) == [Self.start, Self.start + 1000])
        #expect(outcome.warnings.isEmpty)
    }

    @Test("an interface of a link type nobody decodes is still read: its packets carry their link type")
    func unknownLinkTypeInterface() throws {
        var b = PcapngBuilder()
        b.interface(linkType: 147)   // LINKTYPE_USER0
        b.interface(Self.ethernet)
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start, [1, 2, 3])
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 1, Self.frame(Self.ethernet))
        let (packets, _, _) = try Self.read(b)
        #expect(packets.map(\.linkType) == [LinkType(rawValue: 147), .ethernet])
    }

    @Test("a limit, then the rest: nothing repeated or lost; a merge with a classic pcap keeps time order")
    func limitAndMerge() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, resolution: .nanoseconds)
        b.interface(.raw, resolution: .nanoseconds)
        for i in 0..<5 { b.enhancedPacket(interface: UInt32(i % 2), timestampNanoseconds: Self.start + Int64(i) * 10,
                                          Self.frame(i % 2 == 0 ? Self.ethernet : .raw)) }
        let dir = try TemporaryDirectory()
        let ng = try dir.write("a.pcapng", b.bytes)
        let reader = try CaptureReader(paths: [ng])
        let (first, _) = try reader.collect(limit: 2)
        let (rest, outcome) = try reader.collect()
        #expect((first + rest).map(\.time) == (0..<5).map { Self.start + Int64($0) * 10 })
        #expect(outcome.endedBy == .endOfInput)

        let classic = try writeCapture(dir.path("b.pcap"), [(Self.start + 15, Frames.ethernetTCP())])
        let (merged, _) = try CaptureReader(paths: [ng, classic]).collect()
        #expect(merged.map(\.time) == [0, 10, 15, 20, 30, 40].map { Self.start + Int64($0) })
        #expect(merged.map(\.linkType) == [.ethernet, .raw, .ethernet, .ethernet, .raw, .ethernet])
        #expect(merged.map(\.source) == [0, 0, 1, 0, 0, 0])
    }

    @Test("a BPF filter over a mixed file applies to every interface, compiled for each link type")
    func filterOverMixedFile() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, resolution: .nanoseconds)
        b.interface(.raw, resolution: .nanoseconds)
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start, Self.frame(Self.ethernet))
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 1, Self.frame(.raw))
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start + 2, Frames.ethernetTCP())
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 3, Frames.tcp())
        let (udp, _, _) = try Self.read(b, filter: "udp port 53")
        #expect(udp.map(\.time) == [Self.start, Self.start + 1])
        #expect(udp.map(\.linkType) == [.ethernet, .raw])
        let (tcp, outcome, _) = try Self.read(b, filter: "tcp port 443")
        #expect(tcp.map(\.time) == [Self.start + 2, Self.start + 3])
        #expect(outcome.warnings.isEmpty)
    }

    @Test("a bad filter expression is still `.badFilter`; one that fails for a link type described up front names it")
    func badFilters() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet)
        b.interface(.raw)
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start, Self.frame(Self.ethernet))
        let dir = try TemporaryDirectory()
        let path = try dir.write("f.pcapng", b.bytes)
        #expect(throws: CaptureError.badFilter(expression: "tcp port", detail: "syntax error")) {
            _ = try CaptureReader(paths: [path], filter: "tcp port")
        }
        let thrown = #expect(throws: CaptureError.self) { _ = try CaptureReader(paths: [path], filter: "ether host 02:00:00:00:00:01") }
        guard case let .badFilter(expression, detail) = thrown else { Issue.record("\(String(describing: thrown))"); return }
        #expect(expression == "ether host 02:00:00:00:00:01")
        #expect(detail.hasSuffix("(for '\(path)', link type RAW)"), "\(detail)")
    }

    @Test("packets of a link type the filter cannot compile for, met after the first packet, are left out with a warning")
    func filterCannotApplyToLaterInterface() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet, resolution: .nanoseconds)
        b.enhancedPacket(interface: 0, timestampNanoseconds: Self.start, Self.frame(Self.ethernet))
        b.interface(.raw, resolution: .nanoseconds)
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 1, Self.frame(.raw))
        b.enhancedPacket(interface: 1, timestampNanoseconds: Self.start + 2, Self.frame(.raw))
        let (packets, outcome, path) = try Self.read(b, filter: "ether host 02:00:00:00:00:01")
        #expect(packets.map(\.linkType) == [.ethernet])
        let warning = try #require(outcome.warnings.first)
        #expect(outcome.warnings.count == 1)
        #expect(warning.kind == .filterNotApplicable)
        #expect(warning.occurrences == 2)
        #expect(warning.description.hasPrefix("capture '\(path)' has 2 packets the filter cannot apply to, left out: "
            + "they are of link type RAW, for which 'ether host 02:00:00:00:00:01' does not compile ("), "\(warning.description)")
    }

    @Test("with BLOCKWATCH_PCAPNG_READER unset, pcapng goes to BlockWatch's reader; libpcap still reads classic pcap")
    func whoReadsWhat() throws {
        var b = PcapngBuilder()
        b.interface(Self.ethernet)
        let dir = try TemporaryDirectory()
        let ng = try dir.write("x.pcapng", b.bytes)
        let classic = try writeCapture(dir.path("y.pcap"), [(Self.start, Frames.ethernetTCP())])
        #expect(try CaptureReader(paths: [ng, classic]).readsFromMemory == [true, true])
    }
}
