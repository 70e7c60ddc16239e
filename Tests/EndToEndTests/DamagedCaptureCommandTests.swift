import Foundation
import PacketCrafting
import Testing

/// Damaged captures through the command line (issue 8): `blockwatch flows` and `blockwatch
/// analyze` give the results for what could be read, a one-line warning naming the damage and
/// its position, and the exit status the README documents (0 when anything was read, 1 when
/// nothing could be).
@Suite("blockwatch flows and analyze on damaged captures")
struct DamagedCaptureCommandTests {
    /// A good classic pcap (ns, little-endian) of the small crafted traffic, and its records'
    /// offsets and lengths.
    struct Good {
        var bytes: [UInt8]
        var records: [(offset: Int, length: Int)]
    }

    static func good(in folder: String) throws -> Good {
        let path = folder + "/good.pcap"
        try CaptureFileWriting.write(CommandLineTests.smallTraffic(), to: path, link: .ethernet(EthernetFraming()))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var records: [(Int, Int)] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = Int(le32(bytes, offset + 8))
            records.append((offset, 16 + length))
            offset += 16 + length
        }
        return Good(bytes: bytes, records: records)
    }

    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func setLE32(_ b: inout [UInt8], _ i: Int, _ v: UInt32) {
        for k in 0..<4 { b[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    /// The good traffic as pcapng: one Ethernet interface (ns), one EPB per record.
    static func pcapng(_ good: Good, extraInterface: UInt16? = nil) -> [UInt8] {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            var padded = body
            while padded.count % 4 != 0 { padded.append(0) }
            var b: [UInt8] = []
            let total = UInt32(12 + padded.count)
            b += withUnsafeBytes(of: type.littleEndian, Array.init) + withUnsafeBytes(of: total.littleEndian, Array.init)
            return b + padded + withUnsafeBytes(of: total.littleEndian, Array.init)
        }
        func interface(_ linkType: UInt16) -> [UInt8] {
            var body = withUnsafeBytes(of: linkType.littleEndian, Array.init) + [0, 0]
            body += withUnsafeBytes(of: UInt32(262_144).littleEndian, Array.init)
            body += [9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0]   // if_tsresol = 9 (ns), end of options
            return block(1, body)
        }
        var out = block(0x0A0D_0D0A, [0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8))
        out += interface(1)
        if let extraInterface { out += interface(extraInterface) }
        for (offset, _) in good.records {
            let ticks = UInt64(le32(good.bytes, offset)) * 1_000_000_000 + UInt64(le32(good.bytes, offset + 4))
            let length = Int(le32(good.bytes, offset + 8))
            var body = withUnsafeBytes(of: UInt32(0).littleEndian, Array.init)
            body += withUnsafeBytes(of: UInt32(ticks >> 32).littleEndian, Array.init)
            body += withUnsafeBytes(of: UInt32(truncatingIfNeeded: ticks).littleEndian, Array.init)
            body += withUnsafeBytes(of: UInt32(length).littleEndian, Array.init) + withUnsafeBytes(of: UInt32(length).littleEndian, Array.init)
            body += good.bytes[(offset + 16)..<(offset + 16 + length)]
            out += block(6, body)
        }
        return out
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var file: String
        var make: @Sendable (Good) -> [UInt8]
        /// Exit status of both commands.
        var status: Int32
        /// Packets the summary reports (nil when nothing could be read).
        var packets: (@Sendable (Good) -> Int)?
        /// Text on standard error, after "blockwatch: " ('PATH' stands for the file).
        var message: @Sendable (Good) -> String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "cut in the middle of a packet", file: "cut.pcap",
             make: { Array($0.bytes.dropLast(7)) }, status: 0, packets: { $0.records.count - 1 },
             message: { "warning: capture 'PATH' is cut short after \($0.records.count - 1) packets (in record \($0.records.count) at byte \($0.records.last!.offset)" }),
        // BlockWatch reads pcapng itself: the cut block's offset is known (a 28-byte section header,
        // a 32-byte interface, then one Enhanced Packet Block of 32 bytes plus the padded packet per record).
        Case(name: "cut in the middle of a pcapng block", file: "cut.pcapng",
             make: { Array(pcapng($0).dropLast(9)) }, status: 0, packets: { $0.records.count - 1 },
             message: { good in
                 let last = good.records.dropLast().reduce(28 + 32) { $0 + 32 + (($1.length - 16 + 3) & ~3) }
                 return "warning: capture 'PATH' is cut short after \(good.records.count - 1) packets (in record \(good.records.count) at byte \(last), reading stopped at byte"
             }),
        Case(name: "snaplen 64 in the file header, longer records", file: "snaplen.pcap",
             make: { var b = $0.bytes; setLE32(&b, 16, 64); return b }, status: 0, packets: { $0.records.count },
             message: { good in
                 let first = good.records.firstIndex { $0.length - 16 > 64 }!
                 let count = good.records.filter { $0.length - 16 > 64 }.count
                 return "warning: capture 'PATH' has \(count) records longer than its snapshot length (first: record \(first + 1) at byte \(good.records[first].offset))"
             }),
        Case(name: "one record with caplen > snaplen", file: "caplen.pcap",
             make: { good in
                 var b = good.bytes
                 let longest = good.records.map(\.length).max()! - 16
                 setLE32(&b, 16, UInt32(longest - 1))
                 return b
             }, status: 0, packets: { $0.records.count },
             message: { good in
                 let longest = good.records.map(\.length).max()!
                 let count = good.records.filter { $0.length == longest }.count
                 let first = good.records.firstIndex { $0.length == longest }!
                 return "warning: capture 'PATH' has \(count) record\(count == 1 ? "" : "s") longer than its snapshot length (first: record \(first + 1) at byte \(good.records[first].offset))"
             }),
        Case(name: "timestamps going backwards", file: "backwards.pcap",
             make: { good in
                 var b = good.bytes
                 // Record 4 is stamped 10 s before record 3.
                 setLE32(&b, good.records[3].offset, le32(b, good.records[2].offset) - 10)
                 return b
             }, status: 0, packets: { $0.records.count },
             message: { "warning: capture 'PATH' goes back in time once (first in record 4 at byte \($0.records[3].offset))" }),
        // libpcap refused this file (one link type per pcapng); BlockWatch's own reader reads it whole.
        Case(name: "pcapng with an Ethernet and a raw-IP interface", file: "two-links.pcapng",
             make: { pcapng($0, extraInterface: 101) }, status: 0, packets: { $0.records.count },
             message: { _ in "" }),
        Case(name: "an empty file", file: "empty.pcap", make: { _ in [] }, status: 1, packets: nil,
             message: { _ in "'PATH' is empty (0 bytes): not a capture" }),
        Case(name: "a file header and no packet", file: "header.pcap", make: { Array($0.bytes.prefix(24)) }, status: 0,
             packets: { _ in 0 }, message: { _ in "" }),
    ]

    @Test("flows and analyze: results for what was read, the warning, the documented exit status", arguments: cases)
    func damaged(_ damage: Case) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-damaged-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = try DamagedCaptureCommandTests.good(in: folder)
        #expect(good.records.count >= 10)
        let path = folder + "/" + damage.file
        try Data(damage.make(good)).write(to: URL(fileURLWithPath: path))
        let message = damage.message(good).replacingOccurrences(of: "PATH", with: path)

        let flows = try CommandLineTests.blockwatch("flows", path, "--no-progress")
        #expect(flows.status == damage.status, "\(flows.standardError)")
        let analyze = try CommandLineTests.blockwatch("analyze", path, "--format", "json", "--no-progress")
        #expect(analyze.status == damage.status, "\(analyze.standardError)")
        for run in [flows, analyze] {
            let lines = run.standardError.split(separator: "\n").map(String.init)
            if message.isEmpty {
                #expect(!run.standardError.contains("blockwatch:"), "\(run.standardError)")
            } else {
                #expect(lines.contains { $0.hasPrefix("blockwatch: " + message) }, "\(run.standardError)")
            }
            if damage.status != 0 { #expect(lines.count == 1 && run.standardOutput.isEmpty, "one line, nothing else") }
        }
        guard let packets = damage.packets?(good) else { return }
        #expect(flows.standardOutput.contains("\(packets) packets, "), "\(flows.standardOutput)")
        #expect(flows.standardOutput.contains("every packet accounted for"))
        let json = try JSONSerialization.jsonObject(with: Data(analyze.standardOutput.utf8)) as? [String: Any]
        let capture = try #require(json?["capture"] as? [String: Any])
        #expect(capture["packets"] as? Int == packets)
        let warnings = capture["warnings"] as? [String] ?? []
        if message.isEmpty {
            #expect(warnings.isEmpty)
        } else {
            #expect(warnings.contains { "warning: " + $0 == message || ("warning: " + $0).hasPrefix(message) }, "\(warnings)")
        }
    }
}
