/// An IPv4 header (RFC 791) to put in front of a payload; every field settable, including
/// malformations (header length, total length, checksum) for decoder tests.
public struct IPv4Builder: Sendable {
    public var source: HostAddress
    public var destination: HostAddress
    public var ttl: UInt8
    public var identification: UInt16
    /// The DSCP/ECN byte.
    public var typeOfService: UInt8
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// The fragment offset in 8-byte units.
    public var fragmentOffset: UInt16
    public var options: [Option]
    /// Writes this header length (in 32-bit words) instead of the real one.
    public var headerLengthOverride: UInt8?
    /// Writes this total length instead of the real one.
    public var totalLengthOverride: UInt16?
    /// Writes this checksum instead of the correct one.
    public var checksumOverride: UInt16?

    /// A header with the usual defaults (TTL 64, no fragmentation flags, no options).
    public init(source: HostAddress, destination: HostAddress, ttl: UInt8 = 64, identification: UInt16 = 0,
                dontFragment: Bool = false, options: [Option] = []) {
        precondition(!source.isIPv6 && !destination.isIPv6, "IPv4Builder needs IPv4 addresses")
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.identification = identification
        self.typeOfService = 0
        self.dontFragment = dontFragment
        self.moreFragments = false
        self.fragmentOffset = 0
        self.options = options
        self.headerLengthOverride = nil
        self.totalLengthOverride = nil
        self.checksumOverride = nil
    }

    /// The encoded options, padded with End-of-Option-List bytes to a multiple of four.
    public var encodedOptions: [UInt8] {
        var bytes: [UInt8] = []
        for option in options { bytes += option.encoded }
        bytes.padWithZeros(toMultipleOf: 4)
        return bytes
    }

    /// The header alone (with its checksum) for a payload of `payloadLength` bytes.
    public func header(protocolNumber: UInt8, payloadLength: Int) -> [UInt8] {
        let optionBytes = encodedOptions
        precondition(optionBytes.count <= 40, "IPv4 options are limited to 40 bytes")
        let headerLength = 20 + optionBytes.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerLength)
        let ihl = headerLengthOverride ?? UInt8(headerLength / 4)
        bytes.append(0x40 | (ihl & 0x0F))
        bytes.append(typeOfService)
        bytes.appendBigEndian(totalLengthOverride ?? UInt16(truncatingIfNeeded: headerLength + payloadLength))
        bytes.appendBigEndian(identification)
        var flagsAndOffset = fragmentOffset & 0x1FFF
        if dontFragment { flagsAndOffset |= 0x4000 }
        if moreFragments { flagsAndOffset |= 0x2000 }
        bytes.appendBigEndian(flagsAndOffset)
        bytes.append(ttl)
        bytes.append(protocolNumber)
        bytes.appendBigEndian(UInt16(0))
        bytes.appendBigEndian(source.ipv4Value)
        bytes.appendBigEndian(destination.ipv4Value)
        bytes += optionBytes
        bytes.storeBigEndian(checksumOverride ?? Checksum.internet(bytes), at: 10)
        return bytes
    }

    /// The whole packet: header then `payload`.
    public func packet(protocolNumber: UInt8, payload: [UInt8]) -> [UInt8] {
        header(protocolNumber: protocolNumber, payloadLength: payload.count) + payload
    }

    /// The whole packet carrying `segment`, its checksum computed for these addresses.
    public func packet(carrying segment: some TransportSegment) -> [UInt8] {
        packet(protocolNumber: segment.ipProtocol, payload: segment.serialized(source: source, destination: destination))
    }
}

extension IPv4Builder {
    /// An IPv4 option (RFC 791 §3.1), encoded as type-length-value except the one-byte kinds.
    public enum Option: Sendable, Hashable {
        case endOfOptionList
        case noOperation
        /// Record Route with room for `slots` addresses, the first of them already `recorded`.
        case recordRoute(slots: Int, recorded: [HostAddress])
        /// Router Alert (RFC 2113), value 0: "examine this packet".
        case routerAlert
        /// Any other option: its type byte and data (the length byte is computed).
        case other(type: UInt8, data: [UInt8])

        /// The option's bytes.
        public var encoded: [UInt8] {
            switch self {
            case .endOfOptionList:
                return [0]
            case .noOperation:
                return [1]
            case .recordRoute(let slots, let recorded):
                precondition(recorded.count <= slots && slots <= 9, "Record Route holds at most 9 addresses")
                var bytes: [UInt8] = [7, UInt8(3 + 4 * slots), UInt8(4 + 4 * recorded.count)]
                for address in recorded { bytes.appendBigEndian(address.ipv4Value) }
                bytes += Array(repeating: 0, count: 4 * (slots - recorded.count))
                return bytes
            case .routerAlert:
                return [0x94, 4, 0, 0]
            case .other(let type, let data):
                return [type, UInt8(2 + data.count)] + data
            }
        }
    }
}
