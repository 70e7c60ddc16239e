import BlockWatch
import Capture
import Foundation
import Identification
import PacketCrafting
import Wire
import Testing

/// A pcapng whose interfaces have different link types (what `dumpcap -i eth0 -i tun0` writes),
/// read whole (issue 8): each packet decoded by its own interface's link type.
@Suite("pcapng with interfaces of different link types: flows from every interface")
struct MixedLinkTypeTests {
    static let sll = LinkFraming.linuxSLL(LinuxCookedFraming())

    /// The small traffic three times over, one client per interface: Ethernet, raw IP, Linux SLL;
    /// plus `extra` packets on an interface of `extraLinkType` (a LINKTYPE_ value), if given.
    static func mixedCapture(in folder: String, extraLinkType: UInt16? = nil, extra: Int = 0) throws -> (path: String, packets: Int) {
        var b = PcapngBuilder()
        let clients: [(LinkFraming, String)] = [(.plainEthernet, "192.0.2.10"), (.raw, "192.0.2.20"), (sll, "192.0.2.30")]
        var all: [(interface: UInt32, framing: LinkFraming, packet: TimedPacket)] = []
        for (framing, client) in clients {
            let interface = b.interface(framing, resolution: .nanoseconds)
            all += CommandLineTests.smallTraffic(client: client).map { (interface, framing, $0) }
        }
        if let extraLinkType {
            let interface = b.interface(linkType: extraLinkType, resolution: .nanoseconds)
            for i in 0..<extra {
                b.enhancedPacket(interface: interface, timestampNanoseconds: 1_641_340_800_000_000_000 + Int64(i),
                                 [UInt8](repeating: 0x80, count: 64))
            }
        }
        // Interleaved in time, as a sensor writes them.
        for (interface, framing, packet) in all.sorted(by: { $0.packet.timestampNanoseconds < $1.packet.timestampNanoseconds }) {
            b.enhancedPacket(interface: interface, timestampNanoseconds: packet.timestampNanoseconds, framing.frame(packet))
        }
        let path = folder + "/mixed.pcapng"
        try b.write(to: path)
        return (path, all.count + extra)
    }

    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("blockwatch-mixed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("blockwatch flows: the flows of all three interfaces, every packet accounted for, exit 0")
    func flowsFromEveryInterface() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, packets) = try Self.mixedCapture(in: folder)
        let result = try CommandLineTests.blockwatch("flows", path, "--format", "jsonl", "--no-progress")
        #expect(result.status == 0, "\(result.standardError)")
        let flows = result.standardOutput.split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(flows.count == 9)
        for client in ["192.0.2.10", "192.0.2.20", "192.0.2.30"] {
            let theirs = flows.filter { $0["id.orig_h"] as? String == client }
            #expect(theirs.count == 3, "\(client)")
            #expect(theirs.contains { $0["conn_state"] as? String == "SF" }, "\(client)")
            #expect(theirs.contains { $0["conn_state"] as? String == "REJ" }, "\(client)")
        }
        #expect(result.standardError.contains("packets: \(packets) = \(packets) in flows"), "\(result.standardError)")
        #expect(result.standardError.contains("every packet accounted for"))
        #expect(!result.standardError.contains("warning"))
    }

    @Test("a BPF filter applies to every interface of a mixed file")
    func filterOverMixedFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, _) = try Self.mixedCapture(in: folder)
        let result = try CommandLineTests.blockwatch("flows", path, "udp port 53", "--format", "jsonl", "--no-progress")
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("\"id.resp_p\":53") }, "\(lines)")
    }

    @Test("packets of an unsupported link type among decoded ones: counted as unsupported_link_type, the identity holds")
    func unsupportedInterfaceCounted() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, packets) = try Self.mixedCapture(in: folder, extraLinkType: 189, extra: 4)   // LINKTYPE_USB_LINUX
        let reader = try CaptureReader(paths: [path])
        var pipeline = try PacketPipeline(sources: reader.sources, linkTypes: reader.linkTypes,
                                          describedLinkTypes: reader.describedLinkTypes,
                                          configuration: FlowTableConfiguration(), catalog: try SignatureCatalog.bundled())
        var flows = 0
        _ = try reader.forEachPacket { packet in pipeline.process(packet) { _, _ in flows += 1 } }
        pipeline.finish { _, _ in flows += 1 }
        let summary = pipeline.summary
        #expect(summary.packets == packets)
        #expect(summary.issues[.unsupportedLinkType] == 4)
        #expect(summary.undecodable == 4)
        #expect(summary.inFlows == packets - 4)
        #expect(summary.isBalanced)
        #expect(flows == 9)

        let result = try CommandLineTests.blockwatch("flows", path, "--no-progress")
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("4 undecodable (unsupported_link_type 4): every packet accounted for"),
                "\(result.standardOutput)")
    }

    @Test("a pcapng whose only link types are unsupported is still refused with one line")
    func onlyUnsupported() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var b = PcapngBuilder()
        b.interface(linkType: 189)
        b.interface(linkType: 147)
        b.enhancedPacket(interface: 0, ticks: 1, [UInt8](repeating: 0, count: 64))
        b.enhancedPacket(interface: 1, ticks: 2, [UInt8](repeating: 0, count: 64))
        let path = folder + "/usb.pcapng"
        try b.write(to: path)
        for command in ["flows", "analyze"] {
            let result = try CommandLineTests.blockwatch(command, path, "--no-progress")
            #expect(result.status == 1)
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1, "\(result.standardError)")
            #expect(result.standardError.hasPrefix("blockwatch: '\(path)' has link type USB_LINUX"), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test("an unsupported first interface does not refuse a file whose other interface is decoded")
    func unsupportedFirstInterface() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var b = PcapngBuilder()
        b.interface(linkType: 189)
        let eth = b.interface(.plainEthernet, resolution: .nanoseconds)
        b.enhancedPacket(interface: 0, ticks: 1, [UInt8](repeating: 0, count: 64))
        b.enhancedPackets(interface: eth, framing: .plainEthernet, CommandLineTests.smallTraffic())
        let path = folder + "/usb-first.pcapng"
        try b.write(to: path)
        let result = try CommandLineTests.blockwatch("flows", path, "--no-progress")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("3 flows"))
        #expect(result.standardOutput.contains("(unsupported_link_type 1)"))
    }
}
