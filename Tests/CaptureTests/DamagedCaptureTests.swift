import Capture
import Foundation
import Testing

/// Damaged captures (issue 8): each is made from a good one in a temporary folder, read through
/// the memory-mapped path (little-endian classic pcap) and through libpcap (the same records in a
/// big-endian file, or pcapng). Each must give the packets that could be read and a warning that
/// names the damage and its position — or, when nothing can be read, one clear error.
@Suite("Damaged captures: what could be read, and a warning naming the damage and where")
struct DamagedCaptureTests {
    /// Five 46-byte Ethernet/UDP frames, 1 ms apart, unless a case says otherwise.
    static let frame = Frames.ethernetUDP()
    static let recordLength = 16 + frame.count

    /// A classic µs pcap, little-endian (read from memory) or big-endian (read by libpcap).
    static func classic(bigEndian: Bool, snaplen: UInt32 = 262_144,
                        records: [(microseconds: UInt32, data: [UInt8])]) -> [UInt8] {
        func word(_ v: UInt32, _ out: inout [UInt8]) {
            let bytes = [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
            out += bigEndian ? bytes.reversed() : bytes
        }
        var b: [UInt8] = []
        word(0xa1b2_c3d4, &b)
        b += bigEndian ? [0, 2, 0, 4] : [2, 0, 4, 0]
        word(0, &b); word(0, &b); word(snaplen, &b); word(1, &b)
        for record in records {
            word(1_700_000_000 + record.microseconds / 1_000_000, &b)
            word(record.microseconds % 1_000_000, &b)
            word(UInt32(record.data.count), &b)
            word(UInt32(record.data.count), &b)
            b += record.data
        }
        return b
    }

    static func fiveRecords(_ times: [UInt32] = [1000, 2000, 3000, 4000, 5000]) -> [(microseconds: UInt32, data: [UInt8])] {
        times.map { ($0, frame) }
    }

    /// Where packet block `n` (1-based) starts in the five-packet pcapng: a 28-byte section header,
    /// a 20-byte interface, then 80-byte Enhanced Packet Blocks.
    static func pcapngBlock(_ n: Int) -> Int64 { Int64(28 + 20 + (n - 1) * 80) }

    static func setLE32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    /// Where record `n` (1-based) starts in a classic file of equal records.
    static func offset(ofRecord n: Int) -> Int64 { Int64(24 + (n - 1) * recordLength) }

    enum Expected {
        /// Read `packets`, with one warning of `kind` at record `record` (and this byte, if known).
        case warning(packets: Int, kind: CaptureWarning.Kind, record: Int?, byte: Int64?, occurrences: Int = 1,
                     text: String)
        /// Read `packets` and no warning.
        case clean(packets: Int)
        /// Nothing can be read: this error.
        case error((String) -> CaptureError)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var file: String
        var bytes: @Sendable () -> [UInt8]
        var expected: @Sendable () -> Expected
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for bigEndian in [false, true] {
            let how = bigEndian ? "libpcap" : "mapped"
            cases.append(Case(name: "cut in the middle of a packet (\(how))", file: "cut-packet.pcap",
                              bytes: { Array(classic(bigEndian: bigEndian, records: fiveRecords()).dropLast(10)) },
                              expected: { .warning(packets: 4, kind: .truncated, record: 5, byte: offset(ofRecord: 5),
                                                   text: "is cut short after 4 packets (in record 5 at byte \(offset(ofRecord: 5)), reading stopped at byte") }))
            cases.append(Case(name: "cut inside a record header (\(how))", file: "cut-header.pcap",
                              bytes: { Array(classic(bigEndian: bigEndian, records: fiveRecords()).dropLast(recordLength - 6)) },
                              expected: { .warning(packets: 4, kind: .truncated, record: 5, byte: offset(ofRecord: 5),
                                                   text: "tried to read 16 header bytes, only got 6") }))
            cases.append(Case(name: "snaplen in the header smaller than the records (\(how))", file: "snaplen.pcap",
                              bytes: { classic(bigEndian: bigEndian, snaplen: 40, records: fiveRecords()) },
                              expected: { .warning(packets: 5, kind: .longerThanSnapshot, record: 1, byte: 24, occurrences: 5,
                                                   text: "has 5 records longer than its snapshot length (first: record 1 at byte 24): "
                                                       + "it holds 46 bytes, more than the 40 the file header allows") }))
            cases.append(Case(name: "snaplen 0 in the header: libpcap uses its maximum, nothing lost (\(how))", file: "snaplen0.pcap",
                              bytes: { classic(bigEndian: bigEndian, snaplen: 0, records: fiveRecords()) },
                              expected: { .clean(packets: 5) }))
            cases.append(Case(name: "one record with caplen > snaplen (\(how))", file: "caplen.pcap",
                              bytes: {
                                  var records = fiveRecords()
                                  records[2].data = frame + [UInt8](repeating: 0xEE, count: 54)   // 100 bytes, snaplen 64
                                  return classic(bigEndian: bigEndian, snaplen: 64, records: records)
                              },
                              expected: { .warning(packets: 5, kind: .longerThanSnapshot, record: 3, byte: offset(ofRecord: 3),
                                                   text: "has 1 record longer than its snapshot length (first: record 3 at byte \(offset(ofRecord: 3))): "
                                                       + "it holds 100 bytes, more than the 64") }))
            cases.append(Case(name: "timestamps going backwards (\(how))", file: "backwards.pcap",
                              bytes: { classic(bigEndian: bigEndian, records: fiveRecords([1000, 2000, 1500, 3000, 2500])) },
                              expected: { .warning(packets: 5, kind: .timestampsBackwards, record: 3, byte: offset(ofRecord: 3), occurrences: 2,
                                                   text: "goes back in time 2 times (first in record 3 at byte \(offset(ofRecord: 3))): "
                                                       + "its timestamp is 500 µs before the record before it") }))
            cases.append(Case(name: "a header and no packet (\(how))", file: "header-only.pcap",
                              bytes: { classic(bigEndian: bigEndian, records: []) }, expected: { .clean(packets: 0) }))
            cases.append(Case(name: "cut inside the first packet: nothing to read (\(how))", file: "cut-first.pcap",
                              bytes: { Array(classic(bigEndian: bigEndian, records: fiveRecords()).prefix(24 + 20)) },
                              expected: { .error { .damaged(path: $0, detail: "truncated dump file; tried to read 46 captured bytes, only got 4") } }))
        }
        let pcapng: @Sendable () -> [UInt8] = {
            Pcapng.sectionHeader() + Pcapng.interface(linkType: 1)
                + (1...5).flatMap { Pcapng.packet(ticks: 1_700_000_000_000_000 + UInt64($0) * 1000, frame) }
        }
        // BlockWatch reads pcapng itself (MappedPcapng), so the block at fault is known too: where it
        // starts, and for a cut file where the file ends.
        cases.append(Case(name: "pcapng cut in the middle of a block", file: "cut-block.pcapng",
                          bytes: { Array(pcapng().dropLast(20)) },
                          expected: { .warning(packets: 4, kind: .truncated, record: 5, byte: pcapngBlock(5),
                                               text: "is cut short after 4 packets (in record 5 at byte 368, reading stopped at byte 428): "
                                                   + "the file ends 60 bytes into an Enhanced Packet Block, which needs 80") }))
        cases.append(Case(name: "pcapng cut inside a block header", file: "cut-header.pcapng",
                          bytes: { Array(pcapng().dropLast(80 - 6)) },
                          expected: { .warning(packets: 4, kind: .truncated, record: 5, byte: pcapngBlock(5),
                                               text: "the file ends 6 bytes into a block header, which needs 12") }))
        cases.append(Case(name: "pcapng block length not a multiple of 4", file: "unaligned.pcapng",
                          bytes: { var b = pcapng(); setLE32(&b, Int(pcapngBlock(4)) + 4, 81); return b },
                          expected: { .warning(packets: 3, kind: .damaged, record: 4, byte: pcapngBlock(4),
                                               text: "is damaged after 3 packets (in record 4 at byte 288): "
                                                   + "an Enhanced Packet Block has length 81, not a multiple of 4") }))
        cases.append(Case(name: "pcapng block length smaller than the block's fixed part", file: "short.pcapng",
                          bytes: { var b = pcapng(); setLE32(&b, Int(pcapngBlock(4)) + 4, 8); return b },
                          expected: { .warning(packets: 3, kind: .damaged, record: 4, byte: pcapngBlock(4),
                                               text: "an Enhanced Packet Block has length 8, less than the 32 bytes such a block needs") }))
        cases.append(Case(name: "pcapng block whose trailing length differs from its leading one", file: "trailer.pcapng",
                          bytes: { var b = pcapng(); setLE32(&b, Int(pcapngBlock(4)) + 76, 84); return b },
                          expected: { .warning(packets: 3, kind: .damaged, record: 4, byte: pcapngBlock(4),
                                               text: "an Enhanced Packet Block has length 80 at its start but 84 at its end") }))
        cases.append(Case(name: "pcapng packet of an interface never described", file: "no-interface.pcapng",
                          bytes: { var b = pcapng(); setLE32(&b, Int(pcapngBlock(3)) + 8, 3); return b },
                          expected: { .warning(packets: 2, kind: .damaged, record: 3, byte: pcapngBlock(3),
                                               text: "a packet of interface 3, but its section describes 1 interface") }))
        cases.append(Case(name: "pcapng captured length beyond its block", file: "caplen.pcapng",
                          bytes: { var b = pcapng(); setLE32(&b, Int(pcapngBlock(4)) + 20, 200); return b },
                          expected: { .warning(packets: 3, kind: .damaged, record: 4, byte: pcapngBlock(4),
                                               text: "an Enhanced Packet Block has captured length 200, more than the 48 bytes it holds") }))
        cases.append(Case(name: "pcapng damaged in its first packet: nothing to read", file: "first.pcapng",
                          bytes: { var b = pcapng(); setLE32(&b, Int(pcapngBlock(1)) + 20, 200); return b },
                          expected: { .error { .damaged(path: $0, detail: "an Enhanced Packet Block has captured length 200, more than the 48 bytes it holds") } }))
        cases.append(Case(name: "pcapng packet before any interface: nothing to read", file: "no-idb.pcapng",
                          bytes: { Pcapng.sectionHeader() + Pcapng.unknownBlock() + Pcapng.packet(ticks: 1, frame) + Pcapng.interface(linkType: 1) },
                          expected: { .error { .damaged(path: $0, detail: "the capture file has a packet block before any Interface Description Blocks") } }))
        // libpcap read one link type per pcapng and refused these two (an error, or the packets
        // before the switch and a warning); BlockWatch's reader reads every packet of both.
        cases.append(Case(name: "pcapng with two interfaces of different link types (Ethernet, raw IP)", file: "two-links.pcapng",
                          bytes: {
                              Pcapng.sectionHeader() + Pcapng.interface(linkType: 1) + Pcapng.interface(linkType: 101)
                                  + Pcapng.packet(interface: 0, ticks: 1_700_000_000_000_000, frame)
                                  + Pcapng.packet(interface: 1, ticks: 1_700_000_000_001_000, Array(frame.dropFirst(14)))
                          },
                          expected: { .clean(packets: 2) }))
        cases.append(Case(name: "pcapng that switches link type after packets", file: "switch.pcapng",
                          bytes: {
                              Pcapng.sectionHeader() + Pcapng.interface(linkType: 1)
                                  + Pcapng.packet(interface: 0, ticks: 1_700_000_000_000_000, frame)
                                  + Pcapng.packet(interface: 0, ticks: 1_700_000_000_001_000, frame)
                                  + Pcapng.interface(linkType: 101)
                                  + Pcapng.packet(interface: 1, ticks: 1_700_000_000_002_000, Array(frame.dropFirst(14)))
                          },
                          expected: { .clean(packets: 3) }))
        cases.append(Case(name: "an empty file", file: "empty.pcap", bytes: { [] },
                          expected: { .error { .emptyFile(path: $0) } }))
        return cases
    }()

    @Test("each damaged capture", arguments: cases)
    func damaged(_ damage: Case) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(damage.file, damage.bytes())
        switch damage.expected() {
        case .error(let error):
            let thrown = #expect(throws: CaptureError.self) {
                let reader = try CaptureReader(paths: [path])
                _ = try reader.collect()
            }
            #expect(thrown == error(path))
        case .clean(let count):
            let (packets, outcome) = try CaptureReader(paths: [path]).collect()
            #expect(packets.count == count)
            #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
            #expect(outcome.endedBy == .endOfInput)
        case let .warning(count, kind, record, byte, occurrences, text):
            let (packets, outcome) = try CaptureReader(paths: [path]).collect()
            #expect(packets.count == count)
            #expect(outcome.endedBy == .endOfInput)
            let warning = try #require(outcome.warnings.first, "no warning")
            #expect(outcome.warnings.count == 1, "\(outcome.warnings)")
            #expect(warning.kind == kind)
            #expect(warning.source == path)
            #expect(warning.record == record)
            #expect(warning.recordOffset == byte)
            #expect(warning.occurrences == occurrences)
            #expect(warning.description.contains(text), "\(warning.description)")
            #expect(warning.description.contains("'\(path)'"))
            #expect(!warning.description.contains("\n"))
        }
    }

    @Test("records longer than the snapshot length are delivered cut to it, like libpcap does, and the next ones intact",
          arguments: [false, true])
    func oversizedRecordIsCut(bigEndian: Bool) throws {
        let dir = try TemporaryDirectory()
        var records = DamagedCaptureTests.fiveRecords()
        records[2].data = DamagedCaptureTests.frame + [UInt8](repeating: 0xEE, count: 54)
        let path = try dir.write("cut.pcap", DamagedCaptureTests.classic(bigEndian: bigEndian, snaplen: 64, records: records))
        let (packets, _) = try CaptureReader(paths: [path]).collect()
        #expect(packets.map(\.capturedLength) == [46, 46, 64, 46, 46])
        #expect(packets[2].bytes == Array(records[2].data.prefix(64)))
        #expect(packets[3].bytes == DamagedCaptureTests.frame)
        #expect(packets.map(\.time) == [1, 2, 3, 4, 5].map { Int64(1_700_000_000) * 1_000_000_000 + Int64($0) * 1_000_000 })
    }

    @Test("backwards timestamps: packets come in file order, and a later call does not repeat the warning")
    func backwardsInFileOrder() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("b.pcap", DamagedCaptureTests.classic(
            bigEndian: false, records: DamagedCaptureTests.fiveRecords([5000, 4000, 3000, 6000, 7000])))
        let reader = try CaptureReader(paths: [path])
        let (first, outcome1) = try reader.collect(limit: 3)
        #expect(first.map(\.time).map { $0 % 1_000_000_000 / 1_000_000 } == [5, 4, 3])
        #expect(outcome1.warnings.map(\.occurrences) == [2])
        let (rest, outcome2) = try reader.collect()
        #expect(rest.count == 2)
        #expect(outcome2.warnings.isEmpty)
    }

    @Test("a damaged file among good ones in a merge: its warning names it with the record and position")
    func damagedInMerge() throws {
        let dir = try TemporaryDirectory()
        let good = try dir.write("good.pcap", DamagedCaptureTests.classic(bigEndian: false, records: DamagedCaptureTests.fiveRecords()))
        let bad = try dir.write("bad.pcap", Array(DamagedCaptureTests.classic(
            bigEndian: false, records: DamagedCaptureTests.fiveRecords([1500, 2500, 3500])).dropLast(5)))
        let (packets, outcome) = try CaptureReader(paths: [good, bad]).collect()
        #expect(packets.count == 7)
        let warning = try #require(outcome.warnings.first)
        #expect(warning.source == bad)
        #expect(warning.record == 3)
        #expect(warning.recordOffset == DamagedCaptureTests.offset(ofRecord: 3))
    }
}
