import Foundation

/// One packet as tshark dissects it: the fields the truth checks need. ICMP errors carry the
/// quoted packet's fields as second occurrences (outer first).
struct TsharkPacket {
    var number: Int
    var time: Double
    var sources: [String]
    var destinations: [String]
    var ttl: Int?
    var tcpSourcePort: Int?
    var tcpDestinationPort: Int?
    var tcpFlags: Int?
    var tcpLength: Int
    var tcpStream: Int?
    var udpSourcePort: Int?
    var udpDestinationPort: Int?
    var handshakeTypes: [Int]
    var serverNames: [String]
    var dnsResponse: Bool?
    var dnsRcode: Int?
    var dnsNames: [String]
    var dnsAddresses: [String]
    var icmpType: Int?
    var icmpCode: Int?
    var icmp6Type: Int?
    var icmp6Code: Int?
    var quicPacketTypes: [Int]
    var retransmission: Bool
    var badChecksums: [String]

    var source: String { sources.first ?? "" }
    var destination: String { destinations.first ?? "" }
    var isTCP: Bool { tcpSourcePort != nil && icmpType == nil && icmp6Type == nil }
    var isUDP: Bool { udpSourcePort != nil && icmpType == nil && icmp6Type == nil }
    var isSYN: Bool { isTCP && (tcpFlags ?? 0) & 0x12 == 0x02 }
    var isSYNACK: Bool { isTCP && (tcpFlags ?? 0) & 0x12 == 0x12 }
    var isRST: Bool { isTCP && (tcpFlags ?? 0) & 0x04 != 0 }
    var isFIN: Bool { isTCP && (tcpFlags ?? 0) & 0x01 != 0 }
}

enum TsharkError: Error, CustomStringConvertible {
    case notInstalled
    case failed(String)
    var description: String {
        switch self {
        case .notInstalled: "tshark is not installed (scripts/ensure-deps.sh --test installs it)"
        case .failed(let text): text
        }
    }
}

/// Runs tshark (and capinfos) through Foundation's Process.
enum Tshark {
    static let fields = [
        "frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.ttl", "ipv6.hlim",
        "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.len", "tcp.stream", "udp.srcport", "udp.dstport",
        "tls.handshake.type", "tls.handshake.extensions_server_name", "dns.flags.response", "dns.flags.rcode",
        "dns.qry.name", "dns.a", "dns.aaaa", "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
        "quic.long.packet_type", "tcp.analysis.retransmission",
        "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status",
    ]

    static func find(_ tool: String) -> String? {
        for directory in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        return nil
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        guard let path = find(tool) else { throw TsharkError.notInstalled }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TsharkError.failed("\(tool) \(arguments.joined(separator: " ")): exit \(process.terminationStatus): \(errorText)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every packet of `file`, checksums validated.
    static func packets(_ file: String) throws -> [TsharkPacket] {
        var arguments = ["-r", file, "-n",
                         "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                         "-T", "fields", "-E", "separator=/t", "-E", "aggregator=,"]
        for field in fields { arguments += ["-e", field] }
        let text = try run("tshark", arguments)
        var packets: [TsharkPacket] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= fields.count else { continue }
            func list(_ index: Int) -> [String] { columns[index].isEmpty ? [] : columns[index].split(separator: ",").map(String.init) }
            func int(_ index: Int) -> Int? {
                guard let first = list(index).first else { return nil }
                return first.hasPrefix("0x") ? Int(first.dropFirst(2), radix: 16) : Int(first)
            }
            var bad: [String] = []
            for (offset, name) in ["ip", "tcp", "udp", "icmp", "icmpv6"].enumerated() where list(28 + offset).contains("0") {
                bad.append(name)
            }
            packets.append(TsharkPacket(
                number: Int(columns[0]) ?? 0, time: Double(columns[1]) ?? 0,
                sources: list(2) + list(4), destinations: list(3) + list(5),
                ttl: int(6) ?? int(7),
                tcpSourcePort: int(8), tcpDestinationPort: int(9), tcpFlags: int(10), tcpLength: int(11) ?? 0,
                tcpStream: int(12), udpSourcePort: int(13), udpDestinationPort: int(14),
                handshakeTypes: list(15).compactMap { Int($0) }, serverNames: list(16).map { $0.lowercased() },
                dnsResponse: list(17).first.map { $0 == "1" || $0 == "True" }, dnsRcode: int(18),
                dnsNames: list(19).map { $0.lowercased() }, dnsAddresses: list(20) + list(21),
                icmpType: int(22), icmpCode: int(23), icmp6Type: int(24), icmp6Code: int(25),
                quicPacketTypes: list(26).compactMap { Int($0) }, retransmission: !list(27).isEmpty,
                badChecksums: bad))
        }
        return packets
    }

    /// capinfos' file type and encapsulation ("pcap"/"pcapng", "ether"/"linux-sll2").
    static func fileInfo(_ file: String) throws -> (type: String, encapsulation: String) {
        let text = try run("capinfos", ["-T", "-r", "-t", "-E", file])
        let columns = text.split(separator: "\n").first?.split(separator: "\t").map(String.init) ?? []
        guard columns.count >= 3 else { throw TsharkError.failed("capinfos: \(text)") }
        return (columns[1], columns[2])
    }
}
