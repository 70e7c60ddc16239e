/// An ICMPv4 message (RFC 792): type, code, the four "rest of header" bytes and a body.
public struct ICMPBuilder: TransportSegment {
    public var type: UInt8
    public var code: UInt8
    /// Bytes 4–7: identifier and sequence for echo, next-hop MTU for "fragmentation needed", else zero.
    public var restOfHeader: UInt32
    public var body: [UInt8]
    /// Writes this checksum instead of the correct one.
    public var checksumOverride: UInt16?

    /// Any ICMP message.
    public init(type: UInt8, code: UInt8, restOfHeader: UInt32 = 0, body: [UInt8] = []) {
        self.type = type
        self.code = code
        self.restOfHeader = restOfHeader
        self.body = body
        self.checksumOverride = nil
    }

    public var ipProtocol: UInt8 { IPProtocolNumber.icmp }

    /// ICMPv4's checksum covers the message only (no pseudo-header), so the addresses are unused.
    public func serialized(source: HostAddress, destination: HostAddress) -> [UInt8] {
        var bytes: [UInt8] = [type, code, 0, 0]
        bytes.appendBigEndian(restOfHeader)
        bytes += body
        bytes.storeBigEndian(checksumOverride ?? Checksum.internet(bytes), at: 2)
        return bytes
    }

    /// Codes of Destination Unreachable (type 3), RFC 792 and RFC 1812.
    public enum UnreachableCode: UInt8, Sendable {
        case network = 0, host = 1, protocolUnreachable = 2, port = 3, fragmentationNeeded = 4,
             sourceRouteFailed = 5, networkProhibited = 9, hostProhibited = 10, administrativelyProhibited = 13
    }

    /// Echo Request (type 8).
    public static func echoRequest(identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> ICMPBuilder {
        ICMPBuilder(type: 8, code: 0, restOfHeader: UInt32(identifier) << 16 | UInt32(sequence), body: payload)
    }

    /// Echo Reply (type 0).
    public static func echoReply(identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> ICMPBuilder {
        ICMPBuilder(type: 0, code: 0, restOfHeader: UInt32(identifier) << 16 | UInt32(sequence), body: payload)
    }

    /// Destination Unreachable (type 3) quoting the offending packet's IP header and the first
    /// 8 bytes of what follows it (RFC 792); `nextHopMTU` goes with code 4 (RFC 1191).
    public static func destinationUnreachable(_ code: UnreachableCode, quoting original: [UInt8],
                                              nextHopMTU: UInt16 = 0) -> ICMPBuilder {
        ICMPBuilder(type: 3, code: code.rawValue, restOfHeader: UInt32(nextHopMTU), body: quote(original))
    }

    /// Time Exceeded (type 11): code 0 TTL exceeded in transit, 1 reassembly time exceeded.
    public static func timeExceeded(code: UInt8 = 0, quoting original: [UInt8]) -> ICMPBuilder {
        ICMPBuilder(type: 11, code: code, body: quote(original))
    }

    /// The IPv4 header (as long as its IHL says) plus the first 8 bytes after it.
    public static func quote(_ original: [UInt8]) -> [UInt8] {
        guard let first = original.first else { return [] }
        let headerLength = Int(first & 0x0F) * 4
        return Array(original.prefix(headerLength + 8))
    }
}

/// An ICMPv6 message (RFC 4443); its checksum covers the IPv6 pseudo-header.
public struct ICMPv6Builder: TransportSegment {
    public var type: UInt8
    public var code: UInt8
    /// Bytes 4–7: identifier/sequence for echo, MTU for Packet Too Big, pointer for Parameter Problem.
    public var restOfHeader: UInt32
    public var body: [UInt8]
    /// Writes this checksum instead of the correct one.
    public var checksumOverride: UInt16?

    /// Any ICMPv6 message.
    public init(type: UInt8, code: UInt8, restOfHeader: UInt32 = 0, body: [UInt8] = []) {
        self.type = type
        self.code = code
        self.restOfHeader = restOfHeader
        self.body = body
        self.checksumOverride = nil
    }

    public var ipProtocol: UInt8 { IPProtocolNumber.icmpv6 }

    public func serialized(source: HostAddress, destination: HostAddress) -> [UInt8] {
        var bytes: [UInt8] = [type, code, 0, 0]
        bytes.appendBigEndian(restOfHeader)
        bytes += body
        let checksum = checksumOverride
            ?? Checksum.transport(bytes, source: source, destination: destination, protocolNumber: ipProtocol)
        bytes.storeBigEndian(checksum, at: 2)
        return bytes
    }

    /// Codes of Destination Unreachable (type 1), RFC 4443 §3.1.
    public enum UnreachableCode: UInt8, Sendable {
        case noRoute = 0, administrativelyProhibited = 1, beyondScope = 2, address = 3, port = 4,
             sourcePolicyFailed = 5, rejectRoute = 6
    }

    /// How much of the invoking packet fits so the error stays within the minimum MTU:
    /// 1280 − 40 (IPv6 header) − 8 (ICMPv6 header).
    public static let maximumQuoteLength = 1232

    /// Echo Request (type 128).
    public static func echoRequest(identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> ICMPv6Builder {
        ICMPv6Builder(type: 128, code: 0, restOfHeader: UInt32(identifier) << 16 | UInt32(sequence), body: payload)
    }

    /// Echo Reply (type 129).
    public static func echoReply(identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> ICMPv6Builder {
        ICMPv6Builder(type: 129, code: 0, restOfHeader: UInt32(identifier) << 16 | UInt32(sequence), body: payload)
    }

    /// Destination Unreachable (type 1) quoting as much of the invoking packet as fits.
    public static func destinationUnreachable(_ code: UnreachableCode, quoting original: [UInt8]) -> ICMPv6Builder {
        ICMPv6Builder(type: 1, code: code.rawValue, body: Array(original.prefix(maximumQuoteLength)))
    }

    /// Packet Too Big (type 2) with the next hop's MTU.
    public static func packetTooBig(mtu: UInt32, quoting original: [UInt8]) -> ICMPv6Builder {
        ICMPv6Builder(type: 2, code: 0, restOfHeader: mtu, body: Array(original.prefix(maximumQuoteLength)))
    }

    /// Time Exceeded (type 3): code 0 hop limit exceeded, 1 fragment reassembly time exceeded.
    public static func timeExceeded(code: UInt8 = 0, quoting original: [UInt8]) -> ICMPv6Builder {
        ICMPv6Builder(type: 3, code: code, body: Array(original.prefix(maximumQuoteLength)))
    }
}
