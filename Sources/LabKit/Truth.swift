import Capture
import Foundation
import PacketCrafting
import Wire

/// One flow of a recorded capture as the lab knows it: its 5-tuple after the rewrite and the
/// service it belongs to by construction (every lab server address belongs to one service).
public struct TruthFlow: Codable, Sendable {
    public var proto: String
    public var client: String
    public var client_port: Int
    public var server: String
    public var server_port: Int
    public var service: String
    public var kind: String
    public var name: String?
    public var first: Double
    public var last: Double
    public var client_packets: Int
    public var server_packets: Int
}

public struct TruthServiceState: Codable, Sendable {
    public var state: String
    public var mechanism: String
    /// `selective` (the censor targets this service), `network` (a cutoff), `idle` or `none`.
    public var cause: String
}

public struct TruthRule: Codable, Sendable {
    public var service: String
    public var mechanism: String
    public var rule: String
    public var names: [String]?
    public var addresses: [String]?
}

public struct TruthPhase: Codable, Sendable {
    public var name: String
    public var start: Double
    public var end: Double
    public var note: String
    public var network: String
    public var activity: String
    public var rules: [TruthRule]
    public var services: [String: TruthServiceState]
}

public struct TruthHost: Codable, Sendable {
    public var service: String
    public var role: String
    public var region: String
    public var names: [String]
    public var addresses: [String]
}

public struct TruthCapture: Codable, Sendable {
    public var file: String
    public var format: String
    public var link_type: String
    public var snaplen: Int
    public var first_packet: Double
    public var last_packet: Double
    public var packets: Int
    public var ends_mid_session: Bool
}

public struct TruthVantage: Codable, Sendable {
    public var client: [String]
    public var gateway: [String]
    public var resolver: [String]
    public var bogus_dns_answers: [String]
}

public struct TruthGroups: Codable, Sendable {
    public var control: [String]
    public var domestic: [String]
    public var domestic_prefixes: [String]
    public var services: [String]
}

/// The truth file (`blockwatch.truth/1`), documented in lab/README.md.
public struct TruthFile: Codable, Sendable {
    public var schema = "blockwatch.truth/1"
    public var scenario: String
    public var description: String
    public var generator: String
    public var capture: TruthCapture
    public var vantage: TruthVantage
    public var groups: TruthGroups
    public var hosts: [TruthHost]
    public var phases: [TruthPhase]
    public var flows: [TruthFlow]

    /// Pretty JSON with one flow per line, so the file stays readable at a few thousand flows.
    public func encoded() throws -> String {
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let compact = JSONEncoder()
        compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var copy = self
        copy.flows = []
        var text = String(decoding: try pretty.encode(copy), as: UTF8.self)
        guard let range = text.range(of: "\"flows\" : [\n\n  ]") ?? text.range(of: "\"flows\" : [\n  ]")
                ?? text.range(of: "\"flows\" : [ ]") ?? text.range(of: "\"flows\" : []") else { return text }
        let lines = try flows.map { "    " + String(decoding: try compact.encode($0), as: UTF8.self) }
        text.replaceSubrange(range, with: "\"flows\" : [\n" + lines.joined(separator: ",\n") + "\n  ]")
        return text + "\n"
    }
}

/// Collects flows from a capture's packets (lab addresses, before the rewrite).
public final class FlowCollector {
    struct Key: Hashable {
        var proto: UInt8
        var clientPort: UInt16
        var server: HostAddress
        var serverPort: UInt16
        var client: HostAddress
    }

    var flows: [Key: TruthFlow] = [:]
    var order: [Key] = []
    public private(set) var firstTime: Double = 0
    public private(set) var lastTime: Double = 0
    public private(set) var packets = 0
    let clients: Set<HostAddress> = [LabPlan.clientV4, LabPlan.clientV6]
    let map = LabPlan.rewriteMap
    /// The service bogus DNS answers (the sinkhole) stand for in this scenario.
    let sinkholeService: String?

    public init(sinkholeService: String?) { self.sinkholeService = sinkholeService }

    public func observe(time: Int64, bytes: [UInt8], linkType: LinkType) {
        let seconds = Double(time) / 1e9
        if packets == 0 { firstTime = seconds }
        packets += 1
        lastTime = seconds
        guard let start = LinkFraming.ipStart(bytes, linkType: linkType) else { return }
        let version = bytes[start] >> 4
        var source: HostAddress
        var destination: HostAddress
        var proto: UInt8
        var transport: Int
        if version == 4, bytes.count >= start + 20 {
            source = HostAddress(bytes: Array(bytes[(start + 12)..<(start + 16)]))
            destination = HostAddress(bytes: Array(bytes[(start + 16)..<(start + 20)]))
            proto = bytes[start + 9]
            transport = start + Int(bytes[start] & 0x0F) * 4
        } else if version == 6, bytes.count >= start + 40 {
            source = HostAddress(bytes: Array(bytes[(start + 8)..<(start + 24)]))
            destination = HostAddress(bytes: Array(bytes[(start + 24)..<(start + 40)]))
            proto = bytes[start + 6]
            transport = start + 40
        } else {
            return
        }
        guard proto == 6 || proto == 17, bytes.count >= transport + 8 else { return }
        let sourcePort = be16(bytes, transport)
        let destinationPort = be16(bytes, transport + 2)
        let fromClient = clients.contains(source)
        guard fromClient || clients.contains(destination) else { return }
        let key = fromClient
            ? Key(proto: proto, clientPort: sourcePort, server: destination, serverPort: destinationPort, client: source)
            : Key(proto: proto, clientPort: destinationPort, server: source, serverPort: sourcePort, client: destination)
        if flows[key] == nil {
            var name: String?
            var service = "unknown"
            var kind = "other"
            if let host = LabPlan.host(labAddress: key.server) {
                service = host.service
                kind = FlowCollector.kind(role: host.role, proto: proto, port: key.serverPort)
            } else if key.server == LabPlan.sinkholeV4 || key.server == LabPlan.sinkholeV6 {
                service = sinkholeService ?? "unknown"
                kind = "bogus-dns-target"
            }
            if proto == 17 && key.serverPort == 53 {
                kind = "dns"
                if fromClient, let query = FlowCollector.queryName(Array(bytes[(transport + 8)...])) {
                    name = query
                    service = LabPlan.service(ofName: query) ?? "dns"
                } else {
                    service = "dns"
                }
            }
            let server = (map[key.server] ?? key.server).description
            flows[key] = TruthFlow(proto: proto == 6 ? "tcp" : "udp", client: key.client.description,
                                   client_port: Int(key.clientPort), server: server, server_port: Int(key.serverPort),
                                   service: service, kind: kind, name: name, first: seconds, last: seconds,
                                   client_packets: 0, server_packets: 0)
            order.append(key)
        }
        flows[key]!.last = seconds
        if fromClient { flows[key]!.client_packets += 1 } else { flows[key]!.server_packets += 1 }
    }

    static func kind(role: LabRole, proto: UInt8, port: UInt16) -> String {
        switch (role, proto) {
        case (.mtproto, 6): "mtproto-obfuscated2"
        case (.whatsappChat, 6): "whatsapp-chat"
        case (.stun, 17): "stun"
        case (.tlsSession, 6): "tls"
        case (.web, 6), (.webQUIC, 6): port == 80 ? "http" : "https"
        case (.webQUIC, 17): "quic"
        default: "other"
        }
    }

    static func queryName(_ payload: [UInt8]) -> String? {
        payload.withUnsafeBytes { raw -> String? in
            guard let message = DNSMessage(raw), !message.isResponse, let question = message.question else { return nil }
            return question.name.text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
    }

    public var collected: [TruthFlow] { order.compactMap { flows[$0] } }
}
