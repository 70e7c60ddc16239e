#if os(Linux)
import Foundation
import Glibc
import PacketCrafting

/// What makes the censor's injector fire on a client's first data segment.
public struct InjectionTriggers: Sendable {
    /// TLS ClientHellos whose SNI equals one of these or ends with "." + one of them.
    public var serverNames: [String]
    /// Telegram's obfuscated2 init block (decrypts to a known transport tag).
    public var mtproto: Bool
    /// WhatsApp's `ED 00 01` preface.
    public var whatsApp: Bool

    public init(serverNames: [String], mtproto: Bool, whatsApp: Bool) {
        self.serverNames = serverNames
        self.mtproto = mtproto
        self.whatsApp = whatsApp
    }

    func matches(_ payload: ArraySlice<UInt8>) -> String? {
        let bytes = Array(payload)
        if whatsApp, bytes.count >= 4, bytes[0] == 0x45, bytes[1] == 0x44, bytes[2] == 0x00, bytes[3] == 0x01 {
            return "whatsapp-preface"
        }
        if let name = InjectionTriggers.serverName(bytes) {
            let lower = name.lowercased()
            if serverNames.contains(where: { lower == $0 || lower.hasSuffix("." + $0) }) { return "sni " + lower }
            return nil
        }
        if mtproto, bytes.count >= 64, MTProtoObfuscatedClient.isPermitted(Array(bytes[0..<64])) {
            var stream = AESCounterStream(key: Array(bytes[8..<40]), iv: Array(bytes[40..<56]))
            let plain = stream.apply(Array(bytes[0..<64]))
            let tag = be32(plain, 56)
            if tag == 0xEFEF_EFEF || tag == 0xEEEE_EEEE || tag == 0xDDDD_DDDD { return "mtproto-obfuscated2" }
        }
        return nil
    }

    /// The SNI of a ClientHello that starts `bytes` (one record, as the lab's clients send it).
    static func serverName(_ bytes: [UInt8]) -> String? {
        guard bytes.count > 43, bytes[0] == 0x16, bytes[5] == 0x01 else { return nil }
        var offset = 9 + 2 + 32
        guard offset < bytes.count else { return nil }
        offset += 1 + Int(bytes[offset])                                   // session id
        guard offset + 2 <= bytes.count else { return nil }
        offset += 2 + Int(be16(bytes, offset))                             // cipher suites
        guard offset < bytes.count else { return nil }
        offset += 1 + Int(bytes[offset])                                   // compression
        guard offset + 2 <= bytes.count else { return nil }
        let end = min(bytes.count, offset + 2 + Int(be16(bytes, offset)))
        offset += 2
        while offset + 4 <= end {
            let type = be16(bytes, offset)
            let length = Int(be16(bytes, offset + 2))
            if type == 0, offset + 9 <= end {
                let nameLength = Int(be16(bytes, offset + 7))
                guard offset + 9 + nameLength <= bytes.count else { return nil }
                return String(decoding: bytes[(offset + 9)..<(offset + 9 + nameLength)], as: UTF8.self)
            }
            offset += 4 + length
        }
        return nil
    }
}

/// The censor's on-path RST injector: it watches the client-facing interface (AF_PACKET), and
/// when a client's first data segment matches a trigger it sends RST/ACK + RST to the client
/// (straight onto the client's link, so they race the real server's answer) and a RST to the
/// server (routed, so it travels the real path). Its packets carry its own TTL and random IP-IDs.
/// The triggering segment itself is let through: the real server still answers, too late.
public final class RSTInjector {
    let triggers: InjectionTriggers
    let interface: String
    let ttl: UInt8
    let delay: Double
    var random: DeterministicRandom
    let packetSocket: Int32
    let interfaceIndex: Int32

    public init(interface: String, triggers: InjectionTriggers, ttl: UInt8 = 64, delay: Double = 0.012, seed: UInt64) throws(LabSocketError) {
        self.interface = interface
        self.triggers = triggers
        self.ttl = ttl
        self.delay = delay
        random = DeterministicRandom(seed: seed)
        packetSocket = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(UInt16(0x0003).bigEndian))   // ETH_P_ALL
        guard packetSocket >= 0 else { throw systemError("socket(AF_PACKET)") }
        interfaceIndex = Int32(if_nametoindex(interface))
        guard interfaceIndex > 0 else { throw .system("if_nametoindex \(interface)", ENODEV) }
        let link = RSTInjector.linkAddress(index: interfaceIndex, protocol: 0x0003, mac: nil)
        let bound = link.withUnsafeBytes { bind(packetSocket, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), 20) }
        guard bound == 0 else { throw systemError("bind(AF_PACKET)") }
    }

    public func run() -> Never {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var from = [UInt8](repeating: 0, count: 20)
            var length = socklen_t(20)
            let count = buffer.withUnsafeMutableBytes { raw in
                from.withUnsafeMutableBytes {
                    recvfrom(packetSocket, raw.baseAddress!, raw.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
                }
            }
            // Only frames arriving from the client, not the ones this router sends it
            // (sockaddr_ll's sll_pkttype, byte 10: PACKET_OUTGOING is 4).
            guard count > 14, from[10] != 4 else { continue }
            inspect(Array(buffer[0..<count]))
        }
    }

    func inspect(_ frame: [UInt8]) {
        let etherType = be16(frame, 12)
        var client: HostAddress
        var server: HostAddress
        var tcp: Int
        var end: Int
        if etherType == 0x0800, frame.count >= 34, frame[23] == 6 {
            let headerLength = Int(frame[14] & 0x0F) * 4
            client = HostAddress(bytes: Array(frame[26..<30]))
            server = HostAddress(bytes: Array(frame[30..<34]))
            tcp = 14 + headerLength
            end = min(frame.count, 14 + Int(be16(frame, 16)))
        } else if etherType == 0x86DD, frame.count >= 54, frame[20] == 6 {
            client = HostAddress(bytes: Array(frame[22..<38]))
            server = HostAddress(bytes: Array(frame[38..<54]))
            tcp = 54
            end = min(frame.count, 54 + Int(be16(frame, 18)))
        } else {
            return
        }
        guard tcp + 20 <= end else { return }
        let dataOffset = Int(frame[tcp + 12] >> 4) * 4
        let flags = frame[tcp + 13]
        guard flags & 0x10 != 0, flags & 0x07 == 0, tcp + dataOffset < end else { return }
        let payload = frame[(tcp + dataOffset)..<end]
        guard let reason = triggers.matches(payload) else { return }
        let clientPort = be16(frame, tcp)
        let serverPort = be16(frame, tcp + 2)
        let sequence = be32(frame, tcp + 4)
        let acknowledgment = be32(frame, tcp + 8)
        let nextSequence = sequence &+ UInt32(payload.count)
        if delay > 0 { usleep(UInt32(delay * 1_000_000)) }

        // To the client, on its own link: RST/ACK then RST, both "from the server".
        let toClient = [
            TCPBuilder(sourcePort: serverPort, destinationPort: clientPort, sequenceNumber: acknowledgment,
                       acknowledgmentNumber: nextSequence, flags: [.rst, .ack], window: 0),
            TCPBuilder(sourcePort: serverPort, destinationPort: clientPort, sequenceNumber: acknowledgment,
                       flags: [.rst], window: 0),
        ]
        for segment in toClient {
            let packet = ipPacket(source: server, destination: client, segment: segment)
            // Ethernet: back to the sender's MAC, from ours.
            let ethernet = Array(frame[6..<12]) + Array(frame[0..<6]) + Array(frame[12..<14])
            sendFrame(ethernet + packet)
        }
        // To the server, routed like any packet of the router's own.
        let toServer = TCPBuilder(sourcePort: clientPort, destinationPort: serverPort, sequenceNumber: nextSequence,
                                  flags: [.rst], window: 0)
        sendRouted(ipPacket(source: client, destination: server, segment: toServer), destination: server)
        labLog("inject: \(reason) \(client):\(clientPort) -> \(server):\(serverPort)")
    }

    func ipPacket(source: HostAddress, destination: HostAddress, segment: TCPBuilder) -> [UInt8] {
        if source.isIPv6 {
            return IPv6Builder(source: source, destination: destination, hopLimit: ttl).packet(carrying: segment)
        }
        return IPv4Builder(source: source, destination: destination, ttl: ttl, identification: random.nextUInt16())
            .packet(carrying: segment)
    }

    func sendFrame(_ frame: [UInt8]) {
        let link = RSTInjector.linkAddress(index: interfaceIndex, protocol: 0, mac: Array(frame[0..<6]))
        _ = frame.withUnsafeBytes { raw in
            link.withUnsafeBytes {
                sendto(packetSocket, raw.baseAddress!, raw.count, 0, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), 20)
            }
        }
    }

    /// A sockaddr_ll (linux/if_packet.h), which Swift's Glibc module does not export: family,
    /// protocol (network order), interface index, hardware type, packet type, address length, address.
    static func linkAddress(index: Int32, protocol etherType: UInt16, mac: [UInt8]?) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 20)
        let family = UInt16(AF_PACKET)
        bytes[0] = UInt8(family & 0xFF); bytes[1] = UInt8(family >> 8)
        bytes[2] = UInt8(etherType >> 8); bytes[3] = UInt8(etherType & 0xFF)
        withUnsafeBytes(of: index) { for offset in 0..<4 { bytes[4 + offset] = $0[offset] } }
        if let mac {
            bytes[11] = 6
            for offset in 0..<6 { bytes[12 + offset] = mac[offset] }
        }
        return bytes
    }

    func sendRouted(_ packet: [UInt8], destination: HostAddress) {
        let family = destination.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        guard fd >= 0 else { return }
        defer { close(fd) }
        let address = SocketAddress(destination, port: 0)
        _ = packet.withUnsafeBytes { raw in address.withPointer { sendto(fd, raw.baseAddress!, raw.count, 0, $0, $1) } }
    }
}
#endif
