/// A deterministic UDP request and optional response between a client and a server, as a capture
/// next to the client sees it (a DNS lookup, a QUIC-like datagram pair, ...).
public struct UDPExchange: Sendable {
    public var client: HostPort
    public var server: HostPort
    public var startNanoseconds: Int64
    public var roundTripNanoseconds: Int64
    public var request: [UInt8]
    /// nil: the request is never answered.
    public var response: [UInt8]?
    public var clientTTL: UInt8
    public var serverTTL: UInt8
    /// Fixes the IP-IDs.
    public var seed: UInt64

    /// A request/response pair; everything random comes from `seed`.
    public init(client: HostPort, server: HostPort, startNanoseconds: Int64, request: [UInt8], response: [UInt8]?,
                roundTripNanoseconds: Int64 = 20_000_000, seed: UInt64 = 1) {
        precondition(client.address.isIPv6 == server.address.isIPv6, "client and server must share an address family")
        self.client = client
        self.server = server
        self.startNanoseconds = startNanoseconds
        self.roundTripNanoseconds = roundTripNanoseconds
        self.request = request
        self.response = response
        self.clientTTL = 64
        self.serverTTL = 52
        self.seed = seed
    }

    /// The request datagram (`.outbound`) and, if any, the response (`.inbound`).
    public func packets() -> [TimedPacket] {
        var random = DeterministicRandom(seed: seed)
        var packets = [TimedPacket(timestampNanoseconds: startNanoseconds,
                                   bytes: datagram(from: client, to: server, ttl: clientTTL, id: random.nextUInt16(), payload: request),
                                   direction: .outbound)]
        if let response {
            packets.append(TimedPacket(timestampNanoseconds: startNanoseconds + roundTripNanoseconds,
                                       bytes: datagram(from: server, to: client, ttl: serverTTL, id: random.nextUInt16(), payload: response),
                                       direction: .inbound))
        }
        return packets
    }

    private func datagram(from source: HostPort, to destination: HostPort, ttl: UInt8, id: UInt16, payload: [UInt8]) -> [UInt8] {
        let udp = UDPBuilder(sourcePort: source.port, destinationPort: destination.port, payload: payload)
        if source.address.isIPv6 {
            return IPv6Builder(source: source.address, destination: destination.address, hopLimit: ttl).packet(carrying: udp)
        }
        return IPv4Builder(source: source.address, destination: destination.address, ttl: ttl, identification: id).packet(carrying: udp)
    }
}
