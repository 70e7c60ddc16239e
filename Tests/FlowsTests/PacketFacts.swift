import Flows
import Wire

/// Hand-built decoded packets: the facts flows are made of, without any bytes.
enum PacketFacts {
    static var noBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    static func tcp(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16,
                    _ flags: TCPFlags, seq: UInt32, ack: UInt32 = 0, payload: Int = 0, window: UInt16 = 65_535,
                    ttl: UInt8 = 64, ipID: UInt32 = 1) -> DecodedPacket {
        let network = NetworkHeader(version: source.contains(":") ? 6 : 4, source: IPAddress(source)!,
                                    destination: IPAddress(destination)!, protocolNumber: 6, timeToLive: ttl,
                                    identification: ipID, hasIdentification: !source.contains(":"),
                                    totalLength: 40 + payload)
        let header = TCPHeader(sourcePort: sourcePort, destinationPort: destinationPort, sequenceNumber: seq,
                               acknowledgmentNumber: ack, flags: flags, window: window, synOptions: nil)
        return DecodedPacket(network: network, transport: .tcp(header), payload: noBytes, payloadLength: payload)
    }

    static func udp(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16,
                    payload: Int = 32, ttl: UInt8 = 64) -> DecodedPacket {
        let network = NetworkHeader(version: 4, source: IPAddress(source)!, destination: IPAddress(destination)!,
                                    protocolNumber: 17, timeToLive: ttl, identification: 7, hasIdentification: true,
                                    totalLength: 28 + payload)
        return DecodedPacket(network: network,
                             transport: .udp(UDPHeader(sourcePort: sourcePort, destinationPort: destinationPort)),
                             payload: noBytes, payloadLength: payload)
    }

    /// An ICMP destination-unreachable from `router`, quoting a packet from `quotedSource` to `quotedDestination`.
    static func unreachable(from router: String, to client: String, code: UInt8, quoting protocolNumber: UInt8,
                            _ quotedSource: String, _ quotedSourcePort: UInt16,
                            _ quotedDestination: String, _ quotedDestinationPort: UInt16) -> DecodedPacket {
        let network = NetworkHeader(version: 4, source: IPAddress(router)!, destination: IPAddress(client)!,
                                    protocolNumber: 1, timeToLive: 250, identification: 99, hasIdentification: true,
                                    totalLength: 56)
        let quoted = QuotedPacket(source: IPAddress(quotedSource)!, destination: IPAddress(quotedDestination)!,
                                  protocolNumber: protocolNumber, sourcePort: quotedSourcePort,
                                  destinationPort: quotedDestinationPort, hasPorts: true)
        let icmp = ICMPHeader(type: 3, code: code, isError: true,
                              isAdministrativelyProhibited: code == 13 || code == 9 || code == 10,
                              flowPorts: (3, UInt16(code)), quoted: quoted)
        return DecodedPacket(network: network, transport: .icmp(icmp), payload: noBytes, payloadLength: 28)
    }
}

/// Feeds packets at given seconds into a table and collects every record, open flows included.
struct FlowTableHarness {
    var table: FlowTable
    var records: [FlowRecord] = []

    init(_ configuration: FlowTableConfiguration = FlowTableConfiguration()) {
        table = FlowTable(configuration: configuration)
    }

    @discardableResult
    mutating func feed(_ packet: DecodedPacket, at seconds: Double) -> FlowObservation {
        let observation = table.observe(packet, at: Timestamp(seconds: 1_641_340_800 + seconds))
        records += table.takeEnded()
        return observation
    }

    mutating func finish() -> [FlowRecord] {
        table.finish()
        records += table.takeEnded()
        return records
    }
}
