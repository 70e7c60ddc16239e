import Capture
import Testing

@Suite("Formats: µs pcap and pcapng are delivered in nanoseconds")
struct MicrosecondAndPcapngTests {
    @Test("a microsecond pcap (magic a1b2c3d4) is read as nanoseconds ending in 000")
    func microsecondPcap() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("us.pcap", ClassicPcap.header()
            + ClassicPcap.record(seconds: 1_700_000_000, fraction: 123_456, Frames.ethernetUDP())
            + ClassicPcap.record(seconds: 1_700_000_001, fraction: 999_999, Frames.ethernetTCP()))
        let (packets, outcome) = try CaptureReader(paths: [path]).collect()
        #expect(packets.map(\.time) == [1_700_000_000_123_456_000, 1_700_000_001_999_999_000])
        #expect(packets.allSatisfy { $0.time % 1000 == 0 })
        #expect(outcome.packetsDelivered == 2)
    }

    @Test("a big-endian microsecond pcap reads the same")
    func bigEndianPcap() throws {
        let dir = try TemporaryDirectory()
        var file: [UInt8] = [0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4] + [UInt8](repeating: 0, count: 8) + [0, 4, 0, 0, 0, 0, 0, 1]
        let frame = Frames.ethernetUDP()
        file += [0x65, 0x53, 0xf1, 0x00, 0, 0, 0, 7, 0, 0, 0, UInt8(frame.count), 0, 0, 0, UInt8(frame.count)] + frame
        let path = try dir.write("be.pcap", file)
        let (packets, _) = try CaptureReader(paths: [path]).collect()
        #expect(packets.map(\.time) == [Int64(0x6553_f100) * 1_000_000_000 + 7_000])
        #expect(packets.first?.bytes == frame)
    }

    @Test("a hand-built pcapng is read and its unknown block is skipped")
    func pcapngWithUnknownBlock() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("x.pcapng", Pcapng.sectionHeader()
            + Pcapng.interface(linkType: 1)                             // default resolution: µs
            + Pcapng.packet(ticks: 1_700_000_000_000_001, Frames.ethernetUDP())
            + Pcapng.unknownBlock()
            + Pcapng.packet(ticks: 1_700_000_000_000_002, Frames.ethernetTCP()))
        let reader = try CaptureReader(paths: [path])
        #expect(reader.linkTypes == [.ethernet])
        let (packets, outcome) = try reader.collect()
        #expect(packets.map(\.time) == [1_700_000_000_000_001_000, 1_700_000_000_000_002_000])
        #expect(packets.map(\.bytes) == [Frames.ethernetUDP(), Frames.ethernetTCP()])
        #expect(outcome == ReadOutcome(packetsDelivered: 2, warnings: [], endedBy: .endOfInput))
    }

    @Test("a pcapng interface with if_tsresol 9 keeps nanoseconds")
    func pcapngNanoseconds() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("ns.pcapng", Pcapng.sectionHeader()
            + Pcapng.interface(linkType: 1, tsresol: 9)
            + Pcapng.packet(ticks: 1_700_000_000_123_456_789, Frames.ethernetUDP()))
        let (packets, _) = try CaptureReader(paths: [path]).collect()
        #expect(packets.map(\.time) == [1_700_000_000_123_456_789])
    }

    @Test("a pcap converted by `editcap -F pcapng` reads the same packets, still in ns")
    func editcapPcapng() throws {
        let dir = try TemporaryDirectory()
        let original = try writeCapture(dir.path("in.pcap"), [
            (1_700_000_000_000_000_007, Frames.ethernetUDP()),
            (1_700_000_000_500_000_009, Frames.ethernetTCP()),
        ])
        let converted = dir.path("out.pcapng")
        #expect(try runTool("editcap", ["-F", "pcapng", original, converted]) == 0)
        let (a, _) = try CaptureReader(paths: [original]).collect()
        let (b, _) = try CaptureReader(paths: [converted]).collect()
        #expect(b == a)
        #expect(b.map(\.time) == [1_700_000_000_000_000_007, 1_700_000_000_500_000_009])
    }

    // libpcap 1.10 reads one link type per file and stopped at the first interface of another
    // type (a warning after the packets before it, or an error before any); BlockWatch reads
    // pcapng itself now, so both files give every packet, each with its own link type.
    @Test("a pcapng that switches link type after packets gives every packet, each with its link type")
    func pcapngSwitchesLinkType() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("mixed.pcapng", Pcapng.sectionHeader()
            + Pcapng.interface(linkType: 1)
            + Pcapng.packet(interface: 0, ticks: 1, Frames.ethernetUDP())
            + Pcapng.interface(linkType: 101)
            + Pcapng.packet(interface: 1, ticks: 2, Frames.udp()))
        let (packets, outcome) = try CaptureReader(paths: [path]).collect()
        #expect(packets.map(\.linkType) == [.ethernet, .raw])
        #expect(packets.map(\.bytes) == [Frames.ethernetUDP(), Frames.udp()])
        #expect(outcome.warnings.isEmpty)
    }

    @Test("a pcapng whose interfaces differ before any packet gives every packet")
    func pcapngMixedFromTheStart() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("mixed0.pcapng", Pcapng.sectionHeader()
            + Pcapng.interface(linkType: 1)
            + Pcapng.interface(linkType: 101)
            + Pcapng.packet(interface: 0, ticks: 1, Frames.ethernetUDP())
            + Pcapng.packet(interface: 1, ticks: 2, Frames.udp()))
        let reader = try CaptureReader(paths: [path])
        #expect(reader.describedLinkTypes == [[.ethernet, .raw]])
        let (packets, outcome) = try reader.collect()
        #expect(packets.map(\.linkType) == [.ethernet, .raw])
        #expect(packets.map(\.time) == [1000, 2000])
        #expect(outcome == ReadOutcome(packetsDelivered: 2, warnings: [], endedBy: .endOfInput))
    }
}
