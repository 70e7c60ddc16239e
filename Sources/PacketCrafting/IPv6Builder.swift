/// An IPv6 header (RFC 8200) with an optional chain of extension headers before the payload.
public struct IPv6Builder: Sendable {
    public var source: HostAddress
    public var destination: HostAddress
    public var hopLimit: UInt8
    public var trafficClass: UInt8
    /// The 20-bit flow label.
    public var flowLabel: UInt32
    /// Extension headers in wire order; their next-header fields are chained automatically.
    public var extensionHeaders: [ExtensionHeader]
    /// Writes this payload length instead of the real one.
    public var payloadLengthOverride: UInt16?

    /// A header with the usual defaults (hop limit 64, no extension headers).
    public init(source: HostAddress, destination: HostAddress, hopLimit: UInt8 = 64, flowLabel: UInt32 = 0,
                extensionHeaders: [ExtensionHeader] = []) {
        precondition(source.isIPv6 && destination.isIPv6, "IPv6Builder needs IPv6 addresses")
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.trafficClass = 0
        self.flowLabel = flowLabel & 0xFFFFF
        self.extensionHeaders = extensionHeaders
        self.payloadLengthOverride = nil
    }

    /// The destination an upper-layer checksum covers (RFC 8200 §8.1): the last address of a
    /// routing header that still has segments left, otherwise the header's destination.
    public var finalDestination: HostAddress {
        var final = destination
        for header in extensionHeaders {
            if case .routing(_, let segmentsLeft, let addresses) = header, segmentsLeft > 0, let last = addresses.last {
                final = last
            }
        }
        return final
    }

    /// The fixed 40-byte header for `payloadLength` bytes after it, announcing `nextHeader`.
    func fixedHeader(nextHeader: UInt8, payloadLength: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        bytes.appendBigEndian(UInt32(6) << 28 | UInt32(trafficClass) << 20 | (flowLabel & 0xFFFFF))
        bytes.appendBigEndian(payloadLengthOverride ?? UInt16(truncatingIfNeeded: payloadLength))
        bytes.append(nextHeader)
        bytes.append(hopLimit)
        bytes += source.bytes
        bytes += destination.bytes
        return bytes
    }

    /// Encodes `headers` chained in order, the last one announcing `upperProtocol`.
    static func encodeChain(_ headers: [ExtensionHeader], upperProtocol: UInt8) -> (first: UInt8, bytes: [UInt8]) {
        var bytes: [UInt8] = []
        for (index, header) in headers.enumerated() {
            let next = index + 1 < headers.count ? headers[index + 1].headerNumber : upperProtocol
            bytes += header.encoded(nextHeader: next)
        }
        return (headers.first?.headerNumber ?? upperProtocol, bytes)
    }

    /// The whole packet: fixed header, extension headers, then `payload` announced as `nextHeader`.
    public func packet(nextHeader: UInt8, payload: [UInt8]) -> [UInt8] {
        let chain = IPv6Builder.encodeChain(extensionHeaders, upperProtocol: nextHeader)
        return fixedHeader(nextHeader: chain.first, payloadLength: chain.bytes.count + payload.count) + chain.bytes + payload
    }

    /// The whole packet carrying `segment`, its checksum computed for the final destination.
    public func packet(carrying segment: some TransportSegment) -> [UInt8] {
        packet(nextHeader: segment.ipProtocol, payload: segment.serialized(source: source, destination: finalDestination))
    }
}

extension IPv6Builder {
    /// An IPv6 extension header (RFC 8200 §4); lengths and padding are computed when encoded.
    public enum ExtensionHeader: Sendable, Hashable {
        /// Hop-by-Hop Options (next header 0), padded to 8 bytes with Pad1/PadN.
        case hopByHop([Option])
        /// Destination Options (next header 60), padded to 8 bytes with Pad1/PadN.
        case destinationOptions([Option])
        /// Routing header (43). `addresses` are in path order, the final destination last. Type 4
        /// (Segment Routing, RFC 8754) is encoded with its segment list reversed as that RFC says;
        /// other types as the RFC 8200 type-0 layout (4 reserved bytes, then the addresses).
        case routing(type: UInt8, segmentsLeft: UInt8, addresses: [HostAddress])
        /// Fragment header (44): offset in 8-byte units, M flag, identification.
        case fragment(offset: UInt16, moreFragments: Bool, identification: UInt32)

        /// The next-header number that announces this header.
        public var headerNumber: UInt8 {
            switch self {
            case .hopByHop: return IPProtocolNumber.hopByHop
            case .destinationOptions: return IPProtocolNumber.ipv6DestinationOptions
            case .routing: return IPProtocolNumber.ipv6Routing
            case .fragment: return IPProtocolNumber.ipv6Fragment
            }
        }

        /// True for headers that stay in every fragment (RFC 8200 §4.5: hop-by-hop and routing).
        var isUnfragmentable: Bool {
            switch self {
            case .hopByHop, .routing: return true
            case .destinationOptions, .fragment: return false
            }
        }

        /// The header's bytes with `nextHeader` in its first byte.
        public func encoded(nextHeader: UInt8) -> [UInt8] {
            switch self {
            case .hopByHop(let options), .destinationOptions(let options):
                var bytes: [UInt8] = [nextHeader, 0]
                for option in options { bytes += option.encoded }
                let padding = (8 - bytes.count % 8) % 8
                if padding == 1 {
                    bytes += Option.pad1.encoded
                } else if padding > 1 {
                    bytes += Option.padN(padding).encoded
                }
                bytes[1] = UInt8(bytes.count / 8 - 1)
                return bytes
            case .routing(let type, let segmentsLeft, let addresses):
                var bytes: [UInt8] = [nextHeader, UInt8(2 * addresses.count), type, segmentsLeft]
                if type == 4 {
                    bytes += [UInt8(max(addresses.count - 1, 0)), 0, 0, 0]  // last entry, flags, tag
                    for address in addresses.reversed() { bytes += address.bytes }
                } else {
                    bytes += [0, 0, 0, 0]
                    for address in addresses { bytes += address.bytes }
                }
                return bytes
            case .fragment(let offset, let moreFragments, let identification):
                var bytes: [UInt8] = [nextHeader, 0]
                bytes.appendBigEndian(offset << 3 | (moreFragments ? 1 : 0))
                bytes.appendBigEndian(identification)
                return bytes
            }
        }
    }

    /// An option inside a hop-by-hop or destination options header (RFC 8200 §4.2).
    public enum Option: Sendable, Hashable {
        case pad1
        /// PadN covering `count` bytes in total (at least 2).
        case padN(Int)
        /// Router Alert (RFC 2711) with its 16-bit value (0 = MLD).
        case routerAlert(UInt16)
        /// Any other option: type byte and data (the length byte is computed).
        case other(type: UInt8, data: [UInt8])

        /// The option's bytes.
        public var encoded: [UInt8] {
            switch self {
            case .pad1:
                return [0]
            case .padN(let count):
                precondition(count >= 2, "PadN covers at least two bytes")
                return [1, UInt8(count - 2)] + Array(repeating: 0, count: count - 2)
            case .routerAlert(let value):
                return [5, 2, UInt8(value >> 8), UInt8(value & 0xFF)]
            case .other(let type, let data):
                return [type, UInt8(data.count)] + data
            }
        }
    }
}
