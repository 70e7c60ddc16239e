/// What the decoder learned from one packet: a plain value with no heap storage. `payload`
/// borrows the capture buffer and is valid only inside the capture loop's callback.
public struct DecodedPacket {
    public var network: NetworkHeader
    public var transport: TransportHeader
    /// The captured part of the transport payload (may be shorter than `payloadLength`).
    public var payload: UnsafeRawBufferPointer
    /// The payload length the headers promise.
    public var payloadLength: Int
    /// A malformation that did not stop decoding (the packet still counts in its flow).
    public var note: DecodeIssue?

    @inlinable public init(network: NetworkHeader, transport: TransportHeader,
                           payload: UnsafeRawBufferPointer, payloadLength: Int, note: DecodeIssue? = nil) {
        self.network = network
        self.transport = transport
        self.payload = payload
        self.payloadLength = payloadLength
        self.note = note
    }

    /// Ports for TCP and UDP; ICMP's type and counterpart type (Zeek's convention); 0 otherwise.
    @inlinable public var sourcePort: UInt16 {
        switch transport {
        case .tcp(let t): t.sourcePort
        case .udp(let u): u.sourcePort
        case .icmp(let i): i.flowPorts.0
        case .other: 0
        }
    }

    @inlinable public var destinationPort: UInt16 {
        switch transport {
        case .tcp(let t): t.destinationPort
        case .udp(let u): u.destinationPort
        case .icmp(let i): i.flowPorts.1
        case .other: 0
        }
    }
}

/// The IP header fields flows keep: addresses, protocol, sizes, and the TTL and IP-ID that later
/// tell forged packets from real ones.
public struct NetworkHeader: Sendable, Equatable {
    // Stored widest first, so the header takes 48 bytes rather than 64 and a `DecodedPacket`
    // stays small enough to be copied in registers instead of through memcpy.
    public var source: IPAddress
    public var destination: IPAddress
    /// The packet's length on the wire from the IP header on, as its header says.
    public var totalLength: Int
    /// IPv4's identification field; for IPv6, the fragment header's, if any.
    public var identification: UInt32
    public var version: UInt8
    public var protocolNumber: UInt8
    /// TTL (IPv4) or hop limit (IPv6).
    public var timeToLive: UInt8
    public var hasIdentification: Bool

    @inlinable public init(version: UInt8, source: IPAddress, destination: IPAddress, protocolNumber: UInt8,
                           timeToLive: UInt8, identification: UInt32, hasIdentification: Bool, totalLength: Int) {
        self.version = version
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.timeToLive = timeToLive
        self.identification = identification
        self.hasIdentification = hasIdentification
        self.totalLength = totalLength
    }
}

/// The transport header, summarised.
public enum TransportHeader: Sendable, Equatable {
    case tcp(TCPHeader)
    case udp(UDPHeader)
    case icmp(ICMPHeader)
    case other
}

public struct TCPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    public var flags: TCPFlags
    public var window: UInt16
    /// Options are parsed for SYN segments only, where MSS and window scale are negotiated.
    public var synOptions: TCPOptions?

    public init(sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32, acknowledgmentNumber: UInt32,
                flags: TCPFlags, window: UInt16, synOptions: TCPOptions?) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.synOptions = synOptions
    }
}

public struct UDPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }
}

public struct ICMPHeader: Sendable, Equatable {
    public var type: UInt8
    public var code: UInt8
    public var isError: Bool
    public var isAdministrativelyProhibited: Bool
    public var flowPorts: (UInt16, UInt16)
    /// For error messages: the packet that caused it, so the error joins that packet's flow.
    public var quoted: QuotedPacket?

    public init(type: UInt8, code: UInt8, isError: Bool, isAdministrativelyProhibited: Bool,
                flowPorts: (UInt16, UInt16), quoted: QuotedPacket?) {
        self.type = type
        self.code = code
        self.isError = isError
        self.isAdministrativelyProhibited = isAdministrativelyProhibited
        self.flowPorts = flowPorts
        self.quoted = quoted
    }

    public static func == (a: ICMPHeader, b: ICMPHeader) -> Bool {
        a.type == b.type && a.code == b.code && a.quoted == b.quoted
    }
}

/// The start of the packet an ICMP error quotes.
public struct QuotedPacket: Sendable, Equatable {
    public var source: IPAddress
    public var destination: IPAddress
    public var protocolNumber: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Whether the quote was long enough to hold the ports.
    public var hasPorts: Bool

    public init(source: IPAddress, destination: IPAddress, protocolNumber: UInt8, sourcePort: UInt16,
                destinationPort: UInt16, hasPorts: Bool) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.hasPorts = hasPorts
    }
}
