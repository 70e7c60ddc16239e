@testable import Capture
import Foundation
import Testing

/// Classic pcap files in this machine's byte order are read from memory (`MappedPcap`); libpcap
/// reads the rest, and takes over at any record that is not plain. The same file read with a BPF
/// filter that keeps everything goes through libpcap alone, so it is the reference the mapped
/// reading must equal.
@Suite("Classic pcap read from memory, with libpcap as the reference")
struct MappedReadingTests {
    /// The same file with every header field byte-swapped (a capture written on a big-endian host).
    static func byteSwapped(_ file: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        func swapped(_ at: Int, _ width: Int) -> [UInt8] { Array(file[at..<(at + width)].reversed()) }
        out += swapped(0, 4) + swapped(4, 2) + swapped(6, 2)
        for field in 0..<4 { out += swapped(8 + 4 * field, 4) }
        var offset = 24
        while offset + 16 <= file.count {
            let captured = Int(file[offset + 8]) | Int(file[offset + 9]) << 8 | Int(file[offset + 10]) << 16 | Int(file[offset + 11]) << 24
            for field in 0..<4 { out += swapped(offset + 4 * field, 4) }
            out += file[(offset + 16)..<min(file.count, offset + 16 + captured)]
            offset += 16 + captured
        }
        if offset < file.count { out += file[offset...] }   // a cut record header stays cut
        return out
    }

    /// Reads `bytes` from memory and through libpcap alone; both readings must agree.
    static func readBothWays(_ bytes: [UInt8], limit: Int? = nil) throws -> ([SeenPacket], ReadOutcome) {
        let dir = try TemporaryDirectory()
        let path = try dir.write("capture.pcap", bytes)
        let (mapped, mappedOutcome) = try CaptureReader(paths: [path]).collect(limit: limit)
        let handle = try CaptureHandle.openFile(path)
        try handle.setFilter("")   // keeps every packet, and keeps the mapped reader out
        let (reference, referenceOutcome) = try CaptureReader(handle: handle).collect(limit: limit)
        #expect(mapped == reference)
        // With a filter libpcap skips records unseen, so the reference knows no record positions
        // and cannot tell a record cut to the snapshot length: compare the rest.
        #expect(comparable(mappedOutcome) == comparable(referenceOutcome))
        return (mapped, mappedOutcome)
    }

    static func comparable(_ outcome: ReadOutcome) -> ReadOutcome {
        var outcome = outcome
        outcome.warnings = outcome.warnings.filter { $0.kind != .longerThanSnapshot }.map {
            var warning = $0
            warning.record = nil
            warning.recordOffset = nil
            return warning
        }
        return outcome
    }

    static func frame(_ index: Int, length: Int) -> [UInt8] {
        var bytes = Frames.ethernetUDP(payload: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: max(4, length - 42)))
        bytes[0] = UInt8(truncatingIfNeeded: index >> 8)
        return bytes
    }

    @Test("a capture larger than one mapping window: every packet, in order, byte for byte; limits continue across windows")
    func severalWindows() throws {
        // 12,000 records of about 1,500 bytes: 18 MB, more than the 16 MB window.
        var file = ClassicPcap.header(magic: 0xa1b2_3c4d)
        var expected: [SeenPacket] = []
        for index in 0..<12_000 {
            let bytes = Self.frame(index, length: 1_400 + index % 200)
            file += ClassicPcap.record(seconds: 1_700_000_000 + UInt32(index / 1000), fraction: UInt32(index % 1000) * 1000, bytes)
            expected.append(SeenPacket(time: Int64(1_700_000_000 + index / 1000) * 1_000_000_000 + Int64(index % 1000) * 1000,
                                       capturedLength: bytes.count, originalLength: bytes.count, linkType: .ethernet,
                                       source: 0, bytes: bytes))
        }
        let dir = try TemporaryDirectory()
        let path = try dir.write("big.pcap", file)
        let reader = try CaptureReader(paths: [path])
        var seen: [SeenPacket] = []
        for _ in 0..<3 {
            let (part, outcome) = try reader.collect(limit: 5_000)
            seen += part
            #expect(outcome.warnings.isEmpty)
        }
        #expect(seen == expected)
        #expect(reader.bytesConsumed == Int64(file.count))
        #expect(try reader.collect().1 == ReadOutcome(packetsDelivered: 0, warnings: [], endedBy: .endOfInput))
    }

    @Test("µs and ns files, and a record longer than the snapshot length, read as libpcap reads them")
    func plainAndHandedOver() throws {
        for magic: UInt32 in [0xa1b2_c3d4, 0xa1b2_3c4d] {
            var file = ClassicPcap.header(magic: magic, snaplen: 100)
            file += ClassicPcap.record(seconds: 10, fraction: 1, Self.frame(1, length: 60))
            file += ClassicPcap.record(seconds: 11, fraction: 999_999, Self.frame(2, length: 80))
            file += ClassicPcap.record(seconds: 12, fraction: 3, Self.frame(3, length: 200))      // cut to 100 by libpcap
            file += ClassicPcap.record(seconds: 13, fraction: 4, Self.frame(4, length: 70))
            let (packets, outcome) = try Self.readBothWays(file)
            #expect(packets.map(\.capturedLength) == [60, 80, 100, 70])
            #expect(packets[2].originalLength == 200)
            #expect(outcome.warnings.map(\.kind) == [.longerThanSnapshot])
            #expect(outcome.warnings.first?.record == 3)
            let thirdRecord: Int64 = 196   // 24 + (16 + 60) + (16 + 80)
            #expect(outcome.warnings.first?.recordOffset == thirdRecord)
        }
    }

    @Test("odd timestamps (µs fields of a million or more, negative fields) follow libpcap's arithmetic")
    func oddTimestamps() throws {
        let odd: [(UInt32, UInt32, UInt32)] = [
            (0xa1b2_c3d4, 1, 5_000_000), (0xa1b2_c3d4, 1, 4_294_967), (0xa1b2_c3d4, 1, 4_294_966),
            (0xa1b2_c3d4, 0xFFFF_FFF0, 2), (0xa1b2_c3d4, 3, 0xFFFF_FFFF),
            (0xa1b2_3c4d, 0xFFFF_FFF0, 2), (0xa1b2_3c4d, 3, 0xFFFF_FFFF), (0xa1b2_3c4d, 3, 1_999_999_999),
        ]
        for (magic, seconds, fraction) in odd {
            var file = ClassicPcap.header(magic: magic)
            file += ClassicPcap.record(seconds: 1, fraction: 1, Self.frame(1, length: 60))
            file += ClassicPcap.record(seconds: seconds, fraction: fraction, Self.frame(2, length: 60))
            file += ClassicPcap.record(seconds: 4, fraction: 4, Self.frame(3, length: 60))
            let (packets, _) = try Self.readBothWays(file)
            #expect(packets.count == 3)
        }
    }

    @Test("damage after some packets: the same packets, warning text and byte offset as libpcap")
    func damage() throws {
        var file = ClassicPcap.header()
        for index in 0..<5 { file += ClassicPcap.record(seconds: UInt32(index), fraction: 0, Self.frame(index, length: 90)) }
        // A record claiming more than libpcap's maximum, then a cut record and a cut header.
        var huge = ClassicPcap.record(seconds: 9, fraction: 0, Self.frame(9, length: 90))
        huge[8] = 0; huge[9] = 0; huge[10] = 0x10; huge[11] = 0   // caplen 1 MiB
        _ = try Self.readBothWays(file + huge)
        _ = try Self.readBothWays(Array((file + ClassicPcap.record(seconds: 9, fraction: 0, Self.frame(9, length: 90))).dropLast(7)))
        _ = try Self.readBothWays(file + [1, 2, 3])
        let (packets, outcome) = try Self.readBothWays(file, limit: 3)
        #expect(packets.count == 3)
        #expect(outcome.endedBy == .limitReached)
    }

    @Test("which files are read from memory: plain classic pcap, and pcapng (BlockWatch's own reader)")
    func eligibility() throws {
        let dir = try TemporaryDirectory()
        var file = ClassicPcap.header(magic: 0xa1b2_3c4d)
        file += ClassicPcap.record(seconds: 1, fraction: 1, Self.frame(1, length: 60))
        let plain = try dir.write("plain.pcap", file)
        let swapped = try dir.write("swapped.pcap", Self.byteSwapped(file))
        let pcapng = try dir.write("x.pcapng", Pcapng.sectionHeader() + Pcapng.interface(linkType: 1) + Pcapng.packet(ticks: 1, Self.frame(1, length: 60)))
        #expect(try CaptureReader(paths: [plain, swapped, pcapng]).readsFromMemory == [true, false, true])
        #expect(try CaptureReader(paths: [plain], filter: "udp").readsFromMemory == [false])
        let reader = try CaptureReader(paths: [plain])
        _ = try reader.collect()
        #expect(reader.readsFromMemory == [false])   // handed over to libpcap at the end of the file
    }

    @Test("merging several files, some read from memory and one through libpcap, keeps time order")
    func mergeMixed() throws {
        let dir = try TemporaryDirectory()
        var first = ClassicPcap.header(magic: 0xa1b2_3c4d), second = ClassicPcap.header(magic: 0xa1b2_3c4d)
        for index in 0..<50 {
            let record = ClassicPcap.record(seconds: 100, fraction: UInt32(index), Self.frame(index, length: 64))
            if index % 2 == 0 { first += record } else { second += record }
        }
        let a = try dir.write("a.pcap", first)
        let b = try dir.write("b.pcap", Self.byteSwapped(second))
        let (packets, outcome) = try CaptureReader(paths: [a, b]).collect()
        #expect(packets.map(\.time) == (0..<50).map { 100_000_000_000 + Int64($0) })
        #expect(packets.map(\.source) == (0..<50).map { $0 % 2 })
        #expect(outcome == ReadOutcome(packetsDelivered: 50, warnings: [], endedBy: .endOfInput))
    }
}
