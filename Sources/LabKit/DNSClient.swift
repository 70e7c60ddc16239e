import Foundation
import PacketCrafting
import Wire

/// What a stub lookup came back with.
public enum DNSLookupResult: Sendable, CustomStringConvertible {
    case addresses([HostAddress])
    case noData
    case error(rcode: Int)
    case timeout

    public var description: String {
        switch self {
        case .addresses(let list): list.map(\.description).joined(separator: ",")
        case .noData: "NODATA"
        case .error(let rcode): rcode == 3 ? "NXDOMAIN" : "rcode \(rcode)"
        case .timeout: "timeout"
        }
    }
}

/// A stub resolver: one query over UDP to the ISP's resolver, retried once, as a phone's would.
public struct DNSStub: Sendable {
    public var server: HostAddress
    public var attemptTimeout: Double = 2.5
    public var attempts = 2

    public init(server: HostAddress) { self.server = server }

    public func lookup(_ name: String, ipv6: Bool, random: inout DeterministicRandom) -> DNSLookupResult {
        let id = random.nextUInt16()
        let query = DNSMessageBuilder.query(id: id, name: name, type: ipv6 ? DNSMessageBuilder.typeAAAA : DNSMessageBuilder.typeA)
        guard let socket = try? UDPSocket(to: server, port: 53) else { return .timeout }
        for _ in 0..<attempts {
            try? socket.send(query)
            let deadline = Date().addingTimeInterval(attemptTimeout)
            while deadline.timeIntervalSinceNow > 0 {
                guard let reply = try? socket.receive(timeout: deadline.timeIntervalSinceNow) else { break }
                if let result = DNSStub.parse(reply, id: id) { return result }
            }
        }
        return .timeout
    }

    static func parse(_ reply: [UInt8], id: UInt16) -> DNSLookupResult? {
        reply.withUnsafeBytes { raw -> DNSLookupResult? in
            guard let message = DNSMessage(raw), message.isResponse, message.id == id else { return nil }
            let rcode = Int(message.flags & 0x0F)
            if rcode != 0 { return .error(rcode: rcode) }
            var addresses: [HostAddress] = []
            for record in message.answers {
                if let address = record.address {
                    addresses.append(address.ipv4.map { HostAddress.v4($0) } ?? .v6(high: address.high, low: address.low))
                }
            }
            return addresses.isEmpty ? .noData : .addresses(addresses)
        }
    }
}
