import Capture
import Foundation
import Testing

@Suite("Writing a capture and reading it back")
struct CaptureWriterTests {
    @Test("nanosecond timestamps, lengths, bytes and link type survive a round trip")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let udp = Frames.ethernetUDP(), tcp = Frames.ethernetTCP()
        let path = try writeCapture(dir.path("round.pcap"), [
            (1_700_000_000_123_456_789, udp),
            (1_700_000_000_999_999_999, tcp),
            (1_700_000_001_000_000_001, udp),
        ])
        let reader = try CaptureReader(paths: [path])
        #expect(reader.linkTypes == [.ethernet])
        let (packets, outcome) = try reader.collect()
        #expect(packets.map(\.time) == [1_700_000_000_123_456_789, 1_700_000_000_999_999_999, 1_700_000_001_000_000_001])
        #expect(packets.map(\.bytes) == [udp, tcp, udp])
        #expect(packets.map(\.capturedLength) == [udp.count, tcp.count, udp.count])
        #expect(packets.map(\.originalLength) == [udp.count, tcp.count, udp.count])
        #expect(packets.allSatisfy { $0.linkType == .ethernet && $0.source == 0 })
        #expect(outcome == ReadOutcome(packetsDelivered: 3, warnings: [], endedBy: .endOfInput))
    }

    @Test("the file is nanosecond pcap (magic a1b23c4d) with the requested snapshot length")
    func fileHeader() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCapture(dir.path("h.pcap"), snapshotLength: 1500, [(0, Frames.ethernetUDP())])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[0..<4]) == [0x4d, 0x3c, 0xb2, 0xa1])      // 0xa1b23c4d little-endian
        #expect(Array(bytes[16..<20]) == [0xdc, 0x05, 0, 0])          // snaplen 1500
        #expect(Array(bytes[20..<24]) == [1, 0, 0, 0])                // LINKTYPE_ETHERNET
    }

    @Test("bytes beyond the snapshot length are cut; the original length is kept")
    func snapshotLength() throws {
        let dir = try TemporaryDirectory()
        let big = Frames.ethernetUDP(payload: [UInt8](repeating: 0xab, count: 200))
        let path = try writeCapture(dir.path("snap.pcap"), snapshotLength: 64, [(5, big)])
        let reader = try CaptureReader(paths: [path])
        let (packets, _) = try reader.collect()
        let packet = try #require(packets.first)
        #expect(packet.capturedLength == 64)
        #expect(packet.originalLength == big.count)
        #expect(packet.bytes == Array(big.prefix(64)))
    }

    @Test("an explicit original length is recorded (packets cut before writing)")
    func explicitOriginalLength() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("orig.pcap")
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        writer.write(timestampNanoseconds: 1, bytes: Frames.ethernetTCP(), originalLength: 1514)
        try writer.finish()
        let (packets, _) = try CaptureReader(paths: [path]).collect()
        #expect(packets.first?.originalLength == 1514)
        #expect(packets.first?.capturedLength == Frames.ethernetTCP().count)
    }

    @Test("times before 1970 round-trip (floor division of negative nanoseconds)")
    func negativeTime() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCapture(dir.path("old.pcap"), [(-1, Frames.ethernetUDP()), (-1_500_000_000, Frames.ethernetUDP())])
        let (packets, _) = try CaptureReader(paths: [path]).collect()
        #expect(packets.map(\.time) == [-1, -1_500_000_000])
    }

    @Test("raw IP is written as LINKTYPE_RAW (101) and read back as DLT_RAW")
    func rawLinkType() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCapture(dir.path("raw.pcap"), linkType: .raw, [(7, Frames.udp())])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[20..<24]) == [101, 0, 0, 0])
        let reader = try CaptureReader(paths: [path])
        #expect(reader.linkTypes == [.raw])
        let (packets, _) = try reader.collect()
        #expect(packets.first?.linkType == .raw)
        #expect(packets.first?.bytes == Frames.udp())
    }

    @Test("close is idempotent and a closed writer leaves a complete file")
    func closeTwice() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("c.pcap")
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        writer.write(timestampNanoseconds: 1, bytes: Frames.ethernetUDP())
        writer.close()
        writer.close()
        let (packets, _) = try CaptureReader(paths: [path]).collect()
        #expect(packets.count == 1)
    }

    @Test("a writer for a path in a missing directory fails naming the path")
    func unwritablePath() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("no/such/dir/out.pcap")
        #expect(throws: CaptureError.cannotWrite(path: path, reason: "No such file or directory")) {
            _ = try CaptureWriter(path: path, linkType: .ethernet)
        }
    }

    @Test("a link type that pcap files cannot hold is refused up front, and no empty file is left")
    func unsupportedLinkType() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("odd.pcap")
        #expect(throws: CaptureError.cannotWrite(path: path, reason: "link-layer type 65000 isn't supported in savefiles")) {
            _ = try CaptureWriter(path: path, linkType: LinkType(rawValue: 65000))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a full disk is reported by finish()", .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func diskFull() throws {
        let writer = try CaptureWriter(path: "/dev/full", linkType: .ethernet)
        writer.write(timestampNanoseconds: 1, bytes: Frames.ethernetUDP())
        #expect(throws: CaptureError.cannotWrite(path: "/dev/full", reason: "No space left on device")) { try writer.finish() }
    }

    @Test("tcpdump reads what the writer wrote")
    func tcpdumpReadsIt() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCapture(dir.path("t.pcap"), [(1_700_000_000_000_000_001, Frames.ethernetUDP())])
        #expect(try runTool("tcpdump", ["-nr", path]) == 0)
    }
}
