import Foundation
import Testing
import Capture
import PacketCrafting

/// The `blockwatch` executable as a user runs it: outputs, exit codes, and one-line errors.
@Suite("blockwatch flows on the command line")
struct CommandLineTests {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The built executable sits beside the test bundle.
    static let executable: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("blockwatch").path
    }()

    static func blockwatch(_ arguments: String...) throws -> Result { try blockwatch(arguments) }

    static func blockwatch(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full one never blocks the child.
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// A temporary folder holding a small crafted capture: a complete TCP connection, a refused
    /// one, and a DNS-like UDP exchange.
    static func workspace() throws -> (folder: String, capture: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let capture = folder + "/small.pcap"
        try CaptureFileWriting.write(smallTraffic(), to: capture, link: .ethernet(EthernetFraming()))
        return (folder, capture)
    }

    static func smallTraffic(startingAt start: Int64 = 1_641_340_800_000_000_000, client: String = "192.0.2.10") -> [TimedPacket] {
        let complete = TCPConversation(client: HostPort(HostAddress(client)!, 40000), server: "198.51.100.20:443", startNanoseconds: start,
                                       exchanges: [TCPExchange(request: Array(repeating: 0x16, count: 300),
                                                               response: Array(repeating: 0x17, count: 1200))])
        let refused = TCPConversation(client: HostPort(HostAddress(client)!, 40001), server: "198.51.100.21:443",
                                      startNanoseconds: start + 500_000_000, shape: .refused)
        let dns = UDPExchange(client: HostPort(HostAddress(client)!, 5353), server: "198.51.100.53:53", startNanoseconds: start + 100_000_000,
                              request: Array(repeating: 1, count: 40), response: Array(repeating: 2, count: 80))
        return complete.packets() + refused.packets() + dns.packets()
    }

    @Test("the default table lists each flow and ends with a summary")
    func table() throws {
        let (_, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("198.51.100.20:443"))
        #expect(result.standardOutput.contains("REJ"))
        #expect(result.standardOutput.contains("3 flows"))
    }

    @Test("jsonl: one JSON object per flow with Zeek's field names; the summary goes to standard error")
    func jsonLines() throws {
        let (_, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture, "--format", "jsonl")
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for field in ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "conn_state",
                          "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "orig_bytes", "resp_bytes"] {
                #expect(object[field] != nil, "missing \(field)")
            }
        }
        #expect(result.standardError.contains("3 flows"))
    }

    @Test("zeek: a conn.log with #fields and #types headers and one tab-separated row per flow")
    func zeekTSV() throws {
        let (_, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture, "--format", "zeek")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let fields = try #require(lines.first { $0.hasPrefix("#fields\t") }).split(separator: "\t").dropFirst()
        let types = try #require(lines.first { $0.hasPrefix("#types\t") }).split(separator: "\t").dropFirst()
        #expect(fields.count == types.count)
        #expect(Array(fields.prefix(6)) == ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"])
        let rows = lines.filter { !$0.hasPrefix("#") }
        #expect(rows.count == 3)
        for row in rows { #expect(row.split(separator: "\t", omittingEmptySubsequences: false).count == fields.count) }
        #expect(lines.last?.hasPrefix("#close\t") == true)
    }

    @Test("csv: a header row of field names, then one row per flow")
    func csv() throws {
        let (_, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture, "--format", "csv")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ts,uid,id.orig_h") == true)
        #expect(lines.count == 4)
    }

    @Test("-o writes the records to a file")
    func outputFile() throws {
        let (folder, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture, "--format", "jsonl", "-o", folder + "/flows.jsonl")
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
        let written = try String(contentsOfFile: folder + "/flows.jsonl", encoding: .utf8)
        #expect(written.split(separator: "\n").count == 3)
    }

    @Test("a trailing BPF expression filters the packets, as tcpdump's does")
    func filter() throws {
        let (_, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture, "--format", "jsonl", "udp", "port", "53")
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("\"proto\":\"udp\"") == true)
    }

    @Test("-c stops after that many packets")
    func packetLimit() throws {
        let (_, capture) = try CommandLineTests.workspace()
        let result = try CommandLineTests.blockwatch("flows", capture, "-c", "3", "--format", "jsonl")
        #expect(result.standardError.hasPrefix("3 packets"))
    }

    @Test("several files are merged in time order")
    func merge() throws {
        let (folder, first) = try CommandLineTests.workspace()
        let second = folder + "/later.pcap"
        try CaptureFileWriting.write(CommandLineTests.smallTraffic(startingAt: 1_641_340_800_250_000_000, client: "192.0.2.11"), to: second,
                                     link: .ethernet(EthernetFraming()))
        let one = try CommandLineTests.blockwatch("flows", first, "--format", "jsonl")
        let both = try CommandLineTests.blockwatch("flows", first, second, "--format", "jsonl")
        #expect(both.status == 0)
        let packets = { (r: Result) in Int(r.standardError.split(separator: " ").first ?? "") ?? -1 }
        #expect(packets(both) == 2 * packets(one))
        let times = both.standardOutput.split(separator: "\n").compactMap { line -> Double? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["ts"] as? Double
        }
        #expect(times.count == 6)
        // Records are written as flows end (all at capture end here, oldest first): time order across files.
        #expect(times == times.sorted())
    }
}

/// Bad input: never a crash; a one-line error and exit 1 when nothing could be read; records
/// and a warning naming the damage when part of it could.
@Suite("blockwatch flows on bad input")
struct BadInputTests {
    static func expectOneLineError(_ result: CommandLineTests.Result, containing text: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.hasPrefix("blockwatch: "), sourceLocation: sourceLocation)
        #expect(result.standardError.contains(text), "\(result.standardError)", sourceLocation: sourceLocation)
    }

    @Test("a zero-length file")
    func empty() throws {
        let (folder, _) = try CommandLineTests.workspace()
        _ = FileManager.default.createFile(atPath: folder + "/empty.pcap", contents: Data())
        BadInputTests.expectOneLineError(try CommandLineTests.blockwatch("flows", folder + "/empty.pcap"), containing: "empty.pcap")
    }

    @Test("a file that is not a capture")
    func garbage() throws {
        let (folder, _) = try CommandLineTests.workspace()
        _ = FileManager.default.createFile(atPath: folder + "/garbage.pcap", contents: Data(repeating: 0x41, count: 4096))
        BadInputTests.expectOneLineError(try CommandLineTests.blockwatch("flows", folder + "/garbage.pcap"), containing: "garbage.pcap")
    }

    @Test("a path that does not exist")
    func missing() throws {
        BadInputTests.expectOneLineError(try CommandLineTests.blockwatch("flows", "/nonexistent/day1.pcap"), containing: "day1.pcap")
    }

    @Test("a directory")
    func directory() throws {
        let (folder, _) = try CommandLineTests.workspace()
        BadInputTests.expectOneLineError(try CommandLineTests.blockwatch("flows", folder), containing: "directory")
    }

    @Test("an unreadable file")
    func unreadable() throws {
        let (folder, capture) = try CommandLineTests.workspace()
        // Root reads anything, so make the path unreadable by making it a dangling symlink's target instead.
        let link = folder + "/dangling.pcap"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder + "/gone.pcap")
        _ = capture
        BadInputTests.expectOneLineError(try CommandLineTests.blockwatch("flows", link), containing: "dangling.pcap")
    }

    @Test("a link type BlockWatch does not decode is named in the error")
    func unsupportedLinkType() throws {
        let (folder, _) = try CommandLineTests.workspace()
        let path = folder + "/usb.pcap"
        let writer = try CaptureWriter(path: path, linkType: LinkType(rawValue: 220))   // DLT_USB_LINUX_MMAPPED
        writer.write(timestampNanoseconds: 1, bytes: [UInt8](repeating: 0, count: 64))
        try writer.finish()
        let result = try CommandLineTests.blockwatch("flows", path)
        BadInputTests.expectOneLineError(result, containing: "link type")
        #expect(result.standardError.contains("USB"))
    }

    @Test("a file cut in the middle of a packet: the records read so far, and a warning naming the damage")
    func truncated() throws {
        let (folder, capture) = try CommandLineTests.workspace()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: capture))
        bytes = bytes.prefix(bytes.count - 20)
        let cut = folder + "/cut.pcap"
        try bytes.write(to: URL(fileURLWithPath: cut))
        let result = try CommandLineTests.blockwatch("flows", cut, "--format", "jsonl")
        #expect(result.status == 0)
        #expect(!result.standardOutput.isEmpty)
        #expect(result.standardError.contains("warning"))
        #expect(result.standardError.contains("cut.pcap"))
    }

    @Test("a pcapng with a block type nobody knows is read past it")
    func pcapngUnknownBlock() throws {
        let (folder, _) = try CommandLineTests.workspace()
        // Section header, interface description (Ethernet), an unknown block, one enhanced packet.
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let length = UInt32(12 + body.count)
            func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
            return le(type) + le(length) + body + le(length)
        }
        let shb = block(0x0A0D0D0A, [0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8))
        let idb = block(1, [1, 0, 0, 0, 0xFF, 0xFF, 0, 0])
        let unknown = block(0x0BAD_0BAD & 0x7FFF_FFFF, [1, 2, 3, 4, 5, 6, 7, 8])
        let frame = EthernetFraming().frame(payload: IPv4Builder(source: "192.0.2.1", destination: "192.0.2.2")
            .packet(carrying: UDPBuilder(sourcePort: 1000, destinationPort: 53, payload: [1, 2, 3, 4])),
                                            etherType: EtherTypeNumber.ipv4, direction: .outbound)
        let padded = frame + [UInt8](repeating: 0, count: (4 - frame.count % 4) % 4)
        func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        let epb = block(6, le(0) + le(0) + le(1_000_000) + le(UInt32(frame.count)) + le(UInt32(frame.count)) + padded)
        let path = folder + "/unknown-block.pcapng"
        try Data(shb + idb + unknown + epb).write(to: URL(fileURLWithPath: path))
        let result = try CommandLineTests.blockwatch("flows", path, "--format", "jsonl")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").count == 1)
    }

    @Test("a bad filter expression is a one-line error quoting it")
    func badFilter() throws {
        let (_, capture) = try CommandLineTests.workspace()
        BadInputTests.expectOneLineError(try CommandLineTests.blockwatch("flows", capture, "tcp", "port", "and"),
                                         containing: "tcp port and")
    }

    @Test("usage errors exit 64")
    func usage() throws {
        let (_, capture) = try CommandLineTests.workspace()
        #expect(try CommandLineTests.blockwatch("flows", capture, "--format", "xml").status == 64)
        #expect(try CommandLineTests.blockwatch("flows").status == 64)
        #expect(try CommandLineTests.blockwatch("flows", capture, "-c", "0").status == 64)
    }
}
