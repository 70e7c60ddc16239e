import Capture
import Foundation
@testable import LabKit
import Testing

/// The traffic generators' wire formats and the offline rewrite, checked by tshark where it can
/// judge (QUIC decryption, checksums, DNS) and by the recognizers' own rules otherwise.
@Suite("LabKit wire formats and rewrite")
struct LabKitTests {
    // MARK: helpers

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// An IPv4 packet (checksummed header) around `payload`.
    static func ipv4(_ source: [UInt8], _ destination: [UInt8], protocolNumber: UInt8, _ payload: [UInt8], ttl: UInt8 = 64) -> [UInt8] {
        let total = 20 + payload.count
        var header: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0x12, 0x34, 0x40, 0, ttl, protocolNumber, 0, 0]
        header += source + destination
        let sum = checksum(header)
        header[10] = UInt8(sum >> 8)
        header[11] = UInt8(sum & 0xFF)
        return header + payload
    }

    /// A UDP datagram with its checksum over the IPv4 pseudo-header.
    static func udp(_ source: [UInt8], _ destination: [UInt8], _ sourcePort: UInt16, _ destinationPort: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let length = 8 + payload.count
        var datagram: [UInt8] = [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF), UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF),
                                 UInt8(length >> 8), UInt8(length & 0xFF), 0, 0] + payload
        let pseudo = source + destination + [0, 17, UInt8(length >> 8), UInt8(length & 0xFF)]
        var sum = checksum(pseudo + datagram)
        if sum == 0 { sum = 0xFFFF }
        datagram[6] = UInt8(sum >> 8)
        datagram[7] = UInt8(sum & 0xFF)
        return datagram
    }

    static func ethernet(_ packet: [UInt8]) -> [UInt8] {
        [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00] + packet
    }

    static func write(_ frames: [[UInt8]], linkType: LinkType = .ethernet) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("labkit-\(UUID().uuidString).pcap").path
        let writer = try CaptureWriter(path: path, linkType: linkType)
        for (index, frame) in frames.enumerated() {
            writer.write(timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(index) * 1_000_000, bytes: frame)
        }
        try writer.finish()
        return path
    }

    static func fields(_ path: String, _ fields: [String], filter: String? = nil) throws -> [[String]] {
        var arguments = ["-r", path, "-n", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                         "-T", "fields", "-E", "separator=/t"]
        if let filter { arguments += ["-Y", filter] }
        for field in fields { arguments += ["-e", field] }
        return try Tshark.run("tshark", arguments).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    static let client: [UInt8] = [10, 213, 1, 2]

    // MARK: MTProto

    @Test("obfuscated2 init blocks decrypt to the abridged tag and avoid the reserved starts")
    func obfuscated2() {
        var random = LabRandom(seed: 42)
        for dc in Int16(1)...5 {
            var client = MTProtoObfuscatedClient(random: &random, dc: dc)
            let block = client.initBlock
            #expect(block.count == 64)
            #expect(MTProtoObfuscatedClient.isPermitted(block))
            var stream = AESCounterStream(key: Array(block[8..<40]), iv: Array(block[40..<56]))
            let plain = stream.apply(block)
            #expect(Array(plain[56..<60]) == [0xEF, 0xEF, 0xEF, 0xEF])
            #expect(Int16(bitPattern: UInt16(plain[60]) | UInt16(plain[61]) << 8) == dc)
            // The injector's recognizer (the censor's DPI) sees it too.
            let triggers = InjectionTriggers(serverNames: [], mtproto: true, whatsApp: false)
            let frame = client.frame(MTProtoObfuscatedClient.requestPQ(random: &random, unixTime: 1_700_000_000))
            let stream2: [UInt8] = block + frame
            #expect(triggers.matches(stream2[...]) == "mtproto-obfuscated2")
        }
    }

    @Test("WhatsApp's preface and routing header are laid out as nDPI's whatsapp.pcap shows")
    func whatsAppPreface() {
        let preface: [UInt8] = [0x45, 0x44, 0x00, 0x01]
        let routing: [UInt8] = [0x00, 0x00, 0x04, 0x08, 0x09, 0x08, 0x02, 0x57, 0x41, 0x05, 0x02]
        #expect(WhatsAppChat.preface == preface)
        #expect(WhatsAppChat.routingAndVersion == routing)
        var random = LabRandom(seed: 1)
        let hello = WhatsAppChat.clientHello(random: &random)
        let length = Int(hello[0]) << 16 | Int(hello[1]) << 8 | Int(hello[2])
        #expect(length == hello.count - 3)
    }

    @Test("STUN messages carry WhatsApp's attributes and are well formed for tshark")
    func stun() throws {
        var random = LabRandom(seed: 9)
        let request = STUNLab.whatsAppBindingRequest(random: &random)
        #expect(request.count % 4 == 0)
        let length = Int(request[2]) << 8 | Int(request[3])
        #expect(length == request.count - 20)
        let mapped: LabAddress = "10.213.1.2"
        let response = try #require(STUNLab.successResponse(to: request, mapped: mapped, port: 40000))
        let server: [UInt8] = [10, 213, 64, 25]
        let path = try Self.write([
            Self.ethernet(Self.ipv4(Self.client, server, protocolNumber: 17, Self.udp(Self.client, server, 40000, 3478, request))),
            Self.ethernet(Self.ipv4(server, Self.client, protocolNumber: 17, Self.udp(server, Self.client, 3478, 40000, response))),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = try Self.fields(path, ["stun.type", "stun.att.type", "stun.att.ipv4"], filter: "stun")
        #expect(rows.count == 2)
        // tshark lists the standard attributes (PRIORITY, SOFTWARE); WhatsApp's own 0x4000/0x4003
        // follow the header, as BlockWatch's STUNAttribution expects them.
        #expect(rows.first?[1].contains("0x0024") == true)
        #expect(Array(request[20..<22]) == [0x40, 0x00])
        #expect(rows.last?[2] == "10.213.1.2")
    }

    // MARK: QUIC

    @Test("the client Initial is a real QUIC v1 Initial: tshark decrypts it and reads the SNI; the server's too")
    func quicInitial() throws {
        var random = LabRandom(seed: 77)
        let initial = QUICInitialBuilder.clientInitial(serverName: "www.youtube.com", random: &random)
        #expect(initial.datagram.count == 1200)
        let reply = QUICInitialBuilder.serverResponse(clientDCID: initial.dcid, clientSCID: initial.scid, random: &random)
        let server: [UInt8] = [142, 250, 186, 78]
        let path = try Self.write([
            Self.ethernet(Self.ipv4(Self.client, server, protocolNumber: 17, Self.udp(Self.client, server, 51000, 443, initial.datagram))),
            Self.ethernet(Self.ipv4(server, Self.client, protocolNumber: 17, Self.udp(server, Self.client, 443, 51000, reply))),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = try Self.fields(path, ["quic.long.packet_type", "tls.handshake.type", "tls.handshake.extensions_server_name",
                                          "tls.handshake.extensions_alpn_str"])
        #expect(rows.count == 2)
        #expect(rows[0][1] == "1")
        #expect(rows[0][2] == "www.youtube.com")
        #expect(rows[0][3] == "h3")
        #expect(rows[1][1] == "2", "the server Initial should decrypt to a ServerHello")
    }

    // MARK: rewrite

    @Test("the rewrite changes headers, DNS answers and ICMP quotes consistently and fixes every checksum")
    func rewrite() throws {
        let resolver: [UInt8] = [10, 213, 1, 1]
        let dc2: [UInt8] = [10, 213, 64, 12]   // tg-dc2 → 149.154.167.51
        // A DNS answer naming the lab address.
        var dns: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        dns += [3] + Array("dc2".utf8) + [3] + Array("lab".utf8) + [0, 0, 1, 0, 1]
        dns += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + dc2
        // A SYN to the DC, and the router's ICMP prohibited quoting it.
        var syn: [UInt8] = [0x9C, 0x40, 0x01, 0xBB, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFA, 0xF0, 0, 0, 0, 0]
        let pseudo = Self.client + dc2 + [0, 6, 0, 20]
        let tcpSum = Self.checksum(pseudo + syn)
        syn[16] = UInt8(tcpSum >> 8)
        syn[17] = UInt8(tcpSum & 0xFF)
        let synPacket = Self.ipv4(Self.client, dc2, protocolNumber: 6, syn)
        var icmp: [UInt8] = [3, 13, 0, 0, 0, 0, 0, 0] + synPacket
        let icmpSum = Self.checksum(icmp)
        icmp[2] = UInt8(icmpSum >> 8)
        icmp[3] = UInt8(icmpSum & 0xFF)
        var frames = [
            Self.ethernet(Self.ipv4(resolver, Self.client, protocolNumber: 17, Self.udp(resolver, Self.client, 53, 40001, dns))),
            Self.ethernet(synPacket),
            Self.ethernet(Self.ipv4(resolver, Self.client, protocolNumber: 1, icmp)),
        ]
        var rewriter = AddressRewriter()
        for index in frames.indices { rewriter.rewrite(&frames[index], linkType: .ethernet, complete: true) }
        #expect(rewriter.statistics.rewrittenDNSAnswers == 1)
        #expect(rewriter.statistics.rewrittenICMPQuotes == 1)
        let path = try Self.write(frames)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = try Self.fields(path, ["dns.a", "ip.dst", "ip.checksum.status", "udp.checksum.status", "tcp.checksum.status", "icmp.checksum.status"])
        #expect(rows.count == 3)
        #expect(rows[0][0] == "149.154.167.51")
        #expect(rows[0][3] == "1", "UDP checksum after the DNS rewrite")
        #expect(rows[1][1] == "149.154.167.51")
        #expect(rows[1][4] == "1", "TCP checksum after the address rewrite")
        #expect(rows[2][1] == "10.213.1.2,149.154.167.51", "the quoted destination is rewritten")
        #expect(rows[2][2] == "1,1", "outer and quoted IPv4 header checksums")
        #expect(rows[2][5] == "1", "ICMP checksum")
    }

    @Test("the censor's rule sets name the right addresses and mechanisms")
    func censorRules() {
        let rules = CensorRules(network: .ok, actions: [.blackhole(service: "telegram"), .sniDrop(service: "signal", names: ["chat.signal.org"]),
                                                        .icmpProhibited(service: "whatsapp"), .throttle(service: "twitter", names: ["twimg.com"], kbit: 140)])
        let v4 = rules.filterTable(ipv6: false)
        #expect(v4.contains("-A FORWARD -d 10.213.64.12 -j DROP"))
        #expect(v4.contains("--string \"chat.signal.org\" -j DROP"))
        #expect(v4.contains("--reject-with icmp-admin-prohibited"))
        #expect(v4.contains("--hashlimit-above 17500b/s"))
        #expect(rules.filterTable(ipv6: true).contains("--reject-with icmp6-adm-prohibited"))
        let cutoff = CensorRules(network: .cutoff, actions: []).filterTable(ipv6: false)
        #expect(cutoff.contains("-A FORWARD -j DROP") && cutoff.contains("--dport 53 -j DROP"))
        let dns = CensorRules(network: .ok, actions: [.dnsNXDOMAIN(service: "whatsapp", domains: ["whatsapp.net"])])
        #expect(dns.resolverConfiguration(runDirectory: "/run/x").contains("address=/whatsapp.net/\n"))
    }

    @Test("every scenario's truth for a phase follows from its rules")
    func scenarioTruth() {
        let kazakhstan = ScenarioCatalog.kazakhstan
        #expect(kazakhstan.file == "kazakhstan-2022.pcap")
        let p1 = kazakhstan.phases[1]
        #expect(ScenarioRunner.serviceState("telegram", phase: p1, profile: kazakhstan.profile).mechanism == "ip-blackhole")
        #expect(ScenarioRunner.serviceState("whatsapp", phase: p1, profile: kazakhstan.profile).mechanism == "rst-injection")
        #expect(ScenarioRunner.serviceState("signal", phase: p1, profile: kazakhstan.profile).mechanism == "sni-filtering")
        #expect(ScenarioRunner.serviceState("google", phase: p1, profile: kazakhstan.profile).state == "ok")
        let p2 = kazakhstan.phases[2]
        #expect(ScenarioRunner.serviceState("google", phase: p2, profile: kazakhstan.profile).cause == "network")
        #expect(Set(ScenarioCatalog.all.map(\.file)).count == ScenarioCatalog.all.count)
        #expect(ScenarioCatalog.all.contains { $0.isPcapng } && ScenarioCatalog.all.contains { $0.link == .any })
    }
}
